package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// TrainingComment is one labelled comment for Train.
type TrainingComment struct {
	ID   string
	Text string
	// Fold is the cross-validation fold, from 0; -1 for a comment that is
	// always trained on and never scored (the team's own writing).
	Fold         int
	Weight       float32
	ProductLevel bool
	Concerns     []Concern
	Source       string // which pool, for figures per source
}

// TrainConfig chooses what Train fits; the zero value is the shipped model.
type TrainConfig struct {
	// Variant names alternatives to compare, separated by commas: ""
	// (the shipped model), "words" (no rule features), "rules" (rule
	// features only), "comment" (one instance per comment instead of per
	// sentence), "unpruned" (no lexicon pruning), "-window" (no instances
	// of two sentences in a row), "-cross" (no crossed rule features),
	// "single" (one fit instead of an average of ensembleFits), "mix0"
	// (product-level log-odds without the likeliest concern's).
	Variant string
	// Epochs, Rate, L2 and MinDF override the training hyper-parameters
	// when set, for experiments.
	Epochs, MinDF int
	Rate, L2      float64
	// Seed shifts the training orders of the fits, for experiments: a
	// figure that moves with it is noise.
	Seed uint64
}

// has reports whether the variant names flag.
func (c TrainConfig) has(flag string) bool {
	for _, f := range strings.Split(c.Variant, ",") {
		if f == flag {
			return true
		}
	}
	return false
}

// productMix is the share of an instance's likeliest concern log-odds
// that its product-level log-odds take in (model.mixProduct): 0.7, chosen
// by cross-validation from 0, 0.3, 0.5, 0.7 and 1; "mix0" turns it off.
func (c TrainConfig) productMix() float32 {
	if c.has("mix0") {
		return 0
	}
	return 0.7
}

// features are the feature families the variant reads.
func (c TrainConfig) features() featureSet {
	f := featCross | featWindow | featComment
	if c.has("-comment") {
		f &^= featComment
	}
	if c.has("-cross") {
		f &^= featCross
	}
	if c.has("-window") || c.has("comment") {
		f &^= featWindow
	}
	return f
}

func (c TrainConfig) orDefaults() TrainConfig {
	if c.Epochs == 0 {
		c.Epochs = trainEpochs
	}
	if c.MinDF == 0 {
		c.MinDF = trainMinDF
	}
	if c.Rate == 0 {
		c.Rate = trainRate
	}
	if c.L2 == 0 {
		c.L2 = trainL2
	}
	return c
}

// Training hyper-parameters, chosen by cross-validation.
const (
	trainEpochs = 8
	trainRate   = 0.1
	trainL2     = 1e-4
	trainMinDF  = 2 // a hashed feature needs this many training comments
	// ensembleFits is how many fits, each reading the comments in its own
	// order, the weights average: one fit's weights move with the order.
	ensembleFits = 5
	// pruneMinMatches is how many real comments a lexicon line must match
	// before its precision can condemn it.
	pruneMinMatches = 3
	// productBeta weighs precision over recall when the product-level
	// threshold is calibrated: a dashboard overstating product talk misleads.
	productBeta = 0.7
)

// pruneLevels are the precisions a lexicon line may be asked for; the
// trainer keeps the one that scores best under cross-validation.
var pruneLevels = []float64{0, 0.1, 0.2, 0.35}

// Confusion counts one binary decision.
type Confusion struct{ TP, FP, FN, TN int }

// Add counts one decision.
func (c *Confusion) Add(want, got bool) {
	switch {
	case want && got:
		c.TP++
	case !want && got:
		c.FP++
	case want && !got:
		c.FN++
	default:
		c.TN++
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Precision is TP / (TP + FP).
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP / (TP + FN).
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Confusion) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Accuracy is the share of right decisions.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.FP+c.FN+c.TN) }

// Figures are the product-level and concern decisions on a labelled set.
type Figures struct {
	Product  Confusion
	Concerns [6]Confusion
}

// Add counts one comment's analysis against its labels.
func (f *Figures) Add(productLevel bool, want []Concern, got CommentAnalysis) {
	f.Product.Add(productLevel, got.ProductLevel)
	for i, c := range AllConcerns {
		f.Concerns[i].Add(slices.Contains(want, c), slices.Contains(got.Concerns, c))
	}
}

