package config

import (
	"bytes"
	"context"
	"path"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// Where GitHub keeps a repository's issue and pull request templates.
const (
	templateDir   = ".github"
	issueTemplate = "ISSUE_TEMPLATE"
	pullTemplate  = "pull_request_template.md" // any case, as GitHub reads it
)

// Entry is one entry of a directory listing.
type Entry struct {
	Name string
	Dir  bool
}

// ListFunc lists a directory on a repository's default branch through an
// installation. It reports found=false, with no error, when the directory
// does not exist or is a file.
type ListFunc func(ctx context.Context, installationID int64, owner, repo, dir string) (entries []Entry, found bool, err error)

// Watches reports whether a push that changes the file at p changes what
// the Loader read: the configuration or one of the templates.
func Watches(p string) bool {
	if p == Path {
		return true
	}
	dir, name := path.Split(p)
	switch {
	case strings.EqualFold(dir, templateDir+"/"):
		return strings.EqualFold(name, pullTemplate)
	case strings.EqualFold(dir, templateDir+"/"+issueTemplate+"/"):
		return isTemplateFile(name)
	}
	return false
}

func isTemplateFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	base := strings.ToLower(strings.TrimSuffix(name, path.Ext(name)))
	return (ext == ".md" || ext == ".yml" || ext == ".yaml") && base != "config" // config.yml sets up the chooser
}

// RationaleOptions is what rationale detection needs from the
// configuration and the repository's own templates.
func (c Config) RationaleOptions() analysis.RationaleOptions {
	o := c.templates
	o.Headings = c.Rationale.Headings
	return o
}

type cachedTemplates struct {
	opts    analysis.RationaleOptions // the templates, read once
	found   bool
	fetched time.Time
}

// templates returns a repository's templates, else those of the owner's
// .github repository, which GitHub also offers in every repository that
// has none of its own; cached and invalidated like the configuration.
func (l *Loader) templates(ctx context.Context, installationID int64, owner, repo string) (analysis.RationaleOptions, error) {
	for _, r := range []string{repo, ".github"} {
		key := cacheKey(installationID, owner, r)
		l.mu.Lock()
		c, ok := l.tcache[key]
		l.mu.Unlock()
		if !ok || l.now().Sub(c.fetched) >= l.ttl {
			texts, found, err := l.readTemplates(ctx, installationID, owner, r)
			if err != nil {
				return analysis.RationaleOptions{}, err
			}
			c = cachedTemplates{found: found, fetched: l.now()}
			if found {
				c.opts = analysis.RationaleOptions{}.WithTemplates(texts...)
			}
			l.mu.Lock()
			l.tcache[key] = c
			l.mu.Unlock()
		}
		if c.found {
			return c.opts, nil
		}
	}
	return analysis.RationaleOptions{}, nil
}

// readTemplates reads a repository's issue and pull request templates as
// Markdown; found is false when it has none.
func (l *Loader) readTemplates(ctx context.Context, installationID int64, owner, repo string) ([]string, bool, error) {
	if l.List == nil {
		return nil, false, nil
	}
	entries, found, err := l.List(ctx, installationID, owner, repo, templateDir)
	if err != nil || !found {
		return nil, false, err
	}
	var paths []string
	for _, e := range entries {
		switch {
		case e.Dir && strings.EqualFold(e.Name, issueTemplate):
			files, ok, err := l.List(ctx, installationID, owner, repo, templateDir+"/"+e.Name)
			if err != nil {
				return nil, false, err
			}
			for _, f := range files {
				if ok && !f.Dir && isTemplateFile(f.Name) {
					paths = append(paths, templateDir+"/"+e.Name+"/"+f.Name)
				}
			}
		case !e.Dir && strings.EqualFold(e.Name, pullTemplate):
			paths = append(paths, templateDir+"/"+e.Name)
		}
	}
	var texts []string
	for _, p := range paths {
		data, ok, err := l.fetch(ctx, installationID, owner, repo, p)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue // gone since the listing
		}
		text := stripFrontMatter(string(data))
		if ext := strings.ToLower(path.Ext(p)); ext == ".yml" || ext == ".yaml" {
			text = issueFormText(data)
		}
		if strings.TrimSpace(text) != "" {
			texts = append(texts, text)
		}
	}
	return texts, len(paths) > 0, nil
}

// stripFrontMatter drops the "---" block of name, about and labels that
// opens a Markdown issue template.
func stripFrontMatter(s string) string {
	rest, ok := strings.CutPrefix(strings.TrimLeft(s, "\ufeff"), "---\n")
	if !ok {
		return s
	}
	if i := strings.Index(rest, "\n---"); i >= 0 {
		rest = rest[i+len("\n---"):]
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			return rest[j+1:]
		}
		return ""
	}
	return s
}

// issueFormText is what an issue form shows a reporter, as Markdown: each
// field's label as a heading (GitHub writes the issue body that way), its
// description, placeholder, default value and options. A form that does
// not parse gives nothing: it only cannot help then.
func issueFormText(data []byte) string {
	var form struct {
		Description string `yaml:"description"`
		Body        []struct {
			Attributes struct {
				Label       string      `yaml:"label"`
				Description string      `yaml:"description"`
				Placeholder string      `yaml:"placeholder"`
				Value       string      `yaml:"value"`
				Options     []yaml.Node `yaml:"options"`
			} `yaml:"attributes"`
		} `yaml:"body"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&form); err != nil {
		return ""
	}
	var b strings.Builder
	para := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s)
			b.WriteString("\n\n")
		}
	}
	para(form.Description)
	for _, f := range form.Body {
		a := f.Attributes
		if a.Label != "" {
			para("### " + a.Label)
		}
		para(a.Description)
		para(a.Placeholder)
		para(a.Value)
		for _, o := range a.Options {
			switch o.Kind {
			case yaml.ScalarNode:
				para(o.Value)
			case yaml.MappingNode:
				var opt struct {
					Label string `yaml:"label"`
				}
				if o.Decode(&opt) == nil {
					para(opt.Label)
				}
			}
		}
	}
	return b.String()
}
