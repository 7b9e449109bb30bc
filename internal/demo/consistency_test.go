package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/analysis/report"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/internal/demo"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
)

// repoNumbers are one repository's figures as one face shows them.
type repoNumbers struct {
	Open, WithOwner, WithRationale, WithBoth  int
	OpenPulls, LinkedToOwned, PullsWithReason int
	// Issue comments by people, and the product-level ones by engineers.
	IssueComments, IssueProduct, EngineerIssueAll, EngineerIssueProduct int
}

// The demo summary, `report --format json` on an export of the demo org,
// /metrics and the leaders' page give the same numbers for the same
// repository. Comments are compared on issues: gh's export carries no
// review comments on the diff, so pull request discussion is compared
// between the summary, /metrics and the page only (TestPageMatchesMetrics
// covers it there).
func TestEveryFaceGivesTheSameNumbers(t *testing.T) {
	d, _ := startDemo(t)
	ctx := context.Background()

	var summary bytes.Buffer
	if err := d.PrintSummary(ctx, &summary); err != nil {
		t.Fatal(err)
	}
	metrics := scrape(t, d.BaseURL+"/metrics")
	for _, r := range d.Org.Repos {
		name := d.Org.Login + "/" + r.Name
		fromMetrics := metricsNumbers(metrics, name)
		if fromMetrics.Open == 0 {
			t.Fatalf("%s: /metrics has no open issues:\n%s", name, metrics)
		}
		fromReport := reportNumbers(t, d, r)
		fromPage := pageNumbers(t, d.PageURL, name)
		fromSummary := summaryNumbers(t, summary.String(), name)

		// The report and /metrics agree on everything the export carries.
		if fromReport != fromMetrics {
			t.Errorf("%s: report %+v\n/metrics %+v", name, fromReport, fromMetrics)
		}
		// The page and the summary show issues, pull requests and shares.
		ownership := func(n repoNumbers) repoNumbers {
			return repoNumbers{Open: n.Open, WithOwner: n.WithOwner, WithRationale: n.WithRationale, WithBoth: n.WithBoth,
				OpenPulls: n.OpenPulls, LinkedToOwned: n.LinkedToOwned, PullsWithReason: n.PullsWithReason}
		}
		if ownership(fromPage) != ownership(fromMetrics) {
			t.Errorf("%s: page %+v\n/metrics %+v", name, ownership(fromPage), ownership(fromMetrics))
		}
		if ownership(fromSummary) != ownership(fromMetrics) {
			t.Errorf("%s: summary %+v\n/metrics %+v", name, ownership(fromSummary), ownership(fromMetrics))
		}
	}
}

// On every figure of participation, over issues and pull requests alike,
// the page and the summary say what /metrics says.
func TestPageMatchesMetrics(t *testing.T) {
	d, _ := startDemo(t)
	var summary bytes.Buffer
	if err := d.PrintSummary(context.Background(), &summary); err != nil {
		t.Fatal(err)
	}
	metrics := scrape(t, d.BaseURL+"/metrics")
	for _, r := range d.Org.Repos {
		name := d.Org.Login + "/" + r.Name
		c := figures.NewComments()
		for _, m := range regexp.MustCompile(`ownershipbot_comments\{author_role="(\w+)",level="(\w+)",repository="`+regexp.QuoteMeta(name)+`",thread="\w+"\} (\d+)`).FindAllStringSubmatch(metrics, -1) {
			c.AddComment(analysis.Role(m[1]), m[2] == "product", atoi(m[3]))
		}
		_, body := fetch(t, d.PageURL+"repos/"+name)
		want := map[string]string{
			"engineers_product_level":      c.ProductLevelShareOf(analysis.RoleEngineer).String(),
			"product_people_product_level": c.ProductLevelShareOf(analysis.RoleProduct).String(),
			"engineers_share_of_product":   c.ShareOfProductLevel(analysis.RoleEngineer).String(),
			"product_level_comments":       strconv.Itoa(c.People().Product),
		}
		for fig, v := range want {
			if got := dataFigure(body, fig); got != v {
				t.Errorf("%s: the page's %s is %q, /metrics gives %q", name, fig, got, v)
			}
		}
		line := summaryLine(t, summary.String(), name, 1)
		for _, v := range []string{want["engineers_product_level"], want["product_people_product_level"], want["engineers_share_of_product"]} {
			if v != "-" && !strings.Contains(line, "("+v+")") {
				t.Errorf("%s: the summary's participation line %q lacks %s", name, line, v)
			}
		}
	}
}

var started struct {
	d   *demo.Demo
	err error
}

