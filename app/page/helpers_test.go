package page_test

import (
	"os"
	"strconv"
)

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func exit(code int) { os.Exit(code) }
