package analysis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Rationale detection is measured on real issue reports that nobody on the
// team wrote: the NLBSE'24 issue pool (four repositories) with hand labels,
// kept beside the project in ../shared/data and never copied into it. The
// tuned numbers (rationaleTuning) are chosen leaving one repository out:
// tuned on three, scored on the fourth, for all four rotations.

// floorRationaleRealAcc is the least leave-one-repository-out accuracy
// allowed, set just under the measured figure (0.882, with the learned
// comment model as one more signal; 0.866 with the phrase rules alone).
const floorRationaleRealAcc = 0.875

// String names a tuning's numbers and whether the model is asked.
func (t rationaleTuning) String() string {
	return fmt.Sprintf("{minWeakWords:%d minReportWords:%d fenceProse:%v helpTitles:%v model:%v}",
		t.minWeakWords, t.minReportWords, t.fenceProse, t.helpTitles, t.model != nil)
}

// rationaleRealDataDir finds ../shared/data beside the worktree, or the
// directory OWNERSHIPBOT_REAL_DATA names.
func rationaleRealDataDir() string {
	if d := os.Getenv("OWNERSHIPBOT_REAL_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "data")
}

// rationaleRealIssue is one labelled report; only its repository and
// label stay in memory beside the text, nothing is written out.
type rationaleRealIssue struct {
	repo, title, body string
	want              bool
}

func loadRationaleReal(t testing.TB) []rationaleRealIssue {
	t.Helper()
	dir := rationaleRealDataDir()
	labels, err := os.Open(filepath.Join(dir, "labels", "issues-nlbse-1.jsonl"))
	if err != nil {
		t.Skipf("real labelled issues not found (%v): put the shared data set at %s or set OWNERSHIPBOT_REAL_DATA; the figure on real text is not measured", err, dir)
	}
	defer labels.Close()
	pool, err := os.Open(filepath.Join(dir, "pools", "nlbse24-issues.jsonl"))
	if err != nil {
		t.Skipf("issue pool not found (%v); the figure on real text is not measured", err)
	}
	defer pool.Close()

	type poolItem struct{ ID, Title, Body string }
	texts := map[string]poolItem{}
	sc := bufio.NewScanner(pool)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var it poolItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("issue pool: %v", err)
		}
		texts[it.ID] = it
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var out []rationaleRealIssue
	ls := bufio.NewScanner(labels)
	for ls.Scan() {
		var l struct {
			ID           string `json:"id"`
			HasRationale bool   `json:"has_rationale"`
			Ambiguous    bool   `json:"ambiguous"`
		}
		if err := json.Unmarshal(ls.Bytes(), &l); err != nil {
			t.Fatalf("issue labels: %v", err)
		}
		it, ok := texts[l.ID]
		if !ok {
			t.Fatalf("label %s has no text in the pool", l.ID)
		}
		if l.Ambiguous {
			continue // two careful labellers could disagree: not scored
		}
		repo := l.ID[:strings.LastIndexByte(l.ID, '-')] // "nl-<owner>-<name>-<number>"
		out = append(out, rationaleRealIssue{repo: repo, title: it.Title, body: it.Body, want: l.HasRationale})
	}
	return out
}

// rationaleTunings is the grid the folds choose from, with and without
// the learned model as one more signal.
func rationaleTunings(model *Analyzer) []rationaleTuning {
	var grid []rationaleTuning
	for _, weak := range []int{1, 4} {
		for _, report := range []int{0, 8, 1 << 30} {
			for _, fence := range []bool{false, true} {
				for _, help := range []bool{false, true} {
					grid = append(grid, rationaleTuning{minWeakWords: weak, minReportWords: report, fenceProse: fence, helpTitles: help})
					grid = append(grid, rationaleTuning{minWeakWords: weak, minReportWords: report, fenceProse: fence, helpTitles: help, model: model})
				}
			}
		}
	}
	return grid
}

