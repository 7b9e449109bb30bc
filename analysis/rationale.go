package analysis

import (
	"strings"
)

// headingKind classifies a heading or issue-form field label.
type headingKind uint8

const (
	headingOther     headingKind = iota
	headingRationale             // Why, Problem, Motivation, Impact, User story, Describe the bug, ...
	headingExpected              // Expected behavior
	headingActual                // Actual / Current behavior, What happened
	headingSteps                 // Steps to reproduce
)

// rationaleHeadingWords are words and phrases that make a heading introduce
// a rationale, in normal form.
var rationaleHeadingWords = []string{
	"why", "motivation", "motivations", "problem", "problems", "problem statement", "background", "context",
	"rationale", "justification", "use case", "use cases", "user story", "user stories", "impact",
	"who is affected", "who does this affect", "goal", "goals", "benefit", "benefits", "value",
	"need", "needs", "pain point", "pain points", "describe the bug", "bug description", "the bug",
	"is your feature request related to a problem", "why is this needed", "why does this matter",
	"what problem", "reason", "reasons", "purpose", "objective", "objectives", "business case",
	"customer impact", "user impact", "business impact", "opportunity", "hypothesis", "what is the problem",
	"why now", "why should", "issue description", "current situation", "pain",
}

var actualHeadingWords = []string{
	"actual behavior", "actual behaviour", "actual result", "actual results", "current behavior", "current behaviour",
	"observed behavior", "observed behaviour", "what happened", "what happens", "actual outcome", "current state",
}

var expectedHeadingWords = []string{
	"expected behavior", "expected behaviour", "expected result", "expected results", "expected outcome",
	"what did you expect", "what you expected", "expected",
}

var stepsHeadingWords = []string{"steps to reproduce", "to reproduce", "reproduction", "repro", "how to reproduce", "reproduction steps"}

func containsPhrase(key string, phrases []string) bool {
	k := " " + key + " "
	for _, p := range phrases {
		if strings.Contains(k, " "+p+" ") {
			return true
		}
	}
	return false
}

func classifyHeading(h string, extra []string) headingKind {
	key := normalKey(h)
	if key == "" {
		return headingOther
	}
	if strings.Contains(" "+key+" ", " additional ") || strings.HasPrefix(key, "other") {
		return headingOther
	}
	for _, e := range extra {
		if ek := normalKey(e); ek != "" && strings.Contains(" "+key+" ", " "+ek+" ") {
			return headingRationale
		}
	}
	switch {
	case containsPhrase(key, actualHeadingWords):
		return headingActual
	case containsPhrase(key, expectedHeadingWords):
		return headingExpected
	case containsPhrase(key, stepsHeadingWords):
		return headingSteps
	case containsPhrase(key, rationaleHeadingWords):
		return headingRationale
	}
	return headingOther
}

// strongCues state why in plain prose; weakCues hint at a problem or need.
var strongCues = []string{
	"so that", "in order to", "because", "the problem is", "the issue is", "the reason", "this means", "which means",
	"that means", "this causes", "which causes", "it causes", "leads to", "lead to", "results in", "resulting in",
	"as a result", "otherwise", "is blocking", "are blocking", "blocks us", "blocking us", "we are blocked", "blocked on",
	"blocked by", "prevents", "preventing", "unable to", "impossible to", "makes it hard", "makes it difficult",
	"makes it impossible", "make it hard", "would allow", "would let", "would help", "would save", "would reduce",
	"would improve", "would enable", "would make it", "would make", "this matters", "it matters", "matters because",
	"important because", "needed because", "we need this", "need to be able", "want to be able", "like to be able",
	"to avoid", "to prevent", "to reduce", "to improve", "to unblock", "to enable", "so users", "so we", "so people",
	"so customers", "which breaks", "this breaks", "breaks the", "we lose", "users lose", "customers lose",
	"users can't", "users cannot", "customers can't", "customers cannot", "people can't", "people cannot",
	"users have to", "users need", "customers need", "customers have asked", "customers asked", "users asked",
	"users are asking", "customers are asking", "costs us", "wastes", "waste of", "pain point", "frustrating",
	"instead of the expected", "but instead", "but got", "but it", "expected it to", "expected to see",
	"i expected", "we expected", "should have", "should not", "shouldn't",
}

var weakCues = []string{
	"currently", "right now", "at the moment", "today", "can't", "cannot", "can not", "doesn't", "does not",
	"isn't", "is not", "aren't", "fails", "failed", "failing", "crash", "crashes", "crashed", "error", "errors",
	"broken", "wrong", "incorrect", "pain", "annoying", "confusing", "slow", "it would be nice", "it would be great",
	"it would be helpful", "it would be useful", "would be nice", "would be great", "would be helpful",
	"would be useful", "i would like", "i'd like", "we'd like", "i want", "i need", "we need", "we want", "since",
	"instead of", "expected", "missing", "no way to", "there is no", "there's no", "hard to", "difficult to",
	"not possible", "requires", "manually", "every time", "each time", "keeps", "regression", "timeout",
	"times out", "timed out", "hangs", "stuck", "lost", "leak", "vulnerable", "vulnerability", "security",
	"users", "customers", "need to", "needs to", "to support", "to allow", "for compliance", "required by",
	"requested by", "asked for", "not allowed", "are not allowed", "violates", "against our policy", "unexpected", "unexpectedly", "used to work", "no longer", "stopped working",
	"doesn't work", "not working", "used to be", "hardly usable", "barely usable", "not usable", "loses", "rely on", "relies on", "depend on", "depends on", "tickets", "inject",
	"as a user", "as an admin", "as a developer", "as an operator",
}

// section is the prose under one heading.
type section struct {
	heading string
	kind    headingKind
	text    []string // sentences, template text removed
	words   int
}

