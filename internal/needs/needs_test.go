package needs

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingSkipsOrFailsUnderCI runs a child test that needs a program
// nobody has, with and without CI=true.
func TestMissingSkipsOrFailsUnderCI(t *testing.T) {
	if os.Getenv("NEEDS_CHILD") == "1" {
		Program(t, "no-such-program-ownershipbot", "install it from nowhere")
		t.Fatal("Program returned for a missing program")
	}
	for _, c := range []struct {
		ci       string
		fails    bool
		contains string
	}{
		{"", false, "SKIP"},
		{"false", false, "not run: no-such-program-ownershipbot is not on PATH; install it from nowhere"},
		{"true", true, "CI=true: a missing dependency fails the run"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingSkipsOrFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "NEEDS_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fails || !strings.Contains(string(out), c.contains) {
			t.Errorf("CI=%q: err %v, want failure %v, output containing %q:\n%s", c.ci, err, c.fails, c.contains, out)
		}
	}
}

func TestFoundProgramAndFile(t *testing.T) {
	if p := Program(t, "go", "install Go"); p == "" {
		t.Error("go not found although the test runs under it")
	}
	if File(t, "needs.go", "") != "needs.go" {
		t.Error("File did not return its path")
	}
}
