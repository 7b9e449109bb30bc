// Package needs lets a test say what it needs from the machine (a program,
// a file, a server) and what to do when it is missing: skip, naming what is
// missing and how to get it, so that `go test ./...` with nothing but Go
// passes and says what it did not run; or, when CI=true, fail, so that CI
// cannot pass without running every test.
package needs

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// InCI reports whether the CI environment variable is true (as CI services
// and .ci/run set it).
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Missing skips the test, or fails it under CI=true, saying what is missing
// (what) and how to get it (hint).
func Missing(t testing.TB, what, hint string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; %s (CI=true: a missing dependency fails the run)", what, hint)
	}
	t.Skipf("not run: %s; %s (or run bash .ci/run, which does)", what, hint)
}

// Program returns the path of the named program on PATH; when there is none
// the test is skipped, or failed under CI=true, with install as the hint.
func Program(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not on PATH", install)
	}
	return path
}

// File returns path when it exists; otherwise the test is skipped, or failed
// under CI=true, with install as the hint.
func File(t testing.TB, path, install string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, path+" is missing", install)
	}
	return path
}
