package analysis

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"
)

// Rationale detection reads an issue or pull request once, sentence by
// sentence, and sums what it sees into a few signals (rationaleFeature):
// filled Why or Problem fields, expected versus actual behaviour, phrases
// that give a reason, state a problem or a benefit, a title that names a
// failure or asks how to do something, a body that is only references or
// template text. A small logistic model weighs the signals
// (rationale-weights.tsv, fitted on real labelled issues and pull requests
// by go run ./analysis/train/rationale); the phrase lists are data too
// (rationale-cues.tsv).

//go:embed rationale-cues.tsv
var rationaleCuesFile string

// headingKind classifies a heading or issue-form field label.
type headingKind uint8

const (
	headingOther      headingKind = iota
	headingRationale              // Why, Problem, Motivation, Impact, User story, Describe the bug, ...
	headingExpected               // Expected behavior
	headingActual                 // Actual / Current behavior, What happened
	headingSteps                  // Steps to reproduce
	headingSkip                   // versions, checklists, test plans: only longer sentences read
	headingConfigured             // a heading the repository configured (RationaleOptions.Headings)
	headingBot                    // a summary a bot wrote into the description: not read
)

// The bits of cue kinds a sentence can match.
const (
	cueStrong uint16 = 1 << iota
	cueProblem
	cueWeak
	cueBenefit
	cueExperience
	cueChange
	cueHeadWhy
	cueHeadActual
	cueHeadExpected
	cueHeadSteps
	cueHeadOther
	cueHeadSkip
	cueNegation
	cueHeadBot
)

// rationaleCues holds the phrase lists of rationale-cues.tsv, ready to
// match.
type rationaleCues struct {
	phrases     phrases
	help, yesno prefixes
	verbs       map[string]bool
}

// prefixes are the starts of sentences of one kind, in normal form, filed
// under their first word.
type prefixes map[string][]string // first word -> whole prefixes, each ending in a space

func (p prefixes) add(key string) {
	first, _, _ := strings.Cut(key, " ")
	p[first] = append(p[first], key+" ")
}

// match reports whether key starts with one of the prefixes or is one of
// them.
func (p prefixes) match(key []byte) bool {
	end := bytes.IndexByte(key, ' ')
	if end < 0 {
		end = len(key)
	}
	return hasPrefix(key, p[string(key[:end])])
}

var cueKinds = map[string]uint16{
	"strong": cueStrong, "problem": cueProblem, "weak": cueWeak, "benefit": cueBenefit,
	"experience": cueExperience, "change": cueChange, "head.why": cueHeadWhy, "head.actual": cueHeadActual,
	"head.expected": cueHeadExpected, "head.steps": cueHeadSteps, "head.other": cueHeadOther, "head.skip": cueHeadSkip,
	"negation": cueNegation, "head.bot": cueHeadBot,
}

func parseRationaleCues(text string) (*rationaleCues, error) {
	c := &rationaleCues{verbs: map[string]bool{}, help: prefixes{}, yesno: prefixes{}}
	prev := ""
	for n, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		if line < prev {
			return nil, fmt.Errorf("rationale-cues.tsv:%d: %q is out of order", n+1, line)
		}
		prev = line
		kind, phrase, ok := strings.Cut(line, "\t")
		key := normalKey(phrase)
		if !ok || key == "" {
			return nil, fmt.Errorf("rationale-cues.tsv:%d: want kind<TAB>phrase", n+1)
		}
		switch kind {
		case "help":
			c.help.add(key)
		case "yesno":
			c.yesno.add(key)
		case "verb":
			for _, form := range verbForms(key) {
				c.verbs[form] = true
			}
		default:
			bit, ok := cueKinds[kind]
			if !ok {
				return nil, fmt.Errorf("rationale-cues.tsv:%d: unknown kind %q", n+1, kind)
			}
			c.phrases.add(bit, key)
		}
	}
	return c, nil
}

