package deploy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"testing"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/setup"
)

var update = flag.Bool("update", false, "rewrite generated files (github-app-manifest.json) instead of comparing them")

// manifestFile is the App manifest for people who create the App in GitHub's
// web UI; `ownershipbot setup` posts the same manifest with their webhook URL.
const manifestFile = "github-app-manifest.json"

func generatedManifest() setup.Manifest {
	return setup.NewManifest(setup.ManifestOptions{
		WebhookURL:  "https://ownershipbot.example.com/webhook",
		Events:      app.Events(),
		Permissions: app.Permissions(),
	})
}

// TestAppManifestFile fails when deploy/github-app-manifest.json is not what
// the code generates from its handler registry; refresh it with
// `go generate ./deploy` (or `go test ./deploy -run TestAppManifestFile -update`).
func TestAppManifestFile(t *testing.T) {
	want := generatedManifest().JSON()
	if *update {
		if err := os.WriteFile(manifestFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(manifestFile)
	if err != nil {
		t.Fatalf("%v; run go generate ./deploy", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the manifest the code generates (events %v, permissions %v); run go generate ./deploy",
			manifestFile, app.Events(), app.Permissions())
	}
}

// TestAppManifestAsksForWhatTheCodeUses checks the manifest against the
// handler registry and against the minimal permissions the App may ever ask for.
func TestAppManifestAsksForWhatTheCodeUses(t *testing.T) {
	var m setup.Manifest
	b, err := os.ReadFile(manifestFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.DefaultPermissions, app.Permissions()) {
		t.Errorf("permissions %v, the handlers use %v", m.DefaultPermissions, app.Permissions())
	}
	allowed := map[string]string{"issues": "write", "pull_requests": "write", "metadata": "read", "members": "read", "contents": "read",
		"checks": "write"} // check runs on pushed configuration files
	for p, level := range m.DefaultPermissions {
		if allowed[p] == "" || (level == "write" && allowed[p] != "write") {
			t.Errorf("permission %s: %s is beyond the minimal set %v", p, level, allowed)
		}
	}
	if m.DefaultPermissions["metadata"] != "read" {
		t.Errorf("every GitHub App needs metadata: read")
	}
	subscribable := map[string]bool{}
	for _, e := range app.Events() {
		if e != "installation" && e != "installation_repositories" {
			subscribable[e] = true
		}
	}
	listed := map[string]bool{}
	for _, e := range m.DefaultEvents {
		listed[e] = true
	}
	if !reflect.DeepEqual(listed, subscribable) {
		t.Errorf("default_events %v, the handlers use %v (installation events reach every App unasked)", m.DefaultEvents, app.Events())
	}
	if m.Public || m.RedirectURL != "" || !m.HookAttributes.Active {
		t.Errorf("the manifest must describe a private App with an active webhook and no redirect")
	}
}
