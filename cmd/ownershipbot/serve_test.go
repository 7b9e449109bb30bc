package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// TestMain lets the test binary act as the ownershipbot binary, so tests can
// run serve in a child process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("OWNERSHIPBOT_TEST_AS_BINARY") == "1" {
		main()
	}
	os.Exit(m.Run())
}

type child struct {
	cmd  *exec.Cmd
	url  string
	logs *strings.Builder
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `ownershipbot serve` in a child process and waits until
// it is ready.
func startServe(t *testing.T, env []string) *child {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), append(env, "OWNERSHIPBOT_TEST_AS_BINARY=1", "LISTEN_ADDR="+addr, "UI_ADDR=")...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, url: "http://" + addr, logs: &strings.Builder{}}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.logs.WriteString(sc.Text() + "\n")
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(c.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become ready: %v\n%s", err, c.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// queueDepth reads ownershipbot_queue_depth from /metrics.
func queueDepth(t *testing.T, url string) int {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "ownershipbot_queue_depth "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	t.Fatal("no ownershipbot_queue_depth on /metrics")
	return 0
}

func TestKilledServerProcessesEveryAcceptedDeliveryExactlyOnceAfterRestart(t *testing.T) {
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sim.SetAPIURL(srv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	// Slow comment writes, so that the kill lands with work in flight.
	sim.SetLatency("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 150*time.Millisecond)

	dbPath := filepath.Join(t.TempDir(), "ownershipbot.db")
	env := append(appEnv(t, sim, srv.URL, "sqlite:"+dbPath), "GITHUB_WEBHOOK_SECRET=kill-test", "LOG_LEVEL=debug")

	first := startServe(t, env)
	sim.SetWebhook(first.url+"/webhook", "kill-test")
	if _, d, err := sim.InstallApp("alice", "acme"); err != nil || d.Status != 202 {
		t.Fatalf("install: %d %v", d.Status, err)
	}
	const issues = 12
	var accepted []string
	for i := range issues {
		_, d, err := sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Flaky thing %d", i), Body: "It breaks."})
		if err != nil || d.Status != 202 {
			t.Fatalf("issue %d: status %d, err %v", i, d.Status, err)
		}
		accepted = append(accepted, d.ID)
	}
	// SIGKILL: no graceful shutdown, leases left behind.
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	sim.Wait()
	done := 0
	for n := 1; n <= issues; n++ {
		done += len(sim.BotComments("acme/web", n))
	}
	if done == issues {
		t.Fatalf("all %d issues were handled before the kill; the test needs work in flight", issues)
	}
	t.Logf("at the kill, %d of %d issues had their comment", done, issues)

	second := startServe(t, env)
	sim.SetWebhook(second.url+"/webhook", "kill-test")
	deadline := time.Now().Add(30 * time.Second)
	for {
		sim.Wait()
		if queueDepth(t, second.url) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained after restart\n%s", second.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sim.Wait()

	// SIGTERM stops gracefully with exit code 0.
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v, want exit 0\n%s", err, second.logs)
	}

	for n := 1; n <= issues; n++ {
		if got := len(sim.BotComments("acme/web", n)); got != 1 {
			t.Errorf("issue %d has %d bot comments, want exactly 1", n, got)
		}
	}
	st, err := sqlite.Open(context.Background(), dbPath)
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
}

// appEnv is the environment that points serve (or backfill) at the
// simulated GitHub's App and at a store: the App's id, its key in a file,
// the API URL and DATABASE_URL.
func appEnv(t *testing.T, sim *githubsim.Sim, apiURL, databaseURL string) []string {
	t.Helper()
	keyPath := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(keyPath, sim.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		"GITHUB_APP_ID=" + strconv.FormatInt(sim.AppID(), 10),
		"GITHUB_PRIVATE_KEY_PATH=" + keyPath,
		"GITHUB_API_URL=" + apiURL + "/",
		"DATABASE_URL=" + databaseURL,
	}
}
