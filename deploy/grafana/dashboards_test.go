package grafana

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCommittedDashboardsAreGenerated fails when dashboards/*.json differ
// from what the code generates; run `go generate ./deploy/grafana` to refresh.
func TestCommittedDashboardsAreGenerated(t *testing.T) {
	files, _ := filepath.Glob("dashboards/*.json")
	if len(files) != len(Files()) {
		t.Errorf("dashboards/ holds %d JSON files, the code generates %d; run go generate ./deploy/grafana", len(files), len(Files()))
	}
	for _, f := range Files() {
		want, err := Marshal(f.Dashboard)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("dashboards", f.Name))
		if err != nil {
			t.Fatalf("%v; run go generate ./deploy/grafana", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("dashboards/%s differs from the generated dashboard; run go generate ./deploy/grafana", f.Name)
		}
	}
}

func TestDashboardsAreProvisioningReady(t *testing.T) {
	uids := map[string]bool{}
	login := regexp.MustCompile(`(?i)\b(user|login|author|assignee)\b`)
	for _, f := range Files() {
		d := f.Dashboard
		t.Run(d.Title, func(t *testing.T) {
			if d.UID == "" || uids[d.UID] || len(d.UID) > 40 {
				t.Errorf("uid %q must be set, unique and at most 40 characters", d.UID)
			}
			uids[d.UID] = true
			vars := map[string]Variable{}
			for _, v := range d.Templating.List {
				vars[v.Name] = v
			}
			if v, ok := vars["datasource"]; !ok || v.Type != "datasource" || v.Query != "prometheus" {
				t.Errorf("no Prometheus datasource variable: %+v", v)
			}
			if v, ok := vars["repository"]; !ok || !v.Multi || !v.IncludeAll || v.AllValue != ".*" {
				t.Errorf("no multi-value repository variable with All: %+v", v)
			}
			b, _ := Marshal(d)
			var generic map[string]any
			if err := json.Unmarshal(b, &generic); err != nil {
				t.Fatal(err)
			}
			ids := map[int]bool{}
			for _, p := range d.Panels {
				if ids[p.ID] {
					t.Errorf("panel id %d used twice", p.ID)
				}
				ids[p.ID] = true
				if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q does not use ${datasource}", p.Title)
				}
				if p.GridPos.X+p.GridPos.W > 24 || p.GridPos.W <= 0 || p.GridPos.H <= 0 {
					t.Errorf("panel %q has gridPos %+v outside the 24-column grid", p.Title, p.GridPos)
				}
				if len(p.Targets) == 0 || p.Description == "" {
					t.Errorf("panel %q needs a description and at least one query", p.Title)
				}
				for _, tg := range p.Targets {
					if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" || tg.Expr == "" {
						t.Errorf("panel %q target %s: bad datasource or empty query", p.Title, tg.RefID)
					}
					// Store gauges are reported by every replica: read them through the
					// deduplicated recording rules or max/min, never sum them raw.
					for _, g := range []string{"ownershipbot_issues{", "ownershipbot_pull_requests{", "ownershipbot_comments{", "ownershipbot_comment_concerns{", "ownershipbot_queue_depth"} {
						if strings.Contains(tg.Expr, g) {
							t.Errorf("panel %q reads the store gauge %s directly: %s", p.Title, strings.TrimSuffix(g, "{"), tg.Expr)
						}
					}
					if login.MatchString(tg.Expr + " " + tg.LegendFormat) {
						t.Errorf("panel %q groups by a person: %s %s", p.Title, tg.Expr, tg.LegendFormat)
					}
					// Operations metrics and the review-comment histogram carry no repository label.
					if d.UID != "ownershipbot-operations" && !strings.Contains(tg.Expr, `repository=~"$repository"`) &&
						!strings.Contains(tg.Expr, "ownershipbot_pull_request_review_comments") {
						t.Errorf("panel %q ignores the repository variable: %s", p.Title, tg.Expr)
					}
				}
			}
		})
	}
}
