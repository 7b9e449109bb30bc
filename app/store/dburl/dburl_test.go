package dburl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAcceptedForms(t *testing.T) {
	cases := []struct {
		name, url, kind, target string
	}{
		{"default is a SQLite file in the working directory", Default, "sqlite", "ownershipbot.db"},
		{"sqlite with an absolute path", "sqlite:/var/lib/ownershipbot/bot.db", "sqlite", "/var/lib/ownershipbot/bot.db"},
		{"sqlite URL with three slashes is absolute", "sqlite:///var/lib/bot.db", "sqlite", "/var/lib/bot.db"},
		{"sqlite URL with two slashes is relative", "sqlite://data/bot.db", "sqlite", "data/bot.db"},
		{"scheme is case-insensitive", "SQLite:bot.db", "sqlite", "bot.db"},
		{"postgres URL is passed as it is",
			"postgres://bot:pw@db.internal:5432/ownershipbot?sslmode=require",
			"postgres", "postgres://bot:pw@db.internal:5432/ownershipbot?sslmode=require"},
		{"postgresql scheme too", "postgresql://db.internal/ownershipbot", "postgres", "postgresql://db.internal/ownershipbot"},
		{"postgres on the local socket", "postgres:///ownershipbot", "postgres", "postgres:///ownershipbot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kind, target, err := parse(tc.url)
			if err != nil || kind != tc.kind || target != tc.target {
				t.Errorf("parse(%q) = %q, %q, %v; want %q, %q", tc.url, kind, target, err, tc.kind, tc.target)
			}
		})
	}
}

func TestRefusedFormsNameTheSettingAndHideThePassword(t *testing.T) {
	cases := []struct {
		name, url, mention string
	}{
		{"no scheme", "ownershipbot.db", "sqlite:PATH"},
		{"unknown scheme", "mysql://bot:s3cr3tpw@db/ownershipbot", "mysql"},
		{"empty sqlite path", "sqlite:", "sqlite:PATH"},
		{"in-memory sqlite", "sqlite::memory:", "file"},
		{"sqlite path with a query", "sqlite:bot.db?mode=ro", "query"},
		{"postgres without slashes", "postgres:ownershipbot", "postgres://"},
		{"malformed postgres URL", "postgres://bot:s3cr3tpw@db:port/x", "postgres://"},
		{"malformed URL with a slash in the password", "redis://bot:s3cr3tpw/x@db%zz/x", "scheme"},
		{"empty", "", "empty"},
		{"key=value form", "host=db user=bot password=s3cr3tpw dbname=x", "scheme"},
		{"key=value form with a port", "host=db:5432 password=s3cr3tpw", "scheme"},
		{"key=value form, quoted", "host=db password='s3cr3tpw and more' dbname=x", "scheme"},
		{"sqlite path with a password query", "sqlite:bot.db?password=s3cr3tpw", "query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tc.url)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "DATABASE_URL") || !strings.Contains(msg, tc.mention) {
				t.Errorf("error %q should start with DATABASE_URL and mention %q", msg, tc.mention)
			}
			if strings.Contains(msg, "s3cr3tpw") {
				t.Errorf("error shows the password: %q", msg)
			}
		})
	}
}

func TestUnreachablePostgresHidesThePassword(t *testing.T) {
	_, err := Open(t.Context(), "postgres://bot:s3cr3tpw@127.0.0.1:1/ownershipbot?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of an unreachable PostgreSQL succeeded")
	}
	if !strings.HasPrefix(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "s3cr3tpw") {
		t.Errorf("error = %q; want it to name DATABASE_URL and not show the password", err)
	}
}

func TestOpensSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	s, err := Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the SQLite file was not created at %s: %v", path, err)
	}
}

func TestKind(t *testing.T) {
	for url, want := range map[string]string{Default: "sqlite", "postgres://h/db": "postgres"} {
		if got, err := Kind(url); err != nil || got != want {
			t.Errorf("Kind(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
}

func TestRedactMasksEveryPassword(t *testing.T) {
	for raw, secret := range map[string]string{
		"postgres://bot:hunter2@db:5432/ownership":                         "hunter2",
		"postgres://bot@db:5432/ownership?sslmode=require&password=S3CRET": "S3CRET",
		"host=db user=bot password=hunter2 dbname=x":                       "hunter2",
		"host=db PASSWORD = 'hunter 2' dbname=x":                           "hunter",
	} {
		if got := Redact(raw); strings.Contains(got, secret) {
			t.Errorf("Redact(%q) = %q, still shows the password", raw, got)
		}
	}
	if got := Redact("sqlite:ownershipbot.db"); got != "sqlite:ownershipbot.db" {
		t.Errorf("Redact changed a URL without a password: %q", got)
	}
}
