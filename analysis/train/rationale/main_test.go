package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/internal/issuedata"
	"github.com/ownershipbot/ownershipbot/analysis/internal/realdata"
)

func load(t *testing.T) (*Inputs, string) {
	t.Helper()
	root, err := realdata.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	in, err := Load(root, realdata.Dir(root))
	if errors.Is(err, issuedata.ErrNoData) {
		t.Skipf("%v (set OWNERSHIPBOT_REAL_DATA): retraining is not checked; the embedded weights are still tested by the analysis package", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return in, root
}

// The committed weights are exactly what training on the committed labels
// gives, so nobody can edit the numbers by hand or forget to retrain after
// changing a feature or a phrase list.
func TestRetrainingReproducesTheRationaleWeights(t *testing.T) {
	in, root := load(t)
	committed, err := os.ReadFile(filepath.Join(root, "analysis", "rationale-weights.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Weights(); got != string(committed) {
		t.Fatalf("analysis/rationale-weights.tsv differs from a retrain: run go run ./analysis/train/rationale and commit the result\nretrained:\n%s", got)
	}
	if again := in.Weights(); again != in.Weights() {
		t.Fatal("two trainings on the same inputs differ")
	}
	if _, err := analysis.ParseRationaleModel(string(committed)); err != nil {
		t.Fatal(err)
	}
}
