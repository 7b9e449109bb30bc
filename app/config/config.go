// Package config reads a repository's .github/ownership.yml: what the bot
// does there and how it recognises owners, reasons and product people. A
// broken file never breaks the bot: the repository keeps the defaults and the
// problem is explained in plain words.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// Path is where a repository, or the organisation's .github repository,
// keeps its configuration.
const Path = ".github/ownership.yml"

// DocsURL explains every setting; the bot comment links to it.
const DocsURL = "https://github.com/ownershipbot/ownershipbot#configuration"

// Comment modes: when the bot writes its comment.
const (
	CommentMissing = "missing" // only where an owner or a rationale is missing (default)
	CommentAlways  = "always"  // on every open issue or pull request
	CommentNever   = "never"   // never; metrics only
)

// Config is one repository's settings.
type Config struct {
	Enabled      bool
	Comment      string
	Owner        Owner
	Rationale    Rationale
	Roles        Roles
	Ignore       Ignore
	PullRequests PullRequests
	Backfill     Backfill

	// templates are the repository's own issue and pull request
	// templates, which the Loader reads beside the file.
	templates analysis.RationaleOptions
}

// Owner tunes owner detection.
type Owner struct {
	LabelPattern string   // glob; a matching label names the owner
	Fields       []string // line prefixes and issue-form fields naming an owner
}

// Rationale tunes rationale detection.
type Rationale struct {
	Headings []string // extra headings or fields that state why
}

// Roles names who counts as product people: logins, or teams as "@org/team".
type Roles struct {
	Product []string
}

// Ignore lists issues and authors the bot leaves alone.
type Ignore struct {
	Labels  []string // issues with any of these labels are neither nudged nor counted
	Authors []string // these authors' issues and comments are ignored
}

// PullRequests tunes the pull request comment.
type PullRequests struct {
	Comment            string
	RequireLinkedIssue bool
	IgnoreAuthors      []string
	IgnoreLabels       []string
}

// Backfill tunes the reading of history when the App is installed.
type Backfill struct {
	Days int // closed issues and pull requests are read back this many days
}

// MaxBackfillDays bounds backfill.days: ten years of history.
const MaxBackfillDays = 3650

// Default returns the settings of a repository with no configuration.
func Default() Config {
	return Config{
		Enabled: true,
		Comment: CommentMissing,
		Owner:   Owner{LabelPattern: "owner:*", Fields: []string{"Owner", "DRI", "Accountable"}},
		PullRequests: PullRequests{
			Comment:       CommentMissing,
			IgnoreAuthors: []string{"dependabot[bot]", "renovate[bot]", "dependabot", "renovate"},
		},
		Backfill: Backfill{Days: 90},
	}
}

// Problem is a mistake in a configuration file, said in plain words with
// its line, such as `line 3: "comments" is not a setting; did you mean "comment"?`.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return p.Message
}

// MaxFileBytes is the largest configuration file read: GitHub's contents
// API serves nothing larger, and no real configuration comes near it.
const MaxFileBytes = 1 << 20

// maxProblems bounds the problems kept of one file; the rest are counted.
const maxProblems = 100

// Error lists the problems found in one file: the first ones, and how many
// more there were.
type Error struct {
	Problems []Problem
	More     int // problems found beyond Problems
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	msg := strings.Join(parts, "; ")
	if e.More > 0 {
		msg += fmt.Sprintf("; and %d more", e.More)
	}
	return msg
}

// TooLarge is the problem of a file over MaxFileBytes.
func TooLarge(size int64) *Error {
	return &Error{Problems: []Problem{{Message: fmt.Sprintf("the file is too large to be a configuration file (%d bytes; at most %d)", size, MaxFileBytes)}}}
}

// maxProblemChars bounds one problem's message: a 66,000-character value
// is quoted by its start.
const maxProblemChars = 300

// shownProblems and problemChars bound what a comment repeats of a file.
const (
	shownProblems = 5
	problemChars  = 120
)

