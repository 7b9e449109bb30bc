// Command train fits the comment classifier on real labelled GitHub text
// and writes its weights: go run ./analysis/train.
//
// It reads the pools and labels in ../shared/data (beside the module; set
// OWNERSHIPBOT_REAL_DATA or -data to read them elsewhere), the project's
// own labels of pool items (analysis/testdata/labels-added.jsonl) and the
// team's labelled set (analysis/testdata/comments_dev.tsv, weighted down),
// then prints how the pools differ from the team's text, the
// cross-validated figures (folds by repository) and the figures on the
// team's held-out set, and writes analysis/weights.bin and
// analysis/lexicon-pruned.tsv. Training is deterministic: the same inputs
// give the same bytes. No text of the pools is written anywhere.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

func main() {
	root, err := realdata.ModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(2)
	}
	data := flag.String("data", realdata.Dir(root), "directory of the real pools and labels")
	check := flag.Bool("check", false, "do not write; exit 1 if the committed weights differ from a retrain")
	compare := flag.Bool("compare", false, "also train and measure the alternatives the package doc compares")
	sample := flag.Int("sample", 0, "list this many unlabelled pool items the model is least sure of")
	flag.IntVar(&experiment.Epochs, "epochs", 0, "experiment: training epochs")
	flag.IntVar(&experiment.MinDF, "mindf", 0, "experiment: comments a hashed feature needs")
	flag.Float64Var(&experiment.Rate, "rate", 0, "experiment: learning rate")
	flag.Float64Var(&experiment.L2, "l2", 0, "experiment: L2 penalty")
	flag.StringVar(&experiment.Variant, "variant", "", "experiment: variant (see analysis.TrainConfig)")
	flag.Uint64Var(&experiment.Seed, "seed", 0, "experiment: shift the fits' training orders")
	flag.StringVar(&marginsFile, "margins", "", "write each real comment's id, labels and out-of-fold margins to this file (outside the project)")
	flag.Parse()
	if experiment != (analysis.TrainConfig{}) && !*check {
		*check = true // an experiment never overwrites the shipped weights
		fmt.Fprintln(os.Stderr, "train: experiment: the weights are not written")
	}
	if err := run(os.Stdout, root, *data, *check, *compare, *sample); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// marginsFile receives the out-of-fold margins, for error analysis.
var marginsFile string

// experiment overrides the shipped training configuration.
var experiment analysis.TrainConfig

// inputs is everything training reads.
type inputs struct {
	real     *realData
	comments []analysis.TrainingComment
	heldout  []analysis.TrainingComment
	// patterns is the held-out part of our pattern set.
	patterns []analysis.TrainingComment
}

func load(root, dataDir string) (*inputs, error) {
	td := filepath.Join(root, "analysis", "testdata")
	real, err := loadReal(dataDir, filepath.Join(td, "labels-added.jsonl"))
	if err != nil {
		return nil, err
	}
	dev, err := loadTeam(filepath.Join(td, "comments_dev.tsv"), -1, teamWeight)
	if err != nil {
		return nil, err
	}
	held, err := loadTeam(filepath.Join(td, "comments_heldout.tsv"), -1, teamWeight)
	if err != nil {
		return nil, err
	}
	patDev, err := loadTeam(filepath.Join(td, "comments_patterns_dev.tsv"), -1, patternWeight)
	if err != nil {
		return nil, err
	}
	patHeld, err := loadTeam(filepath.Join(td, "comments_patterns_heldout.tsv"), -1, patternWeight)
	if err != nil {
		return nil, err
	}
	for i := range patDev {
		patDev[i].Source = "patterns"
	}
	return &inputs{real: real, comments: real.trainingSet(append(dev, patDev...)), heldout: held, patterns: patHeld}, nil
}

// outputs are the files training writes, relative to the module root.
var outputs = []string{"analysis/weights.bin", "analysis/lexicon-pruned.tsv"}

func files(res *analysis.TrainResult) [][]byte {
	pruned := "# Lexicon lines the trainer dropped (go run ./analysis/train): phrase<TAB>concern.\n"
	for _, l := range res.Pruned {
		pruned += l + "\n"
	}
	return [][]byte{res.Weights, []byte(pruned)}
}

