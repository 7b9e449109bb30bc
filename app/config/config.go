// Package config reads a repository's .github/ownership.yml, laid over the
// organisation's (in its .github repository) and the defaults: what the bot
// does there and how it recognises owners, reasons and product people. A
// broken file never breaks the bot: it is not applied, the layer below it
// is, and the problem is explained in plain words.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
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
	Nudge        Nudge
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

// Nudge is how the bot's comment on an issue reads, and the label kept
// with it.
type Nudge struct {
	// Intro is a line of the organisation's own that opens the comment,
	// shown as plain text (nothing in it notifies anyone or links anything).
	Intro string
	// DocsURL is where the comment's "Learn more" link points (DocsURL
	// when empty): the organisation's own guide, say.
	DocsURL string
	// Label, when set, is on an issue exactly while the bot's comment asks
	// it for an owner or a reason, so people can filter by it.
	Label string
}

// Limits of the nudge settings: one short line, a URL a browser takes, and
// GitHub's longest label name.
const (
	MaxIntroRunes  = 200
	MaxURLBytes    = 500
	MaxLabelRunes  = 50
	introLineWords = "one line of at most 200 characters"
)

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
	// Bots (the default) leaves GitHub users of type Bot alone like
	// Authors: their issues are neither nudged nor counted and their
	// comments are not counted. False counts them, in the role bot, and
	// judges the issues they open like anyone's.
	Bots bool
}

