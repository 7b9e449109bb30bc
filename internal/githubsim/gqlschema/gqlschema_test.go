package gqlschema_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/gqlschema"
	"github.com/ownershipbot/ownershipbot/internal/needs"
)

func TestEveryQueryOfTheAppValidatesAgainstGitHubsSchema(t *testing.T) {
	s, err := gqlschema.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for name, q := range ghgraphql.Queries {
		if _, errs := gqlschema.Validate(s, q); len(errs) > 0 {
			t.Errorf("%s does not validate against the committed schema: %v", name, errs)
		}
	}
}

func TestTheCommittedSubsetIsGitHubsOwn(t *testing.T) {
	path := needs.File(t, "../../../testdata/npm/node_modules/@octokit/graphql-schema/schema.graphql",
		"cd testdata/npm && npm ci")
	sdl, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full, err := gqlschema.LoadFull(string(sdl))
	if err != nil {
		t.Fatal(err)
	}
	for name, q := range ghgraphql.Queries {
		if _, errs := gqlschema.Validate(full, q); len(errs) > 0 {
			t.Errorf("%s does not validate against GitHub's whole schema: %v", name, errs)
		}
	}
	sub, _ := gqlschema.Schema()
	// Every type and field of the subset is in GitHub's schema, with the
	// same type.
	for name, def := range sub.Types {
		if def.BuiltIn {
			continue
		}
		orig := full.Types[name]
		if orig == nil || orig.Kind != def.Kind {
			t.Errorf("type %s is not GitHub's", name)
			continue
		}
		for _, f := range def.Fields {
			of := orig.Fields.ForName(f.Name)
			if of == nil || of.Type.String() != f.Type.String() {
				t.Errorf("%s.%s is not GitHub's", name, f.Name)
			}
		}
	}
}

func TestAnInvalidQueryIsRefused(t *testing.T) {
	s, _ := gqlschema.Schema()
	_, errs := gqlschema.Validate(s, `query { repository(owner: "a", name: "b") { issues(first: 100) { nodes { titel } } } }`)
	if len(errs) == 0 || !strings.Contains(errs.Error(), "titel") {
		t.Fatalf("a misspelt field validated: %v", errs)
	}
}