// Plus adds two sets of counts, as if their comments were counted together.
func (f Figures) Plus(g Figures) Figures {
	f.Product = f.Product.plus(g.Product)
	for i := range f.Concerns {
		f.Concerns[i] = f.Concerns[i].plus(g.Concerns[i])
	}
	return f
}

func (c Confusion) plus(d Confusion) Confusion {
	return Confusion{c.TP + d.TP, c.FP + d.FP, c.FN + d.FN, c.TN + d.TN}
}

// MacroF1 is the mean F1 of the six concerns.
func (f Figures) MacroF1() float64 {
	s := 0.0
	for _, c := range f.Concerns {
		s += c.F1()
	}
	return s / float64(len(f.Concerns))
}

// MinConcernF1 is the F1 of the weakest concern.
func (f Figures) MinConcernF1() float64 {
	m := 1.0
	for _, c := range f.Concerns {
		m = min(m, c.F1())
	}
	return m
}

// String prints the figures as a small table.
func (f Figures) String() string {
	var b strings.Builder
	p := f.Product
	fmt.Fprintf(&b, "  %-18s P=%.3f R=%.3f F1=%.3f (support %d of %d)\n", "product_level", p.Precision(), p.Recall(), p.F1(), p.TP+p.FN, p.TP+p.FP+p.FN+p.TN)
	for i, c := range AllConcerns {
		k := f.Concerns[i]
		fmt.Fprintf(&b, "  %-18s P=%.3f R=%.3f F1=%.3f (support %d)\n", c, k.Precision(), k.Recall(), k.F1(), k.TP+k.FN)
	}
	fmt.Fprintf(&b, "  %-18s F1=%.3f (lowest %.3f)\n", "concerns macro", f.MacroF1(), f.MinConcernF1())
	return b.String()
}

// TrainResult is what Train fitted and measured.
type TrainResult struct {
	Weights []byte   // weights.bin
	Pruned  []string // lexicon-pruned.tsv's lines, sorted
	// PruneLevel is the precision a lexicon line needed to stay.
	PruneLevel float64
	// CV are the cross-validated figures on the scored comments, overall
	// and per source; each fold's thresholds come from the other folds.
	CV       Figures
	BySource map[string]*Figures
	// Levels are the cross-validated figures of each pruning level tried.
	Levels   map[float64]Figures
	Analyzer *Analyzer // the fitted model, ready to use
	// Margins are each comment's out-of-fold log-odds over the threshold,
	// tasks as in Analyzer.Margins (zero for the team's comments).
	Margins [][7]float32
}

type trainSentence struct {
	hashes []uint32
	dense  [nDense]float32
}

type trainDoc struct {
	sents   []trainSentence
	y       [nTasks]bool
	w       float32
	fold    int
	matched []int32 // lexicon lines matched, under the full lexicon
}

