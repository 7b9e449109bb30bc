package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	storetest.EnqueueWhileClaiming(t, replicas, 6)
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

func TestQueuedDeliveriesMoveIntoLanes(t *testing.T) {
	dsn := testDatabase(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	script := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`}
	for _, name := range []string{"0001_initial.sql", "0002_pull_request_links.sql"} {
		m, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		script = append(script, string(m))
	}
	script = append(script, `INSERT INTO schema_migrations (version) VALUES (1), (2)`)
	for _, q := range script {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for _, d := range storetest.OldQueue {
		var available, lease *time.Time
		hour, past := now.Add(time.Hour), now.Add(-time.Minute)
		switch {
		case d.Status == store.DeliveryPending && d.Later:
			available = &hour
		case d.Status == store.DeliveryLeased && d.Later:
			lease = &hour
		case d.Status == store.DeliveryLeased:
			lease = &past
		}
		if _, err := conn.Exec(ctx, `INSERT INTO deliveries (id, event, order_key, payload, received_at, status, available_at, lease_until)
			VALUES ($1, 'issues', $2, '{}', now(), $3, $4, $5)`, d.ID, d.Key, d.Status, available, lease); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)
	// Another replica's live lease still holds its lane.
	storetest.CheckMigratedQueue(t, openStore(t, dsn), true)
}

// A claim reads lanes through lanes_ready and lanes_waiting, and a lane's
// head through deliveries_unfinished_lane, never scanning a table or sorting
// the backlog, with fresh statistics or none (a sudden backlog), as a
// first call plans it and as a cached plan runs it. The statement checked
// is claim_lane's own, under its own settings.
func TestClaimPlanUsesTheLaneIndex(t *testing.T) {
	dsn := testDatabase(t)
	s := openStore(t, dsn)
	ctx := t.Context()
	// 2,000 issues with one delivery each, one issue with 5,000, and 1,000
	// issues waiting for a retry.
	for _, q := range []string{
		`INSERT INTO deliveries (id, event, order_key, payload, received_at, lane)
		 SELECT 'spread-' || i, 'issues', 'acme/web#' || i, '\x7b7d', now(), 'key:acme/web#' || i FROM generate_series(1, 2000) i`,
		`INSERT INTO deliveries (id, event, order_key, payload, received_at, lane)
		 SELECT 'hot-' || i, 'issues', 'acme/web#0', '\x7b7d', now(), 'key:acme/web#0' FROM generate_series(1, 5000) i`,
		`INSERT INTO deliveries (id, event, order_key, payload, received_at, lane, available_at)
		 SELECT 'waiting-' || i, 'issues', 'acme/api#' || i, '\x7b7d', now(), 'key:acme/api#' || i, now() + interval '1 hour'
		 FROM generate_series(1, 1000) i`,
		`INSERT INTO lanes (lane, head_seq, ready_at, waiting, repo, installation_id)
		 SELECT DISTINCT ON (lane) lane, seq, COALESCE(available_at, '-infinity'), available_at IS NOT NULL,
		        split_part(order_key, '#', 1), 0
		 FROM deliveries ORDER BY lane, seq`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var body string
	var settings []string
	if err := s.pool.QueryRow(ctx, `SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'claim_lane'
		AND pronamespace = current_schema()::regnamespace`).Scan(&body, &settings); err != nil {
		t.Fatal(err)
	}
	_, query, ok := strings.Cut(body, "RETURN QUERY")
	query, _, ok2 := strings.Cut(query, ";\nEND")
	if !ok || !ok2 {
		t.Fatalf("claim_lane's body is not RETURN QUERY ...; END:\n%s", body)
	}
	for name, param := range map[string]string{
		"claim_lane.at": "$1::timestamptz", "claim_lane.lease_until": "$2::timestamptz", "claim_lane.worker": "$3::text",
		"max_n": "$4::integer", "skip_repos": "$5::text[]", "skip_installations": "$6::bigint[]",
	} {
		query = strings.ReplaceAll(query, name, param)
	}
	for _, stats := range []string{"none", "analyzed"} {
		if stats == "analyzed" {
			if _, err := s.pool.Exec(ctx, `ANALYZE deliveries; ANALYZE lanes`); err != nil {
				t.Fatal(err)
			}
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			plan := explainClaim(t, s, settings, mode, query)
			var problems []string
			var used []string
			walkPlan(plan, func(node, parent map[string]any) {
				kind, _ := node["Node Type"].(string)
				if index, ok := node["Index Name"].(string); ok {
					used = append(used, index)
				}
				if kind == "Seq Scan" || kind == "Bitmap Heap Scan" {
					problems = append(problems, fmt.Sprintf("%s on %v", kind, node["Relation Name"]))
				}
				if kind == "Sort" {
					// Only the two candidate lanes (one from each index) and
					// the batch leased (at most max_n rows) are sorted.
					var input map[string]any
					children, _ := node["Plans"].([]any)
					for _, c := range children {
						if c := c.(map[string]any); c["Parent Relationship"] == "Outer" {
							input = c
						}
					}
					if input["Node Type"] != "Append" && input["CTE Name"] != "leased" {
						problems = append(problems, fmt.Sprintf("a Sort of %v %v", input["Node Type"], input["Relation Name"]))
					}
				}
			})
			for _, want := range []string{"lanes_ready", "lanes_waiting", "deliveries_unfinished_lane"} {
				if !slices.Contains(used, want) {
					problems = append(problems, "no read of "+want)
				}
			}
			if len(problems) > 0 {
				out, _ := json.MarshalIndent(plan, "", " ")
				t.Errorf("claim plan with %s statistics, %s: %s\n%s", stats, mode, strings.Join(problems, "; "), out)
			}
		}
	}
}

// explainClaim explains the claim's statement under the function's own
// settings and the given plan cache mode, without running it.
func explainClaim(t *testing.T, s *Store, settings []string, mode, query string) map[string]any {
	t.Helper()
	ctx := t.Context()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, setting := range append(settings, "plan_cache_mode="+mode) {
		name, value, _ := strings.Cut(setting, "=")
		if _, err := tx.Exec(ctx, `SELECT set_config($1, $2, true)`, name, value); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, `PREPARE claim_plan(timestamptz, timestamptz, text, integer, text[], bigint[]) AS `+query); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) EXECUTE claim_plan(now(), now() + interval '1 minute', 'w', 64,
		'{acme/slow}', '{7}')`).Scan(&out); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `DEALLOCATE claim_plan`); err != nil {
		t.Fatal(err)
	}
	var plans []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("EXPLAIN output %s: %v", out, err)
	}
	return plans[0].Plan
}

