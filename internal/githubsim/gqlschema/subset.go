package gqlschema

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// Subset returns, as SDL, the part of full that queries use: the types,
// fields and arguments they reach (with every argument of a field they
// select, so required arguments stay required), the input objects, enums
// and scalars those arguments need, and the interfaces and unions they go
// through. It fails when a query does not validate against full.
func Subset(full *ast.Schema, header string, queries ...string) (string, error) {
	k := &keeper{full: full, types: map[string]bool{}, fields: map[string]map[string]bool{}}
	k.keepType(full.Query.Name)
	for i, q := range queries {
		doc, errs := Validate(full, q)
		if len(errs) > 0 {
			return "", fmt.Errorf("query %d does not validate against GitHub's schema: %v", i+1, errs)
		}
		for _, op := range doc.Operations {
			k.walk(op.SelectionSet)
		}
		for _, f := range doc.Fragments {
			k.keepType(f.TypeCondition)
			k.walk(f.SelectionSet)
		}
	}
	return k.render(header)
}

type keeper struct {
	full   *ast.Schema
	types  map[string]bool
	fields map[string]map[string]bool
}

func (k *keeper) walk(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			k.keepField(s.ObjectDefinition.Name, s.Name)
			k.walk(s.SelectionSet)
		case *ast.InlineFragment:
			k.keepType(s.TypeCondition)
			k.walk(s.SelectionSet)
		case *ast.FragmentSpread:
			k.keepType(s.Definition.TypeCondition)
			k.walk(s.Definition.SelectionSet)
		}
	}
}

func (k *keeper) keepField(typeName, field string) {
	k.keepType(typeName)
	if k.fields[typeName] == nil {
		k.fields[typeName] = map[string]bool{}
	}
	if k.fields[typeName][field] {
		return
	}
	k.fields[typeName][field] = true
	def := k.full.Types[typeName].Fields.ForName(field)
	k.keepType(def.Type.Name())
	for _, arg := range def.Arguments {
		k.keepType(arg.Type.Name())
	}
}

func (k *keeper) keepType(name string) {
	def := k.full.Types[name]
	if def == nil || def.BuiltIn || k.types[name] {
		return
	}
	k.types[name] = true
	switch def.Kind {
	case ast.InputObject:
		for _, f := range def.Fields {
			k.keepType(f.Type.Name())
		}
	case ast.Interface:
		// Interfaces keep every field whose type needs nothing more, so
		// that each type implementing them can declare the same.
		for _, f := range def.Fields {
			if t := k.full.Types[f.Type.Name()]; t != nil && (t.Kind == ast.Scalar || t.Kind == ast.Enum) && len(f.Arguments) == 0 {
				k.keepField(name, f.Name)
			}
		}
	}
}

func (k *keeper) render(header string) (string, error) {
	doc := &ast.SchemaDocument{}
	doc.Schema = append(doc.Schema, &ast.SchemaDefinition{
		OperationTypes: ast.OperationTypeDefinitionList{{Operation: ast.Query, Type: k.full.Query.Name}},
	})
	names := make([]string, 0, len(k.types))
	for n := range k.types {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		src := k.full.Types[n]
		def := &ast.Definition{Kind: src.Kind, Name: src.Name, EnumValues: stripEnum(src.EnumValues)}
		for _, u := range src.Types {
			if k.types[u] {
				def.Types = append(def.Types, u)
			}
		}
		wanted := k.fields[n]
		for _, iface := range src.Interfaces {
			if k.types[iface] {
				def.Interfaces = append(def.Interfaces, iface)
				for f := range k.fields[iface] {
					if wanted == nil {
						wanted = map[string]bool{}
					}
					wanted[f] = true
				}
			}
		}
		for _, f := range src.Fields {
			if src.Kind == ast.InputObject || wanted[f.Name] {
				def.Fields = append(def.Fields, stripField(f))
			}
		}
		doc.Definitions = append(doc.Definitions, def)
	}
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	formatter.NewFormatter(&b, formatter.WithoutDescription()).FormatSchemaDocument(doc)
	out := b.String()
	if _, err := loadSDL(out); err != nil {
		return "", fmt.Errorf("the subset does not load: %w", err)
	}
	return out, nil
}

func stripField(f *ast.FieldDefinition) *ast.FieldDefinition {
	out := &ast.FieldDefinition{Name: f.Name, Type: f.Type, DefaultValue: f.DefaultValue}
	for _, a := range f.Arguments {
		out.Arguments = append(out.Arguments, &ast.ArgumentDefinition{Name: a.Name, Type: a.Type, DefaultValue: a.DefaultValue})
	}
	return out
}

func stripEnum(values ast.EnumValueList) ast.EnumValueList {
	var out ast.EnumValueList
	for _, v := range values {
		out = append(out, &ast.EnumValueDefinition{Name: v.Name})
	}
	return out
}
