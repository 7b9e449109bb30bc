// Package issuedata reads the labelled issue reports and pull-request
// descriptions that rationale detection is fitted and measured on: the real
// pools and labels kept beside the project (../shared/data), the project's
// own labels of pool items (ids and labels only) and the team's own written
// set. It only reads; no text of the pools is written anywhere.
package issuedata

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

// Item is one labelled issue or pull request.
type Item struct {
	ID     string
	Pool   string // "issues" (NLBSE'24 reports), "prs" (pull-request descriptions) or "team"
	Repo   string // owner/name; the file name for the team's set
	Source string // whose label: "shared", "ours" or "team"
	// PullRequest is set for a pull request's description: the PR pool's,
	// and the team's rows of kind pr (the NLBSE pool mixes both without
	// saying which, so its items count as issues).
	PullRequest bool
	Title       string
	Body        string
	Want        bool
}

// Sealed reports whether an item is in the sealed part, whose mistakes
// are never read while the rules are written: the tensorflow reports and
// the pull-request descriptions of a third of the repositories.
func (i Item) Sealed() bool {
	switch i.Pool {
	case "issues":
		return i.Repo == "tensorflow/tensorflow"
	case "prs":
		h := fnv.New32a()
		h.Write([]byte(i.Repo))
		return h.Sum32()%3 == 0
	}
	return false
}

// ErrNoData is returned when the real pools or labels are not there.
var ErrNoData = errors.New("the real labelled issues are not there")

type label struct {
	ID           string `json:"id"`
	HasRationale bool   `json:"has_rationale"`
	Ambiguous    bool   `json:"ambiguous"`
}

// Load reads the real labelled items, ambiguous ones left out, in a fixed
// order (shared labels first, then ours, each in file order). Where the
// shared labels and ours both label an item, the shared label wins.
func Load(dataDir, added string) ([]Item, error) {
	shared, _ := filepath.Glob(filepath.Join(dataDir, "labels", "issues-*.jsonl"))
	if len(shared) == 0 {
		return nil, fmt.Errorf("%w: no labels/issues-*.jsonl in %s", ErrNoData, dataDir)
	}
	sort.Strings(shared)
	type text struct{ pool, repo, title, body string }
	texts := map[string]text{}
	err := realdata.ReadJSONL(filepath.Join(dataDir, "pools", "nlbse24-issues.jsonl"), func(it poolItem) {
		// "nl-<owner>-<name>-<number>"; the four owners hold no dash
		rest := strings.TrimPrefix(it.ID[:max(0, strings.LastIndexByte(it.ID, '-'))], "nl-")
		owner, name, _ := strings.Cut(rest, "-")
		texts[it.ID] = text{"issues", owner + "/" + name, it.Title, it.Body}
	})
	if err == nil {
		err = realdata.ReadJSONL(filepath.Join(dataDir, "pools", "pr-discussion-comments.jsonl"), func(it poolItem) {
			// a pull request's own page, not one of its comments, is its description
			parts := strings.Split(strings.TrimPrefix(it.URL, "https://github.com/"), "/")
			if strings.Contains(it.URL, "#") || len(parts) != 4 || parts[2] != "pull" {
				return
			}
			texts[it.ID] = text{"prs", parts[0] + "/" + parts[1], "", it.Text}
		})
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %v", ErrNoData, err)
	}
	if err != nil {
		return nil, err
	}
	var out []Item
	var missing error
	seen := map[string]bool{}
	add := func(path, source string) error {
		return realdata.ReadJSONL(path, func(l label) {
			if seen[l.ID] {
				return
			}
			seen[l.ID] = true
			x, ok := texts[l.ID]
			if !ok {
				missing = fmt.Errorf("%s: label %s has no text in the pools", path, l.ID)
				return
			}
			if !l.Ambiguous { // two careful labellers could disagree: not used
				out = append(out, Item{ID: l.ID, Pool: x.pool, Repo: x.repo, Source: source, Title: x.title, Body: x.body,
					Want: l.HasRationale, PullRequest: x.pool == "prs"})
			}
		})
	}
	for _, path := range shared {
		if e := add(path, "shared"); e != nil {
			return nil, e
		}
	}
	if e := add(added, "ours"); e != nil {
		return nil, e
	}
	return out, missing
}

type poolItem struct{ ID, URL, Title, Body, Text string }

// LoadTeam reads one of the team's own sets: tab-separated
// "yes|no<TAB>kind<TAB>title<TAB>body" rows, "#" lines are comments and a
// literal "\n" in a text is a newline.
func LoadTeam(path string) ([]Item, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	unescape := strings.NewReplacer(`\n`, "\n", `\t`, "\t")
	var out []Item
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 4)
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		if parts[0] != "yes" && parts[0] != "no" {
			return nil, fmt.Errorf("%s:%d: label %q is not yes or no", path, n+1, parts[0])
		}
		out = append(out, Item{ID: fmt.Sprintf("%s:%d", filepath.Base(path), n+1), Pool: "team", Repo: filepath.Base(path),
			Source: "team", Title: parts[2], Body: unescape.Replace(parts[3]), Want: parts[0] == "yes",
			PullRequest: strings.HasPrefix(parts[1], "pr")})
	}
	return out, nil
}