// DetectRationale judges whether an issue or pull request states the
// problem or need it addresses and why it matters. It looks at headings and
// issue-form fields (Why, Problem, Motivation, Impact, User story, Describe
// the bug, Expected/Actual behavior, plus opts.Headings), ignoring sections
// left empty or holding only placeholders, and at plain prose ("so that",
// "because", "as a user I want", "currently ... fails"). A bare instruction
// such as "Bump X to 2.0" has none.
func DetectRationale(title, body string, opts RationaleOptions) Rationale {
	sections := []section{{}}
	readProse(body, func(b Block) {
		if b.Kind == BlockHeading {
			sections = append(sections, section{heading: strings.Clone(b.Text), kind: classifyHeading(b.Text, opts.Headings)})
			return
		}
		cur := &sections[len(sections)-1]
		forEachSentence(b.Text, func(s string) {
			if isTemplateText(s) {
				return
			}
			cur.text = append(cur.text, strings.Clone(s))
			cur.words += countWords(s)
		})
	})

	best := Rationale{Strength: StrengthNone}
	consider := func(s Strength, evidence string) {
		if rank(s) > rank(best.Strength) {
			best = Rationale{Strength: s, Evidence: quote(evidence)}
		}
	}

	var expected, actual *section
	for i := range sections {
		sec := &sections[i]
		if sec.words == 0 {
			continue
		}
		switch sec.kind {
		case headingRationale:
			ev := sec.heading + ": " + sec.text[0]
			if sec.words >= 5 {
				consider(StrengthStrong, ev)
			} else {
				consider(StrengthWeak, ev)
			}
		case headingExpected:
			expected = sec
		case headingActual:
			actual = sec
			consider(StrengthWeak, sec.heading+": "+sec.text[0])
		}
	}
	if expected != nil && actual != nil {
		consider(StrengthStrong, actual.heading+": "+actual.text[0])
	}
	if best.Strength == StrengthStrong {
		return best
	}

	// Plain prose, the title included for strong cues only.
	if k := normalKey(title); k != "" && containsPhrase(k, strongCues) {
		consider(StrengthStrong, title)
	}
	var productEvidence string
	productConcerns := 0
	for _, sec := range sections {
		if sec.kind == headingSteps {
			continue
		}
		for _, s := range sec.text {
			k := normalKey(s)
			switch {
			case containsPhrase(k, strongCues) || isUserStory(k) || strings.Contains(strings.ToLower(s), ", so "):
				if !isUserStory(k) && isCodeTalk(s) && !ruleJudge(s).ProductLevel {
					continue // "because the file got too long" is a reason about code only
				}
				consider(StrengthStrong, s)
			case containsPhrase(k, weakCues) && !isCodeTalk(s):
				consider(StrengthWeak, s)
			}
			if best.Strength == StrengthStrong {
				return best
			}
		}
		for _, s := range sec.text {
			if isInstruction(s) {
				continue // "Add an event filter to the settings" says what, not why
			}
			if a := ruleJudge(s); a.ProductLevel {
				productConcerns += len(a.Concerns)
				if productEvidence == "" {
					productEvidence = s
				}
			}
		}
	}
	if productConcerns >= 1 {
		consider(StrengthWeak, productEvidence)
	}
	return best
}

// isUserStory matches "as a <role>, I want ...".
func isUserStory(k string) bool {
	i := strings.Index(" "+k, " as a")
	if i < 0 {
		return false
	}
	rest := k[i:]
	return strings.Contains(rest, " i want") || strings.Contains(rest, " i need") ||
		strings.Contains(rest, " i would like") || strings.Contains(rest, " i d like") || strings.Contains(rest, " i'd like")
}

func rank(s Strength) int {
	switch s {
	case StrengthStrong:
		return 2
	case StrengthWeak:
		return 1
	}
	return 0
}

func countWords(s string) int {
	var t tokenizer
	t.reset(s)
	n := 0
	for {
		if _, ok := t.next(); !ok {
			return n
		}
		n++
	}
}

// isCodeTalk reports whether a sentence is about code, tests or CI and
// names nobody affected, such as "It fails about once a week on CI".
func isCodeTalk(s string) bool {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	_, audience, tech, _ := sc.sentenceScoresDetail(s)
	return tech >= 0.6 && audience == 0
}

// instructionVerbs start sentences that say what to do.
var instructionVerbs = map[string]bool{
	"add": true, "adds": true, "remove": true, "removes": true, "update": true, "updates": true, "use": true,
	"uses": true, "move": true, "moves": true, "rename": true, "renames": true, "bump": true, "bumps": true,
	"create": true, "creates": true, "implement": true, "implements": true, "support": true, "replace": true,
	"replaces": true, "switch": true, "switches": true, "extract": true, "split": true, "splits": true,
	"refactor": true, "refactors": true, "delete": true, "deletes": true, "introduce": true, "introduces": true,
	"change": true, "changes": true, "set": true, "sets": true, "make": true, "makes": true, "enable": true,
	"enables": true, "disable": true, "disables": true, "allow": true, "allows": true, "let": true,
	"upgrade": true, "upgrades": true, "migrate": true, "migrates": true, "port": true, "ports": true,
	"document": true, "documents": true, "write": true, "generate": true, "regenerate": true, "run": true,
	"show": true, "display": true, "store": true, "send": true, "log": true, "include": true, "includes": true,
}

// isInstruction reports whether a sentence starts with an imperative or
// third-person verb of change ("Add ...", "Adds ...").
func isInstruction(s string) bool {
	var t tokenizer
	t.reset(s)
	w, ok := t.next()
	return ok && len(w) <= 12 && instructionVerbs[strings.ToLower(w)]
}
