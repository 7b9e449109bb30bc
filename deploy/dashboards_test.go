package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// dashboardQuery is one target expression of one dashboard panel.
type dashboardQuery struct {
	Dashboard, Panel, RefID, Expr string
}

// dashboardQueries reads every target of every panel of the committed
// dashboards.
func dashboardQueries(t *testing.T) []dashboardQuery {
	t.Helper()
	files, err := filepath.Glob("grafana/dashboards/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in grafana/dashboards: %v", err)
	}
	var qs []dashboardQuery
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Title  string `json:"title"`
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					RefID string `json:"refId"`
					Expr  string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				qs = append(qs, dashboardQuery{d.Title, p.Title, tg.RefID, tg.Expr})
			}
		}
	}
	return qs
}

// grafanaVars replaces Grafana's variables the way Grafana would for "All"
// repositories and a one-minute interval.
var grafanaVars = strings.NewReplacer(
	"${repository}", ".*", "$repository", ".*",
	"$__rate_interval", "1m", "${__rate_interval}", "1m",
	"$__interval", "1m", "${__interval}", "1m",
	"$__range", "1h", "${__range}", "1h",
)

// TestDashboardQueriesParse checks every panel query's PromQL offline, by
// handing them to promtool as recording rules.
func TestDashboardQueriesParse(t *testing.T) {
	tool := promtool(t)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard-queries\n    rules:\n")
	for i, q := range dashboardQueries(t) {
		expr, _ := json.Marshal(grafanaVars.Replace(q.Expr))
		b.WriteString("      - record: dashboard:query_" + strconv.Itoa(i) + "\n        expr: " + string(expr) + "\n")
	}
	path := filepath.Join(t.TempDir(), "queries.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, ".", tool, "check", "rules", path)
}