func walkPlan(node map[string]any, visit func(node, parent map[string]any)) {
	var walk func(n, parent map[string]any)
	walk = func(n, parent map[string]any) {
		visit(n, parent)
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				walk(m, n)
			}
		}
	}
	walk(node, nil)
}

// One replica's enqueues into idle issues and the batches it hands back wake
// the others' workers; deliveries behind a batch under way, and a
// database's other schemas (other deployments, other tests), do not.
func TestReplicasWakeEachOther(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	listener, other := openStore(t, dsn), openStore(t, dsn)
	elsewhere := openStore(t, testDatabase(t))
	wakes := make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go listener.Listen(ctx, func() { wakes <- struct{}{} })
	wait := func(what string) {
		t.Helper()
		select {
		case <-wakes:
		case <-time.After(10 * time.Second):
			t.Fatalf("no wake-up after %s", what)
		}
	}
	wait("listening") // once when it starts: notifications before it are lost
	drain := func() {
		for {
			select {
			case <-wakes:
			case <-time.After(200 * time.Millisecond):
				return
			}
		}
	}
	if _, err := elsewhere.Enqueue(ctx, store.Delivery{ID: "other-schema", Event: "issues", OrderKey: "acme/web#1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wakes:
		t.Fatal("a delivery stored in another schema woke the listener")
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := other.Enqueue(ctx, store.Delivery{ID: "d1", Event: "issues", OrderKey: "acme/web#1"}); err != nil {
		t.Fatal(err)
	}
	wait("another replica stored a delivery")
	batch, err := other.ClaimLane(ctx, store.ClaimOptions{Worker: "w", Lease: time.Minute, Max: 5})
	if err != nil {
		t.Fatal(err)
	}
	drain()
	// Behind a batch under way, a delivery can wait for the replica that
	// holds the issue: nobody else is woken for it.
	if _, err := other.Enqueue(ctx, store.Delivery{ID: "d2", Event: "issues", OrderKey: "acme/web#1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wakes:
		t.Fatal("a delivery behind a batch under way woke the other replicas")
	case <-time.After(300 * time.Millisecond):
	}
	if err := other.Release(ctx, batch[0].ID); err != nil {
		t.Fatal(err)
	}
	wait("another replica handed its batch back")
}

// BenchmarkClaimAtDepth: a claim from a queue that holds nothing else and
// one behind which 100,000 deliveries wait, taking one delivery or a batch.
func BenchmarkClaimAtDepth(b *testing.B) {
	for _, depth := range []int{0, 100000} {
		for _, max := range []int{1, 32} {
			b.Run(fmt.Sprintf("depth=%d/max=%d", depth, max), func(b *testing.B) {
				s := openStore(b, testDatabase(b))
				storetest.BenchClaimAtDepth(b, s, depth, max)
			})
		}
	}
}
