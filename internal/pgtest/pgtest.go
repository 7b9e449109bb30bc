// Package pgtest gives tests a fresh, empty schema of the test PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

// DefaultURL is the PostgreSQL the tests use unless OWNERSHIPBOT_TEST_POSTGRES
// names another one (or is "off").
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// unreachable remembers the first failed connection, so that a test binary
// with many PostgreSQL tests waits for a missing server once.
var unreachable struct {
	sync.Mutex
	reason string
}

// Database returns the URL of a fresh, empty schema of the test PostgreSQL,
// dropped when the test ends. When that PostgreSQL cannot be reached the test
// is skipped, saying so, or fails under CI=true;
// OWNERSHIPBOT_TEST_POSTGRES=off always skips it.
func Database(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("OWNERSHIPBOT_TEST_POSTGRES")
	if dsn == "off" {
		t.Skip("OWNERSHIPBOT_TEST_POSTGRES=off: PostgreSQL tests switched off")
	}
	if dsn == "" {
		dsn = DefaultURL
	}
	const hint = "start it, or point OWNERSHIPBOT_TEST_POSTGRES at another one"
	unreachable.Lock()
	reason := unreachable.reason
	unreachable.Unlock()
	if reason != "" {
		needs.Missing(t, reason, hint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		reason := fmt.Sprintf("PostgreSQL for the tests cannot be reached at %s (%s)",
			redact(dsn), strings.ReplaceAll(err.Error(), dsn, redact(dsn)))
		unreachable.Lock()
		unreachable.reason = reason
		unreachable.Unlock()
		needs.Missing(t, reason, hint)
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
	return "OWNERSHIPBOT_TEST_POSTGRES"
}
