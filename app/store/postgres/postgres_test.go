package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
	"github.com/ownershipbot/ownershipbot/internal/storetest"
)

func testDatabase(t testing.TB) string { return pgtest.Database(t) }

func openStore(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return openStore(t, testDatabase(t))
	})
}

func TestReplicasShareTheQueueSafely(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	replicas := []store.Store{openStore(t, dsn), openStore(t, dsn), openStore(t, dsn)}
	storetest.ClaimConcurrently(t, replicas, 12, 300)
}

func TestReplicaTakesOverAnExpiredLease(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := testDatabase(t)
	crashed, survivor := openStore(t, dsn), openStore(t, dsn)
	for _, id := range []string{"a", "b"} {
		if _, err := crashed.Enqueue(ctx, store.Delivery{ID: id, Event: "issues", OrderKey: "acme/web#1", ReceivedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := crashed.Claim(ctx, "crashed", time.Millisecond); err != nil || d.ID != "a" {
		t.Fatalf("Claim = %q, %v; want a", d.ID, err)
	}
	crashed.Close()
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		d, err := survivor.Claim(ctx, "survivor", time.Hour)
		if errors.Is(err, store.ErrNoDelivery) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = d.ID
		break
	}
	if got != "a" {
		t.Errorf("the surviving replica claimed %q, want a (the crashed replica's delivery, before b)", got)
	}
}

func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	stores := make([]*Store, replicas)
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows, latest int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &latest); err != nil {
		t.Fatal(err)
	}
	if rows != latest || latest < 1 {
		t.Errorf("schema_migrations has %d rows up to version %d, want one per version from 1", rows, latest)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	s := openStore(t, dsn)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES (999)`); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(t.Context(), dsn); err == nil {
		s2.Close()
		t.Fatal("Open of a database migrated by a newer version succeeded, want an error")
	}
}

func TestErrorsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://bot:hunter2secret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://bot:hunter2secret@127.0.0.1:1/db?sslmode=nonsense",
		"postgres://bot:hunter2secret@127.0.0.1:1/db?pool_max_conns=many",
	} {
		s, err := Open(t.Context(), dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded, want an error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "hunter2secret") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

// benchPayload is the size of a typical issues or issue_comment webhook body.
const benchPayload = 10 << 10

func BenchmarkEnqueue(b *testing.B) {
	s := openStore(b, testDatabase(b))
	storetest.BenchEnqueue(b, s, benchPayload)
}

func BenchmarkClaimComplete(b *testing.B) {
	s := openStore(b, testDatabase(b))
	storetest.BenchClaimComplete(b, s, benchPayload)
}

func BenchmarkEnqueueWhileWorking(b *testing.B) {
	s := openStore(b, testDatabase(b))
	storetest.BenchEnqueueWhileWorking(b, s, benchPayload, 4)
}

func TestLinksMoveToTheirOwnTable(t *testing.T) {
	dsn := testDatabase(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFiles.ReadFile("migrations/0001_initial.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(v1),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
		`INSERT INTO schema_migrations (version) VALUES (1)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for n, links := range map[int]string{7: storetest.V1LinksJSON, 8: storetest.V1LinksOnly} {
		if _, err := conn.Exec(ctx, `INSERT INTO threads (repo, number, installation_id, kind, state, links_json)
			VALUES ('acme/web', $1, 42, 'pull_request', 'open', $2)`, n, links); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)
	storetest.CheckMigratedLinks(t, openStore(t, dsn))
}
