package config

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds any bytes to the parser: it must not panic, must return
// the defaults with any problem, and its comment summary must stay short
// with nothing of the file outside code formatting.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "enabled: false\n", brokenSeed, "comment: always\nowner:\n  fields: [Owner, DRI]\n",
		"\"@acme/security please look\": true\n", "a: &x [*x, *x]\n", "- 1\n- 2\n", "owner: {label_pattern: \"team:*\"}\n",
		"comment: \"`` `@team` ``\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err == nil {
			return
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Fatal("a broken file half-applied")
		}
		sum := Summary(err)
		if len(sum) > 2000 {
			t.Fatalf("summary of %d bytes", len(sum))
		}
		if strings.Contains(sum, "\n") {
			t.Fatalf("summary spans lines: %q", sum)
		}
	})
}

const brokenSeed = "enabled: true\ncomments: always\nowner:\n  label_pattern: 42\n"
