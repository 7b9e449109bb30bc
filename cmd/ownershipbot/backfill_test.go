package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store/postgres"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// backfillWorld is an org with history and the App installed, and the
// settings the backfill command takes.
func backfillWorld(t *testing.T, issues int) (*githubsim.Sim, []string, string) {
	t.Helper()
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	sim.SetAPIURL(srv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	var seeds []githubsim.Seed
	for i := range issues {
		seeds = append(seeds, githubsim.Seed{Author: "alice", Title: fmt.Sprintf("Issue %d", i), Body: "Owner: @alice",
			Comments: []githubsim.SeedComment{{Author: "alice", Body: "This makes checkout slow for customers."}}})
	}
	if _, err := sim.Seed("acme/web", seeds...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sim.InstallApp("alice", "acme"); err != nil { // no webhook URL: nothing delivered
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "ownershipbot.db")
	return sim, appEnv(t, sim, srv.URL, "sqlite:"+dbPath), dbPath
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func TestBackfillCommandReadsARepositorysHistory(t *testing.T) {
	sim, env, dbPath := backfillWorld(t, 150)
	code, out, stderr := run([]string{"backfill", "--repo", "acme/web"}, envMap(env))
	if code != 0 || !strings.Contains(out, "acme/web: 150 issues and pull requests read") {
		t.Fatalf("backfill: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.IssueCounts(context.Background())
	if err != nil || len(counts) != 1 || counts[0].Count != 150 || !counts[0].HasOwner {
		t.Fatalf("stored issue counts = %+v, %v; want 150 owned", counts, err)
	}
	if w := sim.Writes(); len(w) != 0 {
		t.Errorf("backfill wrote to GitHub: %+v", w[0])
	}
}

func TestBackfillCommandUsage(t *testing.T) {
	_, env, _ := backfillWorld(t, 0)
	for _, tt := range []struct {
		args     []string
		code     int
		mentions string
	}{
		{[]string{"backfill"}, 2, "--repo owner/name or --all"},
		{[]string{"backfill", "--repo", "acme/web", "--all"}, 2, "not both"},
		{[]string{"backfill", "--repo", "web"}, 2, "owner/name"},
		{[]string{"backfill", "--repo", "acme/nope"}, 1, "not installed on acme/nope"},
		{[]string{"backfill", "--all"}, 0, ""},
	} {
		code, _, stderr := run(tt.args, envMap(env))
		oneSentence := code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") == 0
		if code != tt.code || !strings.Contains(stderr, tt.mentions) || !oneSentence {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", tt.args, code, stderr, tt.code, tt.mentions)
		}
	}
	if code, out, _ := run([]string{"backfill", "--help"}, nil); code != 0 || !strings.Contains(out, "Usage: ownershipbot backfill") {
		t.Errorf("backfill --help: exit %d, %q", code, out)
	}
}

func TestKilledBackfillGoesOnWithoutReadingFinishedPagesAgain(t *testing.T) {
	sim, env, _ := backfillWorld(t, 1000)
	// Slow pages, so that the kill lands mid-backfill.
	sim.SetLatency("POST", githubsim.GraphQLRoute, 150*time.Millisecond)
	cmd := exec.Command(os.Args[0], "backfill", "--repo", "acme/web")
	cmd.Env = append(os.Environ(), append(env, "OWNERSHIPBOT_TEST_AS_BINARY=1")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pages := func() []string {
		var cursors []string
		for _, q := range sim.GraphQLRequests() {
			if q.Operation == "Issues" {
				c, _ := q.Variables["cursor"].(string)
				cursors = append(cursors, fmt.Sprint(q.Variables["states"])+c)
			}
		}
		return cursors
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(pages()) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the backfill read %d pages in 30s: %s", len(pages()), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before := pages()
	sim.SetLatency("POST", githubsim.GraphQLRoute, 0)

	code, out, errOut := run([]string{"backfill", "--repo", "acme/web"}, envMap(env))
	if code != 0 || !strings.Contains(out, "acme/web:") {
		t.Fatalf("second backfill: exit %d, %q %q", code, out, errOut)
	}
	after := pages()[len(before):]
	// Every page read before the kill but the last (which may have been
	// in flight) was stored as finished, and is never read again.
	for _, c := range before[:len(before)-1] {
		for _, again := range after {
			if again == c {
				t.Errorf("page %q was read again after the restart", c)
			}
		}
	}
	total := map[string]bool{}
	for _, c := range append(before, after...) {
		total[c] = true
	}
	if len(total) < 10 { // 10 pages of open issues, and the closed phase
		t.Errorf("only %d distinct pages were read in all", len(total))
	}
	t.Logf("%d pages read before the kill, %d after", len(before), len(after))
}

// With PostgreSQL the backfill command runs beside serve. When serve
// forgets the repository meanwhile (uninstalled, or removed from the App),
// the command says so and stops, rather than spin on a backfill that is
// gone.
func TestBackfillCommandStopsWhenItsRepositoryIsForgotten(t *testing.T) {
	sim, env, _ := backfillWorld(t, 300)
	dbURL := pgtest.Database(t)
	m := envMap(env)
	m["DATABASE_URL"] = dbURL
	sim.SetLatency("POST", githubsim.GraphQLRoute, 100*time.Millisecond)
	other, err := postgres.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	forgotten := make(chan struct{})
	go func() { // serve, beside it, processes installation_repositories.removed
		defer close(forgotten)
		for len(sim.GraphQLRequests()) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		if err := other.DeleteRepository(context.Background(), "acme/web"); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	e := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return m[k] },
		lookupenv: func(k string) (string, bool) { v, ok := m[k]; return v, ok }}
	code := dispatch(ctx, e, []string{"backfill", "--repo", "acme/web"})
	<-forgotten
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n") // log lines, then the error
	if last := lines[len(lines)-1]; code != 1 || !strings.HasPrefix(last, "ownershipbot: acme/web is no longer read") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one sentence saying the repository is no longer read", code, out.String(), errOut.String())
	}
}
