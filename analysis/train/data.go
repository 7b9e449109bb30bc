package main

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

// Folds is how many cross-validation folds the real comments are split
// into, by repository.
const folds = 5

// teamWeight is the weight of a comment of the team's own labelled set:
// written in one hand, it counts less than real text.
const teamWeight = 0.8

// patternWeight is the weight of a comment of our pattern set, written
// for the error patterns seen on real text: fewer, and in one hand.
const patternWeight = 1.0

type poolItem struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Text  string `json:"text"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

type commentLabel struct {
	ID           string   `json:"id"`
	ProductLevel bool     `json:"product_level"`
	Concerns     []string `json:"concerns"`
	Ambiguous    bool     `json:"ambiguous"`
	ours         bool     // from the project's own labels, not the shared ones
}

// sourceOurs is the figures' source of pool items the project labelled.
const sourceOurs = "pr-discussion, our labels"

// realData is the real text beside the project, with its labels.
type realData struct {
	pools     map[string]poolItem // by id
	poolOrder []string            // ids in file order
	labels    []commentLabel      // shared labels, then the project's own
	issues    []poolItem          // the issue reports, for the shift figures
	ambiguous int
}

// loadReal reads the pools and labels under dir, and the project's own
// labels of pool items (added).
func loadReal(dir, added string) (*realData, error) {
	d := &realData{pools: map[string]poolItem{}}
	for _, name := range []string{"github-gold-comments.jsonl", "pr-discussion-comments.jsonl"} {
		if err := realdata.ReadJSONL(filepath.Join(dir, "pools", name), func(p poolItem) {
			d.pools[p.ID] = p
			d.poolOrder = append(d.poolOrder, p.ID)
		}); err != nil {
			return nil, err
		}
	}
	if err := realdata.ReadJSONL(filepath.Join(dir, "pools", "nlbse24-issues.jsonl"), func(p poolItem) { d.issues = append(d.issues, p) }); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "labels", "comments-*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if _, err := os.Stat(added); err == nil {
		files = append(files, added)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		if err := realdata.ReadJSONL(f, func(l commentLabel) {
			if seen[l.ID] {
				return // the first label of an item wins
			}
			seen[l.ID] = true
			l.ours = f == added
			d.labels = append(d.labels, l)
		}); err != nil {
			return nil, err
		}
	}
	for _, l := range d.labels {
		if _, ok := d.pools[l.ID]; !ok {
			return nil, fmt.Errorf("label of %q: no such pool item", l.ID)
		}
	}
	return d, nil
}

// repository names a pool item's repository: from its URL for a
// pull-request message; the gold comments carry no repository, so they
// are grouped by id (see goldFolds).
func repository(p poolItem) string {
	if rest, ok := strings.CutPrefix(p.URL, "https://github.com/"); ok {
		parts := strings.SplitN(rest, "/", 3)
		if len(parts) >= 2 {
			return parts[0] + "/" + parts[1]
		}
	}
	return ""
}

// goldFolds splits the gold comments into folds of consecutive ids. Their
// ids are in creation order across GitHub, and neighbours come from the
// same project far more often than chance: 15% of neighbouring comments
// that mention someone mention the same login, against 0.3% of random
// pairs and 1.7% fifty ids apart. So a fold is a run of consecutive ids,
// and only the four boundaries can split a project.
func goldFolds(ids []string) map[string]int {
	nums := make([]int, 0, len(ids))
	byNum := map[int]string{}
	for _, id := range ids {
		n, err := strconv.Atoi(strings.TrimPrefix(id, "gg-"))
		if err != nil {
			continue
		}
		nums = append(nums, n)
		byNum[n] = id
	}
	sort.Ints(nums)
	out := map[string]int{}
	for i, n := range nums {
		out[byNum[n]] = i * folds / len(nums)
	}
	return out
}

// repoFolds puts whole repositories into folds, the largest first into
// the fold with fewest comments (ties by name), so folds are balanced.
func repoFolds(count map[string]int) map[string]int {
	repos := make([]string, 0, len(count))
	for r := range count {
		repos = append(repos, r)
	}
	sort.Slice(repos, func(i, j int) bool {
		if count[repos[i]] != count[repos[j]] {
			return count[repos[i]] > count[repos[j]]
		}
		return repos[i] < repos[j]
	})
	var size [folds]int
	out := map[string]int{}
	for _, r := range repos {
		best := 0
		for k := range size {
			if size[k] < size[best] {
				best = k
			}
		}
		out[r] = best
		size[best] += count[r]
	}
	return out
}

// trainingSet turns the labelled real comments into folds and appends the
// team's set with Fold -1.
func (d *realData) trainingSet(team []analysis.TrainingComment) []analysis.TrainingComment {
	var goldIDs []string
	repoCount := map[string]int{}
	for _, l := range d.labels {
		if l.Ambiguous {
			continue
		}
		p := d.pools[l.ID]
		if r := repository(p); r != "" {
			repoCount[r]++
		} else {
			goldIDs = append(goldIDs, l.ID)
		}
	}
	gf, rf := goldFolds(goldIDs), repoFolds(repoCount)
	var out []analysis.TrainingComment
	for _, l := range d.labels {
		if l.Ambiguous {
			d.ambiguous++
			continue
		}
		p := d.pools[l.ID]
		c := analysis.TrainingComment{ID: l.ID, Text: p.Text, Weight: 1, ProductLevel: l.ProductLevel}
		for _, k := range l.Concerns {
			c.Concerns = append(c.Concerns, analysis.Concern(k))
		}
		if r := repository(p); r != "" {
			c.Fold, c.Source = rf[r], "pr-discussion"
		} else {
			c.Fold, c.Source = gf[l.ID], "github-gold"
		}
		if l.ours {
			// Chosen near the decision boundary, so figures on them are
			// reported apart from the shared labels'.
			c.Source = sourceOurs
		}
		out = append(out, c)
	}
	return append(out, team...)
}

// loadTeam reads one of the team's labelled files
// ("labels<TAB>kind<TAB>text", "-" for not product-level).
func loadTeam(path string, fold int, weight float32) ([]analysis.TrainingComment, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []analysis.TrainingComment
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: want labels, kind and text separated by tabs", path, n+1)
		}
		c := analysis.TrainingComment{
			ID:     fmt.Sprintf("%s:%d", filepath.Base(path), n+1),
			Text:   strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(parts[2]),
			Fold:   fold,
			Weight: weight,
			Source: "team",
		}
		if parts[0] != "-" {
			c.ProductLevel = true
			for _, k := range strings.Split(parts[0], ",") {
				c.Concerns = append(c.Concerns, analysis.Concern(k))
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// stableHash orders unlabelled items deterministically where margins tie.
func stableHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