// verbForms are a verb's base form, third person, past and -ing forms:
// "add", "adds", "added", "adding".
func verbForms(v string) []string {
	forms := []string{v}
	switch {
	case strings.HasSuffix(v, "sh"), strings.HasSuffix(v, "ch"), strings.HasSuffix(v, "x"), strings.HasSuffix(v, "s"):
		forms = append(forms, v+"es")
	case strings.HasSuffix(v, "y") && !strings.HasSuffix(v, "ay") && !strings.HasSuffix(v, "ey"):
		forms = append(forms, v[:len(v)-1]+"ies")
	default:
		forms = append(forms, v+"s")
	}
	if irregular, ok := irregularVerbs[v]; ok {
		return append(forms, strings.Fields(irregular)...)
	}
	stem := v
	switch {
	case strings.HasSuffix(v, "e"):
		stem = v[:len(v)-1]
	case strings.HasSuffix(v, "y") && !strings.HasSuffix(v, "ay") && !strings.HasSuffix(v, "ey"):
		return append(forms, v[:len(v)-1]+"ied", v+"ing")
	}
	return append(forms, stem+"ed", stem+"ing")
}

// irregularVerbs are the past and -ing forms that verbForms cannot make.
var irregularVerbs = map[string]string{
	"bring": "brought bringing", "build": "built building", "cherry-pick": "cherry-picked cherry-picking",
	"drop": "dropped dropping", "get": "got gotten getting", "keep": "kept keeping", "let": "letting",
	"log": "logged logging", "make": "made making", "pin": "pinned pinning", "put": "putting", "read": "reading",
	"rewrite": "rewrote rewritten rewriting", "run": "ran running", "send": "sent sending", "set": "setting",
	"skip": "skipped skipping", "split": "splitting", "tag": "tagged tagging", "unpin": "unpinned unpinning",
	"wrap": "wrapped wrapping", "write": "wrote written writing",
}

// cues are the parsed phrase lists; the file is part of the binary, so a
// broken one fails every test at once.
var cues = func() *rationaleCues {
	c, err := parseRationaleCues(rationaleCuesFile)
	if err != nil {
		panic(err)
	}
	return c
}()

// phrases matches whole-word phrases of several lists in a text in normal
// form (see normalKey) in one pass and without building strings: each
// phrase is filed under its first word with the bit of its list. firsts
// has a bit for each first word's wordSign, so most words of a text are
// passed over without a map lookup.
type phrases struct {
	byFirst map[string][]phraseRest
	firsts  [1024]uint64
}

// wordSign sorts a word into one of 65,536 kinds by its length, first two
// and last bytes.
func wordSign(w []byte) uint32 {
	if len(w) == 0 {
		return 0
	}
	h := uint32(len(w))*0x9e3779b1 ^ uint32(w[0])<<8 ^ uint32(w[len(w)-1])<<3
	if len(w) > 1 {
		h ^= uint32(w[1]) * 0x85ebca6b
	}
	return (h ^ h>>16) & 0xffff
}

type phraseRest struct {
	rest string // the words after the first, "" for none
	list uint16 // the bit of the list it is in
}

// add files a phrase in normal form under bit.
func (p *phrases) add(bit uint16, phrase string) {
	if p.byFirst == nil {
		p.byFirst = map[string][]phraseRest{}
	}
	first, rest, _ := strings.Cut(phrase, " ")
	p.byFirst[first] = append(p.byFirst[first], phraseRest{rest, bit})
	sign := wordSign([]byte(first))
	p.firsts[sign>>6] |= 1 << (sign & 63)
}

// match returns the bits of the lists with a phrase in key, word for word.
func (p *phrases) match(key []byte) uint16 {
	var found uint16
	for i := 0; i < len(key); {
		end := len(key)
		for j := i; j < len(key); j++ {
			if key[j] == ' ' {
				end = j
				break
			}
		}
		if sign := wordSign(key[i:end]); p.firsts[sign>>6]&(1<<(sign&63)) == 0 {
			i = end + 1
			continue // no phrase starts with this word
		}
		if rests, ok := p.byFirst[string(key[i:end])]; ok {
			after := key[end:] // "" or " next words"
			for _, r := range rests {
				if found&r.list == 0 && (r.rest == "" || len(after) > len(r.rest) && string(after[1:1+len(r.rest)]) == r.rest &&
					(len(after) == 1+len(r.rest) || after[1+len(r.rest)] == ' ')) {
					found |= r.list
				}
			}
		}
		i = end + 1
	}
	return found
}

