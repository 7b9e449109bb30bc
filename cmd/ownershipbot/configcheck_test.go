package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := write("valid.yml", "comment: always\n")
	broken := write("broken.yml", "enabled: true\ncomments: always\n")
	huge := write("huge.yml", strings.Repeat("#", 2<<20))
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		mention string
	}{
		{"valid", []string{"config", "check", valid}, 0, "valid"},
		{"problems with lines", []string{"config", "check", broken}, 1, `line 2: "comments" is not a setting`},
		{"too large", []string{"config", "check", huge}, 1, "too large to be a configuration file (2097152 bytes; at most 1048576)"},
		{"missing file", []string{"config", "check", filepath.Join(dir, "none.yml")}, 2, "no such file"},
		{"no file", []string{"config", "check"}, 2, "usage"},
		{"unknown subcommand", []string{"config", "lint", valid}, 2, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(tc.args, nil)
			if code != tc.code || !strings.Contains(out+errOut, tc.mention) {
				t.Fatalf("exit %d, output %q %q; want exit %d mentioning %q", code, out, errOut, tc.code, tc.mention)
			}
		})
	}
}

func TestConfigCheckListsEveryProblem(t *testing.T) {
	var file strings.Builder
	for i := range 150 {
		fmt.Fprintf(&file, "unknown_%d: x\n", i)
	}
	path := filepath.Join(t.TempDir(), "ownership.yml")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run([]string{"config", "check", path}, nil)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 150 || !strings.HasSuffix(lines[149], `line 150: "unknown_149" is not a setting`) {
		t.Fatalf("exit %d, %d lines ending %q; want 150 problems, one a line", code, len(lines), lines[len(lines)-1])
	}
}
