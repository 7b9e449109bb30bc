// Package stack runs ownershipbot's demo and a real Prometheus next to each
// other on loopback: the Prometheus scrapes the demo and evaluates the
// recording rules and alerts of deploy/prometheus/rules. The end-to-end test
// of the dashboards and the screenshot renderer both use it.
package stack

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configure Start.
type Options struct {
	RepoRoot       string        // the module root (holds go.mod)
	WorkDir        string        // scratch directory: binary, database, TSDB
	ScrapeInterval time.Duration // [1s]; also the rule evaluation interval
	// PrometheusFirst starts Prometheus before the demo, so that it scrapes
	// the replay as it happens (for screenshots with activity in them).
	PrometheusFirst bool
	Log             io.Writer // where the processes' output goes [discarded]
}

// Stack is a running demo and Prometheus.
type Stack struct {
	DemoURL, PrometheusURL string
	Binary                 string

	procs  []*proc
	client *http.Client
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Build compiles cmd/ownershipbot into dir and returns the binary's path.
func Build(ctx context.Context, repoRoot, dir string) (string, error) {
	bin := filepath.Join(dir, "ownershipbot")
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not on PATH")
	}
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", bin, "./cmd/ownershipbot")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ownershipbot: %v\n%s", err, out)
	}
	return bin, nil
}

// Start builds ownershipbot, runs `ownershipbot demo` and a Prometheus that
// scrapes it, and returns once both answer. Close stops both.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if o.ScrapeInterval <= 0 {
		o.ScrapeInterval = time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	for _, tool := range []string{"prometheus"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is not installed; install it with `apt-get install prometheus` (Debian) or run .ci/run", tool)
		}
	}
	bin, err := Build(ctx, o.RepoRoot, o.WorkDir)
	if err != nil {
		return nil, err
	}
	demoAddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	promAddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	s = &Stack{
		DemoURL: "http://" + demoAddr, PrometheusURL: "http://" + promAddr, Binary: bin,
		client: &http.Client{Timeout: 10 * time.Second},
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	rules, err := filepath.Glob(filepath.Join(o.RepoRoot, "deploy", "prometheus", "rules", "*.yml"))
	if err != nil || len(rules) == 0 {
		return nil, fmt.Errorf("no rule files in deploy/prometheus/rules")
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\nrule_files:\n",
		promDuration(o.ScrapeInterval), promDuration(o.ScrapeInterval), promDuration(o.ScrapeInterval))
	for _, r := range rules {
		fmt.Fprintf(&cfg, "  - %q\n", r)
	}
	fmt.Fprintf(&cfg, "scrape_configs:\n  - job_name: ownershipbot\n    static_configs:\n      - targets: [%q]\n", demoAddr)
	cfgPath := filepath.Join(o.WorkDir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o644); err != nil {
		return nil, err
	}

	startDemo := func() error {
		p, err := s.start(o.Log, "demo", bin, "demo", "--listen-addr", demoAddr,
			"--database-url", "sqlite:"+filepath.Join(o.WorkDir, "demo.db"), "--log-level", "warn")
		if err != nil {
			return err
		}
		return s.waitHTTP(ctx, p, s.DemoURL+"/healthz")
	}
	startProm := func() error {
		p, err := s.start(o.Log, "prometheus", "prometheus",
			"--config.file="+cfgPath,
			"--storage.tsdb.path="+filepath.Join(o.WorkDir, "tsdb"),
			"--web.listen-address="+promAddr,
			"--log.level=warn")
		if err != nil {
			return err
		}
		return s.waitHTTP(ctx, p, s.PrometheusURL+"/-/ready")
	}
	// Prometheus applies new scrape targets a few seconds after it starts;
	// to see the replay happen, the demo waits until its target is scraped
	// (and found down).
	waitTarget := func() error {
		for {
			if r, err := s.Query(ctx, `up{job="ownershipbot"}`, time.Time{}); err == nil && len(r) > 0 {
				return nil
			}
			select {
			case <-ctx.Done():
				return errors.New("prometheus did not start scraping in time")
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	order := []func() error{startDemo, startProm}
	if o.PrometheusFirst {
		order = []func() error{startProm, waitTarget, startDemo}
	}
	for _, f := range order {
		if err := f(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
	return strconv.Itoa(int(d/time.Millisecond)) + "ms"
}

func (s *Stack) start(log io.Writer, name, path string, args ...string) (*proc, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdout = prefixWriter(log, name)
	cmd.Stderr = cmd.Stdout
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	s.procs = append(s.procs, p)
	return p, nil
}

func (s *Stack) waitHTTP(ctx context.Context, p *proc, u string) error {
	for {
		resp, err := s.client.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before answering %s: %v", p.name, u, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer %s in time", p.name, u)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops Prometheus and the demo (SIGTERM, then SIGKILL after 10s)
// and waits for them to exit.
func (s *Stack) Close() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	s.procs = nil
}

// Scrape returns the demo's /metrics text.
func (s *Stack) Scrape(ctx context.Context) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.DemoURL+"/metrics", nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// metricValue finds an unlabelled sample in a scrape.
func metricValue(scrape []byte, name string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(scrape))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// WaitReplayed waits until the demo has replayed its org: the store gauges
// are there, the queue is empty, and no webhook delivery arrived for a second.
func (s *Stack) WaitReplayed(ctx context.Context) error {
	last := -1.0
	for {
		scrape, err := s.Scrape(ctx)
		if err == nil && bytes.Contains(scrape, []byte("\nownershipbot_issues{")) {
			depth, ok := metricValue(scrape, "ownershipbot_queue_depth")
			received := sumSeries(scrape, "ownershipbot_webhook_deliveries_total")
			if ok && depth == 0 && received > 0 && received == last {
				return nil
			}
			last = received
		}
		select {
		case <-ctx.Done():
			return errors.New("the demo did not finish its replay in time")
		case <-time.After(time.Second):
		}
	}
}

// sumSeries adds up every sample of one metric in a scrape.
func sumSeries(scrape []byte, name string) float64 {
	total := 0.0
	sc := bufio.NewScanner(bytes.NewReader(scrape))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
				total += v
			}
		}
	}
	return total
}

// Sample is one series of a query result: its labels and its values.
type Sample struct {
	Metric map[string]string
	Value  float64      // instant queries
	Points [][2]float64 // range queries: unix seconds, value
}

// Query runs an instant query and returns its series (vector or scalar).
func (s *Stack) Query(ctx context.Context, expr string, at time.Time) ([]Sample, error) {
	v := url.Values{"query": {expr}}
	if !at.IsZero() {
		v.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
	}
	return s.api(ctx, "/api/v1/query", v)
}

// QueryRange runs a range query.
func (s *Stack) QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Sample, error) {
	v := url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	return s.api(ctx, "/api/v1/query_range", v)
}

func (s *Stack) api(ctx context.Context, path string, v url.Values) ([]Sample, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.PrometheusURL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", path, body.Error)
	}
	return decodeResult(body.Data.ResultType, body.Data.Result)
}

