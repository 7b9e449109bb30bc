package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/storetest"
)

func openTemp(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t, filepath.Join(t.TempDir(), "ownershipbot.db"))
	})
}

func TestDataSurvivesCloseAndReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := store.Delivery{ID: "d1", Event: "issues", OrderKey: "acme/web#1", Payload: []byte(`{}`), ReceivedAt: time.Now()}
	if _, err := s.Enqueue(ctx, d); err != nil {
		t.Fatal(err)
	}
	th := store.Thread{InstallationID: 1, Repo: "acme/web", Number: 1, Kind: store.ThreadIssue, State: "open", Owner: "@a"}
	if err := s.PutThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTemp(t, path)
	if got, ok, err := s.Delivery(ctx, "d1"); err != nil || !ok || got.Status != store.DeliveryPending {
		t.Errorf("after reopen Delivery(d1) = %+v, %v, %v; want it pending", got, ok, err)
	}
	if inserted, err := s.Enqueue(ctx, d); err != nil || inserted {
		t.Errorf("after reopen a second Enqueue(d1) = %v, %v; want false", inserted, err)
	}
	if got, ok, err := s.Thread(ctx, "acme/web", 1); err != nil || !ok || got.Owner != "@a" {
		t.Errorf("after reopen Thread = %+v, %v, %v; want the stored thread", got, ok, err)
	}
}

func TestLeasedDeliveriesResumeAfterReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := s.Enqueue(ctx, store.Delivery{ID: id, Event: "issues", OrderKey: "acme/web#1", ReceivedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := s.Claim(ctx, "crashed", time.Hour); err != nil || d.ID != "a" {
		t.Fatalf("Claim = %v, %v; want a", d.ID, err)
	}
	s.Close() // the process "dies" with a leased for an hour

	s = openTemp(t, path)
	if got, _, _ := s.Delivery(ctx, "a"); got.Status != store.DeliveryPending || got.Attempts != 0 {
		t.Errorf("after reopen a is %s with %d attempts, want pending with 0", got.Status, got.Attempts)
	}
	if d, err := s.Claim(ctx, "w", time.Hour); err != nil || d.ID != "a" {
		t.Errorf("first Claim after reopen = %q, %v; want a, ahead of b", d.ID, err)
	}
	if _, err := s.Claim(ctx, "w", time.Hour); !errors.Is(err, store.ErrNoDelivery) {
		t.Errorf("second Claim after reopen = %v; want b still waiting for a", err)
	}
}

// crashChildEnv tells a re-executed test binary to play the process that dies.
const crashChildEnv = "OWNERSHIPBOT_SQLITE_CRASH_CHILD"

// TestEnqueuedDeliveriesSurviveAKilledProcess is the store's half of "a 202
// is a promise": a process that enqueues, acknowledges and is then killed
// with SIGKILL (no Close, no checkpoint) leaves every acknowledged delivery
// in the file, and the one it was working on comes back as pending.
func TestEnqueuedDeliveriesSurviveAKilledProcess(t *testing.T) {
	const n = 300
	if path := os.Getenv(crashChildEnv); path != "" {
		s, err := Open(context.Background(), path)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(3)
		}
		for i := range n {
			d := store.Delivery{ID: fmt.Sprintf("d%03d", i), Event: "issues", OrderKey: "acme/web#1",
				Payload: storetest.Payload(10 << 10), ReceivedAt: time.Now()}
			if _, err := s.Enqueue(context.Background(), d); err != nil {
				fmt.Println("enqueue:", err)
				os.Exit(3)
			}
			fmt.Println("acked", d.ID) // the 202
		}
		if _, err := s.Claim(context.Background(), "doomed", time.Hour); err != nil {
			fmt.Println("claim:", err)
			os.Exit(3)
		}
		fmt.Println("claimed")
		self, _ := os.FindProcess(os.Getpid())
		self.Kill()
		select {}
	}

	t.Parallel()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnqueuedDeliveriesSurviveAKilledProcess$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("the child process should have been killed; it ended with %v and said:\n%s", err, out)
	}
	acked := strings.Count(string(out), "acked ")
	if acked != n || !strings.Contains(string(out), "claimed") {
		t.Fatalf("the child acknowledged %d of %d deliveries before dying:\n%s", acked, n, out)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Logf("no WAL left behind (%v); the test still checks the data", err)
	}

	s := openTemp(t, path)
	depth, err := s.Depth(t.Context())
	if err != nil || depth != n {
		t.Errorf("after the crash Depth = %d, %v; want all %d acknowledged deliveries", depth, err, n)
	}
	d, err := s.Claim(t.Context(), "w", time.Hour)
	if err != nil || d.ID != "d000" || len(d.Payload) == 0 {
		t.Errorf("first Claim after the crash = %q (%d payload bytes), %v; want d000, the delivery the dead process held",
			d.ID, len(d.Payload), err)
	}
}

func TestOneProcessPerDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	first := openTemp(t, path)
	if second, err := Open(t.Context(), path); err == nil {
		second.Close()
		t.Fatal("a second Open of an open database succeeded, want it refused")
	} else if !strings.Contains(err.Error(), "already open") {
		t.Errorf("second Open: %v, want it to say the database is already open", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openTemp(t, path) // free again once the first is closed
}

func TestALinkToAnOpenDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "ownershipbot.db")
	openTemp(t, path)
	symlink, hardlink := filepath.Join(dir, "symlink.db"), filepath.Join(dir, "hardlink.db")
	if err := os.Symlink(path, symlink); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, hardlink); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{symlink, hardlink} {
		if second, err := Open(t.Context(), link); err == nil {
			second.Close()
			t.Errorf("Open through %s of an open database succeeded, want it refused", filepath.Base(link))
		} else if !strings.Contains(err.Error(), "already open") {
			t.Errorf("Open through %s: %v, want it to say the database is already open", filepath.Base(link), err)
		}
	}
}

func TestMigrationsRunOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	openTemp(t, path).Close()
	s := openTemp(t, path)
	var versions, applied int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	if applied != versions || versions < 1 {
		t.Errorf("schema_migrations has %d rows up to version %d, want one row per version from 1", applied, versions)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ownershipbot.db")
	s := openTemp(t, path)
	if _, err := s.w.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(ctx, path); err == nil {
		s2.Close()
		t.Fatal("Open of a database migrated by a newer version succeeded, want an error")
	}
}

func TestRefusesWhatIsNotADatabaseFile(t *testing.T) {
	t.Parallel()
	notADatabase := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notADatabase, []byte(strings.Repeat("not SQLite\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", ":memory:", "x.db?mode=ro", "file:x.db",
		filepath.Join(t.TempDir(), "missing", "bot.db"), notADatabase} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestConcurrentWritersNeverSeeBusy(t *testing.T) {
	t.Parallel()
	s := openTemp(t, filepath.Join(t.TempDir(), "ownershipbot.db"))
	storetest.ClaimConcurrently(t, []store.Store{s}, 16, 400)
}

// benchPayload is the size of a typical issues or issue_comment webhook body.
const benchPayload = 10 << 10

func BenchmarkEnqueue(b *testing.B) {
	s := openTemp(b, filepath.Join(b.TempDir(), "ownershipbot.db"))
	storetest.BenchEnqueue(b, s, benchPayload)
}

func BenchmarkClaimComplete(b *testing.B) {
	s := openTemp(b, filepath.Join(b.TempDir(), "ownershipbot.db"))
	storetest.BenchClaimComplete(b, s, benchPayload)
}

func BenchmarkEnqueueWhileWorking(b *testing.B) {
	s := openTemp(b, filepath.Join(b.TempDir(), "ownershipbot.db"))
	storetest.BenchEnqueueWhileWorking(b, s, benchPayload, 4)
}

func TestLinksMoveToTheirOwnTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFiles.ReadFile("migrations/0001_initial.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(v1),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for n, links := range map[int]string{7: storetest.V1LinksJSON, 8: storetest.V1LinksOnly} {
		if _, err := db.Exec(`INSERT INTO threads (repo, number, installation_id, kind, state, links_json)
			VALUES ('acme/web', ?, 42, 'pull_request', 'open', ?)`, n, links); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	storetest.CheckMigratedLinks(t, openTemp(t, path))
}

func TestQueuedDeliveriesMoveIntoLanes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	script := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`}
	for _, name := range []string{"0001_initial.sql", "0002_pull_request_links.sql"} {
		m, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		script = append(script, string(m))
	}
	for _, q := range script {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for _, d := range storetest.OldQueue {
		var available, lease int64
		switch {
		case d.Status == store.DeliveryPending && d.Later:
			available = now.Add(time.Hour).UnixNano()
		case d.Status == store.DeliveryLeased && d.Later:
			lease = now.Add(time.Hour).UnixNano()
		case d.Status == store.DeliveryLeased:
			lease = now.Add(-time.Minute).UnixNano()
		}
		if _, err := db.Exec(`INSERT INTO deliveries (id, event, order_key, payload, received_at, status, available_at, lease_until)
			VALUES (?, 'issues', ?, '{}', ?, ?, ?, ?)`, d.ID, d.Key, now.UnixNano(), d.Status, available, lease); err != nil {
			t.Fatal(err)
		}
	}
	// The lanes of version 3, then the store's own migrations from there.
	v3, err := migrationFiles.ReadFile("migrations/0003_lanes.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(v3), `INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// SQLite hands a dead process's leases back when it opens.
	storetest.CheckMigratedQueue(t, openTemp(t, path), false)
}

// A claim reads lanes through their indexes and never scans deliveries or
// walks lanes that wait, so its cost grows neither with the backlog nor with
// the lanes a GitHub outage holds back.
func TestClaimPlanUsesTheLaneIndex(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "plan.db"))
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.Enqueue(ctx, store.Delivery{ID: fmt.Sprintf("d%d", i), Event: "issues", OrderKey: "acme/web#1"}); err != nil {
			t.Fatal(err)
		}
	}
	skip := []any{`["acme/slow"]`, `[7]`}
	held := `["key:acme/web#2"]` // lanes leased now
	for _, c := range []struct {
		query string
		args  []any
		uses  []string
		// union: the two candidates (at most one row each) are sorted last
		union bool
	}{
		{nextLaneSQL, append(skip, int64(0), held), []string{"lanes_ready", "lanes_waiting"}, true},
		{nextLaneSkippingSQL, append(skip, int64(0), held), []string{"lanes_ready", "lanes_waiting"}, true},
		{nextReadySQL, append(skip, held), []string{"lanes_ready", "lanes_waiting"}, true},
		{batchSQL, []any{"key:acme/web#1", 32}, []string{"deliveries_unfinished_lane"}, false},
		{laneHeadSQL, []any{"key:acme/web#1"}, []string{"deliveries_unfinished_lane"}, false},
	} {
		rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		for i, step := range plan {
			if strings.HasPrefix(step, "SCAN deliveries") || strings.HasPrefix(step, "SCAN lanes") && !strings.Contains(step, "USING INDEX") {
				t.Errorf("plan of %q = %s; want no full scan", c.query, joined)
			}
			if strings.Contains(step, "TEMP B-TREE") && !(c.union && i == len(plan)-1) {
				t.Errorf("plan of %q = %s; want rows read in index order, not sorted", c.query, joined)
			}
		}
		for _, index := range c.uses {
			if !strings.Contains(joined, index) {
				t.Errorf("plan of %q = %s; want it to read %s", c.query, joined, index)
			}
		}
	}
}

