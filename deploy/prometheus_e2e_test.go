package deploy

import (
	"bytes"
	"context"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/deploy/internal/stack"
)

// TestDashboardsOverRealPrometheusAndDemo runs `ownershipbot demo` and a real
// Prometheus scraping it every second with deploy/prometheus/rules loaded,
// lints a scrape with `promtool check metrics`, then asks Prometheus every
// query of every dashboard panel and requires each to return data.
func TestDashboardsOverRealPrometheusAndDemo(t *testing.T) {
	tool := promtool(t)
	needTool(t, "prometheus")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	var log bytes.Buffer
	s, err := stack.Start(ctx, stack.Options{RepoRoot: root, WorkDir: t.TempDir(), ScrapeInterval: time.Second, Log: &syncWriter{w: &log}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		s.Close()
		if t.Failed() {
			t.Logf("process output:\n%s", log.String())
		}
	}()
	if err := s.WaitReplayed(ctx); err != nil {
		t.Fatal(err)
	}

	scrape, err := s.Scrape(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lint := exec.CommandContext(ctx, tool, "check", "metrics")
	lint.Stdin = bytes.NewReader(scrape)
	if out, err := lint.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics on the demo's /metrics: %v\n%s", err, out)
	}

	// Rates need two samples in their window, and the recording rules a few
	// evaluations: wait until Prometheus holds five scrapes of the demo.
	for {
		r, err := s.Query(ctx, `count_over_time(up{job="ownershipbot"}[1m]) >= 5`, time.Time{})
		if err == nil && len(r) == 1 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Prometheus did not collect five scrapes of the demo in time (last error %v)", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	if r, err := s.Query(ctx, `up{job="ownershipbot"}`, time.Time{}); err != nil || len(r) != 1 || r[0].Value != 1 {
		t.Fatalf("Prometheus does not see the demo up: %v %v", r, err)
	}

	queries := dashboardQueries(t)
	now := time.Now()
	empty, nan := 0, 0
	for _, q := range queries {
		expr := grafanaVars.Replace(q.Expr)
		res, err := s.Query(ctx, expr, now)
		switch {
		case err != nil:
			t.Errorf("%s / %s (%s): %v\n  %s", q.Dashboard, q.Panel, q.RefID, err, expr)
		case len(res) == 0:
			empty++
			t.Errorf("%s / %s (%s) returned no data\n  %s", q.Dashboard, q.Panel, q.RefID, expr)
		default:
			finite := 0
			for _, smp := range res {
				if !math.IsNaN(smp.Value) && !math.IsInf(smp.Value, 0) {
					finite++
				}
			}
			if finite == 0 {
				nan++
				// A quantile or ratio of rates is NaN while nothing happens in its
				// window; anything read from gauges must be a number.
				if !strings.Contains(expr, "rate(") && !strings.Contains(expr, "increase(") && !strings.Contains(expr, ":ratio_rate") {
					t.Errorf("%s / %s (%s) has only NaN or infinite values from gauges\n  %s", q.Dashboard, q.Panel, q.RefID, expr)
				} else {
					t.Logf("%s / %s (%s): %d series, none finite yet (no activity in the window)", q.Dashboard, q.Panel, q.RefID, len(res))
				}
			}
		}
	}
	t.Logf("%d panel queries asked; %d returned no data, %d only NaN", len(queries), empty, nan)

	// Every rule loaded and evaluates without error on real data; on a
	// healthy demo no alert is even pending.
	rules, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, r := range rules {
		if r.Health != "ok" {
			t.Errorf("rule %s (%s) has health %q: %s", r.Name, r.Group, r.Health, r.LastError)
		}
		if r.Type == "alerting" {
			alerts++
			if r.State != "inactive" {
				t.Errorf("alert %s is %s on the healthy demo", r.Name, r.State)
			}
		}
	}
	if alerts < 5 || len(rules) < 20 {
		t.Errorf("Prometheus loaded %d rules, %d of them alerts", len(rules), alerts)
	}
}

// syncWriter lets two processes' output goroutines share one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
