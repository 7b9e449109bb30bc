package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/analysis"
)

func fixture(t *testing.T) *Export {
	t.Helper()
	var all []byte
	for _, name := range []string{"testdata/issues.json", "testdata/prs.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(append(all, b...), '\n')
	}
	exp, err := Parse(bytes.NewReader(all))
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

func TestBuildCountsARepository(t *testing.T) {
	reports := Build(fixture(t), Options{Analyzer: testAnalyzer, ProductLogins: []string{"@priya"}})
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	r := reports[0]
	if r.Repository != "acme/web" {
		t.Errorf("repository %q", r.Repository)
	}
	// #17 assignee+problem, #21 nothing, #22 owner line but no reason,
	// #25 bug report without owner, #26 owner label but empty why, #12
	// closed with both: shares count the five open ones, #12 apart.
	wantIssues := IssueCounts{Total: 6, Open: 5, WithOwner: 3, WithRationale: 2, WithBoth: 1, Closed: 1}
	if r.Issues != wantIssues {
		t.Errorf("issues = %+v, want %+v", r.Issues, wantIssues)
	}
	// #30 fixes owned #12 and says why, and is merged: counted apart. #33
	// is open and only "part of" #17, which is owned and says why: as the
	// App reads links, that is linked to an owned issue and has a reason.
	// #31 is dependabot's bump, which is a bot's and not judged, as serve
	// leaves it.
	wantPulls := PullCounts{Total: 2, Open: 1, LinkedToOwnedIssue: 1, WithRationale: 1, Closed: 1}
	if r.PullRequests != wantPulls {
		t.Errorf("pull requests = %+v, want %+v", r.PullRequests, wantPulls)
	}
	// 8 issue and PR comments plus 2 reviews with a body; the empty approval
	// and the comment on dependabot's own pull request do not count.
	if r.Comments.Total != 10 {
		t.Errorf("comments total = %d, want 10", r.Comments.Total)
	}
	if got := r.Comments.ByRole[analysis.RoleProduct]; got != (LevelCounts{Product: 2}) {
		t.Errorf("product role = %+v; priya's two comments are product-level", got)
	}
	if got := r.Comments.ByRole[analysis.RoleBot]; got != (LevelCounts{Implementation: 1}) {
		t.Errorf("bot role = %+v; github-actions comments once on an issue", got)
	}
	if r.Comments.Concerns[analysis.BusinessValue] < 1 || r.Comments.Concerns[analysis.Performance] < 1 {
		t.Errorf("concerns = %v", r.Comments.Concerns)
	}
	var nums []int
	for _, a := range r.NeedsAttention {
		nums = append(nums, a.Number)
	}
	// missing both first, then the oldest (figures.CompareNeeds)
	if want := []int{21, 22, 25, 26}; !equalInts(nums, want) {
		t.Errorf("needs attention = %v, want %v", nums, want)
	}
	if a := r.NeedsAttention[0]; strings.Join(a.Missing, ",") != "owner,rationale" || a.URL != "https://github.com/acme/web/issues/21" {
		t.Errorf("first item = %+v", a)
	}
	if lf := r.NeedsAttention[0].LookedFor; len(lf.Owner) != 3 || lf.Owner[0] != "assignees" || !strings.Contains(strings.Join(lf.Owner, ";"), "owner:*") || len(lf.Rationale) == 0 {
		t.Errorf("looked for = %+v, want assignees, owner lines and owner:* labels", lf)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("a full export got warnings: %q", r.Warnings)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRenderJSONHasTheContractKeys(t *testing.T) {
	var out bytes.Buffer
	if err := RenderJSON(&out, Build(fixture(t), Options{Analyzer: testAnalyzer})); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("one repository gives one object: %v\n%s", err, out.String())
	}
	for _, path := range []string{"repository", "issues.total", "issues.open", "issues.with_owner", "issues.with_rationale", "issues.with_both",
		"issues.closed", "pull_requests.open", "pull_requests.closed", "comments.by_thread.issue.engineer.product",
		"pull_requests.total", "pull_requests.linked_to_owned_issue", "pull_requests.with_rationale",
		"comments.total", "comments.by_role.engineer.product", "comments.by_role.product.implementation",
		"comments.by_role.external.product", "comments.by_role.bot.implementation",
		"comments.concerns.user_experience", "comments.concerns.performance", "comments.concerns.reliability",
		"comments.concerns.security_privacy", "comments.concerns.customer_impact", "comments.concerns.business_value", "needs_attention"} {
		var v any = m
		for _, k := range strings.Split(path, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: not an object", path)
			}
			if v, ok = obj[k]; !ok {
				t.Fatalf("key %s missing in\n%s", path, out.String())
			}
		}
		if f, ok := v.(float64); ok && f != float64(int(f)) {
			t.Errorf("%s = %v is not an integer", path, f)
		}
	}
	item := m["needs_attention"].([]any)[0].(map[string]any)
	for _, k := range []string{"number", "title", "url", "missing", "looked_for"} {
		if _, ok := item[k]; !ok {
			t.Errorf("needs_attention item lacks %s", k)
		}
	}
}

func TestSeveralRepositoriesGiveAnArray(t *testing.T) {
	in := `[{"number":1,"title":"a","body":"","state":"OPEN","url":"https://github.com/acme/web/issues/1"}]
[{"number":2,"title":"b","body":"","state":"OPEN","url":"https://github.com/acme/api/issues/2"}]`
	exp, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RenderJSON(&out, Build(exp, Options{Analyzer: testAnalyzer})); err != nil {
		t.Fatal(err)
	}
	var arr []Report
	if err := json.Unmarshal(out.Bytes(), &arr); err != nil || len(arr) != 2 || arr[0].Repository != "acme/api" || arr[1].Repository != "acme/web" {
		t.Errorf("got %v %s", err, out.String())
	}
}

func TestNeedsAttentionHoldsAtMostTen(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 1; i <= 15; i++ {
		if i > 1 {
			b.WriteString(",")
		}
		b.WriteString(`{"number":` + itoa(i) + `,"title":"t","body":"","state":"OPEN","url":"https://github.com/acme/web/issues/` + itoa(i) + `"}`)
	}
	b.WriteString("]")
	exp, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	r := Build(exp, Options{Analyzer: testAnalyzer})[0]
	if len(r.NeedsAttention) != 10 || r.NeedsAttention[0].Number != 1 {
		t.Errorf("needs attention has %d items starting at #%d", len(r.NeedsAttention), r.NeedsAttention[0].Number)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRenderMarkdownAndText(t *testing.T) {
	reports := Build(fixture(t), Options{Analyzer: testAnalyzer})
	var md bytes.Buffer
	if err := RenderMarkdown(&md, reports); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Ownership report: acme/web", "| with an owner | 3 | 60% |", "| [#21](https://github.com/acme/web/issues/21) | Bump webpack to 5.91 | owner and reason (rationale) |", "| engineer |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var txt bytes.Buffer
	if err := RenderText(&txt, reports); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Ownership report: acme/web", "with an owner", "60%", "#21", "https://github.com/acme/web/issues/21"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
}

func TestParseRefusesWhatIsNotAnExport(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"not JSON":       "number,title\n1,foo\n",
		"a number":       "42",
		"no url":         `[{"number":1,"title":"x"}]`,
		"not GitHub url": `[{"number":1,"url":"https://example.com/x"}]`,
		"wrong types":    `[{"number":"one","url":"https://github.com/a/b/issues/1"}]`,
		"list of words":  `["a","b"]`,
		"cut short":      `[{"number":1,`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(in))
			if !errors.Is(err, ErrNotExport) {
				t.Fatalf("err = %v, want ErrNotExport", err)
			}
			if strings.Contains(err.Error(), "json.") || strings.Contains(err.Error(), "*") {
				t.Errorf("error %q names Go internals", err)
			}
		})
	}
}

