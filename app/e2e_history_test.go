package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/ownershipbot/ownershipbot/analysis"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// seedOrg gives acme/web issues that existed before the App: half with an
// owner, each with comments by people of every kind.
func seedOrg(t *testing.T, sim *githubsim.Sim, issues, commentsEach int) {
	t.Helper()
	var seeds []githubsim.Seed
	for i := range issues {
		sd := githubsim.Seed{Author: "bob", Title: fmt.Sprintf("Checkout fails %d", i), Body: bareBody,
			Age: time.Duration(issues-i) * time.Minute}
		if i%2 == 0 {
			sd.Body = "Owner: @bob\n\n" + bareBody
		}
		for j := range commentsEach {
			body := "nit: rename this"
			if j%3 == 0 {
				body = productComment
			}
			sd.Comments = append(sd.Comments, githubsim.SeedComment{Author: []string{"alice", "bob", "outsider"}[j%3], Body: body})
		}
		seeds = append(seeds, sd)
	}
	if _, err := sim.Seed("acme/web", seeds...); err != nil {
		t.Fatal(err)
	}
}

func gaugeSum(t *testing.T, h *apptest.Harness, name string) int {
	t.Helper()
	families, err := h.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return int(sum)
}

func TestAnOrgWithHistoryInstallsTheAppAndEveryGaugeCountsItWithoutAComment(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2,000 issues")
	}
	const issues, comments = 2000, 3
	// A GraphQL limit of 25 points per 2 s window: the backfill (about 65
	// points) must pause to stay inside it.
	h := apptest.Start(t, apptest.Options{
		SimOptions: githubsim.Options{GraphQLRateLimit: 25, RateWindow: 2 * time.Second},
		Setup:      func(sim *githubsim.Sim) { seedOrg(t, sim, issues, comments) },
	})
	h.IdleWithin(3 * time.Minute)

	if got := gaugeSum(t, h, "ownershipbot_issues"); got != issues {
		t.Errorf("ownershipbot_issues counts %d open issues, want %d", got, issues)
	}
	if got := gaugeSum(t, h, "ownershipbot_comments"); got != issues*comments {
		t.Errorf("ownershipbot_comments counts %d comments, want %d", got, issues*comments)
	}
	if got := h.Counter("ownershipbot_issues", map[string]string{"repository": "acme/web", "owner": "yes", "rationale": "yes"}); int(got) != issues/2 {
		t.Errorf("owned issues with a reason: %v, want %d", got, issues/2)
	}
	if got := gaugeSum(t, h, "ownershipbot_backfill_repositories_pending"); got != 0 {
		t.Errorf("%d repositories still pending", got)
	}
	if w := h.Sim.Writes(); len(w) != 0 {
		t.Errorf("the backfill wrote to GitHub %d times, first %s %s", len(w), w[0].Method, w[0].Path)
	}
	pauses := h.Counter("ownershipbot_backfill_rate_limit_pauses_total", nil)
	for _, q := range h.Sim.GraphQLRequests() {
		if q.Refused != "" {
			t.Errorf("GitHub refused a query: %s (remaining %d)", q.Refused, q.Remaining)
		}
	}
	if pauses == 0 {
		t.Error("the backfill never paused, yet its queries cost more than one window allows")
	}
	if got := h.Counter("ownershipbot_backfill_items_total", map[string]string{"thread": "issue"}); int(got) != issues {
		t.Errorf("ownershipbot_backfill_items_total = %v, want %d", got, issues)
	}
	t.Logf("%d GraphQL points for %d issues and %d comments; %v pauses", h.Sim.GraphQLPoints(), issues, issues*comments, pauses)

	// The next real event may nudge a backfilled issue, once.
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", 2, "Checkout fails for EU customers"))
	h.Idle()
	if got := len(h.Sim.BotComments("acme/web", 2)); got != 1 {
		t.Errorf("a backfilled issue's next event left %d bot comments, want 1", got)
	}
}

