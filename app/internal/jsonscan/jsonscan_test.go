package jsonscan_test

import (
	"testing"

	"github.com/ownershipbot/ownershipbot/app/internal/jsonscan"
)

func TestMembers(t *testing.T) {
	tests := []struct {
		doc    string
		want   []string // "" for a member the document lacks
		failed bool
	}{
		{doc: `{"issue":{"number":1},"repository":{"full_name":"a/b"},"sender":{}}`, want: []string{`{"number":1}`, `{"full_name":"a/b"}`}},
		{doc: ` {"repository" : [1, "x"] , "issue":null} `, want: []string{`null`, `[1, "x"]`}},
		{doc: `{"sender":1}`, want: []string{"", ""}},
		{doc: `{"Issue":1,"REPOSITORY":2,"iſſue":3}`, want: []string{`3`, `2`}}, // keys match as json.Unmarshal matches them; the last counts
		{doc: `{"\u0069ssue":"é"}`, want: []string{`"é"`, ""}},
		{doc: `null`, want: []string{"", ""}},
		{doc: `{"issue":1,}`, failed: true},
		{doc: `{"issue":1} {}`, failed: true},
		{doc: `{"sender":[}`, failed: true},
		{doc: `[{"issue":1}]`, failed: true},
	}
	for _, tt := range tests {
		raw, err := jsonscan.Members([]byte(tt.doc), "issue", "repository")
		if (err != nil) != tt.failed {
			t.Errorf("Members(%s): error %v, want failure %v", tt.doc, err, tt.failed)
			continue
		}
		for i, want := range tt.want {
			if got := string(raw[i]); got != want || (raw[i] == nil) != (want == "") {
				t.Errorf("Members(%s)[%d] = %q, want %q", tt.doc, i, got, want)
			}
		}
	}
}

func TestWithout(t *testing.T) {
	tests := []struct {
		doc, want string
		failed    bool
	}{
		{doc: `{"number":1,"head":{"repo":{}},"title":"t","base":{"ref":"main"}}`, want: `{"number":1,"title":"t"}`},
		{doc: `{"head":1}`, want: `{}`},
		{doc: `{ "Head" : 1 , "user" : {"head": 2} , "BASE":3 }`, want: `{"user" : {"head": 2}}`}, // only its own members, matched ignoring case
		{doc: `{"a":1,"a":2,"base":[]}`, want: `{"a":1,"a":2}`},
		{doc: ` null `, want: `null`},
		{doc: `{}`, want: `{}`},
		{doc: `{"head":}`, failed: true},
		{doc: `[1]`, failed: true},
		{doc: `{"a":1} x`, failed: true},
	}
	for _, tt := range tests {
		got, err := jsonscan.Without([]byte(tt.doc), "head", "base")
		if (err != nil) != tt.failed {
			t.Errorf("Without(%s): error %v, want failure %v", tt.doc, err, tt.failed)
			continue
		}
		if !tt.failed && string(got) != tt.want {
			t.Errorf("Without(%s) = %s, want %s", tt.doc, got, tt.want)
		}
	}
}

func TestFilterReplacesValues(t *testing.T) {
	got, err := jsonscan.Filter([]byte(`{"a": 1, "b" :{"x":2}, "c":3}`), func(key jsonscan.Key, value []byte) ([]byte, error) {
		switch {
		case key.Is("a"):
			return nil, nil
		case key.Is("b"):
			return []byte(`{}`), nil
		}
		return value, nil
	})
	if want := `{"b" :{},"c":3}`; err != nil || string(got) != want {
		t.Errorf("Filter = %s, %v; want %s", got, err, want)
	}
}
