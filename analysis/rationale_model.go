package analysis

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
)

//go:embed rationale-weights.tsv
var rationaleWeightsFile string

// RationaleModel weighs the signals of one reading: an issue states a
// reason when the weighted sum is at least 0.
// The App uses the embedded one (DetectRationale); the trainer parses
// others to measure them.
type RationaleModel struct {
	w [nRationaleFeatures]float64
}

func (m *RationaleModel) score(f *[nRationaleFeatures]float64) float64 {
	z := 0.0
	for i, v := range f {
		z += m.w[i] * v
	}
	return z
}

// shippedRationaleModel is the embedded model, read when the package loads:
// it is part of the binary, so a broken file fails every test at once.
var shippedRationaleModel = func() *RationaleModel {
	m, err := ParseRationaleModel(rationaleWeightsFile)
	if err != nil {
		panic(err)
	}
	return m
}()

// Detect is DetectRationale with this model.
func (m *RationaleModel) Detect(title, body string, opts RationaleOptions) Rationale {
	return detectRationale(title, body, opts, m)
}

// ParseRationaleModel reads the text of rationale-weights.tsv.
func ParseRationaleModel(text string) (*RationaleModel, error) {
	m := &RationaleModel{}
	index := map[string]int{}
	for i, n := range rationaleFeatureNames {
		index[n] = i
	}
	seen := 0
	for n, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, "\t")
		i, known := index[name]
		w, err := strconv.ParseFloat(value, 64)
		if !ok || !known || err != nil {
			return nil, fmt.Errorf("rationale-weights.tsv:%d: want a feature name and its weight, got %q", n+1, line)
		}
		m.w[i] = w
		seen++
	}
	if seen != len(rationaleFeatureNames) {
		return nil, fmt.Errorf("rationale-weights.tsv: %d weights for %d features", seen, len(rationaleFeatureNames))
	}
	return m, nil
}

// TrainingIssue is one labelled issue or pull request for TrainRationale:
// its features (ReadRationale), its label and how much it counts.
type TrainingIssue struct {
	Features RationaleFeatures
	Want     bool
	Weight   float64
}

// RationaleL2 is the ridge penalty on every weight but the bias, chosen
// by leaving one repository out (go run ./analysis/train/rationale).
const RationaleL2 = 3.0

// TrainRationale fits the rationale model by Newton's method on an
// L2-penalised weighted logistic loss and returns it as the text of
// rationale-weights.tsv. It is deterministic: the same items in the same
// order give the same bytes, and the weights are rounded to four places
// so that the last bits of floating point arithmetic do not show.
func TrainRationale(items []TrainingIssue, l2 float64) string {
	w := fitRationale(items, l2)
	var b strings.Builder
	b.WriteString("# Weights of the rationale model, one feature a line (see rationale.go).\n")
	b.WriteString("# Written by go run ./analysis/train/rationale from real labelled issues and\n")
	b.WriteString("# pull requests; edit the data or the features, not these numbers.\n")
	for i, n := range rationaleFeatureNames {
		fmt.Fprintf(&b, "%s\t%.4f\n", n, w[i])
	}
	return b.String()
}

// fitRationale returns the fitted weights, rounded to four places.
func fitRationale(items []TrainingIssue, l2 float64) [nRationaleFeatures]float64 {
	const n = int(nRationaleFeatures)
	var w [n]float64
	for iter := 0; iter < 30; iter++ {
		var g [n]float64
		var h [n][n]float64
		for _, it := range items {
			z := 0.0
			for j := range w {
				z += float64(w[j] * it.Features[j])
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if it.Want {
				y = 1
			}
			d := it.Weight * (p - y)
			c := it.Weight * p * (1 - p)
			for j := range w {
				g[j] += float64(d * it.Features[j])
				for k := range w {
					h[j][k] += float64(c * float64(it.Features[j]*it.Features[k]))
				}
			}
		}
		for j := 1; j < n; j++ { // the bias is not penalised
			g[j] += l2 * w[j]
			h[j][j] += l2
		}
		h[0][0] += 1e-9 // a bias the data cannot place stays finite
		step, ok := solveSymmetric(h, g)
		if !ok {
			break
		}
		done := true
		for j := range w {
			w[j] -= step[j]
			done = done && math.Abs(step[j]) < 1e-10
		}
		if done {
			break
		}
	}
	for j := range w {
		w[j] = math.Round(w[j]*1e4) / 1e4
		if w[j] == 0 {
			w[j] = 0 // no "-0.0000"
		}
	}
	return w
}

// solveSymmetric solves h x = g for a symmetric positive definite h by
// Cholesky decomposition.
func solveSymmetric(h [nRationaleFeatures][nRationaleFeatures]float64, g [nRationaleFeatures]float64) ([nRationaleFeatures]float64, bool) {
	const n = int(nRationaleFeatures)
	var l [n][n]float64
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := h[i][j]
			for k := 0; k < j; k++ {
				s -= float64(l[i][k] * l[j][k])
			}
			if i == j {
				if s <= 0 {
					return g, false
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	var y, x [n]float64
	for i := 0; i < n; i++ {
		s := g[i]
		for k := 0; k < i; k++ {
			s -= float64(l[i][k] * y[k])
		}
		y[i] = s / l[i][i]
	}
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= float64(l[k][i] * x[k])
		}
		x[i] = s / l[i][i]
	}
	return x, true
}

// newRationaleModel makes a model of fitted weights, for the folds of the
// evaluation.
func newRationaleModel(w [nRationaleFeatures]float64) *RationaleModel {
	return &RationaleModel{w: w}
}

// RationaleTeamWeight is how much one issue of the team's own written set
// counts in training beside a real one: it is cleaner and shorter than
// real text, so it helps most where the real data is thin.
const RationaleTeamWeight = 0.5