// hasPrefix reports whether key starts with one of the prefixes, each of
// which ends in a space, or is one of them without it.
func hasPrefix(key []byte, prefixes []string) bool {
	for _, p := range prefixes {
		if len(key) >= len(p) && string(key[:len(p)]) == p || string(key) == p[:len(p)-1] {
			return true
		}
	}
	return false
}

func (c *rationaleCues) classifyHeading(h string, extra []string) headingKind {
	var buf [256]byte
	key := appendKey(buf[:0], h)
	if len(key) == 0 {
		return headingOther
	}
	if c.yesno.match(key) {
		return headingSkip // its answer is a yes or no, not a reason
	}
	for _, e := range extra {
		if ek := normalKey(e); ek != "" && strings.Contains(" "+string(key)+" ", " "+ek+" ") {
			return headingConfigured
		}
	}
	m := c.phrases.match(key)
	switch {
	case m&cueHeadBot != 0:
		return headingBot
	case m&cueHeadOther != 0:
		return headingOther // "Additional context", "Any other information"
	case m&cueHeadActual != 0:
		return headingActual
	case m&cueHeadExpected != 0:
		return headingExpected
	case m&cueHeadSteps != 0:
		return headingSteps
	case m&cueHeadWhy != 0:
		return headingRationale
	case m&cueHeadSkip != 0:
		return headingSkip
	}
	return headingOther
}

// isInstructionKey reports whether a sentence in normal form starts with an
// imperative or third-person verb of change ("add ...", "adds ...").
func (c *rationaleCues) isInstructionKey(key []byte) bool {
	end := len(key)
	for j, b := range key {
		if b == ' ' {
			end = j
			break
		}
	}
	return end <= 12 && c.verbs[string(key[:end])]
}

// isInstruction reports whether a sentence starts with an imperative or
// third-person verb of change ("Add ...", "Adds ...").
func isInstruction(s string) bool {
	var buf [64]byte
	return cues.isInstructionKey(appendKey(buf[:0], s))
}

// inlineLabel reads a line that starts with a label and a colon, such as
// "Why: ..." or "**Impact:** ...", and returns the label and where the
// text after it starts.
func inlineLabel(text string) (string, int, bool) {
	colon := strings.IndexByte(text, ':')
	if colon <= 0 || colon > 48 {
		return "", 0, false
	}
	label := strings.Trim(text[:colon], "*_ \t")
	if label == "" || strings.Count(label, " ") > 4 || strings.ContainsAny(label, "/\\()[]{}<>=`\"'@#") {
		return "", 0, false
	}
	rest := colon + 1
	for rest < len(text) && (text[rest] == '*' || text[rest] == '_' || text[rest] == ' ' || text[rest] == '\t') {
		rest++
	}
	return label, rest, true
}

// isUserStory matches "as a <role>, I want ..." in normal form.
func isUserStory(k []byte) bool {
	i := bytes.Index(k, []byte("as a"))
	if i < 0 || i > 0 && k[i-1] != ' ' {
		return false
	}
	rest := k[i:]
	return bytes.Contains(rest, []byte(" i want")) || bytes.Contains(rest, []byte(" i need")) ||
		bytes.Contains(rest, []byte(" i would like")) || bytes.Contains(rest, []byte(" i d like"))
}

