// Package pgtest gives tests a fresh, empty schema of the test PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the PostgreSQL the tests use unless OWNERSHIPBOT_TEST_POSTGRES
// names another one (or is "off").
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Database returns the URL of a fresh, empty schema of the test PostgreSQL,
// dropped when the test ends. A PostgreSQL that cannot be reached fails the
// test: only OWNERSHIPBOT_TEST_POSTGRES=off skips it.
func Database(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("OWNERSHIPBOT_TEST_POSTGRES")
	if dsn == "off" {
		t.Skip("OWNERSHIPBOT_TEST_POSTGRES=off: PostgreSQL tests switched off")
	}
	if dsn == "" {
		dsn = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("PostgreSQL for the tests cannot be reached at %s: %s\n"+
			"Start it, point OWNERSHIPBOT_TEST_POSTGRES at another one, or set OWNERSHIPBOT_TEST_POSTGRES=off to skip these tests.",
			redact(dsn), strings.ReplaceAll(err.Error(), dsn, redact(dsn)))
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "ownershipbot_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("creating test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(t, dsn, schema)
}

// WithSearchPath adds search_path to a URL or key=value connection string.
func WithSearchPath(t testing.TB, dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("OWNERSHIPBOT_TEST_POSTGRES is not a valid URL: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return "the test PostgreSQL"
}