// FuzzParse feeds Parse and Build any bytes: no panic, and every report
// counts no more than it read.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/issues.json", "testdata/prs.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"number":1,"url":"https://github.com/a/b/pull/1","body":"Fixes #1"}] {"number":2,"url":"https://ghe.example.com/a/b/issues/2","state":"OPEN"}`))
	f.Add([]byte(`[] [] 7`))
	f.Fuzz(func(t *testing.T, data []byte) {
		exp, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotExport) {
				t.Fatalf("error %v does not wrap ErrNotExport", err)
			}
			return
		}
		total := 0
		isBot := exportBots(exp)
		for _, it := range exp.Items {
			if isBot.is(it.Author) {
				total++ // a bot's item is not counted
			}
		}
		for _, r := range Build(exp, Options{Analyzer: testAnalyzer}) {
			total += r.Issues.Total + r.PullRequests.Total
			if r.Issues.WithBoth > r.Issues.WithOwner || r.Issues.Open > r.Issues.Total || len(r.NeedsAttention) > 10 {
				t.Fatalf("inconsistent report %+v", r)
			}
		}
		if total != len(exp.Items) {
			t.Fatalf("reports count %d items of %d", total, len(exp.Items))
		}
	})
}

// A report pasted into an issue must not ping the people or link the issues
// that titles name, nor let a title break the table.
func TestRenderMarkdownTitleNotifiesNobody(t *testing.T) {
	exp, err := Parse(strings.NewReader(`[{"number":5,"title":"@dana: ` + "`retry`" + ` | breaks #12 <b>now</b>","state":"OPEN","url":"https://github.com/acme/web/issues/5"}]`))
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, Build(exp, Options{Analyzer: testAnalyzer})); err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| [#5]") {
			row = line
		}
	}
	if row == "" {
		t.Fatalf("no row for #5:\n%s", md.String())
	}
	if cells := strings.Split(strings.ReplaceAll(row, `\|`, ""), "|"); len(cells) != 5 {
		t.Errorf("the title splits the table row: %q", row)
	}
	for _, bad := range []string{"@dana", "#12", "<b>", "`retry`"} {
		if strings.Contains(row, bad) {
			t.Errorf("row holds %q as Markdown would read it: %q", bad, row)
		}
	}
}