func TestAFailedDeliveryIsRedeliveredOnceAndProcessedOnce(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Idle()
	// The App is unreachable: GitHub logs the delivery as failed.
	h.Sim.SetWebhook("http://127.0.0.1:1/webhook", apptest.Secret)
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	if err == nil || d.Status != 0 {
		t.Fatalf("delivery to an unreachable App: status %d, err %v", d.Status, err)
	}
	h.Sim.SetWebhook(h.URL+"/webhook", apptest.Secret)

	for run := range 2 {
		asked, err := h.App.History().Redeliver(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		h.Idle()
		if want := 1 - run; asked != want {
			t.Errorf("run %d asked for %d redeliveries, want %d", run+1, asked, want)
		}
	}
	if got := h.Sim.RedeliveryRequests(); len(got) != 1 || got[0] != d.ID {
		t.Errorf("redeliveries asked for: %v, want just %s", got, d.ID)
	}
	if got, ok, err := h.Store.Delivery(context.Background(), d.ID); err != nil || !ok || got.Status != store.DeliveryDone {
		t.Errorf("the redelivered delivery: %+v, %v, %v; want done", got, ok, err)
	}
	if got := len(h.Sim.BotComments("acme/web", n)); got != 1 {
		t.Errorf("the redelivered issue has %d bot comments, want 1", got)
	}
	if got := h.Counter("ownershipbot_webhook_redeliveries_total", map[string]string{"outcome": "requested"}); got != 1 {
		t.Errorf("ownershipbot_webhook_redeliveries_total{outcome=requested} = %v, want 1", got)
	}
}

func TestTheSweepRepairsAMissedEdit(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if len(h.Sim.BotComments("acme/web", n)) != 1 {
		t.Fatal("the bare issue was not nudged")
	}
	// GitHub never sends the issues.edited that names an owner.
	if err := h.Sim.Unsent(func() error {
		_, err := h.Sim.EditIssueBody("bob", "acme/web", n, "Owner: @bob\n\n"+bareBody)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sweep(t, h, "acme/web")
	th, ok, err := h.Store.Thread(context.Background(), "acme/web", n)
	if err != nil || !ok || th.Owner != "@bob" {
		t.Fatalf("after the sweep the issue's owner is %q (found %v, %v), want @bob", th.Owner, ok, err)
	}
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "issue"}); got != 1 {
		t.Errorf("ownershipbot_drift_repairs_total = %v, want 1", got)
	}
	c := h.Sim.BotComments("acme/web", n)
	if len(c) != 1 || !strings.Contains(c[0].Body, "@bob") {
		t.Errorf("the bot comment was not brought up to date: %+v", c)
	}
	// A second sweep finds nothing more to repair.
	sweep(t, h, "acme/web")
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "issue"}); got != 1 {
		t.Errorf("a second sweep repaired again: %v", got)
	}
}

// A pull request nobody touched is not out of date: the sweep judges its
// description as the pull request handler did (as a pull request's, which
// the analysis weighs differently from an issue's), so it repairs nothing.
func TestTheSweepLeavesAnUntouchedPullRequestAlone(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	// Read as an issue this states a reason; as a pull request's
	// description it does not: the two readings differ.
	const body = "Uploads fail sometimes."
	if analysis.DetectRationale("Retry uploads", body, analysis.RationaleOptions{}).Present() ==
		analysis.DetectRationale("Retry uploads", body, analysis.RationaleOptions{PullRequest: true}).Present() {
		t.Fatal("the body reads the same as an issue and as a pull request: the test cannot fail")
	}
	_, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Retry uploads", Body: body})
	h.Accepted(d, err)
	h.Idle()
	sweep(t, h, "acme/web")
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "pull_request"}); got != 0 {
		t.Errorf("ownershipbot_drift_repairs_total{thread=pull_request} = %v for an untouched pull request, want 0", got)
	}
}

