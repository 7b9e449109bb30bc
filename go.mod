module github.com/ownershipbot/ownershipbot

go 1.26.8
