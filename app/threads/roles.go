package threads

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
)

// Author is who wrote a comment, as GitHub describes them.
type Author struct {
	Login       string
	IsBot       bool   // GitHub's user type is "Bot"
	Association string // author_association: OWNER, MEMBER, CONTRIBUTOR, ...
}

// userType is GitHub's user type as far as the bot needs it.
func (a Author) userType() string {
	if a.IsBot {
		return "Bot"
	}
	return "User"
}

// Role decides the part a comment's author plays (bot, product, engineer,
// external), asking GitHub about team membership only when the
// configuration names product teams.
func (b *Base) Role(ctx context.Context, installationID int64, cfg config.Config, author Author) (analysis.Role, error) {
	a := analysis.Author{Login: author.Login, IsBot: author.IsBot, Association: author.Association}
	if !a.IsBot {
		product, err := b.isProduct(ctx, installationID, cfg, a.Login)
		if err != nil {
			return "", err
		}
		a.IsProduct = product
	}
	return b.Analyzer.RoleOf(a), nil
}

func (b *Base) isProduct(ctx context.Context, installationID int64, cfg config.Config, login string) (bool, error) {
	if cfg.IsProductLogin(login) {
		return true, nil
	}
	for _, team := range cfg.ProductTeams() {
		member, err := b.teamMember(ctx, installationID, team[0], team[1], login)
		if err != nil {
			return false, err
		}
		if member {
			return true, nil
		}
	}
	return false, nil
}

func (b *Base) teamMember(ctx context.Context, installationID int64, org, team, login string) (bool, error) {
	key := strings.ToLower(org + "/" + team + "/" + login)
	now := b.Now()
	if member, ok := b.teams.get(key, now); ok {
		return member, nil
	}
	client, err := b.Clients.Installation(installationID)
	if err != nil {
		return false, err
	}
	m, _, err := client.Teams.GetTeamMembershipBySlug(ctx, org, team, login)
	member := err == nil && m.GetState() == "active"
	if err != nil && !ghclient.IsNotFound(err) {
		return false, err
	}
	b.teams.put(key, member, now)
	return member, nil
}

// teamCache remembers team memberships for a while, so a busy thread does
// not ask GitHub about the same person again and again.
type teamCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]teamEntry
}

type teamEntry struct {
	member  bool
	expires time.Time
}

func (c *teamCache) get(key string, now time.Time) (member, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.member, ok && now.Before(e.expires)
}

func (c *teamCache) put(key string, member bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = teamEntry{member: member, expires: now.Add(c.ttl)}
}
