package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/history"
	"github.com/ownershipbot/ownershipbot/app/store/dburl"
)

// runBackfill reads the history of one repository, or of every repository
// the App is installed on, into the store, in the foreground: with SQLite
// while serve is stopped (one process owns the file), with PostgreSQL
// alongside it. It reads the same settings as serve. Stopped and run
// again, it goes on from the last page it stored.
func runBackfill(ctx context.Context, env *cmdEnv, args []string) int {
	var repo string
	var all bool
	s := newSettings("backfill", "Reads the history of a repository (--repo owner/name) or of every repository the App is installed on (--all) into the store: open issues and pull requests and those closed in the last backfill.days, with their comments and reviews. It takes serve's settings; run it when serve is stopped if the store is SQLite. Run again, it goes on where it stopped.", env,
		func(fs *flag.FlagSet) {
			fs.StringVar(&repo, "repo", "", "the repository to read, as owner/name")
			fs.BoolVar(&all, "all", false, "read every repository the App is installed on")
		})
	appID := s.add(env, "GITHUB_APP_ID", "", "the App's numeric id")
	keyPath := s.add(env, "GITHUB_PRIVATE_KEY_PATH", "", "file holding the App's PEM private key")
	keyText := s.add(env, "GITHUB_PRIVATE_KEY", "", "the App's PEM private key itself (instead of a file)")
	secret := s.add(env, "GITHUB_WEBHOOK_SECRET", "", "the webhook secret set on the App")
	apiURL := s.add(env, "GITHUB_API_URL", "https://api.github.com/", "REST base URL; GitHub Enterprise Server: https://HOST/api/v3/")
	s.add(env, "LISTEN_ADDR", ":8080", "unused by backfill; accepted so that serve's settings work as they are")
	dbURL := s.add(env, "DATABASE_URL", "sqlite:ownershipbot.db", "sqlite:PATH or postgres://...")
	level := s.add(env, "LOG_LEVEL", "info", "debug, info, warn or error")
	retention := s.add(env, "RETENTION_DAYS", "90", "days closed threads and failed deliveries are kept")
	if code, ok := s.parse(env, args); !ok {
		return code
	}
	switch {
	case repo == "" && !all:
		errorf(env, "say which history to read: --repo owner/name or --all")
		return exitUsage
	case repo != "" && all:
		errorf(env, "give --repo or --all, not both")
		return exitUsage
	case repo != "" && (strings.Count(repo, "/") != 1 || strings.HasPrefix(repo, "/") || strings.HasSuffix(repo, "/")):
		errorf(env, "--repo must be owner/name, not %q", repo)
		return exitUsage
	}
	lvl, err := logLevel(level)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	id, err := parseAppID(appID)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	key, err := privateKey(keyPath.value, keyText.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	keep, err := retentionDays(retention)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if _, err := dburl.Kind(dbURL.value); err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if secret.value == "" {
		secret.value = "unused by backfill"
	}
	st, err := dburl.Open(ctx, dbURL.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	defer st.Close()
	a, err := app.New(app.Options{AppID: id, PrivateKey: key, WebhookSecret: []byte(secret.value), GitHubAPIURL: apiURL.value,
		Store: st, Registry: prometheus.NewRegistry(), Log: newLogger(env.stderr, lvl), Retention: keep})
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	return backfill(ctx, env, a.History(), repo)
}

// backfill reads each repository's history to the end, waiting out
// GitHub's rate limits, and says how far it got.
func backfill(ctx context.Context, env *cmdEnv, h *history.History, repo string) int {
	targets, err := h.Targets(ctx, repo)
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	for _, t := range targets {
		b, err := h.Continue(ctx, t.InstallationID, t.FullName)
		if err != nil {
			errorf(env, "could not start reading %s: %s", t.FullName, err)
			return exitFailure
		}
		start := time.Now()
		for !b.Done() {
			next, err := h.Step(ctx, b.Repo, b.Step)
			var pause *history.Pause
			switch {
			case errors.As(err, &pause):
				fmt.Fprintf(env.stdout, "%s: waiting for GitHub's rate limit until %s\n", t.FullName, pause.Until.Local().Format(time.TimeOnly))
				if sleepCtx(ctx, time.Until(pause.Until)) != nil {
					errorf(env, "stopped while waiting; run the same command again to go on")
					return exitFailure
				}
			case err != nil:
				if ctx.Err() != nil {
					errorf(env, "stopped; run the same command again to go on")
				} else {
					errorf(env, "reading %s failed: %s; run the same command again to go on", t.FullName, err)
				}
				return exitFailure
			}
			if next.Repo == "" {
				// serve, beside this command, forgot it meanwhile.
				errorf(env, "%s is no longer read: the App was uninstalled from it or it was removed from the App meanwhile", t.FullName)
				return exitFailure
			}
			b = next
		}
		fmt.Fprintf(env.stdout, "%s: %d issues and pull requests read in %s\n", t.FullName, b.ItemsDone, time.Since(start).Round(time.Second))
	}
	return exitOK
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