// Train fits the model on comments (real ones in folds, the team's with
// Fold -1) and measures it by cross-validation. It is deterministic: the
// same comments in the same order give the same bytes.
func Train(comments []TrainingComment, cfg TrainConfig) (*TrainResult, error) {
	cfg = cfg.orDefaults()
	full, lines, err := parseLexicon(lexiconFile, nil)
	if err != nil {
		return nil, err
	}
	folds := 0
	for _, c := range comments {
		folds = max(folds, c.Fold+1)
	}
	if folds < 2 {
		return nil, fmt.Errorf("analysis: training needs at least two folds, got %d", folds)
	}
	base := featurize(full, comments, cfg)
	levels := pruneLevels
	if cfg.has("unpruned") || cfg.has("words") {
		levels = levels[:1]
	}
	res := &TrainResult{Levels: map[float64]Figures{}}
	bestScore := -1.0
	var bestOOF [][nTasks]float32
	var bestRules [][6]float32
	for _, level := range levels {
		oof := make([][nTasks]float32, len(comments))
		rules := make([][6]float32, len(comments))
		for k := 0; k < folds; k++ {
			drop := pruneLines(lines, base, comments, k, level)
			docs := base
			if len(drop) > 0 {
				lex, _, _ := parseLexicon(lexiconFile, drop)
				docs = featurize(lex, comments, cfg)
			}
			m := fitAveraged(docs, k, cfg)
			for i, d := range docs {
				if d.fold == k {
					oof[i], rules[i] = docScores(m, d), docRules(d)
				}
			}
		}
		figs, _ := crossFigures(comments, oof, rules, folds)
		res.Levels[level] = figs
		if score := (figs.Product.F1() + figs.MacroF1()) / 2; score > bestScore+1e-9 {
			bestScore, res.PruneLevel, bestOOF, bestRules = score, level, oof, rules
		}
	}
	res.CV, res.BySource = crossFigures(comments, bestOOF, bestRules, folds)
	th := calibrate(comments, bestOOF, func(c TrainingComment) bool { return c.Fold >= 0 })
	res.Margins = make([][7]float32, len(comments))
	for i, c := range comments {
		if c.Fold >= 0 {
			for t := range th {
				res.Margins[i][t] = bestOOF[i][t] - th[t]
			}
		}
	}

	drop := pruneLines(lines, base, comments, -1, res.PruneLevel)
	lex, kept, _ := parseLexicon(lexiconFile, drop)
	docs := base
	if len(drop) > 0 {
		docs = featurize(lex, comments, cfg)
	}
	m := fitAveraged(docs, -2, cfg)
	m.thresh = th
	m.feats = cfg.features()
	for key := range drop {
		res.Pruned = append(res.Pruned, key)
	}
	sort.Strings(res.Pruned)
	res.Weights = m.marshal()
	// Round-trip, so the Analyzer is exactly what New loads.
	m, err = unmarshalModel(res.Weights)
	if err != nil {
		return nil, err
	}
	res.Analyzer = newAnalyzerFrom(lex, kept, m)
	// The Analyzer must read a comment as the trainer did (it reads
	// sentences, so the "comment" variant is the one exception).
	for i, d := range docs {
		if len(d.sents) == 0 || cfg.has("comment") {
			continue
		}
		want, got := docScores(m, d), res.Analyzer.Margins(comments[i].Text)
		for t := range want {
			if math.Abs(float64(want[t]-m.thresh[t]-got[t])) > 1e-3 {
				return nil, fmt.Errorf("analysis: the Analyzer reads comment %s as %v for task %d, the trainer as %v", comments[i].ID, got[t], t, want[t]-m.thresh[t])
			}
		}
	}
	return res, nil
}

// featurize reads each comment into sentences of features.
func featurize(lex lexicon, comments []TrainingComment, cfg TrainConfig) []trainDoc {
	sc := &scratch{ix: newLexIndex(lex), feats: cfg.features()}
	docs := make([]trainDoc, len(comments))
	var d [nDense]float32
	for i, c := range comments {
		doc := trainDoc{w: c.Weight, fold: c.Fold}
		doc.y[taskProduct] = c.ProductLevel
		for _, k := range c.Concerns {
			if j := concernIndex(k); j >= 0 && c.ProductLevel {
				doc.y[j] = true
			}
		}
		readProseInto(&sc.prose, c.Text, 0, func(b Block) {
			if b.Kind == BlockHeading && isTemplateHeading(b.Text) {
				return
			}
			forEachSentence(b.Text, func(s string) {
				if !sc.features(s, &d) {
					return
				}
				for _, l := range sc.matched {
					if !slices.Contains(doc.matched, l) {
						doc.matched = append(doc.matched, l)
					}
				}
				ts := trainSentence{hashes: slices.Clone(sc.hashes), dense: d}
				if cfg.has("words") {
					ts.dense = [nDense]float32{}
				}
				if cfg.has("rules") {
					ts.hashes = nil
				}
				if cfg.has("comment") && len(doc.sents) > 0 {
					last := &doc.sents[0]
					last.hashes = append(last.hashes, ts.hashes...)
					for k := range last.dense {
						last.dense[k] = max(last.dense[k], ts.dense[k])
					}
					return
				}
				doc.sents = append(doc.sents, ts)
			})
		}, sc.setComment)
		if cfg.features()&featWindow != 0 {
			// Each two sentences in a row are one more instance, their
			// words together and their rule features at the larger.
			n := len(doc.sents)
			for j := 0; j+1 < n; j++ {
				a, b := doc.sents[j], doc.sents[j+1]
				ts := trainSentence{hashes: append(slices.Clone(a.hashes), b.hashes...)}
				for k := range ts.dense {
					ts.dense[k] = max(a.dense[k], b.dense[k])
				}
				doc.sents = append(doc.sents, ts)
			}
		}
		docs[i] = doc
	}
	return docs
}

