package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/webhook"
)

// wrkScript sends the bodies round robin, each signed, with a delivery id
// unique across wrk's threads, and counts the answers whose status is not in
// accepted.
const wrkScript = `
local threads = {}
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  bad = 0
  ok = 0
end
function request()
  counter = counter + 1
  local i = (counter + tid) % #bodies + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = "wrk-" .. tid .. "-" .. counter,
    ["X-Hub-Signature-256"] = sigs[i],
  }, bodies[i])
end
function response(status, headers, body)
  if accepted[status] then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
  end
  io.write(string.format("wrk-result ok=%d bad=%d p50=%d p99=%d max=%d\n", o, b,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`

var wrkResult = regexp.MustCompile(`wrk-result ok=(\d+) bad=(\d+) p50=(\d+) p99=(\d+) max=(\d+)`)

// sendWrk runs wrk against the first replica for cfg.wrk with cfg.concurrency
// connections and reports the deliveries acknowledged with 202 (or, where
// accepted names other statuses, with one of those).
func sendWrk(cfg config, urls []string, secret []byte, bodies [][]byte, accepted ...int) (int, error) {
	if len(accepted) == 0 {
		accepted = []int{http.StatusAccepted}
	}
	if len(urls) > 1 {
		return 0, fmt.Errorf("-wrk sends to one replica; use the Go senders for -replicas")
	}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return 0, fmt.Errorf("-wrk needs wrk on PATH (Debian: apt-get install wrk): %w", err)
	}
	u, err := url.Parse(urls[0])
	if err != nil {
		return 0, err
	}
	var lua strings.Builder
	fmt.Fprintf(&lua, "path = %q\naccepted = {", u.Path)
	for _, code := range accepted {
		fmt.Fprintf(&lua, "[%d] = true, ", code)
	}
	lua.WriteString("}\nbodies = {\n")
	for _, b := range bodies {
		fmt.Fprintf(&lua, "  %s,\n", luaString(b))
	}
	lua.WriteString("}\nsigs = {\n")
	for _, b := range bodies {
		fmt.Fprintf(&lua, "  %q,\n", webhook.Sign(secret, b))
	}
	lua.WriteString("}\n" + wrkScript)
	dir, err := os.MkdirTemp("", "ownershipbot-wrk")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "send.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o600); err != nil {
		return 0, err
	}
	threads := min(2, cfg.concurrency)
	cmd := exec.Command(bin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(cfg.concurrency),
		"-d", cfg.wrk.String(), "-s", script, u.Scheme+"://"+u.Host)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	m := wrkResult.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk printed no result:\n%s", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(string(m[i])); return v }
	ok, bad := n(1), n(2)
	us := func(i int) string { return strconv.FormatFloat(float64(n(i))/1000, 'f', 3, 64) + "ms" }
	fmt.Printf("acks (wrk, %d connections, %s): %d signed deliveries: %.0f/s; latency p50 %s, p99 %s, max %s; not %v: %d\n",
		cfg.concurrency, cfg.wrk, ok, float64(ok)/cfg.wrk.Seconds(), us(3), us(4), us(5), accepted, bad)
	if bad > 0 {
		return ok, fmt.Errorf("%d deliveries were not acknowledged with %v", bad, accepted)
	}
	return ok, nil
}

// luaString quotes b as a Lua long string literal.
func luaString(b []byte) string {
	eq := ""
	for strings.Contains(string(b), "]"+eq+"]") {
		eq += "="
	}
	return "[" + eq + "[" + string(b) + "]" + eq + "]"
}

// serveNoop serves, instead of the App, a handler that reads the body,
// checks its signature and answers 202, and sends to it with wrk: what HTTP
// and HMAC alone cost on this machine.
func serveNoop(ctx context.Context, cfg config, secret []byte, bodies [][]byte) error {
	if cfg.wrk == 0 {
		return fmt.Errorf("-noop needs -wrk")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || !webhook.ValidSignature(secret, body, r.Header.Get("X-Hub-Signature-256")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Printf("no-op handler (signature check only); sending with wrk for %s from %d connections\n", cfg.wrk, cfg.concurrency)
	before := cpuTime()
	acked, err := sendWrk(cfg, []string{"http://" + ln.Addr().String() + "/webhook"}, secret, bodies)
	if err == nil && before >= 0 {
		used := cpuTime() - before
		fmt.Printf("CPU while sending: %.0f%% of one core, %.1f µs per acknowledged delivery\n",
			100*used.Seconds()/cfg.wrk.Seconds(), float64(used.Microseconds())/float64(max(acked, 1)))
	}
	return err
}

// measurePeer starts the Probot app that does nothing (scripts/probot-peer,
// its npm packages installed), sends it the same signed deliveries with wrk
// and returns its acknowledgements per second: the rate users of a GitHub App
// framework get before their app does any work.
func measurePeer(ctx context.Context, cfg config, secret []byte, bodies [][]byte) (float64, error) {
	if cfg.wrk == 0 {
		return 0, fmt.Errorf("-peer needs -wrk")
	}
	if _, err := os.Stat(filepath.Join(cfg.peerDir, "node_modules", "probot")); err != nil {
		return 0, fmt.Errorf("-peer needs Probot installed: (cd %s && npm ci)", cfg.peerDir)
	}
	cmd := exec.CommandContext(ctx, "node", "index.js")
	cmd.Dir = cfg.peerDir
	cmd.Env = append(os.Environ(), "WEBHOOK_SECRET="+string(secret), "PORT=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting the Probot peer: %w", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	peerURL, found := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !found {
		return 0, fmt.Errorf("the Probot peer printed no address (%q): %v", line, err)
	}
	fmt.Printf("peer: a Probot app that does nothing, at %s\n", peerURL)
	// Probot answers 200 once it has verified and dispatched a delivery.
	acked, err := sendWrk(cfg, []string{peerURL}, secret, bodies, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return 0, err
	}
	return float64(acked) / cfg.wrk.Seconds(), nil
}
