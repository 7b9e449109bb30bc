// Package dburl opens the store that DATABASE_URL names (see docs/reference.md).
//
// Accepted forms:
//
//	sqlite:PATH                     the embedded store in the file PATH, relative
//	                                to the working directory or absolute
//	                                (sqlite:ownershipbot.db, sqlite:/var/lib/ownershipbot/bot.db)
//	sqlite://PATH                   the same; everything after "sqlite://" is the
//	                                path, so sqlite:///var/lib/bot.db is absolute
//	                                and sqlite://bot.db is relative
//	postgres://USER:PASSWORD@HOST:PORT/DB?PARAMS
//	postgresql://...                PostgreSQL, for several replicas; PARAMS are
//	                                libpq's (sslmode, search_path, ...) and pgx's
//	                                pool settings (pool_max_conns, ...); without a
//	                                HOST, libpq's defaults apply (a local socket)
//
// The SQLite path is taken literally: no URL escapes, no query string, no
// ":memory:" (an in-memory queue would break the promise a 202 makes).
package dburl

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/postgres"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
)

// Default is DATABASE_URL's default: a SQLite file in the working directory.
const Default = "sqlite:ownershipbot.db"

// accepted describes the forms, for error sentences.
const accepted = "sqlite:PATH (for example sqlite:ownershipbot.db) or postgres://USER:PASSWORD@HOST/DATABASE"

// Kind reports which store a DATABASE_URL names, "sqlite" or "postgres",
// without opening it; it returns the same errors as Open for a malformed one.
func Kind(databaseURL string) (string, error) {
	kind, _, err := parse(databaseURL)
	return kind, err
}

// Open opens, and migrates, the store that databaseURL names. Its errors are
// sentences that name DATABASE_URL and never contain a password.
func Open(ctx context.Context, databaseURL string) (store.Store, error) {
	kind, target, err := parse(databaseURL)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		return s, nil
	default:
		s, err := postgres.Open(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %s", redactError(err, target))
		}
		return s, nil
	}
}

// parse splits a DATABASE_URL into the store kind and what that store's Open
// takes: a file path or the PostgreSQL URL itself.
func parse(databaseURL string) (kind, target string, err error) {
	raw := strings.TrimSpace(databaseURL)
	if raw == "" {
		return "", "", fmt.Errorf("DATABASE_URL is empty; use %s", accepted)
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return "", "", fmt.Errorf("DATABASE_URL %q has no scheme; use %s", redact(raw), accepted)
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		path := strings.TrimPrefix(rest, "//")
		switch {
		case path == "":
			return "", "", fmt.Errorf("DATABASE_URL %q names no SQLite file; use sqlite:PATH, for example %s", redact(raw), Default)
		case strings.Contains(path, "?"):
			return "", "", fmt.Errorf("DATABASE_URL %q: a SQLite path takes no query string; use sqlite:PATH", redact(raw))
		case path == ":memory:" || strings.HasPrefix(path, "file:"):
			return "", "", fmt.Errorf("DATABASE_URL %q: the queue must be durable, so the SQLite database must be a file; use sqlite:PATH", redact(raw))
		}
		return "sqlite", path, nil
	case "postgres", "postgresql":
		u, err := url.Parse(raw)
		if err != nil || u.Opaque != "" {
			return "", "", fmt.Errorf("DATABASE_URL %q is not a valid PostgreSQL URL; use postgres://USER:PASSWORD@HOST/DATABASE", redact(raw))
		}
		return "postgres", raw, nil
	default:
		return "", "", fmt.Errorf("DATABASE_URL %q has the unknown scheme %q; use %s", redact(raw), scheme, accepted)
	}
}

// Redact masks every password in a database URL, for logs and errors: in
// its user info and in a password= query parameter.
func Redact(raw string) string { return redact(raw) }

// keywordPassword is a password in PostgreSQL's key=value form
// ("host=db password=secret" or password='a secret').
var keywordPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s]*)`)

// redact masks the password of a URL-shaped string, even one that does not
// parse as a URL (anything between "://user:" and the last "@"), and of a
// key=value connection string.
func redact(raw string) string {
	if !strings.Contains(raw, "://") && keywordPassword.MatchString(raw) {
		return keywordPassword.ReplaceAllString(raw, "${1}xxxxx")
	}
	return redactURL(raw)
}

func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && (u.User != nil || u.RawQuery != "") {
		if q := u.Query(); q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				return u.Redacted()
			}
		}
		return u.String()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// redactError removes the URL's password from an error text, as a last guard
// whatever the driver put in it.
func redactError(err error, raw string) string {
	msg := err.Error()
	u, perr := url.Parse(raw)
	if perr != nil {
		return msg
	}
	var secrets []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	secrets = append(secrets, u.Query().Get("password"))
	for _, pw := range secrets {
		if pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
		}
	}
	return msg
}