func run(w io.Writer, root, dataDir string, check, compare bool, sample int) error {
	in, err := load(root, dataDir)
	if err != nil {
		return err
	}
	printShift(w, in)
	res, err := analysis.Train(in.comments, experiment)
	if err != nil {
		return err
	}
	printResult(w, in, res)
	printShares(w, in, res)
	if marginsFile != "" {
		var b strings.Builder
		for i, c := range in.comments {
			if c.Fold >= 0 {
				fmt.Fprintf(&b, "%s\t%v\t%v\t%v\n", c.ID, c.ProductLevel, c.Concerns, res.Margins[i])
			}
		}
		if err := os.WriteFile(marginsFile, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	if compare {
		printComparison(w, in, res)
	}
	if sample > 0 {
		printSample(w, in, res.Analyzer, sample)
	}
	for i, name := range outputs {
		path := filepath.Join(root, name)
		want := files(res)[i]
		if check {
			have, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !bytes.Equal(have, want) {
				return fmt.Errorf("%s differs from a retrain: run go run ./analysis/train", name)
			}
			continue
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s (%d bytes)\n", name, len(want))
	}
	return nil
}

func printResult(w io.Writer, in *inputs, res *analysis.TrainResult) {
	real := 0
	for _, c := range in.comments {
		if c.Fold >= 0 {
			real++
		}
	}
	patterns := 0
	for _, c := range in.comments {
		if c.Source == "patterns" {
			patterns++
		}
	}
	fmt.Fprintf(w, "\ntrained on %d real comments (%d ambiguous left out), %d of the team's, weight %.1f, and %d of our pattern set, weight %.1f\n",
		real, in.real.ambiguous, len(in.comments)-real-patterns, teamWeight, patterns, patternWeight)
	levels := make([]float64, 0, len(res.Levels))
	for l := range res.Levels {
		levels = append(levels, l)
	}
	sort.Float64s(levels)
	for _, l := range levels {
		f := res.Levels[l]
		fmt.Fprintf(w, "  lexicon lines kept at precision >= %.2f: product F1 %.3f, concern macro-F1 %.3f\n", l, f.Product.F1(), f.MacroF1())
	}
	fmt.Fprintf(w, "lexicon: kept lines whose real matches have their concern at least %.2f of the time; dropped %d\n", res.PruneLevel, len(res.Pruned))
	fmt.Fprintf(w, "\ncross-validated on real text, %d folds by repository:\n%s", folds, res.CV)
	sources := make([]string, 0, len(res.BySource))
	for s := range res.BySource {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	var shared analysis.Figures
	for _, s := range sources {
		fmt.Fprintf(w, "of which %s:\n%s", s, res.BySource[s])
		if s != sourceOurs {
			shared = shared.Plus(*res.BySource[s])
		}
	}
	fmt.Fprintf(w, "on the shared labels alone (without ours):\n%s", shared)
	fmt.Fprintf(w, "on whole comments, as the App reads them (pull-request messages, shared labels and ours):\n%s", wholeComments(res))
	fmt.Fprintf(w, "\nthe team's held-out set (never trained on), shipped model:\n%s", teamFigures(res.Analyzer, in.heldout))
	fmt.Fprintf(w, "\nour pattern set's held-out part (%d comments, never trained on), shipped model:\n%s", len(in.patterns), teamFigures(res.Analyzer, in.patterns))
}

// wholeComments are the cross-validated figures on the pools whose
// comments are whole (the gold comments are cut at about 260 characters).
func wholeComments(res *analysis.TrainResult) analysis.Figures {
	var whole analysis.Figures
	for _, s := range []string{"pr-discussion", sourceOurs} {
		if f := res.BySource[s]; f != nil {
			whole = whole.Plus(*f)
		}
	}
	return whole
}

func teamFigures(a *analysis.Analyzer, set []analysis.TrainingComment) analysis.Figures {
	var f analysis.Figures
	for _, c := range set {
		f.Add(c.ProductLevel, c.Concerns, a.AnalyzeComment(c.Text))
	}
	return f
}

// printComparison trains the alternatives and prints one row each.
func printComparison(w io.Writer, in *inputs, shipped *analysis.TrainResult) {
	fmt.Fprintf(w, "\n| model | product P | product R | product F1 | concern macro-F1 | lowest concern F1 | team held-out product F1 / macro-F1 |\n|---|---|---|---|---|---|---|\n")
	row := func(name string, f analysis.Figures, team analysis.Figures) {
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f |\n", name, f.Product.Precision(), f.Product.Recall(), f.Product.F1(), f.MacroF1(), f.MinConcernF1(), team.Product.F1(), team.MacroF1())
	}
	row("sentences and pairs of sentences, words + crossed rule features + the comment's features, pruned lexicon, 5 fits averaged, product-level with 0.7 of the likeliest concern (shipped)", shipped.CV, teamFigures(shipped.Analyzer, in.heldout))
	for _, v := range []struct{ name, variant string }{
		{"same, without the comment's features", "-comment"},
		{"same, one fit", "single"},
		{"same, product-level without the concerns' log-odds", "mix0"},
		{"same, no pairs of sentences", "-window"},
		{"same, no crossed rule features", "-cross"},
		{"same, unpruned lexicon", "unpruned"},
		{"same, words only", "words"},
		{"same, rule features only", "rules"},
		{"one instance per comment", "comment"},
	} {
		res, err := analysis.Train(in.comments, analysis.TrainConfig{Variant: v.variant})
		if err != nil {
			fmt.Fprintf(w, "| %s | error: %v |\n", v.name, err)
			continue
		}
		row(v.name, res.CV, teamFigures(res.Analyzer, in.heldout))
	}
}

// printSample lists the unlabelled pool items nearest a threshold,
// business_value first, by id only.
func printSample(w io.Writer, in *inputs, a *analysis.Analyzer, n int) {
	labelled := map[string]bool{}
	for _, l := range in.real.labels {
		labelled[l.ID] = true
	}
	type cand struct {
		id     string
		margin float64
	}
	var cands []cand
	for _, id := range in.real.poolOrder {
		if labelled[id] {
			continue
		}
		m := a.Margins(in.real.pools[id].Text)
		near := math.Abs(float64(m[6]))
		bv := math.Abs(float64(m[5]))
		cands = append(cands, cand{id, min(near, bv-1)})
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		if x.margin != y.margin {
			if x.margin < y.margin {
				return -1
			}
			return 1
		}
		return int(stableHash(x.id)) - int(stableHash(y.id))
	})
	fmt.Fprintf(w, "\n%d unlabelled pool items; the %d the model is least sure of:\n", len(cands), min(n, len(cands)))
	for _, c := range cands[:min(n, len(cands))] {
		fmt.Fprintf(w, "%s %.2f\n", c.id, c.margin)
	}
}

// shift describes a set of texts: how long, how many sentences, lines.
type shift struct {
	n, multiSentence, lineBreaks, code, product int
	lengths                                     []int
}

func (s *shift) add(text string, product bool) {
	s.n++
	s.lengths = append(s.lengths, len(text))
	if sentences(text) >= 2 {
		s.multiSentence++
	}
	if strings.Contains(strings.TrimSpace(text), "\n") {
		s.lineBreaks++
	}
	if strings.Contains(text, "`") || strings.Contains(text, "    ") {
		s.code++
	}
	if product {
		s.product++
	}
}

// sentences counts the sentences of a text's prose, roughly.
func sentences(text string) int {
	n := 0
	for _, b := range analysis.Prose(text) {
		t := strings.TrimSpace(b.Text)
		if t == "" {
			continue
		}
		n++
		for i := 0; i+1 < len(t); i++ {
			if (t[i] == '.' || t[i] == '?' || t[i] == '!') && t[i+1] == ' ' {
				n++
			}
		}
	}
	return n
}

func (s *shift) row(name string) string {
	sort.Ints(s.lengths)
	mean := 0
	for _, l := range s.lengths {
		mean += l
	}
	pct := func(k int) float64 { return 100 * float64(k) / float64(max(s.n, 1)) }
	med := 0
	if s.n > 0 {
		med = s.lengths[s.n/2]
		mean /= s.n
	}
	return fmt.Sprintf("  %-22s %5d items, %5d chars mean, %4d median, %3.0f%% two+ sentences, %3.0f%% line breaks, %3.0f%% code, %3.0f%% product-level\n",
		name, s.n, mean, med, pct(s.multiSentence), pct(s.lineBreaks), pct(s.code), pct(s.product))
}

// printShift measures how the pools differ from the team's writing and
// from what the App sees (whole comments and issue bodies).
func printShift(w io.Writer, in *inputs) {
	by := map[string]*shift{}
	repos := map[string]int{}
	for _, c := range in.comments {
		if by[c.Source] == nil {
			by[c.Source] = &shift{}
		}
		by[c.Source].add(c.Text, c.ProductLevel)
		if c.Source == "pr-discussion" || c.Source == sourceOurs {
			repos[repository(in.real.pools[c.ID])]++
		}
	}
	issues := &shift{}
	for _, p := range in.real.issues {
		issues.add(p.Body, false)
	}
	fmt.Fprintln(w, "shift between the pools, the team's set and what the App reads:")
	for _, s := range []string{"github-gold", "pr-discussion", sourceOurs, "team"} {
		if by[s] != nil {
			fmt.Fprint(w, by[s].row(s))
		}
	}
	fmt.Fprint(w, issues.row("nlbse issue bodies"))
	top := 0
	for _, n := range repos {
		top = max(top, n)
	}
	fmt.Fprintf(w, "  pr-discussion: %d repositories, the largest holds %d of %d messages\n", len(repos), top, by["pr-discussion"].n)
}

// printShares compares, per repository of the pull-request messages, the
// share of messages the labels call product-level with the share the model
// calls so out of fold: what a leader reads off the page is a share per
// repository, so its error is the figure that matters there, beside the
// per-comment ones.
func printShares(w io.Writer, in *inputs, res *analysis.TrainResult) {
	type tally struct{ n, labelled, predicted int }
	by := map[string]*tally{}
	var all tally
	for i, c := range in.comments {
		if c.Fold < 0 {
			continue
		}
		repo := repository(in.real.pools[c.ID])
		if repo == "" {
			continue
		}
		if by[repo] == nil {
			by[repo] = &tally{}
		}
		for _, t := range []*tally{by[repo], &all} {
			t.n++
			if c.ProductLevel {
				t.labelled++
			}
			if res.Margins[i][len(analysis.AllConcerns)] > 0 {
				t.predicted++
			}
		}
	}
	const minMessages = 20
	var repos []string
	for r, t := range by {
		if t.n >= minMessages {
			repos = append(repos, r)
		}
	}
	sort.Strings(repos)
	if len(repos) == 0 {
		return
	}
	// Against a guess that knows only the pooled share: a model that did
	// not tell repositories apart would do no better than it. With about
	// 30 messages a repository the labelled shares carry sampling error of
	// their own, so the two differ only where repositories really differ.
	pooled := float64(all.labelled) / float64(all.n)
	var sumAbs, worst, sumGuess float64
	for _, r := range repos {
		t := by[r]
		d := math.Abs(float64(t.predicted-t.labelled)) / float64(t.n)
		sumAbs += d
		worst = max(worst, d)
		sumGuess += math.Abs(pooled - float64(t.labelled)/float64(t.n))
	}
	n := float64(len(repos))
	fmt.Fprintf(w, "\nproduct-level share per repository (pull-request messages out of fold, %d repositories with %d or more):\n", len(repos), minMessages)
	fmt.Fprintf(w, "  mean absolute difference %.1f points (the pooled share for every repository: %.1f), largest %.1f; pooled %.1f%% labelled, %.1f%% predicted\n",
		100*sumAbs/n, 100*sumGuess/n, 100*worst, 100*pooled, 100*float64(all.predicted)/float64(all.n))
}