// PullRequests tunes the pull request comment.
type PullRequests struct {
	// Comment is the pull requests' comment mode; "" (the default) follows
	// Comment where that is never, and is missing otherwise. Read it
	// through PullRequestMode.
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
		Ignore:  Ignore{Bots: true},
		PullRequests: PullRequests{
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

// Parse reads a configuration file onto the defaults: Layer(Default(), data).
func Parse(data []byte) (Config, error) { return Layer(Default(), data) }

// Layer reads a configuration file onto base, the settings below it (the
// defaults, or the organisation's file under a repository's): each setting
// the file names replaces base's, lists whole; the rest stay base's. A file
// with any problem is not applied, so one typo does not half-apply it: Layer
// returns base and an *Error listing the problems (the first maxProblems,
// and how many more). Even then a broken file can make the bot quieter,
// never louder: an `enabled: false` or a quieter `comment` or
// `pull_requests.comment` it states without a problem still holds.
func Layer(base Config, data []byte) (Config, error) { return parse(base, data, maxProblems) }

// ParseAll is Parse that words every problem, not only the first
// maxProblems, for `ownershipbot config check`. The file's size bounds
// them: at most MaxFileBytes.
func ParseAll(data []byte) (Config, error) { return parse(Default(), data, -1) }

// ParseUpTo is Parse that words up to limit problems and counts the rest,
// for reports that cannot show more (a check run holds a few thousand).
func ParseUpTo(data []byte, limit int) (Config, error) { return parse(Default(), data, max(limit, 0)) }

func parse(base Config, data []byte, limit int) (Config, error) {
	if len(data) > MaxFileBytes {
		return base, TooLarge(int64(len(data)))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return base, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return base, &Error{Problems: []Problem{{Message: "the file is not valid YAML (" + strings.TrimPrefix(err.Error(), "yaml: ") + ")"}}}
	}
	if len(doc.Content) == 0 {
		return base, nil
	}
	cfg := base.clone()
	p := &parser{limit: limit}
	p.mapping(doc.Content[0], "", schema(&cfg))
	if len(p.problems) > 0 {
		return base.quieter(cfg), &Error{Problems: p.problems, More: p.more}
	}
	return cfg, nil
}

// clone copies c so that setting a list of the copy leaves c's alone.
func (c Config) clone() Config {
	out := c
	for _, l := range []*[]string{&out.Owner.Fields, &out.Rationale.Headings, &out.Roles.Product, &out.Ignore.Labels,
		&out.Ignore.Authors, &out.PullRequests.IgnoreAuthors, &out.PullRequests.IgnoreLabels} {
		*l = slices.Clone(*l)
	}
	return out
}

// quieter is c with the quieter of c's and other's switches: enabled, and
// the comment modes (never, then missing, then always).
func (c Config) quieter(other Config) Config {
	c.Enabled = c.Enabled && other.Enabled
	if loudness(other.Comment) < loudness(c.Comment) {
		c.Comment = other.Comment
	}
	if mode := other.PullRequestMode(); loudness(mode) < loudness(c.PullRequestMode()) {
		c.PullRequests.Comment = mode
	}
	return c
}

func loudness(mode string) int {
	return map[string]int{CommentNever: 0, CommentMissing: 1, CommentAlways: 2}[mode]
}

// PullRequestMode is when the bot comments on pull requests:
// pull_requests.comment where set; else never when comment is never (so
// one `comment: never` quiets the bot everywhere), and missing otherwise.
func (c Config) PullRequestMode() string {
	switch {
	case c.PullRequests.Comment != "":
		return c.PullRequests.Comment
	case c.Comment == CommentNever:
		return CommentNever
	}
	return CommentMissing
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
		"nudge": {section: map[string]setting{
			"intro":    {set: lineInto(&c.Nudge.Intro, MaxIntroRunes)},
			"docs_url": {set: urlInto(&c.Nudge.DocsURL)},
			"label":    {set: labelInto(&c.Nudge.Label)},
		}},
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
			"bots":    {set: boolInto(&c.Ignore.Bots)},
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
	limit    int // problems worded at most; -1: all
}

func (p *parser) full() bool { return p.limit >= 0 && len(p.problems) >= p.limit }

func (p *parser) add(n *yaml.Node, format string, a ...any) {
	if p.full() {
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
		if !ok && p.full() {
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

// lineInto takes one line of plain text of at most max characters; an
// empty value or null sets none.
func lineInto(dst *string, max int) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		v, ok := text(p, n, name, "a line of text")
		if !ok {
			return
		}
		switch {
		case strings.ContainsAny(v, "\r\n"):
			p.add(n, "%s must be %s, not several lines", name, introLineWords)
		case hasControl(v):
			p.add(n, "%s must be plain text, without control characters", name)
		case utf8.RuneCountInString(v) > max:
			p.add(n, "%s must be %s, not %d", name, introLineWords, utf8.RuneCountInString(v))
		default:
			*dst = v
		}
	}
}

// urlInto takes an absolute http or https address without credentials.
func urlInto(dst *string) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		v, ok := text(p, n, name, "a web address")
		if !ok {
			return
		}
		if v == "" {
			*dst = ""
			return
		}
		u, err := url.Parse(v)
		switch {
		case len(v) > MaxURLBytes:
			p.add(n, "%s must be a web address of at most %d characters", name, MaxURLBytes)
		case err != nil || strings.ContainsAny(v, " \t<>\"`") || hasControl(v):
			p.add(n, "%s %q is not a web address", name, v)
		case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
			p.add(n, "%s must start with https:// (or http://), not %q", name, v)
		case u.User != nil:
			p.add(n, "%s must not hold a user name or password", name)
		default:
			*dst = u.String()
		}
	}
}

// labelInto takes a GitHub label name; an empty value or null sets none.
func labelInto(dst *string) func(*parser, *yaml.Node, string) {
	return func(p *parser, n *yaml.Node, name string) {
		v, ok := text(p, n, name, "a label name")
		if !ok {
			return
		}
		switch {
		case strings.ContainsAny(v, "\r\n") || hasControl(v):
			p.add(n, "%s must be a label name on one line", name)
		case utf8.RuneCountInString(v) > MaxLabelRunes:
			p.add(n, "%s must be a label name of at most %d characters, as GitHub allows", name, MaxLabelRunes)
		default:
			*dst = v
		}
	}
}

// text reads a string value, trimmed; null is "".
func text(p *parser, n *yaml.Node, name, what string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return "", true
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.add(n, "%s must be %s, not %s", name, what, show(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) >= 0
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
	typo = strings.ToLower(typo)
	for _, k := range names {
		if abs(len(typo)-len(k)) >= bestDist {
			continue // the distance is at least the difference in length
		}
		if d := distance(typo, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func abs(n int) int { return max(n, -n) }

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
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
// a bot (analysis.IsBot), whose generated text states nobody's reason,
// while ignore.bots holds.
func (c Config) IgnoresOpener(login, userType string) bool {
	return c.IgnoresAuthor(login, userType)
}

// IgnoresPullRequestOpener is IgnoresOpener for pull requests, with
// pull_requests.ignore_authors.
func (c Config) IgnoresPullRequestOpener(login, userType string) bool {
	return c.IgnoresPullRequestAuthor(login) || c.Ignore.Bots && analysis.IsBot(login, userType)
}

// IgnoresAuthor reports whether an author's issues and comments are left
// alone: listed in ignore.authors, or a bot while ignore.bots holds.
func (c Config) IgnoresAuthor(login, userType string) bool {
	return containsFold(c.Ignore.Authors, login) || c.Ignore.Bots && analysis.IsBot(login, userType)
}

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
