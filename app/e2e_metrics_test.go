package app_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// contractMetrics are the metrics docs/reference.md promises: names, types
// and label names.
var contractMetrics = map[string]struct {
	kind   string
	labels []string
}{
	"ownershipbot_webhook_deliveries_total":       {"counter", []string{"event", "outcome"}},
	"ownershipbot_comments_analyzed_total":        {"counter", []string{"author_role", "level", "repository", "thread"}},
	"ownershipbot_comment_concerns_total":         {"counter", []string{"author_role", "concern", "repository", "thread"}},
	"ownershipbot_comments":                       {"gauge", []string{"author_role", "level", "repository", "thread"}},
	"ownershipbot_comment_concerns":               {"gauge", []string{"author_role", "concern", "repository", "thread"}},
	"ownershipbot_issues":                         {"gauge", []string{"owner", "rationale", "repository"}},
	"ownershipbot_issue_time_to_owner_seconds":    {"histogram", []string{"repository"}},
	"ownershipbot_github_requests_total":          {"counter", []string{"method", "route", "status"}},
	"ownershipbot_queue_depth":                    {"gauge", nil},
	"ownershipbot_event_processing_seconds":       {"histogram", []string{"event"}},
	"ownershipbot_store_up":                       {"gauge", nil},
	"ownershipbot_store_collect_success":          {"gauge", []string{"gauge"}},
	"ownershipbot_store_collect_duration_seconds": {"gauge", []string{"gauge"}},
	"ownershipbot_store_collect_age_seconds":      {"gauge", []string{"gauge"}},
	"ownershipbot_http_connections_refused_total": {"counter", nil},
	"ownershipbot_github_app_credentials_refused": {"gauge", nil},
}

func TestMetricsEndpointKeepsTheContract(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Idle() // the install's backfill first: its issues have no time to owner
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("bob", "acme/web", n, productComment)
	h.Accepted(d, err)
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	h.Idle()

	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	for name, want := range contractMetrics {
		f, ok := families[name]
		if !ok {
			t.Errorf("%s missing from /metrics", name)
			continue
		}
		if got := strings.ToLower(f.GetType().String()); got != want.kind {
			t.Errorf("%s is a %s, want %s", name, got, want.kind)
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName())
			}
			slices.Sort(labels)
			if !slices.Equal(labels, want.labels) {
				t.Errorf("%s has labels %v, want %v", name, labels, want.labels)
			}
		}
	}
	for _, leak := range []string{apptest.Secret, "bob", "#1", "Bare"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
	for _, gauge := range []string{"issues", "pull_requests", "comments", "comment_concerns", "queue_depth"} {
		if want := `ownershipbot_store_collect_success{gauge="` + gauge + `"} 1`; !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grep(string(body), "ownershipbot_store_collect_success"))
		}
	}
	if !strings.Contains(string(body), `ownershipbot_issues{owner="yes",rationale="no",repository="acme/web"} 1`) {
		t.Errorf("the issue gauge does not show the assigned issue without a rationale:\n%s", grep(string(body), "ownershipbot_issues"))
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestHealthAndReadiness(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	get := func(path string) int {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/healthz"); got != 200 {
		t.Fatalf("/healthz = %d", got)
	}
	if got := get("/readyz"); got != 200 {
		t.Fatalf("/readyz = %d while the store answers and workers run", got)
	}
	h.Store.Close() // the store stops answering
	if got := get("/readyz"); got != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d with the store gone, want 503", got)
	}
	if got := get("/healthz"); got != 200 {
		t.Fatalf("/healthz = %d: the process still runs", got)
	}
}