func TestRationaleOnRealIssues(t *testing.T) {
	issues := loadRationaleReal(t)
	byRepo := map[string][]rationaleRealIssue{}
	for _, i := range issues {
		byRepo[i.repo] = append(byRepo[i.repo], i)
	}
	var repos []string
	for r := range byRepo {
		repos = append(repos, r)
	}
	sort.Strings(repos)
	if len(repos) < 2 {
		t.Fatalf("%d repositories; folds need at least two", len(repos))
	}

	model, err := New()
	if err != nil {
		t.Fatal(err)
	}
	grid := rationaleTunings(model)
	shipped := rationaleTuned // as Analyzer.DetectRationale runs it
	shipped.model = model
	// results[g][r] is tuning g's confusion on repository r.
	results := make([][]Confusion, len(grid))
	for g, tune := range grid {
		results[g] = make([]Confusion, len(repos))
		for r, repo := range repos {
			for _, i := range byRepo[repo] {
				results[g][r].Add(i.want, detectRationale(i.title, i.body, RationaleOptions{}, tune).Present())
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "rationale on real issue reports (%d labelled, ambiguous left out), leave one repository out:\n", len(issues))
	var held Confusion
	for r, repo := range repos {
		best, bestAcc := 0, -1.0
		for g := range grid {
			var train Confusion
			for o := range repos {
				if o != r {
					train = sum(train, results[g][o])
				}
			}
			if a := train.Accuracy(); a > bestAcc { // ties go to the earlier, simpler setting
				best, bestAcc = g, a
			}
		}
		c := results[best][r]
		held = sum(held, c)
		fmt.Fprintf(&b, "  %-26s n=%3d accuracy=%.3f (no-rationale recall %.2f, always-yes %.3f) tuned on the others: %+v\n",
			repo, c.TP+c.FP+c.FN+c.TN, c.Accuracy(), ratio(c.TN, c.TN+c.FP), ratio(c.TP+c.FN, c.TP+c.FP+c.FN+c.TN), grid[best])
	}
	fmt.Fprintf(&b, "  %-26s n=%3d accuracy=%.3f balanced=%.3f P=%.3f R=%.3f (always-yes %.3f)\n", "held-out folds pooled",
		held.TP+held.FP+held.FN+held.TN, held.Accuracy(), (held.Recall()+ratio(held.TN, held.TN+held.FP))/2, held.Precision(), held.Recall(),
		ratio(held.TP+held.FN, held.TP+held.FP+held.FN+held.TN))
	var committed, best Confusion
	bestTune := grid[0]
	for g := range grid {
		var all Confusion
		for r := range repos {
			all = sum(all, results[g][r])
		}
		if grid[g] == shipped {
			committed = all
		}
		if all.Accuracy() > best.Accuracy() {
			best, bestTune = all, grid[g]
		}
	}
	fmt.Fprintf(&b, "  committed tuning %+v on all four: accuracy=%.3f (best on all four: %+v, %.3f)\n", shipped, committed.Accuracy(), bestTune, best.Accuracy())
	own := evaluate(nil, loadIssues(t, "issues_heldout.tsv")).rationale
	fmt.Fprintf(&b, "  the team's own held-out set: accuracy=%.3f (n=%d)\n", own.Accuracy(), own.TP+own.FP+own.FN+own.TN)
	t.Log("\n" + b.String())

	if a := held.Accuracy(); a < floorRationaleRealAcc {
		t.Errorf("rationale accuracy on real issues, leave one repository out, is %.3f: under the floor %.2f", a, floorRationaleRealAcc)
	}
}

func sum(a, b Confusion) Confusion {
	return Confusion{TP: a.TP + b.TP, FP: a.FP + b.FP, FN: a.FN + b.FN, TN: a.TN + b.TN}
}

// BenchmarkDetectRationaleRealIssues measures MB/s on real issue reports,
// which are longer than the team's own (about 2.5 KB against 0.1 KB).
func BenchmarkDetectRationaleRealIssues(b *testing.B) {
	issues := loadRationaleReal(b)
	total := 0
	for _, i := range issues {
		total += len(i.title) + len(i.body)
	}
	a, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, bench := range []struct {
		name   string
		detect func(title, body string, opts RationaleOptions) Rationale
	}{{"rules", DetectRationale}, {"with-model", a.DetectRationale}} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(int64(total / len(issues)))
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				i := issues[n%len(issues)]
				bench.detect(i.title, i.body, RationaleOptions{})
			}
		})
	}
}
