package analysis

import (
	_ "embed"
	"math"
	"strings"
	"sync"
)

// The second opinion: a small logistic regression per concern (and one for
// product-level), trained when the package loads on the development part of
// the labelled set (testdata/comments_dev.tsv; the held-out part is never
// read). Features are the same normalised words the phrase rules see, and
// word pairs. It catches product-level sentences whose words the phrase
// table lacks; the phrase rules stay first, and the model only adds a
// concern when it is confident and the sentence is not code talk.

//go:embed testdata/comments_dev.tsv
var trainingComments string

const (
	modelTasks = 7 // six concerns, then product-level
	modelProd  = 6
	// modelProdLogit is the log-odds the model needs for product-level
	// (0.85 is a probability of 0.7) before it adds a concern the rules
	// missed; a concern then needs a probability of 0.5.
	modelProdLogit = 0.85
	// modelHint is the phrase score a sentence needs, unless it names an
	// audience, before the model is asked: the model refines hints, it does
	// not read sentences the rules see nothing in.
	modelHint   = 0.4
	modelEpochs = 30
	modelRate   = 0.2
	modelL2     = 0.002
	// modelMinDocs drops features seen in fewer training comments.
	modelMinDocs = 2
)

// modelWeights maps a feature (a normalised word, or two joined by a space)
// to its weight per task.
var (
	modelWeights map[string]*[modelTasks]float32
	modelBias    [modelTasks]float32
)

// modelOnce trains the model on first use (a few tens of milliseconds), so
// commands that never classify text do not pay for it.
var modelOnce sync.Once

func loadModel() { modelOnce.Do(func() { trainModel(trainingComments) }) }

// trainModel fits the model on "labels<TAB>kind<TAB>text" rows.
func trainModel(data string) {
	type doc struct {
		feats []string
		y     [modelTasks]float32
	}
	var docs []doc
	df := map[string]int{}
	for _, line := range strings.Split(data, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			continue
		}
		var d doc
		if parts[0] != "-" {
			d.y[modelProd] = 1
			for _, l := range strings.Split(parts[0], ",") {
				if i := concernIndex(Concern(l)); i >= 0 {
					d.y[i] = 1
				}
			}
		}
		text := strings.ReplaceAll(parts[2], `\n`, "\n")
		seen := map[string]bool{}
		readProse(text, func(b Block) {
			forEachSentence(b.Text, func(s string) {
				for _, f := range sentenceFeatures(s) {
					if !seen[f] {
						seen[f] = true
						d.feats = append(d.feats, f)
						df[f]++
					}
				}
			})
		})
		docs = append(docs, d)
	}
	modelWeights = map[string]*[modelTasks]float32{}
	for f, n := range df {
		if n >= modelMinDocs {
			modelWeights[f] = new([modelTasks]float32)
		}
	}
	// Plain SGD on the log loss, in file order (deterministic).
	for epoch := 0; epoch < modelEpochs; epoch++ {
		for _, d := range docs {
			var z [modelTasks]float32
			z = modelBias
			var ws []*[modelTasks]float32
			for _, f := range d.feats {
				if w := modelWeights[f]; w != nil {
					ws = append(ws, w)
					for t := range z {
						z[t] += w[t]
					}
				}
			}
			for t := range z {
				g := float32(sigmoid(float64(z[t]))) - d.y[t]
				modelBias[t] -= modelRate * g
				for _, w := range ws {
					w[t] -= modelRate * (g + modelL2*w[t])
				}
			}
		}
	}
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// sentenceFeatures lists a sentence's features, for training.
func sentenceFeatures(s string) []string {
	var t tokenizer
	t.reset(s)
	var words []string
	for {
		w, ok := t.next()
		if !ok {
			break
		}
		words = append(words, string(appendNorm(nil, w)))
	}
	feats := append([]string(nil), words...)
	for i := 0; i+1 < len(words); i++ {
		feats = append(feats, words[i]+" "+words[i+1])
	}
	return feats
}

// modelScores adds up the model's logits for the sentence held in sc.norm.
func (sc *scratch) modelScores() [modelTasks]float32 {
	z := modelBias
	n := len(sc.starts)
	for i := 0; i < n; i++ {
		if w := modelWeights[string(sc.norm[sc.starts[i]:sc.ends[i]])]; w != nil {
			for t := range z {
				z[t] += w[t]
			}
		}
		if i+1 < n {
			if w := modelWeights[string(sc.norm[sc.starts[i]:sc.ends[i+1]])]; w != nil {
				for t := range z {
					z[t] += w[t]
				}
			}
		}
	}
	return z
}