// Summary renders a file's problems for a comment: at most a handful, each
// in code formatting and cut short, so nothing from the file is read as
// Markdown (a key "@acme/security" notifies nobody) and the comment stays
// within GitHub's size limit, however broken the file.
func Summary(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return codeSpan(truncate(err.Error(), problemChars))
	}
	var b strings.Builder
	total := len(e.Problems) + e.More
	for i, p := range e.Problems {
		if i == shownProblems {
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(codeSpan(truncate(p.String(), problemChars)))
	}
	if total > shownProblems {
		fmt.Fprintf(&b, "; and %d more (`ownershipbot config check` lists them all)", total-shownProblems)
	}
	return b.String()
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ") // one line
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// codeSpan puts s in a Markdown code span whose fence is longer than any run
// of backticks inside it.
func codeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Parse reads a configuration file. Settings it does not name keep their
// defaults. On any problem it returns Default() and an *Error listing every
// problem, so that one typo does not half-apply a file.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	if len(data) > MaxFileBytes {
		return cfg, TooLarge(int64(len(data)))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Default(), &Error{Problems: []Problem{{Message: "the file is not valid YAML (" + strings.TrimPrefix(err.Error(), "yaml: ") + ")"}}}
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	p := &parser{}
	p.mapping(doc.Content[0], "", schema(&cfg))
	if len(p.problems) > 0 {
		return Default(), &Error{Problems: p.problems, More: p.more}
	}
	return cfg, nil
}

// setting is one key of the file: either a nested section or a value setter.
type setting struct {
	section map[string]setting
	set     func(p *parser, n *yaml.Node, name string)
}

func schema(c *Config) map[string]setting {
	return map[string]setting{
		"enabled": {set: boolInto(&c.Enabled)},
		"comment": {set: choiceInto(&c.Comment, CommentMissing, CommentAlways, CommentNever)},
		"owner": {section: map[string]setting{
			"label_pattern": {set: globInto(&c.Owner.LabelPattern)},
			"fields":        {set: listInto(&c.Owner.Fields)},
		}},
		"rationale": {section: map[string]setting{
			"headings": {set: listInto(&c.Rationale.Headings)},
		}},
		"roles": {section: map[string]setting{
			"product": {set: listInto(&c.Roles.Product)},
		}},
		"ignore": {section: map[string]setting{
			"labels":  {set: listInto(&c.Ignore.Labels)},
			"authors": {set: listInto(&c.Ignore.Authors)},
		}},
		"pull_requests": {section: map[string]setting{
			"comment":              {set: choiceInto(&c.PullRequests.Comment, CommentMissing, CommentAlways, CommentNever)},
			"require_linked_issue": {set: boolInto(&c.PullRequests.RequireLinkedIssue)},
			"ignore_authors":       {set: listInto(&c.PullRequests.IgnoreAuthors)},
			"ignore_labels":        {set: listInto(&c.PullRequests.IgnoreLabels)},
		}},
		"backfill": {section: map[string]setting{
			"days": {set: intInto(&c.Backfill.Days, 0, MaxBackfillDays)},
		}},
	}
}

type parser struct {
	problems []Problem
	more     int
}

func (p *parser) add(n *yaml.Node, format string, a ...any) {
	if len(p.problems) == maxProblems {
		p.more++
		return
	}
	p.problems = append(p.problems, Problem{Line: n.Line, Message: truncate(fmt.Sprintf(format, a...), maxProblemChars)})
}

func (p *parser) mapping(n *yaml.Node, prefix string, keys map[string]setting) {
	if n.Kind != yaml.MappingNode {
		where := "the file"
		if prefix != "" {
			where = fmt.Sprintf("%q", strings.TrimSuffix(prefix, "."))
		}
		p.add(n, "%s should hold settings as `key: value` lines", where)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := prefix + k.Value
		s, ok := keys[k.Value]
		if !ok && len(p.problems) == maxProblems {
			p.more++ // counted only: no need to word it
			continue
		}
		if !ok {
			msg := fmt.Sprintf("%q is not a setting", name)
			if near := nearest(k.Value, keys); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", prefix+near)
			}
			p.add(k, "%s", msg)
			continue
		}
		if s.section != nil {
			p.mapping(v, name+".", s.section)
			continue
		}
		s.set(p, v, name)
	}
}

func boolInto(dst *bool) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil || n.Tag != "!!bool" {
			p.add(n, "%s must be true or false, not %s", name, show(n))
			return
		}
		*dst = b
	}
}