// serve and report decide "bot" by one rule: a third-party App that gh
// names "app/renovate" as an author is the same bot as the commenter
// "renovate"; a person whose login merely ends in "-bot" is a person.
func TestBotsAreCountedAsServeCountsThem(t *testing.T) {
	exp, err := Parse(strings.NewReader(`[
{"number":1,"title":"Update deps","body":"Bumps x","url":"https://github.com/acme/web/pull/1","author":{"login":"app/renovate","is_bot":true}},
{"number":2,"title":"Checkout is slow","body":"Checkout takes 9 seconds for customers, so carts are abandoned.","url":"https://github.com/acme/web/issues/2",
 "author":{"login":"dana"},"comments":[
  {"author":{"login":"renovate"},"authorAssociation":"NONE","body":"Renovate rebased this branch."},
  {"author":{"login":"build-bot"},"authorAssociation":"MEMBER","body":"I profiled it, the tax call is slow."},
  {"author":{"login":"ci[bot]","type":"Bot"},"authorAssociation":"NONE","body":"Build passed."}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	r := Build(exp, Options{Analyzer: testAnalyzer})[0]
	if r.PullRequests.Total != 0 || r.Issues.Total != 1 {
		t.Errorf("issues %+v, pull requests %+v; the bot's pull request is not judged", r.Issues, r.PullRequests)
	}
	if got := r.Comments.ByRole[analysis.RoleBot]; got.Product+got.Implementation != 2 {
		t.Errorf("bot comments = %+v; want renovate's and ci[bot]'s", got)
	}
	if got := r.Comments.ByRole[analysis.RoleEngineer]; got.Product+got.Implementation != 1 {
		t.Errorf("engineer comments = %+v; build-bot is a member, not a bot", got)
	}
}

// An export without assignees (gh issue list --json without it) makes
// "with an owner" too low: the report says so in its JSON, per figure, and
// does not claim to have looked at assignees.
func TestExportWithoutAssigneesIsWarnedOf(t *testing.T) {
	in := `[{"number":1,"title":"Checkout times out","body":"Users cannot pay: the page times out after 30 s.","state":"OPEN","labels":[],"comments":[],"createdAt":"2024-01-02T00:00:00Z","url":"https://github.com/acme/web/issues/1"}]`
	exp, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	r := Build(exp, Options{Analyzer: testAnalyzer})[0]
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `"assignees"`) || !strings.Contains(r.Warnings[0], "with an owner") {
		t.Fatalf("warnings = %q, want one about assignees and the owner share", r.Warnings)
	}
	if lf := r.NeedsAttention[0].LookedFor.Owner; len(lf) == 0 || lf[0] == "assignees" {
		t.Errorf("looked for an owner in %q, though the export has no assignees", lf)
	}
	var out bytes.Buffer
	if err := RenderJSON(&out, []Report{r}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"warnings": [`) {
		t.Errorf("the JSON lacks the warnings:\n%s", out.String())
	}
}
