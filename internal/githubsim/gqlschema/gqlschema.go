// Package gqlschema is GitHub's GraphQL schema as the tests and the
// simulated GitHub know it: the part of npm @octokit/graphql-schema that
// ownershipbot's queries use, kept here as a small generated file
// (github-graphql.graphql) so that nothing but Go is needed. Every type,
// field and argument in it is GitHub's own, unchanged; `go run
// ./internal/githubsim/gqlschema/gen` regenerates it from the npm package,
// and .ci/run fails when the committed copy is stale.
//
// A query that validates against the subset validates against GitHub's
// whole schema; a query that reaches beyond the subset fails, so adding a
// field to one of the App's queries means regenerating the file.
package gqlschema

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// File is the name of the generated schema subset.
const File = "github-graphql.graphql"

//go:embed github-graphql.graphql
var subset string

var (
	once      sync.Once
	schema    *ast.Schema
	schemaErr error
)

// Schema returns the committed subset of GitHub's schema, parsed once.
func Schema() (*ast.Schema, error) {
	once.Do(func() {
		schema, schemaErr = gqlparser.LoadSchema(&ast.Source{Name: File, Input: subset})
		if schemaErr != nil {
			schemaErr = fmt.Errorf("gqlschema: %s does not load: %w", File, schemaErr)
		}
	})
	return schema, schemaErr
}

// Validate parses query and checks it against s as GitHub would.
func Validate(s *ast.Schema, query string) (*ast.QueryDocument, gqlerror.List) {
	return gqlparser.LoadQueryWithRules(s, query, rules.NewDefaultRules())
}

// LoadFull loads GitHub's whole published schema. The published file
// declares a few fields twice (identically); the first declaration is kept,
// as GitHub's own server does.
func LoadFull(sdl string) (*ast.Schema, error) {
	doc, err := parser.ParseSchemas(validator.Prelude, &ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		return nil, err
	}
	for _, defs := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, d := range defs {
			seen := map[string]bool{}
			fields := d.Fields[:0]
			for _, f := range d.Fields {
				if !seen[f.Name] {
					seen[f.Name] = true
					fields = append(fields, f)
				}
			}
			d.Fields = fields
		}
	}
	s, gerr := validator.ValidateSchemaDocument(doc)
	if gerr != nil {
		return nil, gerr
	}
	return s, nil
}

func loadSDL(sdl string) (*ast.Schema, error) {
	return gqlparser.LoadSchema(&ast.Source{Name: File, Input: sdl})
}