// uninstallLeavesNothing installs the App on an org with history and
// activity, uninstalls it, and lists every row of every table that still
// holds the installation's id or one of its repositories.
func uninstallLeavesNothing(t *testing.T, h *apptest.Harness, rows func(inst int64) []string) {
	t.Helper()
	h.IdleWithin(time.Minute)
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("outsider", "acme/web", n, productComment)
	h.Accepted(d, err)
	h.Idle()
	inst := h.Sim.Installation("acme")
	if len(rows(inst)) == 0 {
		t.Fatal("before the uninstall no row names the installation: the check cannot fail")
	}
	d, err = h.Sim.UninstallApp("alice", "acme")
	if err != nil || d.Status != http.StatusAccepted {
		t.Fatalf("uninstall: %d %v", d.Status, err)
	}
	h.Idle()
	if left := rows(inst); len(left) > 0 {
		t.Errorf("after the uninstall rows of the installation are left:\n%s", strings.Join(left, "\n"))
	}
	if got := h.Counter("ownershipbot_comments_analyzed_total", map[string]string{"repository": "acme/web"}); got != 0 {
		t.Errorf("the uninstalled repository's series are still exported: %v", got)
	}
}

// matches says whether a column's value names the installation.
func matches(column string, value any, inst int64) bool {
	switch v := value.(type) {
	case int64:
		return strings.HasSuffix(column, "installation_id") && v == inst
	case string:
		return strings.Contains(v, "acme/") || strings.Contains(v, fmt.Sprint(inst))
	case []byte:
		return strings.Contains(string(v), "acme/")
	}
	return false
}

func TestUninstallLeavesNoRowOfTheInstallationInSQLite(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) { seedOrg(t, sim, 20, 2) }})
	db, err := sql.Open("sqlite", "file:"+h.DBPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	uninstallLeavesNothing(t, h, func(inst int64) []string {
		tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
		var left []string
		for _, table := range tables {
			r, err := db.Query(`SELECT * FROM "` + table + `"`)
			if err != nil {
				t.Fatal(err)
			}
			left = append(left, scanLeft(t, table, r, inst)...)
		}
		return left
	})
}

