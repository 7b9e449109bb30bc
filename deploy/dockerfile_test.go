package deploy

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/deploy/image"
)

// TestDockerfileMatchesTheDaemonlessImage keeps deploy/Dockerfile and the
// image written by deploy/image in step: same user, port, command and a
// static build on a distroless nonroot base.
func TestDockerfileMatchesTheDaemonlessImage(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continuation lines, drop comments.
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(b), " ")
	var froms []string
	inst := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		word = strings.ToUpper(word)
		inst[word] = append(inst[word], strings.TrimSpace(rest))
		if word == "FROM" {
			froms = append(froms, rest)
		}
	}
	if len(froms) != 2 || !strings.HasPrefix(froms[1], "gcr.io/distroless/static") || !strings.HasSuffix(froms[1], ":nonroot") {
		t.Errorf("want a build stage and a distroless static nonroot final stage, got %v", froms)
	}
	if !strings.Contains(strings.Join(inst["RUN"], " "), "CGO_ENABLED=0") {
		t.Errorf("the binary must be built with CGO_ENABLED=0 (static)")
	}
	last := func(k string) string {
		if v := inst[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	if last("USER") != image.User {
		t.Errorf("USER %q, want %q", last("USER"), image.User)
	}
	if last("EXPOSE") != strings.TrimSuffix(image.Port, "/tcp") || len(inst["EXPOSE"]) != 1 {
		t.Errorf("EXPOSE %v, want only %s", inst["EXPOSE"], image.Port)
	}
	var ep, cmd []string
	if err := json.Unmarshal([]byte(last("ENTRYPOINT")), &ep); err != nil || !reflect.DeepEqual(ep, image.Entrypoint) {
		t.Errorf("ENTRYPOINT %s, want %v", last("ENTRYPOINT"), image.Entrypoint)
	}
	if err := json.Unmarshal([]byte(last("CMD")), &cmd); err != nil || !reflect.DeepEqual(cmd, image.Cmd) {
		t.Errorf("CMD %s, want %v", last("CMD"), image.Cmd)
	}
}