// pruneLines lists the lexicon lines whose matches in the real comments
// outside fold hold (all real comments for -1) have their concern less
// often than level.
func pruneLines(lines []LexiconLine, docs []trainDoc, comments []TrainingComment, hold int, level float64) map[string]bool {
	if level == 0 {
		return nil
	}
	matches := make([]int, len(lines))
	hits := make([]int, len(lines))
	for i, d := range docs {
		if d.fold < 0 || d.fold == hold {
			continue
		}
		for _, l := range d.matched {
			matches[l]++
			if d.y[concernIndex(lines[l].Concern)] {
				hits[l]++
			}
		}
		_ = comments[i]
	}
	drop := map[string]bool{}
	for l, line := range lines {
		if strings.HasPrefix(line.Phrase, "#") {
			// Measurements ("#time", "#num second") are labelling rule 6
			// itself: the pools' code talk about timeouts does not undo it.
			continue
		}
		if matches[l] >= pruneMinMatches && float64(hits[l]) < level*float64(matches[l]) {
			drop[line.Key()] = true
		}
	}
	return drop
}

// splitmix is a small deterministic random source for the training order.
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// fit trains on every doc not in fold hold, by stochastic gradient descent
// on the log loss of each task's best sentence.
func fit(docs []trainDoc, hold int, cfg TrainConfig, seed uint64) *model {
	minDF := uint16(cfg.MinDF)
	l2 := float32(cfg.L2)
	df := make([]uint16, hashBuckets)
	seen := make([]int32, hashBuckets)
	var train []int
	for i, d := range docs {
		if d.fold == hold || len(d.sents) == 0 {
			continue
		}
		train = append(train, i)
		for _, s := range d.sents {
			for _, h := range s.hashes {
				if seen[h] != int32(i+1) {
					seen[h] = int32(i + 1)
					if df[h] < math.MaxUint16 {
						df[h]++
					}
				}
			}
		}
	}
	w := make([][nTasks]float32, hashBuckets)
	var bias [nTasks]float32
	var dense [nDense][nTasks]float32
	rng := splitmix(seed)
	z := make([][nTasks]float32, 0, 64)
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		for i := len(train) - 1; i > 0; i-- {
			j := int(rng.next() % uint64(i+1))
			train[i], train[j] = train[j], train[i]
		}
		rate := float32(cfg.Rate / (1 + 0.5*float64(epoch)))
		for _, i := range train {
			d := &docs[i]
			z = z[:0]
			for _, s := range d.sents {
				v := bias
				for k, x := range s.dense {
					if x != 0 {
						for t := range v {
							v[t] += x * dense[k][t]
						}
					}
				}
				for _, h := range s.hashes {
					if df[h] >= minDF {
						for t := range v {
							v[t] += w[h][t]
						}
					}
				}
				z = append(z, v)
			}
			for t := 0; t < nTasks; t++ {
				best := 0
				for si := range z {
					if z[si][t] > z[best][t] {
						best = si
					}
				}
				y := float32(0)
				if d.y[t] {
					y = 1
				}
				g := (float32(1/(1+math.Exp(-float64(z[best][t])))) - y) * d.w
				step := rate * g
				bias[t] -= step
				s := &d.sents[best]
				for k, x := range s.dense {
					if x != 0 {
						dense[k][t] -= rate * (g*x + l2*dense[k][t])
					}
				}
				for _, h := range s.hashes {
					if df[h] >= minDF {
						w[h][t] -= rate * (g + l2*w[h][t])
					}
				}
			}
		}
	}
	m := &model{bias: bias, dense: dense}
	for h := range w {
		if w[h] != ([nTasks]float32{}) {
			m.add(uint32(h), w[h])
		}
	}
	return m
}