func TestUninstallLeavesNoRowOfTheInstallationInPostgreSQL(t *testing.T) {
	url := pgtest.Database(t)
	h := apptest.Start(t, apptest.Options{DatabaseURL: url, Setup: func(sim *githubsim.Sim) { seedOrg(t, sim, 20, 2) }})
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	uninstallLeavesNothing(t, h, func(inst int64) []string {
		rows, err := conn.Query(context.Background(), `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, table := range tables {
			rows, err := conn.Query(context.Background(), `SELECT * FROM "`+table+`"`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				for i, f := range rows.FieldDescriptions() {
					v := vals[i]
					if n, ok := v.(int32); ok {
						v = int64(n)
					}
					if matches(f.Name, v, inst) {
						left = append(left, fmt.Sprintf("%s: %v", table, vals))
						break
					}
				}
			}
			rows.Close()
		}
		return left
	})
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func scanLeft(t *testing.T, table string, r *sql.Rows, inst int64) []string {
	t.Helper()
	defer r.Close()
	cols, _ := r.Columns()
	var left []string
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			if matches(c, vals[i], inst) {
				left = append(left, fmt.Sprintf("%s: %v", table, vals))
				break
			}
		}
	}
	return left
}

// BenchmarkBackfill installs the App on an org with 2,000 issues and 6,000
// comments and reports backfill items per second and GraphQL points per
// 1,000 issues on the simulated GitHub (no rate-limit pauses).
//
//	go test -run XXX -bench Backfill -benchtime 1x ./app/
func BenchmarkBackfill(b *testing.B) {
	for range b.N {
		h := apptest.Start(b, apptest.Options{Setup: func(sim *githubsim.Sim) {
			var seeds []githubsim.Seed
			for i := range 2000 {
				seeds = append(seeds, githubsim.Seed{Author: "bob", Title: fmt.Sprintf("Checkout fails %d", i), Body: bareBody,
					Comments: []githubsim.SeedComment{{Author: "alice", Body: productComment}, {Author: "bob", Body: "nit"}, {Author: "outsider", Body: productComment}}})
			}
			if _, err := sim.Seed("acme/web", seeds...); err != nil {
				b.Fatal(err)
			}
		}})
		start := time.Now()
		h.IdleWithin(5 * time.Minute)
		took := time.Since(start)
		b.ReportMetric(2000/took.Seconds(), "items/s")
		b.ReportMetric(float64(h.Sim.GraphQLPoints())/2, "points/1000issues")
		h.Stop()
	}
}

// pageFigure reads one figure of a repository's page, as a leader sees it.
func pageFigure(t *testing.T, h *apptest.Harness, repo, figure string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/repos/"+repo, nil)
	req.RemoteAddr, req.Host = "127.0.0.1:50000", "127.0.0.1:8081"
	rec := httptest.NewRecorder()
	h.App.Page().ServeHTTP(rec, req)
	m := regexp.MustCompile(`data-figure="` + figure + `">([^<]*)<`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("the page of %s answered %d without %s:\n%s", repo, rec.Code, figure, rec.Body.String())
	}
	return html.UnescapeString(m[1])
}

// An issue that already had an owner when the App first met it (read from
// history at install) has no known time to owner: it took however long
// before the App came. Counting the time from its creation to the install
// would show leaders months for an org that assigns within the hour.
func TestIssuesOwnedBeforeTheAppCameHaveNoTimeToOwner(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if _, err := sim.Seed("acme/web", githubsim.Seed{Author: "bob", Title: "Old and owned", Body: "Owner: @bob\n\n" + bareBody, Age: 200 * 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
	}})
	h.Idle()
	if got := pageFigure(t, h, "acme/web", "time_to_owner"); got != "-" {
		t.Errorf("time to owner after the install = %q, want - (no issue was seen getting its owner)", got)
	}
	// One seen getting its owner now counts, alone.
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "New", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, "Owner: @bob\n\n"+bareBody))
	h.Idle()
	if got := pageFigure(t, h, "acme/web", "time_to_owner"); got != "< 1 min" {
		t.Errorf("time to owner = %q, want < 1 min (the one issue seen getting its owner)", got)
	}
	if got, _ := h.Histogram("ownershipbot_issue_time_to_owner_seconds", nil); got != 1 {
		t.Errorf("the time to owner histogram holds %v issues, want the one seen getting its owner", got)
	}
	// The issue from history, edited now, is still not one seen getting
	// its owner.
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", 1, "Old and still owned"))
	h.Idle()
	if got := pageFigure(t, h, "acme/web", "time_to_owner"); got != "< 1 min" {
		t.Errorf("time to owner after the old issue's edit = %q, want < 1 min", got)
	}
}

// timesOutOnBigPages answers a GraphQL page of more than limit issues or
// pull requests as GitHub answers a query that runs too long: 502, "This
// may be the result of a timeout".
type timesOutOnBigPages struct {
	next  http.RoundTripper
	limit int
}

func (t timesOutOnBigPages) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/graphql") && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var q struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		json.Unmarshal(body, &q)
		size := 100 // the page as the query states it
		if f, ok := q.Variables["first"].(float64); ok {
			size = int(f)
		}
		if (strings.HasPrefix(q.Query, "query Issues") || strings.HasPrefix(q.Query, "query PullRequests")) && size > t.limit {
			return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Request: req,
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   io.NopCloser(strings.NewReader(`{"data":null,"errors":[{"message":"Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug."}]}`))}, nil
		}
	}
	return t.next.RoundTrip(req)
}

// GitHub gives up on a page of 100 threads with long discussions (502, a
// timeout). The backfill reads smaller pages, leaving nothing out, rather
// than fail on the same page forever.
func TestABackfillThatGitHubCannotAnswerInPagesOf100ReadsSmallerPages(t *testing.T) {
	h := apptest.Start(t, apptest.Options{
		Transport: timesOutOnBigPages{next: http.DefaultTransport, limit: 30},
		Setup:     func(sim *githubsim.Sim) { seedOrg(t, sim, 70, 1) },
	})
	h.IdleWithin(time.Minute)
	if got := gaugeSum(t, h, "ownershipbot_issues"); got != 70 {
		t.Errorf("ownershipbot_issues counts %d of the 70 open issues", got)
	}
	if got := gaugeSum(t, h, "ownershipbot_backfill_repositories_pending"); got != 0 {
		t.Errorf("%d repositories still pending", got)
	}
}

// Sweeps get a fifth of GitHub's GraphQL limit (5,000 points an hour per
// installation), so what one costs decides how often each repository of a
// large org can be swept. Asking for pages of 100 cost 27 points a sweep (a
// fifth of the limit would sweep 37 repositories an hour); what changed in
// ten minutes fits a small page, and more is read on by cursor.
func TestASweepCostsFewGraphQLPoints(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) { seedOrg(t, sim, 30, 1) }})
	h.Idle()
	before := h.Sim.GraphQLPoints()
	if err := h.App.History().Sweep(context.Background(), "acme/web"); err != nil {
		t.Fatal(err)
	}
	cost := h.Sim.GraphQLPoints() - before
	if cost > 4 {
		t.Errorf("a sweep of a repository where nothing changed cost %d GraphQL points, want at most 4", cost)
	}
	t.Logf("a sweep where nothing changed: %d GraphQL points", cost)
	// Many changes are still all read: 30 edits since the last sweep.
	if err := h.Sim.Unsent(func() error {
		for n := 1; n <= 30; n++ {
			if _, err := h.Sim.EditIssueBody("bob", "acme/web", n, "Owner: @alice\n\n"+bareBody); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sweep(t, h, "acme/web")
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "issue"}); got != 30 {
		t.Errorf("the sweep repaired %v of the 30 issues changed without an event", got)
	}
}

// An org that suspends the App gets nothing from it: no sweep or backfill
// asks GitHub for a token it refuses, and nothing fails for it. Once the
// org unsuspends it, the next sweep looks back over the suspension, whose
// events GitHub never sent.
func TestASuspendedInstallationIsNotSweptUntilItIsUnsuspended(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) { seedOrg(t, sim, 3, 1) }})
	h.Idle()
	h.Accepted(h.Sim.SuspendApp("alice", "acme", true))
	h.Idle()
	// Meanwhile an issue gets its owner; suspended, the App hears nothing.
	if err := h.Sim.Unsent(func() error {
		_, err := h.Sim.EditIssueBody("bob", "acme/web", 2, "Owner: @alice\n\n"+bareBody)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := len(h.Sim.GraphQLRequests())
	tokens := map[string]string{"route": "/app/installations/{installation_id}/access_tokens", "status": "403"}
	refusedBefore := h.Counter("ownershipbot_github_requests_total", tokens)
	for range 2 { // two rounds of the background work, as every few minutes
		if err := h.App.History().Resume(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := h.App.History().QueueSweeps(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.Idle()
	}
	if n := len(h.Sim.GraphQLRequests()) - before; n != 0 {
		t.Errorf("%d GraphQL queries for a suspended installation", n)
	}
	if refused := h.Counter("ownershipbot_github_requests_total", tokens) - refusedBefore; refused != 0 {
		t.Errorf("%v token requests refused for a suspended installation", refused)
	}
	if got := h.Counter("ownershipbot_deliveries_failed_total", nil); got != 0 {
		t.Errorf("%v deliveries failed while the installation was suspended", got)
	}

	h.Accepted(h.Sim.SuspendApp("alice", "acme", false))
	h.Idle()
	if err := h.App.History().QueueSweeps(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.Idle()
	if th, ok, err := h.Store.Thread(context.Background(), "acme/web", 2); err != nil || !ok || th.Owner != "@alice" {
		t.Errorf("after the unsuspend the sweep left #2's owner %q (found %v, %v), want @alice", th.Owner, ok, err)
	}
}

// sweep runs the drift sweep of repo now, as its schedule would, and waits
// until the App has handled what it queued.
func sweep(t *testing.T, h *apptest.Harness, repo string) {
	t.Helper()
	if err := h.App.History().Sweep(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	h.Idle()
}
