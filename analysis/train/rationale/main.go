// Command rationale fits the rationale model on real labelled issues and
// pull-request descriptions and writes its weights:
// go run ./analysis/train/rationale.
//
// It reads the pools and labels in ../shared/data (beside the module; set
// OWNERSHIPBOT_REAL_DATA or -data to read them elsewhere), the project's
// own labels of pool items (analysis/testdata/issue-labels-added.jsonl)
// and the team's development set (analysis/testdata/issues_dev.tsv,
// weighted down), prints the figures of each ridge penalty tried, leaving
// one repository out, and writes analysis/rationale-weights.tsv fitted on
// everything with the penalty analysis.rationaleL2 names. Training is
// deterministic: the same inputs give the same bytes. No text of the pools
// is written anywhere.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/internal/issuedata"
	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

func main() {
	root, err := realdata.ModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rationale:", err)
		os.Exit(2)
	}
	data := flag.String("data", realdata.Dir(root), "directory of the real pools and labels")
	check := flag.Bool("check", false, "do not write; exit 1 if the committed weights differ from a retrain")
	flag.Parse()
	if err := run(os.Stdout, root, *data, *check); err != nil {
		fmt.Fprintln(os.Stderr, "rationale:", err)
		os.Exit(1)
	}
}

// Inputs are the training items: the real ones and the team's own.
type Inputs struct {
	Real, Team []issuedata.Item
}

// Load reads the training items.
func Load(root, data string) (*Inputs, error) {
	real, err := issuedata.Load(data, filepath.Join(root, "analysis", "testdata", "issue-labels-added.jsonl"))
	if err != nil {
		return nil, err
	}
	team, err := issuedata.LoadTeam(filepath.Join(root, "analysis", "testdata", "issues_dev.tsv"))
	if err != nil {
		return nil, err
	}
	return &Inputs{Real: real, Team: team}, nil
}

// Weights fits the shipped model on all the inputs and returns the text of
// rationale-weights.tsv.
func (in *Inputs) Weights() string {
	return analysis.TrainRationale(trainingSet(append(append([]issuedata.Item(nil), in.Real...), in.Team...)), analysis.RationaleL2)
}

func trainingSet(items []issuedata.Item) []analysis.TrainingIssue {
	var set []analysis.TrainingIssue
	for _, it := range items {
		f, bot := analysis.ReadRationale(it.Title, it.Body, analysis.RationaleOptions{PullRequest: it.PullRequest})
		if bot {
			continue // never judged, so never learned from
		}
		w := 1.0
		if it.Pool == "team" {
			w = analysis.RationaleTeamWeight
		}
		set = append(set, analysis.TrainingIssue{Features: f, Want: it.Want, Weight: w})
	}
	return set
}

func run(w io.Writer, root, data string, check bool) error {
	in, err := Load(root, data)
	if err != nil {
		return err
	}
	for _, l2 := range []float64{0.1, 0.3, 1, 3, 10} {
		fmt.Fprintf(w, "ridge %-4g %s\n", l2, in.crossValidated(l2))
	}
	text := in.Weights()
	path := filepath.Join(root, "analysis", "rationale-weights.tsv")
	if check {
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, []byte(text)) {
			return fmt.Errorf("%s differs from a retrain: run go run ./analysis/train/rationale", path)
		}
		fmt.Fprintln(w, "the committed weights are what training gives")
		return nil
	}
	fmt.Fprint(w, text)
	return os.WriteFile(path, []byte(text), 0o644)
}

// crossValidated fits one model per repository left out and reports the
// accuracy and balanced accuracy on the real items.
func (in *Inputs) crossValidated(l2 float64) string {
	type fold struct{ pool, repo string }
	var tp, fp, fn, tn int
	folds := map[fold]bool{}
	for _, it := range in.Real {
		folds[fold{it.Pool, it.Repo}] = true
	}
	team := trainingSet(in.Team)
	for f := range folds {
		var train, test []issuedata.Item
		for _, it := range in.Real {
			if (fold{it.Pool, it.Repo}) == f {
				test = append(test, it)
			} else {
				train = append(train, it)
			}
		}
		m, err := analysis.ParseRationaleModel(analysis.TrainRationale(append(trainingSet(train), team...), l2))
		if err != nil {
			panic(err)
		}
		for _, it := range test {
			got := m.Detect(it.Title, it.Body, analysis.RationaleOptions{PullRequest: it.PullRequest}).Present()
			switch {
			case got && it.Want:
				tp++
			case got:
				fp++
			case it.Want:
				fn++
			default:
				tn++
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	n := tp + fp + fn + tn
	return fmt.Sprintf("leave one repository out: n=%d accuracy=%.3f balanced=%.3f", n, ratio(tp+tn, n), (ratio(tp, tp+fn)+ratio(tn, tn+fp))/2)
}