func startDemo(t *testing.T) (*demo.Demo, *sqlite.Store) {
	t.Helper()
	if started.d != nil {
		return started.d, nil
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	ln, ui := listen(t), listen(t)
	d, err := demo.Start(context.Background(), demo.Options{Listener: ln, UIListener: ui, Store: st,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop(); st.Close(); started.d = nil })
	started.d = d
	return d, st
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func scrape(t *testing.T, u string) string {
	code, body := fetch(t, u)
	if code != 200 {
		t.Fatalf("%s answered %d", u, code)
	}
	return body
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func metricsNumbers(metrics, repo string) repoNumbers {
	var n repoNumbers
	q := regexp.QuoteMeta(repo)
	for _, m := range regexp.MustCompile(`ownershipbot_issues\{owner="(\w+)",rationale="(\w+)",repository="`+q+`"\} (\d+)`).FindAllStringSubmatch(metrics, -1) {
		c := atoi(m[3])
		n.Open += c
		if m[1] == "yes" {
			n.WithOwner += c
		}
		if m[2] == "yes" {
			n.WithRationale += c
		}
		if m[1] == "yes" && m[2] == "yes" {
			n.WithBoth += c
		}
	}
	for _, m := range regexp.MustCompile(`ownershipbot_pull_requests\{linked_issue="(\w+)",rationale="(\w+)",repository="`+q+`"\} (\d+)`).FindAllStringSubmatch(metrics, -1) {
		c := atoi(m[3])
		n.OpenPulls += c
		if m[1] == "owned" {
			n.LinkedToOwned += c
		}
		if m[2] == "yes" {
			n.PullsWithReason += c
		}
	}
	for _, m := range regexp.MustCompile(`ownershipbot_comments\{author_role="(\w+)",level="(\w+)",repository="`+q+`",thread="issue"\} (\d+)`).FindAllStringSubmatch(metrics, -1) {
		c := atoi(m[3])
		if m[1] == "bot" {
			continue
		}
		n.IssueComments += c
		if m[2] == "product" {
			n.IssueProduct += c
		}
		if m[1] == "engineer" {
			n.EngineerIssueAll += c
			if m[2] == "product" {
				n.EngineerIssueProduct += c
			}
		}
	}
	return n
}

// export writes the repository as `gh issue list` and `gh pr list` print it
// (the fields the README's command asks for), from the simulated GitHub.
func export(d *demo.Demo, r scenario.Repo) []byte {
	full := d.Org.Login + "/" + r.Name
	type actor struct {
		Login string `json:"login"`
		IsBot bool   `json:"is_bot"`
	}
	type label struct {
		Name string `json:"name"`
	}
	type comment struct {
		Author            actor  `json:"author"`
		AuthorAssociation string `json:"authorAssociation"`
		Body              string `json:"body"`
		State             string `json:"state,omitempty"`
	}
	type item struct {
		Number    int       `json:"number"`
		Title     string    `json:"title"`
		Body      string    `json:"body"`
		State     string    `json:"state"`
		URL       string    `json:"url"`
		Author    actor     `json:"author"`
		Assignees []actor   `json:"assignees"`
		Labels    []label   `json:"labels"`
		Comments  []comment `json:"comments"`
		Reviews   []comment `json:"reviews,omitempty"`
		CreatedAt string    `json:"createdAt"`
	}
	var issues, pulls []item
	for n := 1; ; n++ {
		is, ok := d.Sim.Issue(full, n)
		if !ok {
			break
		}
		it := item{Number: n, Title: is.Title, Body: is.Body, State: strings.ToUpper(is.State), Author: actor{Login: is.User, IsBot: strings.HasSuffix(is.User, "[bot]")},
			Assignees: []actor{}, Labels: []label{}, Comments: []comment{}, CreatedAt: is.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
		for _, a := range is.Assignees {
			it.Assignees = append(it.Assignees, actor{Login: a})
		}
		for _, l := range is.Labels {
			it.Labels = append(it.Labels, label{Name: l})
		}
		for _, c := range d.Sim.Comments(full, n) {
			it.Comments = append(it.Comments, comment{Author: actor{Login: c.User, IsBot: c.UserType == "Bot"}, AuthorAssociation: c.AuthorAssociation, Body: c.Body})
		}
		if is.IsPull {
			it.URL = fmt.Sprintf("https://github.com/%s/pull/%d", full, n)
			if is.Merged {
				it.State = "MERGED"
			}
			it.Reviews = []comment{}
			for _, rv := range d.Sim.Reviews(full, n) {
				it.Reviews = append(it.Reviews, comment{Author: actor{Login: rv.User}, AuthorAssociation: rv.AuthorAssociation, Body: rv.Body, State: rv.State})
			}
			pulls = append(pulls, it)
		} else {
			it.URL = fmt.Sprintf("https://github.com/%s/issues/%d", full, n)
			issues = append(issues, it)
		}
	}
	a, _ := json.Marshal(issues)
	b, _ := json.Marshal(pulls)
	return append(append(a, '\n'), b...)
}

// reportNumbers runs the report on the repository's export with the
// repository's own settings, as its .github/ownership.yml gives them (the
// defaults when the file is broken, as the App does).
func reportNumbers(t *testing.T, d *demo.Demo, r scenario.Repo) repoNumbers {
	t.Helper()
	cfg, err := config.Parse([]byte(r.Config))
	if err != nil || r.Config == "" {
		cfg, _ = config.Parse(nil)
	}
	var product []string
	for _, p := range cfg.Roles.Product {
		if team, ok := strings.CutPrefix(p, "@"+d.Org.Login+"/"); ok {
			product = append(product, d.Org.Teams[team]...)
			continue
		}
		product = append(product, p)
	}
	exp, err := report.Parse(bytes.NewReader(export(d, r)))
	if err != nil {
		t.Fatal(err)
	}
	analyzer, err := analysis.New()
	if err != nil {
		t.Fatal(err)
	}
	reports := report.Build(exp, report.Options{Analyzer: analyzer, ProductLogins: product,
		Owner:        analysis.OwnerOptions{LabelPattern: cfg.Owner.LabelPattern, Fields: cfg.Owner.Fields},
		Rationale:    analysis.RationaleOptions{Headings: cfg.Rationale.Headings},
		IgnoreLabels: cfg.Ignore.Labels, IgnoreAuthors: cfg.Ignore.Authors})
	if len(reports) != 1 {
		t.Fatalf("%d reports for one repository", len(reports))
	}
	var js bytes.Buffer
	if err := report.RenderJSON(&js, reports); err != nil {
		t.Fatal(err)
	}
	var rep report.Report // read back from the JSON, as a script would
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) > 0 {
		t.Errorf("%s: a full export got warnings %q", rep.Repository, rep.Warnings)
	}
	n := repoNumbers{Open: rep.Issues.Open, WithOwner: rep.Issues.WithOwner, WithRationale: rep.Issues.WithRationale, WithBoth: rep.Issues.WithBoth,
		OpenPulls: rep.PullRequests.Open, LinkedToOwned: rep.PullRequests.LinkedToOwnedIssue, PullsWithReason: rep.PullRequests.WithRationale}
	for role, l := range rep.Comments.ByThread[report.ThreadIssue] {
		if role == analysis.RoleBot {
			continue
		}
		n.IssueComments += l.Product + l.Implementation
		n.IssueProduct += l.Product
		if role == analysis.RoleEngineer {
			n.EngineerIssueAll += l.Product + l.Implementation
			n.EngineerIssueProduct += l.Product
		}
	}
	return n
}

// dataFigure reads the figure a page marks data-figure="name".
func dataFigure(body, name string) string {
	m := regexp.MustCompile(`data-figure="` + name + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

func dataCount(body, repo, name string) int {
	row := regexp.MustCompile(`(?s)<tr data-repository="` + regexp.QuoteMeta(repo) + `">(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil {
		return -1
	}
	m := regexp.MustCompile(`data-figure="` + name + `"(?: data-count="(\d+)")?>([^<]*)<`).FindStringSubmatch(row[1])
	if m == nil {
		return -1
	}
	if m[1] != "" {
		return atoi(m[1])
	}
	return atoi(m[2])
}

func pageNumbers(t *testing.T, pageURL, repo string) repoNumbers {
	_, overview := fetch(t, pageURL)
	n := repoNumbers{Open: dataCount(overview, repo, "open"), WithOwner: dataCount(overview, repo, "with_owner"),
		WithRationale: dataCount(overview, repo, "with_rationale"), WithBoth: dataCount(overview, repo, "with_both")}
	_, body := fetch(t, pageURL+"repos/"+repo)
	n.OpenPulls = atoi(dataFigure(body, "open_pulls"))
	count := regexp.MustCompile(`data-figure="(linked_to_owned_issue|with_reason)">[^<]*</p><p>[^(]*\((\d+)\)`)
	for _, m := range count.FindAllStringSubmatch(body, -1) {
		if m[1] == "linked_to_owned_issue" {
			n.LinkedToOwned = atoi(m[2])
		} else {
			n.PullsWithReason = atoi(m[2])
		}
	}
	return n
}

// summaryLine is the repository's line in the n-th table of the summary.
func summaryLine(t *testing.T, summary, repo string, table int) string {
	t.Helper()
	seen := 0
	for _, line := range strings.Split(summary, "\n") {
		if strings.HasPrefix(line, repo+" ") {
			if seen == table {
				return line
			}
			seen++
		}
	}
	t.Fatalf("the summary has no table %d line for %s:\n%s", table, repo, summary)
	return ""
}

func summaryNumbers(t *testing.T, summary, repo string) repoNumbers {
	num := regexp.MustCompile(`(\d+)(?: \(\d+%\))?|-`)
	fields := func(line string) []int {
		var out []int
		for _, m := range num.FindAllStringSubmatch(strings.TrimPrefix(line, repo), -1) {
			out = append(out, atoi(m[1]))
		}
		return out
	}
	is, pr := fields(summaryLine(t, summary, repo, 0)), fields(summaryLine(t, summary, repo, 2))
	return repoNumbers{Open: is[0], WithOwner: is[1], WithRationale: is[2], WithBoth: is[3], OpenPulls: pr[0], LinkedToOwned: pr[1], PullsWithReason: pr[2]}
}
