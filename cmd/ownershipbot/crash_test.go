package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/dburl"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// TestKilledMidBatchAppliesEveryAcceptedDeliveryOnce kills serve with
// SIGKILL while workers are in the middle of batches (a burst of events on
// an issue applied to the store, the batch's one comment write under way,
// nothing of it marked done yet), on each store. After a restart every acknowledged delivery is done, each
// issue has exactly one bot comment saying the right thing, and each human
// comment is counted once.
func TestKilledMidBatchAppliesEveryAcceptedDeliveryOnce(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			databaseURL := "sqlite:" + filepath.Join(t.TempDir(), "ownershipbot.db")
			if kind == "postgres" {
				databaseURL = pgtest.Database(t)
			}
			killMidBatch(t, databaseURL)
		})
	}
}

func killMidBatch(t *testing.T, databaseURL string) {
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sim.SetAPIURL(srv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	sim.AddUser("outsider", "User")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	// Slow comment writes: a batch spends most of its time in its one
	// write, after its events were applied and before they are marked done.
	for _, method := range []string{"POST", "PATCH"} {
		sim.SetLatency(method, "/repos/{owner}/{repo}/issues/{issue_number}/comments", 300*time.Millisecond)
		sim.SetLatency(method, "/repos/{owner}/{repo}/issues/comments/{comment_id}", 300*time.Millisecond)
	}
	env := append(appEnv(t, sim, srv.URL, databaseURL), "GITHUB_WEBHOOK_SECRET=kill-test", "LOG_LEVEL=debug")
	first := startServe(t, env)
	sim.SetWebhook(first.url+"/webhook", "kill-test")
	if _, d, err := sim.InstallApp("alice", "acme"); err != nil || d.Status != 202 {
		t.Fatalf("install: %d %v", d.Status, err)
	}
	const issues, flips, comments = 6, 5, 2
	var accepted []string
	accept := func(d githubsim.Delivery, err error) {
		t.Helper()
		if err != nil || d.Status != 202 {
			t.Fatalf("%s.%s: status %d, err %v", d.Event, d.Action, d.Status, err)
		}
		accepted = append(accepted, d.ID)
	}
	for i := range issues {
		n, d, err := sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Export %d", i), Body: "The export button does nothing."})
		accept(d, err)
		for c := range comments {
			_, d, err := sim.AddComment("outsider", "acme/web", n, fmt.Sprintf("Customers see this every day (%d).", c))
			accept(d, err)
		}
		// Assigned, unassigned, ...: the last flip leaves an owner; the issue
		// still lacks a reason, so it keeps its comment.
		for f := range flips {
			if f%2 == 0 {
				accept(sim.AssignIssue("alice", "acme/web", n, "alice"))
			} else {
				accept(sim.UnassignIssue("alice", "acme/web", n, "alice"))
			}
		}
	}
	// Kill as soon as the first comment is edited: that is a second batch
	// (the burst that queued behind the opening), and the other issues'
	// second batches are then in the middle of their own edits.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		edited := false
		for _, w := range sim.Writes() {
			edited = edited || w.Method == "PATCH"
		}
		if edited {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no bot comment edited after 20s\n%s", first.logs)
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	sim.Wait()
	pending := queueDepthOf(t, databaseURL)
	if pending == 0 {
		t.Fatalf("every delivery was done before the kill; the test needs batches in flight")
	}
	t.Logf("at the kill, %d of %d deliveries were unfinished", pending, len(accepted)+1)
	// Other replicas may be alive, so PostgreSQL's leases outlive a restart:
	// the dead process's batches are taken over when their leases run out,
	// within one lease (30 s). SQLite's one process hands them back when it
	// opens.
	killed := time.Now()
	second := startServe(t, env)
	sim.SetWebhook(second.url+"/webhook", "kill-test")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		sim.Wait()
		if queueDepth(t, second.url) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained after restart\n%s", second.logs)
		}
	}
	t.Logf("drained %.1fs after the kill", time.Since(killed).Seconds())
	sim.Wait()
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v, want exit 0\n%s", err, second.logs)
	}

	for n := 1; n <= issues; n++ {
		got := sim.BotComments("acme/web", n)
		if len(got) != 1 {
			t.Errorf("issue %d has %d bot comments, want exactly 1\n%s", n, len(got), second.logs)
			continue
		}
		if strings.Contains(got[0].Body, "no owner") {
			t.Errorf("issue %d's comment still asks for an owner after its last assignment:\n%s", n, got[0].Body)
		}
	}
	st, err := dburl.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range accepted {
		d, ok, err := st.Delivery(context.Background(), id)
		if err != nil || !ok || d.Status != store.DeliveryDone {
			t.Errorf("delivery %s: found=%v status=%q err=%v, want done", id, ok, d.Status, err)
		}
	}
	counts, err := st.CommentCounts(context.Background(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c.Count
	}
	if total != issues*comments {
		t.Errorf("comments stored = %d, want %d: each counted once", total, issues*comments)
	}
	owned, err := st.IssueCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range owned {
		if !c.HasOwner && c.Count > 0 {
			t.Errorf("%d issues stored without an owner, want every issue owned after its last assignment", c.Count)
		}
	}
}

// queueDepthOf opens the store of a dead process and counts its unfinished
// deliveries.
func queueDepthOf(t *testing.T, databaseURL string) int {
	t.Helper()
	st, err := dburl.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