func intInto(dst *int, lo, hi int) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		var v int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v < lo || v > hi {
			p.add(n, "%s must be a whole number from %d to %d, not %s", name, lo, hi, show(n))
			return
		}
		*dst = v
	}
}

func choiceInto(dst *string, choices ...string) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		if n.Kind != yaml.ScalarNode || !slices.Contains(choices, n.Value) {
			p.add(n, "%s must be one of %s, not %s", name, strings.Join(choices, ", "), show(n))
			return
		}
		*dst = n.Value
	}
}

func globInto(dst *string) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			p.add(n, "%s must be a text pattern such as \"owner:*\", not %s", name, show(n))
			return
		}
		if _, err := path.Match(n.Value, ""); err != nil {
			p.add(n, "%s %q is not a valid pattern (use * for any text)", name, n.Value)
			return
		}
		*dst = n.Value
	}
}

func listInto(dst *[]string) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		var out []string
		switch n.Kind {
		case yaml.ScalarNode: // a single value is a list of one, as people write it
			if n.Tag == "!!null" {
				*dst = nil
				return
			}
			out = []string{n.Value}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					p.add(item, "%s must be a list of names, and %s is not a name", name, show(item))
					return
				}
				out = append(out, item.Value)
			}
		default:
			p.add(n, "%s must be a list of names, not %s", name, show(n))
			return
		}
		*dst = out
	}
}

// show quotes a value the way a person wrote it, for messages.
func show(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a group of settings"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Value == "" {
		return "an empty value"
	}
	return fmt.Sprintf("%q", n.Value)
}

// nearest returns the key closest to a misspelt one, if any is close.
func nearest(typo string, keys map[string]setting) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if d := distance(strings.ToLower(typo), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// IsProductLogin reports whether a login is listed in roles.product by name;
// teams are checked by the caller, who can ask GitHub.
func (c Config) IsProductLogin(login string) bool {
	for _, entry := range c.Roles.Product {
		if e := strings.TrimPrefix(entry, "@"); !strings.Contains(e, "/") && strings.EqualFold(e, login) {
			return true
		}
	}
	return false
}

// ProductTeams returns the teams in roles.product as (org, team slug).
func (c Config) ProductTeams() [][2]string {
	var out [][2]string
	for _, entry := range c.Roles.Product {
		org, team, ok := strings.Cut(strings.TrimPrefix(entry, "@"), "/")
		if ok && org != "" && team != "" {
			out = append(out, [2]string{org, team})
		}
	}
	return out
}

// IgnoresOpener reports whether an issue opened by this author is left
// alone, neither judged nor nudged: the author is in ignore.authors, or is
// a bot (analysis.IsBot), whose generated text states nobody's reason.
func (c Config) IgnoresOpener(login, userType string) bool {
	return c.IgnoresAuthor(login) || analysis.IsBot(login, userType)
}

// IgnoresPullRequestOpener is IgnoresOpener for pull requests, with
// pull_requests.ignore_authors.
func (c Config) IgnoresPullRequestOpener(login, userType string) bool {
	return c.IgnoresPullRequestAuthor(login) || analysis.IsBot(login, userType)
}

// IgnoresAuthor reports whether a login is in ignore.authors.
func (c Config) IgnoresAuthor(login string) bool { return containsFold(c.Ignore.Authors, login) }

// IgnoresLabels reports whether any label is in ignore.labels.
func (c Config) IgnoresLabels(labels []string) bool {
	for _, l := range labels {
		if containsFold(c.Ignore.Labels, l) {
			return true
		}
	}
	return false
}

// IgnoresPullRequestAuthor reports whether a login is in
// pull_requests.ignore_authors.
func (c Config) IgnoresPullRequestAuthor(login string) bool {
	return containsFold(c.PullRequests.IgnoreAuthors, login)
}

// IgnoresPullRequestLabels reports whether any label is in
// pull_requests.ignore_labels.
func (c Config) IgnoresPullRequestLabels(labels []string) bool {
	for _, l := range labels {
		if containsFold(c.PullRequests.IgnoreLabels, l) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimPrefix(x, "@"), strings.TrimPrefix(s, "@")) {
			return true
		}
	}
	return false
}