// hasCommaSo reports whether s holds ", so " in any case: "it fails, so
// nobody can log in".
func hasCommaSo(s string) bool {
	for i := strings.Index(s, ", "); i >= 0; {
		if rest := s[i+2:]; len(rest) >= 3 && (rest[0]|0x20) == 's' && (rest[1]|0x20) == 'o' && rest[2] == ' ' {
			return true
		}
		j := strings.Index(s[i+2:], ", ")
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// referenceWords make up a sentence that only points elsewhere: "Fixes
// #12", "Related to #8 and #9", "Closes: acme/web#3".
var referenceWords = map[string]bool{
	"fix": true, "fixes": true, "fixed": true, "close": true, "closes": true, "closed": true, "resolve": true,
	"resolves": true, "resolved": true, "related": true, "relates": true, "to": true, "see": true, "re": true,
	"ref": true, "refs": true, "issue": true, "issues": true, "pr": true, "part": true, "of": true, "follow": true,
	"up": true, "and": true, "address": true, "addresses": true, "replaces": true, "supersedes": true, "backport": true,
	"cc": true, "also": true, "in": true, "for": true, "https": true, "http": true, "github": true, "com": true,
	"pull": true, "issuecomment": true, "the": true, "this": true, "continuation": true, "depends": true, "on": true,
	"merge": true, "with": true, "extracted": true, "from": true, "after": true, "link": true, "port": true, "ported": true,
}

// trailerPrefixes start the lines that tools append to a description:
// sign-offs, review system ids, cherry-pick notes.
var trailerPrefixes = []string{"signed off by ", "co authored by ", "piperorigin revid ", "change id ", "cherry picked from ", "reviewed by "}

// isReferenceKey reports whether a sentence in normal form only refers to
// other issues or pull requests, or is a trailer a tool appended.
func isReferenceKey(k []byte) bool {
	if hasPrefix(k, trailerPrefixes) {
		return true
	}
	digits, words := false, 0
	for i := 0; i < len(k); {
		end := len(k)
		for j := i; j < len(k); j++ {
			if k[j] == ' ' {
				end = j
				break
			}
		}
		w := k[i:end]
		allDigits := true
		for _, c := range w {
			allDigits = allDigits && c >= '0' && c <= '9'
		}
		switch {
		case allDigits:
			digits = true
		case !referenceWords[string(w)]:
			return false
		}
		words++
		i = end + 1
	}
	return digits || words > 1 // "Related issue: <link>", "Merge with <link>"
}

// botMarkers are what the bodies that dependency and release bots write
// hold; such a body is not the author's reasoning.
var botMarkers = []string{
	"Dependabot will resolve any conflicts", "dependabot-automerge", "This PR contains the following updates",
	"This PR has been generated by Mend Renovate", "This PR has been generated by Renovate", "renovate-debug",
	"<!--pre-commit.ci start-->", "Snyk has created this PR", "I have created a release *beep* *boop*",
	"Beep boop. Your images are optimized", "Automated changes by [create-pull-request]",
}

// botMarkerPairs has a bit for the first two bytes of each bot marker, so
// that a body is searched once, not once per marker.
var botMarkerPairs = func() (t [1 << 16 / 64]uint64) {
	for _, m := range botMarkers {
		p := uint16(m[0])<<8 | uint16(m[1])
		t[p>>6] |= 1 << (p & 63)
	}
	return t
}()

// isBotBody reports whether a body was written by a dependency, release or
// maintenance bot. The bots put their marks in the first or the last lines,
// so only those are searched.
func isBotBody(body string) bool {
	if strings.HasPrefix(body, "Bumps [") || strings.HasPrefix(body, "Bumps the ") {
		return true // Dependabot's first line
	}
	const edge = 1024
	if len(body) > 2*edge {
		return hasBotMarker(body[:edge]) || hasBotMarker(body[len(body)-edge:])
	}
	return hasBotMarker(body)
}

func hasBotMarker(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		p := uint16(s[i])<<8 | uint16(s[i+1])
		if botMarkerPairs[p>>6]&(1<<(p&63)) == 0 {
			continue
		}
		for _, m := range botMarkers {
			if strings.HasPrefix(s[i:], m) {
				return true
			}
		}
	}
	return false
}

// splitTitle splits a title into its tags and area prefix ("[Bug]",
// "gui:", "fix(parser):", "Question:") and the words after them.
func splitTitle(title string) (tags, words string) {
	words = strings.TrimSpace(title)
	start := len(words)
	for range 3 {
		switch {
		case strings.HasPrefix(words, "["):
			end := strings.IndexByte(words, ']')
			if end < 0 || end > 40 {
				return title[len(title)-start:][:start-len(words)], words
			}
			words = strings.TrimSpace(words[end+1:])
		default:
			colon := strings.Index(words, ": ")
			if colon <= 0 || colon > 30 || strings.Count(words[:colon], " ") > 2 || strings.ContainsAny(words[:colon], "`\"'") {
				return strings.TrimSpace(title)[:start-len(words)], words
			}
			words = strings.TrimSpace(words[colon+2:])
		}
	}
	return strings.TrimSpace(title)[:start-len(words)], words
}

// Tags and prefixes of titles, in normal form.
var (
	titleFeatureTags    = map[string]bool{"feature": true, "features": true, "enhancement": true, "proposal": true, "rfc": true, "request": true, "idea": true, "suggestion": true}
	titleQuestionTags   = map[string]bool{"question": true, "questions": true, "help": true, "support": true, "q": true, "howto": true}
	titleChangePrefixes = map[string]bool{"feat": true, "chore": true, "refactor": true, "docs": true, "doc": true, "build": true, "ci": true,
		"style": true, "revert": true, "release": true, "deps": true, "backport": true, "bump": true, "test": true, "tests": true, "perf": true, "fix": true}
)

// promptVerbs follow "please" in a template's prompt to its reader.
var promptVerbs = map[string]bool{
	"describe": true, "provide": true, "check": true, "make": true, "include": true, "explain": true, "fill": true,
	"add": true, "read": true, "delete": true, "link": true, "mark": true, "remember": true, "ensure": true, "list": true,
	"attach": true, "use": true, "run": true, "reference": true, "update": true, "note": true, "paste": true, "search": true,
	"complete": true, "follow": true, "verify": true, "consider": true, "do": true, "don": true, "select": true, "tick": true,
}

// isPrompt reports whether a sentence in normal form asks the reader to do
// something, as templates do: "Please describe the tests that you ran",
// "If yes, please describe the impact".
func isPrompt(k []byte) bool {
	i := 0
	for {
		j := bytes.Index(k[i:], []byte("please "))
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || k[j-1] == ' ' {
			rest := k[j+len("please "):]
			end := len(rest)
			for x, b := range rest {
				if b == ' ' {
					end = x
					break
				}
			}
			if promptVerbs[string(rest[:end])] {
				return true
			}
		}
		i = j + 1
	}
}

// rationaleFeature names one signal the model weighs.
type rationaleFeature int

const (
	featBias              rationaleFeature = iota
	featWhySection                         // a Why/Problem/Motivation field with 5 or more words
	featWhyShort                           // such a field with fewer
	featActualSection                      // actual behaviour told
	featExpectedActual                     // expected and actual both told
	featStepsSection                       // steps to reproduce told
	featStrong                             // sentences with a reason cue (log)
	featProblem                            // sentences that state a problem (log)
	featWeak                               // sentences with a weaker hint (log)
	featBenefit                            // sentences with a benefit (log)
	featExperience                         // sentences telling what the author did or saw (log)
	featChange                             // sentences describing the change itself (log)
	featTitleProblem                       // the title states a problem
	featTitleStrong                        // the title gives a reason
	featTitleHelp                          // the title asks how to do something
	featTitleQuestion                      // the title is a question
	featTitleInstruction                   // the title is an instruction ("Add ...")
	featFirstInstruction                   // the body's first sentence is an instruction
	featWords                              // the author's words (log)
	featQuestions                          // share of the author's sentences that are questions
	featReferencesOnly                     // the author's sentences only point to other issues
	featTemplateShare                      // share of the sentences that are template text
	featCode                               // the body shows code, a log or a stack trace
	featHelpBody                           // the body asks for help
	featNoOwnText                          // the author wrote no sentence of their own
	featTitleProblemShown                  // the title states a problem and the body shows it (code, log) or says nothing
	featNegation                           // sentences with a negated verb (log)
	featTitleBugTag                        // the title is tagged a bug: "[Bug]", "Bug:"
	featTitleFeatureTag                    // the title is tagged a feature request or proposal
	featTitleQuestionTag                   // the title is tagged a question or a request for support
	featTitleChangePrefix                  // the title starts with a change type: "feat:", "docs:", "chore(deps):"
	featPullRequest                        // the text is a pull request's (RationaleOptions.PullRequest)
	featPullRequestReason                  // a pull request's description with a reason, problem or benefit sentence
	featInstructions                       // share of the author's sentences that are bare instructions or say what changed ("Add ...", "Fixed ...")
	featReasonShare                        // share of the author's sentences that give a reason or state a problem
	nRationaleFeatures
)

// rationaleFeatureNames are the names in rationale-weights.tsv.
var rationaleFeatureNames = [nRationaleFeatures]string{
	"bias", "why_section", "why_short", "actual_section", "expected_actual", "steps_section",
	"strong", "problem", "weak", "benefit", "experience", "change",
	"title_problem", "title_strong", "title_help", "title_question", "title_instruction", "first_instruction",
	"words", "questions", "references_only", "template_share", "code", "help_body", "no_own_text",
	"title_problem_shown", "negation", "title_bug_tag", "title_feature_tag", "title_question_tag", "title_change_prefix",
	"pull_request", "pull_request_reason", "instructions", "reason_share",
}

// rationaleSignals is what one reading of an issue found: the features
// and, for each kind of evidence, the first sentence that showed it.
type rationaleSignals struct {
	f   [nRationaleFeatures]float64
	bot bool
	// configured is set when a field the repository configured as its
	// reason field is filled: that counts whatever the model says
	configured bool
	// evidence candidates, best first
	why, actual, strong, problem, benefit, experience, weak, first candidate
	titleProblem                                                   bool
}

// candidate is a sentence that could be quoted as evidence.
type candidate struct {
	ok      bool
	heading original // the field it was written under, for "Why: ..."
	orig    original
}

func (c *candidate) set(heading original, o original) {
	if !c.ok {
		*c = candidate{ok: true, heading: heading, orig: o}
	}
}

// rationaleReading is the state of one pass; it is pooled so that a pass
// allocates only what it keeps.
type rationaleReading struct {
	sig      rationaleSignals
	opts     *RationaleOptions
	key      []byte
	heading  original // the field's heading, as the author wrote it
	kind     headingKind
	secWords [headingBot + 1]int // words written under each kind of field
	counts   struct{ strong, problem, negation, weak, benefit, experience, change, instructions, reasons, own, questions, refs, template int }
	words    int
	onBlock  func(Block)
	block    Block
	from     int
}

var readingPool = sync.Pool{New: func() any {
	r := &rationaleReading{key: make([]byte, 0, 256)}
	r.onBlock = r.readBlock
	return r
}}

// RationaleFeatures is what the model is asked about one text: exported for
// the trainer, which fits the weights on labelled real text.
type RationaleFeatures [nRationaleFeatures]float64

// ReadRationale reads a title and body into the signals the rationale
// model weighs; bot is set for a body a dependency or release bot wrote,
// which is never judged.
func ReadRationale(title, body string, opts RationaleOptions) (f RationaleFeatures, bot bool) {
	r := readRationale(title, body, &opts)
	f, bot = r.sig.f, r.sig.bot
	readingPool.Put(r)
	return f, bot
}

func readRationale(title, body string, opts *RationaleOptions) *rationaleReading {
	r := readingPool.Get().(*rationaleReading)
	*r = rationaleReading{key: r.key[:0], onBlock: r.onBlock, opts: opts}
	s := &r.sig
	s.f[featBias] = 1
	if isBotBody(body) {
		s.bot = true
		return r
	}
	stats := readProseWith(body, proseFenceText|proseInlineFences, r.onBlock)
	r.block = Block{}

	// The title.
	tags, words := splitTitle(title)
	r.key = appendKey(r.key[:0], tags)
	set := func(f rationaleFeature, b bool) {
		if b {
			s.f[f] = 1
		}
	}
	for _, tag := range strings.Fields(string(r.key)) {
		set(featTitleBugTag, tag == "bug" || tag == "bugs")
		set(featTitleFeatureTag, titleFeatureTags[tag])
		set(featTitleQuestionTag, titleQuestionTags[tag])
		set(featTitleChangePrefix, titleChangePrefixes[tag])
	}
	r.key = appendKey(r.key[:0], words)
	tm := cues.phrases.match(r.key)
	help := cues.help.match(r.key)
	instruction := cues.isInstructionKey(r.key)
	set(featTitleHelp, help)
	set(featPullRequest, opts.PullRequest)
	set(featTitleQuestion, strings.HasSuffix(strings.TrimSpace(title), "?"))
	set(featTitleInstruction, instruction)
	set(featTitleStrong, tm&cueStrong != 0 || isUserStory(r.key))
	s.titleProblem = tm&(cueProblem|cueNegation) != 0 && !instruction && !help
	set(featTitleProblem, s.titleProblem)

	// The body.
	c := &r.counts
	why := r.secWords[headingRationale] + r.secWords[headingConfigured]
	set(featWhySection, why >= minSectionWords)
	set(featWhyShort, why > 0 && why < minSectionWords)
	s.configured = r.secWords[headingConfigured] >= minSectionWords
	set(featActualSection, r.secWords[headingActual] > 0)
	set(featExpectedActual, r.secWords[headingActual] > 0 && r.secWords[headingExpected] > 0)
	set(featStepsSection, r.secWords[headingSteps] > 0)
	s.f[featStrong] = log1p(c.strong)
	s.f[featProblem] = log1p(c.problem)
	s.f[featWeak] = log1p(c.weak)
	s.f[featBenefit] = log1p(c.benefit)
	s.f[featExperience] = log1p(c.experience)
	s.f[featChange] = log1p(c.change)
	s.f[featNegation] = log1p(c.negation)
	s.f[featWords] = logWords(r.words)
	if all := c.own + c.questions; all > 0 {
		s.f[featQuestions] = float64(c.questions) / float64(all)
	}
	set(featReferencesOnly, c.refs > 0 && c.refs == c.own)
	if all := c.own + c.questions + c.template; all > 0 {
		s.f[featTemplateShare] = float64(c.template) / float64(all)
	}
	set(featNoOwnText, c.own+c.questions == 0)
	if c.own > 0 {
		s.f[featInstructions] = float64(c.instructions) / float64(c.own)
		s.f[featReasonShare] = float64(c.reasons) / float64(c.own)
	}
	code := stats.Code > 0
	set(featCode, code)
	set(featTitleProblemShown, s.titleProblem && (code || c.own == 0))
	set(featPullRequestReason, opts.PullRequest && c.strong+c.problem+c.negation+c.benefit > 0)
	return r
}

// log1p is a count's feature value: ln(1+n) for small n, from a table.
func log1p(n int) float64 {
	if n < len(log1pTable) {
		return log1pTable[n]
	}
	return log1pTable[len(log1pTable)-1]
}

// logWords is a word count's feature value: ln(1+n), rounded to four
// places so that the trainer and the App compute the same numbers on every
// platform.
func logWords(n int) float64 {
	return math.Round(math.Log1p(float64(min(n, 100000)))*1e4) / 1e4
}

// log1pTable holds ln(1+n) for n up to 7, rounded to four places so that
// the trainer and the App compute the same numbers on every platform;
// larger counts read as 7.
var log1pTable = [8]float64{0, 0.6931, 1.0986, 1.3863, 1.6094, 1.7918, 1.9459, 2.0794}

func (r *rationaleReading) readBlock(b Block) {
	if b.Kind == BlockHeading {
		r.heading = b.original(0, len(b.Text))
		r.kind = cues.classifyHeading(b.Text, r.opts.Headings)
		return
	}
	if b.Task || r.kind == headingBot {
		return // a checklist confirms steps; a bot's summary is not the author's reasoning
	}
	heading, kind := r.heading, r.kind
	from := 0
	if label, rest, ok := inlineLabel(b.Text); ok {
		// "Why: ...", "**Impact:** ..." work as a heading over the rest of
		// the line; the field around it goes on after it.
		if k := cues.classifyHeading(label, r.opts.Headings); k == headingRationale || k == headingConfigured || k == headingActual || k == headingExpected {
			r.heading, r.kind = original{fallback: strings.Clone(label)}, k
			from = rest
		}
	}
	r.block, r.from = b, from
	forEachSentenceAt(b.Text[from:], r.readSentence)
	r.heading, r.kind = heading, kind
}

func (r *rationaleReading) readSentence(s string, at int) {
	at += r.from
	r.key = appendKey(r.key[:0], s)
	c := &r.counts
	if isTemplateKey(s, r.key) || isPrompt(r.key) || r.opts.isRepoTemplate(r.key) {
		c.template++
		return
	}
	words := 1
	for _, b := range r.key {
		if b == ' ' {
			words++
		}
	}
	if r.kind == headingSkip && words < skipMinWords {
		return // "Version: 2.8", "Yes", "Ubuntu 22.04"
	}
	r.words += words
	r.secWords[r.kind] += words
	question := strings.HasSuffix(s, "?")
	if question {
		c.questions++
	} else {
		c.own++
	}
	if isReferenceKey(r.key) {
		c.refs++
		return
	}
	o := func() original { return r.block.original(at, at+len(s)) }
	sig := &r.sig
	instruction := !question && cues.isInstructionKey(r.key)
	if instruction && c.own+c.questions == 1 {
		sig.f[featFirstInstruction] = 1
	}
	if cues.help.match(r.key) {
		sig.f[featHelpBody] = 1
	}
	m := cues.phrases.match(r.key)
	reason := m&(cueStrong|cueProblem|cueNegation|cueBenefit) != 0 || hasCommaSo(s)
	if instruction && !reason {
		c.instructions++ // "Add X", "Fixed Y" with no reason in the same sentence
	}
	if reason && !question {
		c.reasons++
	}
	if m&cueProblem != 0 {
		c.problem++ // a question can tell a problem too: "why does it crash?"
	}
	if m&cueNegation != 0 {
		c.negation++
	}
	if question {
		return
	}
	switch r.kind {
	case headingRationale, headingConfigured:
		sig.why.set(r.heading, o())
	case headingActual:
		sig.actual.set(r.heading, o())
	case headingSteps:
		return // steps say what to do, not why
	}
	sig.first.set(original{}, o())
	if m&cueStrong != 0 || isUserStory(r.key) || hasCommaSo(s) {
		c.strong++
		sig.strong.set(original{}, o())
	}
	if m&(cueProblem|cueNegation) != 0 {
		sig.problem.set(original{}, o())
	}
	if m&cueBenefit != 0 {
		c.benefit++
		sig.benefit.set(original{}, o())
	}
	if m&cueExperience != 0 {
		c.experience++
		sig.experience.set(original{}, o())
	}
	if m&cueWeak != 0 {
		c.weak++
		sig.weak.set(original{}, o())
	}
	if m&cueChange != 0 {
		c.change++
	}
}

// DetectRationale judges whether an issue or pull request states the
// problem or need it addresses and why it matters (see the package doc):
// filled Why, Problem, Motivation or Impact fields and inline "Why: ..."
// lines, expected versus actual behaviour, reasons, problems and benefits
// told in prose, a title that names a failure, weighed by a model fitted on
// real labelled issues and pull requests. Template text, checklists and
// bodies written by dependency or release bots are not the author's
// reasoning; a bare instruction ("Bump X to 2.0", "Closes #766") has none.
func DetectRationale(title, body string, opts RationaleOptions) Rationale {
	return detectRationale(title, body, opts, shippedRationaleModel)
}

// DetectRationale is DetectRationale as the App runs it; the Analyzer
// offers it so that one value carries every judgement the App makes.
func (a *Analyzer) DetectRationale(title, body string, opts RationaleOptions) Rationale {
	return detectRationale(title, body, opts, shippedRationaleModel)
}

func detectRationale(title, body string, opts RationaleOptions, m *RationaleModel) Rationale {
	r := readRationale(title, body, &opts)
	defer readingPool.Put(r)
	s := &r.sig
	if s.bot {
		return Rationale{Strength: StrengthNone}
	}
	if m.score(&s.f) < 0 && !s.configured {
		return Rationale{Strength: StrengthNone}
	}
	// Strong is an explicit reason: a filled Why field, expected against
	// actual behaviour, or a sentence that says why.
	strength := StrengthWeak
	if s.f[featWhySection] > 0 || s.f[featExpectedActual] > 0 || s.f[featStrong] > 0 || s.f[featTitleStrong] > 0 {
		strength = StrengthStrong
	}
	for _, c := range []*candidate{&s.why, &s.strong, &s.actual, &s.problem, &s.benefit, &s.experience, &s.weak} {
		if c.ok {
			return Rationale{Strength: strength, Evidence: c.quote(body)}
		}
	}
	if s.titleProblem || !s.first.ok {
		if t := strings.TrimSpace(title); t != "" {
			return Rationale{Strength: strength, Evidence: quote(t)}
		}
	}
	if s.first.ok {
		return Rationale{Strength: strength, Evidence: s.first.quote(body)}
	}
	return Rationale{Strength: StrengthNone} // nothing to quote: nothing stated
}

// quote is the candidate as the author wrote it, after its field's name.
func (c *candidate) quote(body string) string {
	text := c.orig.text(body)
	if h := c.heading.text(body); h != "" {
		text = h + ": " + text
	}
	return quote(text)
}

// skipMinWords is the fewest words a sentence under a metadata field
// needs to be read: authors often write below a template's last field.
const skipMinWords = 6

// minSectionWords is the fewest words a rationale field needs to be a
// strong reason.
const minSectionWords = 5