// fitAveraged averages the weights of ensembleFits fits, each reading the
// comments in its own order (one fit for the "single" variant).
func fitAveraged(docs []trainDoc, hold int, cfg TrainConfig) *model {
	n := ensembleFits
	if cfg.has("single") {
		n = 1
	}
	w := make([][nTasks]float32, hashBuckets)
	out := &model{}
	share := 1 / float32(n)
	for seed := 1; seed <= n; seed++ {
		m := fit(docs, hold, cfg, cfg.Seed+uint64(seed))
		for t := range out.bias {
			out.bias[t] += m.bias[t] * share
		}
		for k := range out.dense {
			for t := range out.dense[k] {
				out.dense[k][t] += m.dense[k][t] * share
			}
		}
		for h := range w {
			if r := m.row(uint32(h)); r != nil {
				for t := range r {
					w[h][t] += r[t] * share
				}
			}
		}
	}
	for h := range w {
		if w[h] != ([nTasks]float32{}) {
			out.add(uint32(h), w[h])
		}
	}
	out.mix = cfg.productMix()
	return out
}

// docRules is each concern's best phrase score in a doc's sentences.
func docRules(d trainDoc) [6]float32 {
	var r [6]float32
	for _, s := range d.sents {
		for c := range r {
			r[c] = max(r[c], s.dense[denseScore+c])
		}
	}
	return r
}

// docScores is the best sentence log-odds of one doc.
func docScores(m *model, d trainDoc) [nTasks]float32 {
	var best [nTasks]float32
	for t := range best {
		best[t] = float32(math.Inf(-1))
	}
	for _, s := range d.sents {
		z := m.score(s.hashes, &s.dense)
		m.mixProduct(&z)
		for t := range z {
			best[t] = max(best[t], z[t])
		}
	}
	return best
}

// calibrate picks each task's threshold on the out-of-fold scores of the
// comments use accepts: the one with the best F1 (F-beta for
// product-level).
func calibrate(comments []TrainingComment, oof [][nTasks]float32, use func(TrainingComment) bool) [nTasks]float32 {
	var th [nTasks]float32
	type pt struct {
		z   float32
		pos bool
	}
	for t := 0; t < nTasks; t++ {
		var pts []pt
		total := 0
		for i, c := range comments {
			if !use(c) {
				continue
			}
			pos := c.ProductLevel
			if t != taskProduct {
				pos = c.ProductLevel && slices.Contains(c.Concerns, AllConcerns[t])
			}
			if pos {
				total++
			}
			pts = append(pts, pt{oof[i][t], pos})
		}
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].z > pts[b].z })
		beta2 := 1.0
		if t == taskProduct {
			beta2 = productBeta * productBeta
		}
		best, tp := -1.0, 0
		th[t] = float32(math.Inf(1))
		for i, p := range pts {
			if p.pos {
				tp++
			}
			if i+1 < len(pts) && pts[i+1].z == p.z {
				continue
			}
			prec, rec := float64(tp)/float64(i+1), ratio(tp, total)
			if prec+rec == 0 {
				continue
			}
			f := (1 + beta2) * prec * rec / (beta2*prec + rec)
			if f > best {
				best, th[t] = f, p.z
			}
		}
	}
	return th
}

// crossFigures scores each fold's comments with thresholds calibrated on
// the other folds' out-of-fold scores.
func crossFigures(comments []TrainingComment, oof [][nTasks]float32, rules [][6]float32, folds int) (Figures, map[string]*Figures) {
	var all Figures
	by := map[string]*Figures{}
	for k := 0; k < folds; k++ {
		m := &model{thresh: calibrate(comments, oof, func(c TrainingComment) bool { return c.Fold >= 0 && c.Fold != k })}
		for i, c := range comments {
			if c.Fold != k {
				continue
			}
			found := m.decide(&oof[i], &rules[i])
			var got CommentAnalysis
			if found[taskProduct] && isEnglishText(c.Text) {
				got.ProductLevel = true
				for j, concern := range AllConcerns {
					if found[j] {
						got.Concerns = append(got.Concerns, concern)
					}
				}
			}
			want := c.Concerns
			if !c.ProductLevel {
				want = nil
			}
			all.Add(c.ProductLevel, want, got)
			if by[c.Source] == nil {
				by[c.Source] = &Figures{}
			}
			by[c.Source].Add(c.ProductLevel, want, got)
		}
	}
	return all, by
}

// isEnglishText runs the language check alone, as AnalyzeComment does.
func isEnglishText(body string) bool {
	sc := &scratch{ix: ruleIndex}
	var d [nDense]float32
	readProse(body, func(b Block) {
		forEachSentence(b.Text, func(s string) { sc.features(s, &d) })
	})
	return sc.lang.isEnglish()
}
