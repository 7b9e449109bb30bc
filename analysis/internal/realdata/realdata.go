// Package realdata finds and reads the real labelled GitHub text kept beside
// the project (never inside it), for the trainers and the tests that measure
// the analysis on it: where it is, and its JSON Lines files.
package realdata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// module is the module path ModuleRoot looks for.
const module = "module github.com/ownershipbot/ownershipbot"

// ModuleRoot finds the project's module root (the directory whose go.mod
// declares it), from the working directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), module) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod of github.com/ownershipbot/ownershipbot not found above the working directory")
		}
		dir = parent
	}
}

// Dir is where the real data is: $OWNERSHIPBOT_REAL_DATA, or ../shared/data
// beside the module root.
func Dir(root string) string {
	if d := os.Getenv("OWNERSHIPBOT_REAL_DATA"); d != "" {
		return d
	}
	return filepath.Join(root, "..", "shared", "data")
}

// ReadJSONL calls fn with each line of a JSON Lines file, decoded into a T;
// blank lines are skipped, and a line that does not decode is an error
// naming the file and line.
func ReadJSONL[T any](path string, fn func(T)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("%s:%d: %v", path, n, err)
		}
		fn(v)
	}
	return sc.Err()
}
