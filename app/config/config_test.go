package config

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		check    func(c Config) bool
		problems []string // substrings, one per expected problem
	}{
		{"empty file keeps defaults", "", func(c Config) bool { return reflect.DeepEqual(c, Default()) }, nil},
		{"comments only keep defaults", "# nothing yet\n", func(c Config) bool { return reflect.DeepEqual(c, Default()) }, nil},
		{"every key", `
enabled: false
comment: always
owner:
  label_pattern: "team:*"
  fields: [Owner, Lead]
rationale:
  headings: [Business case]
roles:
  product: [priya, "@acme/product"]
ignore:
  labels: [wontfix, duplicate]
  authors: [renovate]
pull_requests:
  comment: never
  require_linked_issue: true
  ignore_authors: [dependabot]
  ignore_labels: [chore]
`, func(c Config) bool {
			return !c.Enabled && c.Comment == CommentAlways && c.Owner.LabelPattern == "team:*" &&
				reflect.DeepEqual(c.Owner.Fields, []string{"Owner", "Lead"}) &&
				reflect.DeepEqual(c.Rationale.Headings, []string{"Business case"}) &&
				c.IsProductLogin("Priya") && reflect.DeepEqual(c.ProductTeams(), [][2]string{{"acme", "product"}}) &&
				c.IgnoresLabels([]string{"bug", "Duplicate"}) && c.IgnoresAuthor("renovate", "User") &&
				c.PullRequests.Comment == CommentNever && c.PullRequests.RequireLinkedIssue &&
				reflect.DeepEqual(c.PullRequests.IgnoreAuthors, []string{"dependabot"})
		}, nil},
		{"a single name is a list of one", "roles:\n  product: priya\n", func(c Config) bool { return c.IsProductLogin("priya") }, nil},
		{"unknown key with a suggestion", "comments: never\n", nil, []string{`line 1: "comments" is not a setting; did you mean "comment"?`}},
		{"unknown nested key", "owner:\n  label: x\n", nil, []string{`line 2: "owner.label" is not a setting`}},
		{"bad choice", "comment: sometimes\n", nil, []string{`comment must be one of missing, always, never, not "sometimes"`}},
		{"bad boolean", "enabled: yes please\n", nil, []string{`enabled must be true or false, not "yes please"`}},
		{"bad pattern", "owner:\n  label_pattern: \"owner:[\"\n", nil, []string{`is not a valid pattern`}},
		{"section given a value", "owner: alice\n", nil, []string{`"owner" should hold settings`}},
		{"list of groups", "ignore:\n  labels:\n    - {name: x}\n", nil, []string{`ignore.labels must be a list of names`}},
		{"every problem is listed", "comment: loud\nenabled: 3\n", nil, []string{"comment must be", "enabled must be"}},
		{"not YAML", "owner: [\n", nil, []string{"not valid YAML"}},
		{"the nudge and bots", "nudge:\n  intro: \"Every issue here needs an owner: see go/own.\"\n  docs_url: https://wiki.acme.test/own\n  label: needs-owner\nignore:\n  bots: false\n",
			func(c Config) bool {
				return c.Nudge == Nudge{Intro: "Every issue here needs an owner: see go/own.", DocsURL: "https://wiki.acme.test/own", Label: "needs-owner"} &&
					!c.Ignore.Bots && !c.IgnoresOpener("renovate[bot]", "Bot")
			}, nil},
		{"bots are ignored by default", "", func(c Config) bool {
			return c.Ignore.Bots && c.IgnoresOpener("acme-ci", "Bot") && c.IgnoresAuthor("renovate[bot]", "Bot") && !c.IgnoresAuthor("alice", "User")
		}, nil},
		{"an intro of several lines", "nudge:\n  intro: |\n    one\n    two\n", nil, []string{"nudge.intro must be one line of at most 200 characters, not several lines"}},
		{"an intro too long", "nudge:\n  intro: " + strings.Repeat("x", 201) + "\n", nil, []string{"not 201"}},
		{"an intro that is a list", "nudge:\n  intro: [a]\n", nil, []string{"nudge.intro must be a line of text, not a list"}},
		{"a docs link without https", "nudge:\n  docs_url: javascript:alert(1)\n", nil, []string{"nudge.docs_url must start with https://"}},
		{"a docs link with a password", "nudge:\n  docs_url: https://me:pw@wiki.test/\n", nil, []string{"must not hold a user name or password"}},
		{"a docs link that breaks out of Markdown", "nudge:\n  docs_url: \"https://wiki.test/a> <b\"\n", nil, []string{"is not a web address"}},
		{"a label longer than GitHub allows", "nudge:\n  label: " + strings.Repeat("l", 51) + "\n", nil, []string{"at most 50 characters"}},
		{"history is read back 90 days by default", "", func(c Config) bool { return c.Backfill.Days == 90 }, nil},
		{"backfill days", "backfill:\n  days: 30\n", func(c Config) bool { return c.Backfill.Days == 30 }, nil},
		{"backfill days of none", "backfill:\n  days: 0\n", func(c Config) bool { return c.Backfill.Days == 0 }, nil},
		{"backfill days not a number", "backfill:\n  days: ninety\n", nil, []string{`line 2: backfill.days must be a whole number from 0 to 3650, not "ninety"`}},
		{"backfill days too many", "backfill:\n  days: 5000\n", nil, []string{`backfill.days must be a whole number from 0 to 3650, not "5000"`}},
		{"backfill days negative", "backfill:\n  days: -1\n", nil, []string{`backfill.days must be a whole number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.file))
			if len(tt.problems) == 0 {
				if err != nil {
					t.Fatalf("unexpected problem: %v", err)
				}
				if !tt.check(c) {
					t.Fatalf("parsed %+v", c)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) != len(tt.problems) {
				t.Fatalf("err = %v, want %d problems", err, len(tt.problems))
			}
			for i, want := range tt.problems {
				if !strings.Contains(ce.Problems[i].String(), want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, ce.Problems[i], want)
				}
			}
			if !reflect.DeepEqual(c, Default()) {
				t.Fatalf("a broken file half-applied: %+v", c)
			}
		})
	}
}

func TestLoaderFallsBackToTheOrgAndCaches(t *testing.T) {
	files := map[string]string{"acme/.github": "comment: never\n"}
	fetches := 0
	l := NewLoader(func(ctx context.Context, inst int64, owner, repo, path string) ([]byte, bool, error) {
		fetches++
		data, ok := files[owner+"/"+repo]
		return []byte(data), ok, nil
	}, time.Minute)
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }

	got, err := l.Load(context.Background(), 1, "acme", "web")
	if err != nil || got.Comment != CommentNever || got.Source != "acme/.github/.github/ownership.yml" {
		t.Fatalf("org fallback: %+v %v", got, err)
	}
	l.Load(context.Background(), 1, "acme", "web")
	if fetches != 2 {
		t.Fatalf("fetches = %d, want 2 (repo, then org), then cached", fetches)
	}
	files["acme/web"] = "comment: always\n"
	l.Invalidate(1, "acme", "web")
	if got, _ := l.Load(context.Background(), 1, "acme", "web"); got.Comment != CommentAlways {
		t.Fatalf("after invalidation: %+v", got)
	}
	now = now.Add(2 * time.Minute)
	before := fetches
	l.Load(context.Background(), 1, "acme", "web")
	if fetches != before+2 {
		t.Fatalf("expired entries were not fetched again: %d fetches, want 2", fetches-before)
	}
}

func TestLoaderReportsBrokenFileOncePerRead(t *testing.T) {
	reports := 0
	l := NewLoader(func(ctx context.Context, inst int64, owner, repo, path string) ([]byte, bool, error) {
		return []byte("comment: loud\n"), repo == "web", nil
	}, time.Minute)
	l.OnBroken = func(string, error) { reports++ }
	for range 3 {
		got, err := l.Load(context.Background(), 1, "acme", "web")
		if err != nil || got.Err == nil || got.Comment != CommentMissing || got.ProblemHash() == "" {
			t.Fatalf("broken file: %+v %v", got, err)
		}
	}
	if reports != 1 {
		t.Fatalf("broken file reported %d times, want once per read", reports)
	}
}

func TestProblemsAreBoundedHoweverBrokenTheFile(t *testing.T) {
	var file strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&file, "unknown_%d: x\n", i)
	}
	file.WriteString("comment: " + strings.Repeat("y", 66000) + "\n")
	_, err := Parse([]byte(file.String()))
	if err == nil {
		t.Fatal("a broken file parsed")
	}
	if len(err.Error()) > 40000 {
		t.Fatalf("the error of a broken file is %d characters long, want it bounded", len(err.Error()))
	}
	sum := Summary(err)
	if len(sum) > 1000 || !strings.Contains(sum, "and 4996 more") {
		t.Fatalf("summary of %d characters, want a handful of problems and \"and 4996 more\":\n%s", len(sum), sum)
	}
}

func TestFileOverOneMegabyteIsTooLarge(t *testing.T) {
	_, err := Parse([]byte("enabled: true\n" + strings.Repeat("#", MaxFileBytes)))
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("a file over 1 MB: %v, want it called too large", err)
	}
}

func TestSummaryKeepsBackticksInsideCode(t *testing.T) {
	sum := Summary(&Error{Problems: []Problem{{Line: 1, Message: "a ``` fence and @acme/team"}}})
	if !strings.HasPrefix(sum, "```` ") || !strings.HasSuffix(sum, " ````") {
		t.Fatalf("summary %q: want a fence longer than any run of backticks inside", sum)
	}
}

// BenchmarkParseOneMegabyte parses a file just under MaxFileBytes of the
// worst kind found: one unknown key per line, each a problem.
func BenchmarkParseOneMegabyte(b *testing.B) {
	for _, parse := range []struct {
		name string
		f    func([]byte) (Config, error)
	}{{"Parse", Parse}, {"ParseAll", ParseAll}} {
		b.Run(parse.name, func(b *testing.B) {
			var file strings.Builder
			for i := 0; file.Len() < MaxFileBytes-32; i++ {
				fmt.Fprintf(&file, "unknown_%d: x\n", i)
			}
			data := []byte(file.String())
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parse.f(data); err == nil {
					b.Fatal("parsed")
				}
			}
		})
	}
}

func TestRepositoryFileOverlaysTheOrganisations(t *testing.T) {
	files := map[string]string{
		"acme/.github": "enabled: false\ncomment: never\nnudge:\n  label: needs-owner\nignore:\n  labels: [wontfix]\n  authors: [outsider]\n",
		"acme/web":     "enabled: true\nignore:\n  labels: [chore]\n",
		"acme/api":     "enabled: true\ncomment: always\nowner:\n  label: typo\n",
		"acme/docs":    "enabled: false\n",
	}
	l := NewLoader(func(ctx context.Context, inst int64, owner, repo, path string) ([]byte, bool, error) {
		data, ok := files[owner+"/"+repo]
		return []byte(data), ok, nil
	}, time.Minute)
	load := func(repo string) Loaded {
		t.Helper()
		got, err := l.Load(context.Background(), 1, "acme", repo)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	web := load("web")
	if !web.Enabled || web.Comment != CommentNever || web.Nudge.Label != "needs-owner" || web.Err != nil ||
		!reflect.DeepEqual(web.Ignore.Labels, []string{"chore"}) || !web.IgnoresAuthor("outsider", "User") || web.Source != "acme/web/"+Path {
		t.Errorf("a repository opting in keeps the org's other settings, its own lists replacing the org's: %+v", web)
	}
	if other := load("other"); other.Enabled || other.Comment != CommentNever || other.Source != "acme/.github/"+Path {
		t.Errorf("a repository without a file takes the org's: %+v", other)
	}
	api := load("api")
	if api.Err == nil || api.Source != "acme/api/"+Path || api.Enabled || api.Comment != CommentNever {
		t.Errorf("a broken repository file is not applied, its problem reported, the org's settings kept: %+v", api)
	}
	if org := load(".github"); org.Enabled || org.Source != "acme/.github/"+Path {
		t.Errorf("the org's own repository reads its file once: %+v", org)
	}

	files["acme/.github"] = "comment: never\nroles:\n  prodcut: [priya]\n"
	l.Invalidate(1, "acme", ".github")
	docs := load("docs")
	if docs.Err == nil || docs.Source != "acme/.github/"+Path || docs.Enabled || docs.Comment != CommentNever {
		t.Errorf("a broken org file is reported, and its comment: never still holds: %+v", docs)
	}
	if web := load("web"); web.Comment != CommentNever || web.Err == nil {
		t.Errorf("a broken org file makes no repository louder: %+v", web)
	}
}

func TestParseAllWordsEveryProblem(t *testing.T) {
	var file strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&file, "unknown_%d: x\n", i)
	}
	_, err := ParseAll([]byte(file.String()))
	var ce *Error
	if !errors.As(err, &ce) || len(ce.Problems) != 2000 || ce.More != 0 {
		t.Fatalf("ParseAll gave %v, want 2000 problems worded", err)
	}
	if last := ce.Problems[1999].String(); last != `line 2000: "unknown_1999" is not a setting` {
		t.Fatalf("last problem = %q", last)
	}
	_, err = Parse([]byte(file.String()))
	if !errors.As(err, &ce) || len(ce.Problems) != maxProblems || ce.More != 2000-maxProblems {
		t.Fatalf("Parse words %d problems and counts %d more, want %d and %d", len(ce.Problems), ce.More, maxProblems, 2000-maxProblems)
	}
}

func TestOneCommentNeverQuietsPullRequestsToo(t *testing.T) {
	for file, want := range map[string]string{
		"":                  CommentMissing,
		"comment: always\n": CommentMissing,
		"comment: never\n":  CommentNever,
		"comment: never\npull_requests:\n  comment: missing\n": CommentMissing,
		"pull_requests:\n  comment: always\n":                  CommentAlways,
	} {
		c, err := Parse([]byte(file))
		if err != nil || c.PullRequestMode() != want {
			t.Errorf("%q: pull requests' mode %q (%v), want %q", file, c.PullRequestMode(), err, want)
		}
	}
}
