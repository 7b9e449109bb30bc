package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

// Floors on real text, cross-validated with folds by repository; they sit
// a little under the measured figures (see the package doc of analysis).
const (
	floorRealProductF1      = 0.60
	floorRealProductP       = 0.61
	floorRealConcernMacroF1 = 0.43
	// On whole comments (the pull-request messages), as the App reads them.
	floorWholeProductP  = 0.56
	floorWholeProductF1 = 0.59
)

var trained struct {
	once sync.Once
	root string
	in   *inputs
	res  *analysis.TrainResult
	err  error
}

// train fits the model once for all tests, or skips where the real data
// is not beside the module.
func train(t *testing.T) (*inputs, *analysis.TrainResult, string) {
	t.Helper()
	trained.once.Do(func() {
		root, err := realdata.ModuleRoot()
		if err != nil {
			trained.err = err
			return
		}
		trained.root = root
		dir := realdata.Dir(root)
		if _, err := os.Stat(filepath.Join(dir, "labels")); err != nil {
			return
		}
		trained.in, trained.err = load(root, dir)
		if trained.err == nil {
			trained.res, trained.err = analysis.Train(trained.in.comments, analysis.TrainConfig{})
		}
	})
	if trained.err != nil {
		t.Fatal(trained.err)
	}
	if trained.res == nil {
		t.Skipf("the real labelled data is not at %s (set OWNERSHIPBOT_REAL_DATA): not retraining; the committed weights are used as they are", realdata.Dir(trained.root))
	}
	return trained.in, trained.res, trained.root
}

// TestRetrainingReproducesTheWeights retrains from the real data and the
// project's labels and compares with the committed files byte for byte.
func TestRetrainingReproducesTheWeights(t *testing.T) {
	_, res, root := train(t)
	for i, name := range outputs {
		have, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if want := files(res)[i]; !bytes.Equal(have, want) {
			t.Errorf("%s (%d bytes) differs from a retrain (%d bytes): run go run ./analysis/train and commit the result", name, len(have), len(want))
		}
	}
}

// TestRealTextQuality prints the cross-validated figures on real text and
// the figures on the team's held-out set, and fails under the floors.
func TestRealTextQuality(t *testing.T) {
	in, res, _ := train(t)
	var b bytes.Buffer
	printResult(&b, in, res)
	t.Log("\n" + b.String())
	if f := res.CV.Product.F1(); f < floorRealProductF1 {
		t.Errorf("cross-validated product_level F1 %.3f on real text is under the floor %.2f", f, floorRealProductF1)
	}
	if p := res.CV.Product.Precision(); p < floorRealProductP {
		t.Errorf("cross-validated product_level precision %.3f on real text is under the floor %.2f", p, floorRealProductP)
	}
	if f := res.CV.MacroF1(); f < floorRealConcernMacroF1 {
		t.Errorf("cross-validated concern macro-F1 %.3f on real text is under the floor %.2f", f, floorRealConcernMacroF1)
	}
	whole := wholeComments(res)
	if p := whole.Product.Precision(); p < floorWholeProductP {
		t.Errorf("cross-validated product_level precision %.3f on whole comments is under the floor %.2f", p, floorWholeProductP)
	}
	if f := whole.Product.F1(); f < floorWholeProductF1 {
		t.Errorf("cross-validated product_level F1 %.3f on whole comments is under the floor %.2f", f, floorWholeProductF1)
	}
}