// BenchmarkDrainHotIssue claims and completes a backlog queued on one issue,
// the shape whose cost used to grow with the square of the backlog.
func BenchmarkDrainHotIssue(b *testing.B) {
	for _, n := range []int{2500, 5000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := openTemp(b, filepath.Join(b.TempDir(), "hot.db"))
				ctx := context.Background()
				for i := range n {
					if _, err := s.Enqueue(ctx, store.Delivery{ID: fmt.Sprintf("d%d", i), Event: "issues", OrderKey: "acme/web#1"}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for range n {
					d, err := s.Claim(ctx, "w", time.Minute)
					if err != nil {
						b.Fatal(err)
					}
					if err := s.Complete(ctx, d.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				s.Close()
			}
		})
	}
}

// BenchmarkClaimAtDepth: a claim from a queue that holds nothing else and
// one behind which 100,000 deliveries wait, taking one delivery or a batch.
func BenchmarkClaimAtDepth(b *testing.B) {
	for _, depth := range []int{0, 100000} {
		for _, max := range []int{1, 32} {
			b.Run(fmt.Sprintf("depth=%d/max=%d", depth, max), func(b *testing.B) {
				s := openTemp(b, filepath.Join(b.TempDir(), "depth.db"))
				storetest.BenchClaimAtDepth(b, s, depth, max)
			})
		}
	}
}

// BenchmarkEnqueueGroup stores groups of deliveries as intake's group
// commit does, one transaction each, and reports the cost per delivery: a
// group of one is a webhook alone, eight is as many as GitHub's open
// connections bring at once, 64 a burst behind a slow write.
func BenchmarkEnqueueGroup(b *testing.B) {
	payload := storetest.Payload(2 << 10)
	for _, n := range []int{1, 8, 64} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := openTemp(b, filepath.Join(b.TempDir(), "group.db"))
			k := 0
			for b.Loop() {
				ds := make([]store.Delivery, n)
				for i := range ds {
					k++
					ds[i] = store.Delivery{ID: fmt.Sprintf("group-%d", k), Event: "issues", Action: "labeled", InstallationID: 42,
						OrderKey: fmt.Sprintf("acme/web#%d", k%200), Payload: payload, ReceivedAt: time.Now()}
				}
				if _, err := s.EnqueueAll(b.Context(), ds); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/delivery")
		})
	}
}