func parseValue(pair []any) (float64, float64, error) {
	if len(pair) != 2 {
		return 0, 0, errors.New("bad sample")
	}
	ts, _ := pair[0].(float64)
	str, _ := pair[1].(string)
	val, err := strconv.ParseFloat(str, 64)
	return ts, val, err
}

func decodeResult(kind string, raw json.RawMessage) ([]Sample, error) {
	switch kind {
	case "scalar":
		var pair []any
		if err := json.Unmarshal(raw, &pair); err != nil {
			return nil, err
		}
		_, v, err := parseValue(pair)
		return []Sample{{Metric: map[string]string{}, Value: v}}, err
	case "vector", "matrix":
		var rows []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
			Values [][]any           `json:"values"`
		}
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, err
		}
		out := make([]Sample, 0, len(rows))
		for _, r := range rows {
			smp := Sample{Metric: r.Metric}
			if r.Value != nil {
				_, v, err := parseValue(r.Value)
				if err != nil {
					return nil, err
				}
				smp.Value = v
			}
			for _, p := range r.Values {
				ts, v, err := parseValue(p)
				if err != nil {
					return nil, err
				}
				smp.Points = append(smp.Points, [2]float64{ts, v})
			}
			out = append(out, smp)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", kind)
}

// prefixWriter tags each line a process writes with its name.
func prefixWriter(w io.Writer, name string) io.Writer {
	if w == io.Discard {
		return io.Discard
	}
	return &linePrefixer{w: w, prefix: name + ": "}
}

type linePrefixer struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (l *linePrefixer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		fmt.Fprintf(l.w, "%s%s\n", l.prefix, l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

// Rule is one loaded rule as Prometheus reports it.
type Rule struct {
	Group     string
	Name      string
	Type      string // "recording" or "alerting"
	Health    string // "ok", "err" or "unknown" (not evaluated yet)
	LastError string
	State     string // alerts: "inactive", "pending" or "firing"
}

// Rules lists the rules Prometheus has loaded, with their health.
func (s *Stack) Rules(ctx context.Context) ([]Rule, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.PrometheusURL+"/api/v1/rules", nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Data   struct {
			Groups []struct {
				Name  string `json:"name"`
				Rules []struct {
					Name      string `json:"name"`
					Type      string `json:"type"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
					State     string `json:"state"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		return nil, fmt.Errorf("/api/v1/rules: %v %s", err, body.Status)
	}
	var out []Rule
	for _, g := range body.Data.Groups {
		for _, r := range g.Rules {
			out = append(out, Rule{Group: g.Name, Name: r.Name, Type: r.Type, Health: r.Health, LastError: r.LastError, State: r.State})
		}
	}
	return out, nil
}
