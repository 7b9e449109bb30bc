package dispatch_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

// unmarshalEnvelope is what ParseEnvelope must agree with.
func unmarshalEnvelope(payload []byte) (dispatch.Envelope, error) {
	var env dispatch.Envelope
	err := json.Unmarshal(payload, &env)
	return env, err
}

func checkAgainstUnmarshal(t *testing.T, name string, payload []byte) {
	t.Helper()
	want, wantErr := unmarshalEnvelope(payload)
	got, err := dispatch.ParseEnvelope(payload)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%s: ParseEnvelope error %v, json.Unmarshal error %v", name, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: ParseEnvelope = %+v, json.Unmarshal = %+v", name, got, want)
	}
}

// Every webhook example GitHub documents reads as json.Unmarshal reads it,
// as GitHub's pretty-printed text and compacted.
func TestEnvelopeOfEveryGitHubExample(t *testing.T) {
	events := openapitest.Examples(t)
	n := 0
	for _, ev := range events {
		for i, ex := range ev.Examples {
			var compact strings.Builder
			if err := json.NewEncoder(&compact).Encode(ex); err != nil {
				t.Fatal(err)
			}
			checkAgainstUnmarshal(t, ev.Name, ex)
			checkAgainstUnmarshal(t, ev.Name+" compacted", []byte(compact.String()))
			if env, _ := dispatch.ParseEnvelope(ex); ev.Name == "issues" && env.Issue.Number == 0 {
				t.Errorf("issues example %d: no issue number read", i)
			}
			n++
		}
	}
	if n < 300 {
		t.Errorf("read %d examples; GitHub documents over 300", n)
	}
}

// envelopeSeeds are payloads whose reading is easy to get wrong.
var envelopeSeeds = []string{
	`{"action":"opened","installation":{"id":7},"repository":{"full_name":"acme/web","default_branch":"main"},"issue":{"number":3,"pull_request":{"url":"x"}}}`,
	`{"pull_request":{"number":9},"comment":{"id":12,"body":"hi"},"repository":{"full_name":"a/b"}}`,
	`{"ref":"refs/heads/main","commits":[{"added":["a"],"modified":[],"removed":null},null,{"added":["b",null]}]}`,
	`null`, ` {} `, `[]`, `"x"`, `1`, ``, `{`, `{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
	`{"action":1}`, `{"issue":{"number":"3"}}`, `{"issue":{"number":3.5}}`, `{"issue":{"number":1e2}}`,
	`{"issue":{"number":99999999999999999999}}`, `{"installation":[]}`, `{"comment":5}`, `{"commits":{}}`,
	`{"commits":[{"added":"a"}]}`, `{"issue":{"pull_request":"x"}}`, `{"issue":{"pull_request":null}}`,
	// Case folding, escapes and duplicates, as json.Unmarshal treats them.
	`{"ACTION":"a","Installation":{"ID":4}}`, `{"\u0061ction":"b"}`, `{"iſſue":{"number":5}}`, `{"ref":"\u00e9\n"}`,
	`{"action":"a","action":null}`, `{"action":"a","action":"b"}`, `{"issue":{"number":1},"issue":{"pull_request":{}}}`,
	`{"comment":{"id":1},"comment":null}`, `{"comment":{"id":1},"comment":{"x":2}}`,
	`{"commits":[{"added":["a"]},{"removed":["r"]}],"commits":[{"modified":["m"]}],"commits":[null,null]}`,
	`{"commits":[{"added":["a","b"]}],"commits":[{"added":[null]}]}`, `{"commits":[1],"commits":[]}`,
	"{\"action\":\"\xff\"}", "{\"a\":\"\x01\"}", `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":tru}`, `{"a":nul}`, `{"a":true}x`,
	`{"a":[1,[2,{"b":[]}]],"c":{"d":false}}`, `{"action":"x"} `, "\t\n\r{}",
}

func TestEnvelopeAgreesWithUnmarshal(t *testing.T) {
	for _, s := range envelopeSeeds {
		checkAgainstUnmarshal(t, s, []byte(s))
	}
	// Strings are read eight bytes at a time: put each kind of byte that
	// ends that at every place in a word, in a value and in a key.
	for _, special := range []string{`"`, `\"`, `\n`, `\u00e9`, `\q`, "\x01", "\x1f", "\x7f", "é", "\xff", "\xc3", "€"} {
		for at := range 17 {
			text := strings.Repeat("a", at) + special + strings.Repeat("b", 16-at)
			checkAgainstUnmarshal(t, text, []byte(`{"action":"`+text+`","repository":{"full_name":"o/r"}}`))
			checkAgainstUnmarshal(t, text, []byte(`{"`+text+`":1,"action":"x"}`))
		}
	}
	// json.Unmarshal lets arrays and objects nest 10,000 deep and no deeper.
	for _, depth := range []int{10000, 10001} {
		deep := `{"x":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
		checkAgainstUnmarshal(t, "nested", []byte(deep))
	}
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkAgainstUnmarshal(t, "fuzzed", payload)
	})
}

// BenchmarkParseEnvelope reads the envelope of GitHub's first example of
// each event the App most often receives, beside json.Unmarshal.
func BenchmarkParseEnvelope(b *testing.B) {
	events := openapitest.Examples(b)
	for _, ev := range events {
		if ev.Name != "issues" && ev.Name != "issue_comment" && ev.Name != "pull_request" {
			continue
		}
		var compact strings.Builder
		if err := json.NewEncoder(&compact).Encode(ev.Examples[0]); err != nil {
			b.Fatal(err)
		}
		payload := []byte(compact.String())
		for _, parse := range []struct {
			name string
			fn   func([]byte) (dispatch.Envelope, error)
		}{{"ParseEnvelope", dispatch.ParseEnvelope}, {"json.Unmarshal", unmarshalEnvelope}} {
			b.Run(ev.Name+"/"+parse.name, func(b *testing.B) {
				b.SetBytes(int64(len(payload)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := parse.fn(payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
