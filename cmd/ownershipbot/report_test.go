package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const reportFixtures = "../../analysis/report/testdata/"

func TestReportFromTwoFilesAndFromStdinAgree(t *testing.T) {
	code, fromFiles, stderr := runWith(t, runReport, "", "--format", "json", reportFixtures+"issues.json", reportFixtures+"prs.json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	issues, _ := os.ReadFile(reportFixtures + "issues.json")
	prs, _ := os.ReadFile(reportFixtures + "prs.json")
	code, fromStdin, stderr := runWith(t, runReport, string(issues)+string(prs), "--format=json")
	if code != exitOK {
		t.Fatalf("stdin: exit %d: %s", code, stderr)
	}
	if fromFiles != fromStdin {
		t.Errorf("files and concatenated stdin differ:\n%s\n---\n%s", fromFiles, fromStdin)
	}
	var r struct {
		Repository string `json:"repository"`
		Issues     struct {
			Total int `json:"total"`
		} `json:"issues"`
	}
	if err := json.Unmarshal([]byte(fromFiles), &r); err != nil || r.Repository != "acme/web" || r.Issues.Total != 6 {
		t.Errorf("report = %+v, %v", r, err)
	}
}

func TestReportFormats(t *testing.T) {
	code, table, _ := runWith(t, runReport, "", reportFixtures+"issues.json")
	if code != exitOK || !strings.Contains(table, "Ownership report: acme/web") || !strings.Contains(table, "with an owner") {
		t.Errorf("table: exit %d\n%s", code, table)
	}
	code, md, _ := runWith(t, runReport, "", "--format", "markdown", reportFixtures+"issues.json")
	if code != exitOK || !strings.Contains(md, "## Ownership report: acme/web") || !strings.Contains(md, "| --- |") {
		t.Errorf("markdown: exit %d\n%s", code, md)
	}
	code, _, stderr := runWith(t, runReport, "", "--format", "yaml", reportFixtures+"issues.json")
	if code != exitUsage || !strings.Contains(stderr, "table, markdown, json") {
		t.Errorf("bad format: exit %d, %q", code, stderr)
	}
}

func TestReportProductFlagCountsProductPeople(t *testing.T) {
	_, out, _ := runWith(t, runReport, "", "--format", "json", "--product", "priya", reportFixtures+"issues.json", reportFixtures+"prs.json")
	var r struct {
		Comments struct {
			ByRole map[string]map[string]int `json:"by_role"`
		} `json:"comments"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Comments.ByRole["product"]["product"] != 2 {
		t.Errorf("by_role = %v", r.Comments.ByRole)
	}
}

func TestReportRefusesWhatIsNotAnExport(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "issues.csv")
	os.WriteFile(csv, []byte("number,title\n1,x\n"), 0o600)
	for name, args := range map[string][]string{
		"csv file":     {csv},
		"missing file": {filepath.Join(dir, "nope.json")},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := runWith(t, runReport, "", args...)
			if code != exitFailure || out != "" {
				t.Errorf("exit %d, stdout %q", code, out)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "ownershipbot: ") {
				t.Errorf("stderr is not one sentence: %q", stderr)
			}
		})
	}
	code, _, stderr := runWith(t, runReport, `{"hello": "world"}`)
	if code != exitFailure || !strings.Contains(stderr, "not a gh issue list or gh pr list JSON export") {
		t.Errorf("object without number: exit %d, %q", code, stderr)
	}
}

func TestReportHelp(t *testing.T) {
	code, out, _ := runWith(t, runReport, "", "--help")
	if code != exitOK || !strings.Contains(out, "gh issue list") || !strings.Contains(out, "-format") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, _ := runWith(t, runReport, "", "--bogus"); code != exitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
}

func TestReportOwnerAndRationaleFlags(t *testing.T) {
	in := `[{"number":1,"title":"Export","body":"Steward: @gail\n\n## Customer ask\n\nAcme's auditors need monthly exports.","state":"OPEN","url":"https://github.com/acme/web/issues/1","labels":[]},
{"number":2,"title":"Dark mode","body":"","state":"OPEN","url":"https://github.com/acme/web/issues/2","labels":[{"name":"team:acme/design"}]}]`
	count := func(args ...string) (owner, rationale int) {
		t.Helper()
		code, out, stderr := runWith(t, runReport, in, append([]string{"--format", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var r struct {
			Issues struct {
				WithOwner     int `json:"with_owner"`
				WithRationale int `json:"with_rationale"`
			} `json:"issues"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Issues.WithOwner, r.Issues.WithRationale
	}
	if o, _ := count(); o != 0 {
		t.Errorf("defaults: %d owners, want 0", o)
	}
	if o, r := count("--owner-fields", "Steward", "--owner-label", "team:*", "--rationale-headings", "Customer ask"); o != 2 || r != 1 {
		t.Errorf("custom settings: %d owners and %d rationales, want 2 and 1", o, r)
	}
	if code, _, stderr := runWith(t, runReport, in, "--owner-label", "owner"); code != exitUsage || !strings.Contains(stderr, "--owner-label") {
		t.Errorf("bad glob: exit %d, %q", code, stderr)
	}
}
