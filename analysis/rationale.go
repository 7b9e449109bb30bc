package analysis

import (
	"slices"
	"strings"
	"sync"
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
func wordSign(w string) uint32 {
	if w == "" {
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
	list uint8  // the bit of the list it is in
}

// add files a list's phrases under bit.
func (p *phrases) add(bit uint8, list []string) {
	if p.byFirst == nil {
		p.byFirst = map[string][]phraseRest{}
	}
	for _, s := range list {
		first, rest, _ := strings.Cut(s, " ")
		p.byFirst[first] = append(p.byFirst[first], phraseRest{rest, bit})
		sign := wordSign(first)
		p.firsts[sign>>6] |= 1 << (sign & 63)
	}
}

// match returns the bits of the lists with a phrase in key, word for word.
func (p *phrases) match(key string) uint8 {
	var found uint8
	for i := 0; i < len(key); {
		end := len(key)
		if j := strings.IndexByte(key[i:], ' '); j >= 0 {
			end = i + j
		}
		if i < end {
			if sign := wordSign(key[i:end]); p.firsts[sign>>6]&(1<<(sign&63)) == 0 {
				i = end + 1
				continue // no phrase starts with this word
			}
		}
		if rests, ok := p.byFirst[key[i:end]]; ok {
			after := key[end:] // "" or " next words"
			for _, r := range rests {
				if found&r.list == 0 && (r.rest == "" || len(after) > len(r.rest) && after[1:1+len(r.rest)] == r.rest &&
					(len(after) == 1+len(r.rest) || after[1+len(r.rest)] == ' ')) {
					found |= r.list
				}
			}
		}
		i = end + 1
	}
	return found
}

// The lists' bits in cuePhrases and headingPhrases.
const (
	strongCue, weakCue, problemCue                     = 1, 2, 4
	rationaleHead, actualHead, expectedHead, stepsHead = 1, 2, 4, 8
)

// cuePhrases and headingPhrases hold the phrase lists, ready to match.
var cuePhrases, headingPhrases = phrases{}, phrases{}

// isYesNoQuestion matches a field that asks the reporter to confirm a
// step ("Did you search the existing issues?"): its answer
// is a yes or no, not a reason.
func isYesNoQuestion(key string) bool {
	for _, p := range []string{"have you ", "did you ", "do you ", "are you ", "can you ", "were you ", "will you ", "would you ", "has this ", "is there an existing"} {
		if strings.HasPrefix(key, p) {
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
	if strings.Contains(" "+key+" ", " additional ") || strings.HasPrefix(key, "other") || isYesNoQuestion(key) {
		return headingOther
	}
	for _, e := range extra {
		if ek := normalKey(e); ek != "" && strings.Contains(" "+key+" ", " "+ek+" ") {
			return headingRationale
		}
	}
	m := headingPhrases.match(key)
	switch {
	case m&actualHead != 0:
		return headingActual
	case m&expectedHead != 0:
		return headingExpected
	case m&stepsHead != 0:
		return headingSteps
	case m&rationaleHead != 0:
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

// problemCues say that something fails or costs someone; a sentence with
// one states a problem even when it is told in code words.
var problemCues = []string{
	"fails", "failed", "failing", "fail", "crash", "crashes", "crashed", "broken", "breaks", "hangs", "hang",
	"stuck", "regression", "times out", "timed out", "not working", "doesn't work", "does not work", "no longer",
	"stopped working", "used to work", "leak", "leaks", "corrupt", "corrupted", "lost", "loses", "wrong",
	"incorrect", "unexpected", "unexpectedly", "flaky", "slow", "slower", "too slow", "error", "errors",
	"exception", "segfault", "deadlock", "refused", "cannot", "can't", "unable to", "impossible",
	"maintenance", "burden", "time spent", "every contributor", "reruns", "missing", "unresponsive", "not found",
	"disabled", "freezes", "frozen", "not responding", "does not", "doesn't", "won't", "isn't", "not able",
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

func init() {
	// "could reduce", "will save", "might help": a benefit told with any modal.
	for _, m := range []string{"would", "could", "will", "should", "might", "may"} {
		for _, v := range []string{"reduce", "save", "help", "improve", "simplify", "prevent", "avoid", "speed up", "allow", "let", "enable", "make it easier", "fix", "unblock"} {
			if p := m + " " + v; !slices.Contains(strongCues, p) {
				strongCues = append(strongCues, p)
			}
		}
	}
	cuePhrases.add(strongCue, strongCues)
	cuePhrases.add(weakCue, weakCues)
	cuePhrases.add(problemCue, problemCues)
	headingPhrases.add(rationaleHead, rationaleHeadingWords)
	headingPhrases.add(actualHead, actualHeadingWords)
	headingPhrases.add(expectedHead, expectedHeadingWords)
	headingPhrases.add(stepsHead, stepsHeadingWords)
}

// isHelpQuestion matches a request for help ("How can I ...", "Is there
// any way to ..."): it asks how, and says nothing of why.
func isHelpQuestion(k string) bool {
	for _, p := range []string{"how to ", "how can i ", "how do i ", "how can we ", "how do we ", "how should i ", "is there any way ", "is there a way ", "is there any method ", "is there a method ", "can i ", "can someone ", "can anyone ", "could someone ", "could anyone ", "what is the ", "what are the ", "how does ", "why does ", "why is ", "is there an ", "is there a ", "is there any ", "are there "} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// section is the prose under one heading.
type section struct {
	heading  string // as written, for evidence
	kind     headingKind
	text     []string   // sentences, template text removed
	keys     []string   // the same in normal form (normalKey)
	original []original // the same sentences as written, for evidence
	words    int
}

// DetectRationale judges whether an issue or pull request states the
// problem or need it addresses and why it matters. It looks at headings and
// issue-form fields (Why, Problem, Motivation, Impact, User story, Describe
// the bug, Expected/Actual behavior, plus opts.Headings), ignoring sections
// left empty or holding only placeholders, and at plain prose ("so that",
// "because", "as a user I want", "currently ... fails"). A bare instruction
// such as "Bump X to 2.0" has none.
//
// It asks the phrase rules alone; Analyzer.DetectRationale asks the learned
// comment model too, and is the one serve, analyze and report use.
func DetectRationale(title, body string, opts RationaleOptions) Rationale {
	return detectRationale(title, body, opts, rationaleTuned)
}

// DetectRationale is the package's DetectRationale with one more signal:
// where no cue and no sentence the rules judge product-level is found, the
// author's sentences that the learned model reads as product-level reason
// weakly. On real
// issue reports, leaving one repository out, this chose the model in every
// fold and lifted accuracy from 0.866 to 0.882 (rationale_real_test.go).
func (a *Analyzer) DetectRationale(title, body string, opts RationaleOptions) Rationale {
	tune := rationaleTuned
	tune.model = a
	return detectRationale(title, body, opts, tune)
}

// rationaleTuning holds the numbers rationale detection was tuned on: on
// real issue reports, with folds split by repository (see
// rationale_real_test.go).
type rationaleTuning struct {
	// minWeakWords is the fewest words a sentence needs for a weak cue to
	// count: a form answer such as "Sometimes" or "Not sure" is no reason.
	minWeakWords int
	// minReportWords is the fewest words of the author's own a body needs
	// for a title that states a failure to count as the reason.
	minReportWords int
	// fenceProse reads sentences that an issue form put into a plain-text
	// code block.
	fenceProse bool
	// helpTitles reads a report titled as a how-to question as a request
	// for help, whose form fields are no reason.
	helpTitles bool
	// model, when set, is asked too whether a sentence or, last, the whole
	// body reasons about a product concern where no cue was found.
	model *Analyzer
}

var rationaleTuned = rationaleTuning{minWeakWords: 1, minReportWords: 0, fenceProse: true, helpTitles: true}

func detectRationale(title, body string, opts RationaleOptions, tune rationaleTuning) Rationale {
	// Word counts are only compared with these numbers.
	wordsNeeded := max(minSectionWords, tune.minReportWords)
	pooled := sectionsPool.Get().(*[]section)
	sections := openSection((*pooled)[:0], "", headingOther)
	defer func() {
		if cap(sections) <= 64 { // a body of many headings is not kept
			*pooled = sections
			sectionsPool.Put(pooled)
		}
	}()
	readProseWith(body, tune.fenceProse, func(b Block) {
		if b.Kind == BlockHeading {
			sections = openSection(sections, b.Original(0, len(b.Text)), classifyHeading(b.Text, opts.Headings))
			return
		}
		if b.Task {
			return // a checklist confirms steps; it does not say why
		}
		from, resume := 0, -1
		if label, rest, ok := inlineLabel(b.Text); ok {
			// "Why: ...", "**Impact:** ..." work as a heading over the
			// rest of the line; the section around it goes on after it.
			if kind := classifyHeading(label, opts.Headings); kind != headingOther {
				resume = len(sections) - 1
				sections = openSection(sections, strings.Clone(label), kind)
				from = rest
			}
		}
		if resume >= 0 {
			defer func() {
				sections = openSection(sections, sections[resume].heading, sections[resume].kind)
			}()
		}
		cur := &sections[len(sections)-1]
		kept := "" // the block's text, copied once for all its sentences
		forEachSentenceAt(b.Text[from:], func(s string, at int) {
			if strings.HasSuffix(s, "?") {
				return // a question asks; it does not state a problem or need
			}
			k := normalKey(s)
			if isTemplateKey(s, k) || opts.isRepoTemplate(k) {
				return
			}
			at += from
			if kept == "" {
				kept = strings.Clone(b.Text)
			}
			cur.text = append(cur.text, kept[at:at+len(s)])
			cur.keys = append(cur.keys, k)
			cur.original = append(cur.original, b.original(at, at+len(s)))
			cur.words += countWordsUpTo(s, wordsNeeded)
		})
	})

	best := Rationale{Strength: StrengthNone}
	consider := func(s Strength, evidence string) {
		if rank(s) > rank(best.Strength) {
			best = Rationale{Strength: s, Evidence: quote(evidence)}
		}
	}

	// A title that asks how to do something is a request for help: only a
	// reason stated in plain prose counts, not a form's fields.
	tk := normalKey(title)
	help := tune.helpTitles && (isHelpQuestion(tk) || strings.HasPrefix(tk, "is it possible "))
	var expected, actual *section
	for i := range sections {
		sec := &sections[i]
		if sec.words == 0 || help {
			continue
		}
		switch sec.kind {
		case headingRationale:
			ev := sec.heading + ": " + sec.original[0].text(body)
			if sec.words >= minSectionWords {
				consider(StrengthStrong, ev)
			} else {
				consider(StrengthWeak, ev)
			}
		case headingExpected:
			expected = sec
		case headingActual:
			actual = sec
			consider(StrengthWeak, sec.heading+": "+sec.original[0].text(body))
		}
	}
	if expected != nil && actual != nil {
		consider(StrengthStrong, actual.heading+": "+actual.original[0].text(body))
	}
	if best.Strength == StrengthStrong {
		return best
	}

	// Plain prose, the title included for strong cues only.
	tm := cuePhrases.match(tk)
	if tm&strongCue != 0 {
		consider(StrengthStrong, title)
	}
	// A bug report whose title says what fails and whose body tells more.
	if tm&problemCue != 0 && !isInstruction(title) && !help {
		words := 0
		for _, sec := range sections {
			words += sec.words
		}
		if words >= tune.minReportWords {
			consider(StrengthWeak, title)
		}
	}
	for _, sec := range sections {
		if sec.kind == headingSteps {
			continue
		}
		for i, s := range sec.text {
			k := sec.keys[i]
			m := cuePhrases.match(k)
			switch {
			case m&strongCue != 0 || isUserStory(k) || hasCommaSo(s):
				if !isUserStory(k) && isCodeTalk(s) && !ruleJudge(s).ProductLevel {
					if m&problemCue != 0 {
						// "the build fails because ..." states a problem
						// even when it is told in code words
						consider(StrengthWeak, sec.original[i].text(body))
					}
					continue // "because the file got too long" is a reason about code only
				}
				consider(StrengthStrong, sec.original[i].text(body))
			case best.Strength == StrengthNone && !help && m&weakCue != 0 && countWordsUpTo(s, tune.minWeakWords) >= tune.minWeakWords &&
				(m&problemCue != 0 || !isCodeTalk(s)):
				consider(StrengthWeak, sec.original[i].text(body))
			}
			if best.Strength == StrengthStrong {
				return best
			}
		}
	}
	if best.Strength != StrengthNone || help {
		return best
	}
	// No cue: a sentence that reasons about a product concern is a weak reason.
	for _, sec := range sections {
		if sec.kind == headingSteps {
			continue
		}
		for i, s := range sec.text {
			if isInstruction(s) {
				continue // "Add an event filter to the settings" says what, not why
			}
			if ruleJudge(s).ProductLevel || tune.model != nil && tune.model.AnalyzeComment(s).ProductLevel {
				consider(StrengthWeak, sec.original[i].text(body))
				return best
			}
		}
	}
	// The model reads the author's sentences together, steps included and
	// template text left out: a reason told across sentences, or in the
	// story of how a failure was met.
	if tune.model != nil {
		var prose strings.Builder
		for _, sec := range sections {
			for _, s := range sec.text {
				prose.WriteString(s)
				prose.WriteString("\n\n")
			}
		}
		if a := tune.model.AnalyzeComment(prose.String()); a.ProductLevel && len(a.Evidence) > 0 {
			consider(StrengthWeak, a.Evidence[0].Text)
		}
	}
	return best
}

// sectionsPool keeps the sections of a pass, and their slices, for the
// next one.
var sectionsPool = sync.Pool{New: func() any { return new([]section) }}

// openSection appends an empty section, reusing what the slice held there
// before.
func openSection(sections []section, heading string, kind headingKind) []section {
	n := len(sections)
	if n < cap(sections) {
		sections = sections[:n+1]
		old := sections[n]
		sections[n] = section{heading: heading, kind: kind, text: old.text[:0], keys: old.keys[:0], original: old.original[:0]}
		return sections
	}
	return append(sections, section{heading: heading, kind: kind})
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

// isUserStory matches "as a <role>, I want ...".
func isUserStory(k string) bool {
	i := 0
	if !strings.HasPrefix(k, "as a") {
		if i = strings.Index(k, " as a"); i < 0 {
			return false
		}
		i++
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

// minSectionWords is the fewest words a rationale section needs to be a
// strong reason.
const minSectionWords = 5

// countWordsUpTo counts the words of s, stopping at limit.
func countWordsUpTo(s string, limit int) int {
	var t tokenizer
	t.reset(s)
	n := 0
	for n < limit {
		if _, ok := t.next(); !ok {
			return n
		}
		n++
	}
	return n
}

// isCodeTalk reports whether a sentence is about code, tests or CI and
// names nobody affected, such as "It fails about once a week on CI".
func isCodeTalk(s string) bool {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	_, audience, tech, _ := sc.sentenceScoresDetail(s)
	return tech >= 0.6 && audience == 0
}

// instructionVerbs start sentences that say what to do, in the base form;
// the third person ("adds", "fixes") counts too.
var instructionVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`add remove update use move rename bump create implement support replace
		switch extract split refactor delete introduce change set make enable disable allow let upgrade
		migrate port document write generate regenerate run show display store send log include fix
		improve optimize clean convert drop expose handle return pass call check avoid ensure adjust tweak
		simplify revert reorder sort wrap inline deprecate provide apply build install configure rewrite
		restore merge pin unpin skip ignore mark print emit load save read parse format cache validate
		register export import keep hide reuse initialize test rework unify align bring put get try
		release tag publish prepare backport cherry-pick downgrade increase decrease reduce limit raise
		lower expand extend speed modernize translate resolve close investigate`) {
		m[v] = true
		switch {
		case strings.HasSuffix(v, "sh"), strings.HasSuffix(v, "ch"), strings.HasSuffix(v, "x"), strings.HasSuffix(v, "s"):
			m[v+"es"] = true
		case strings.HasSuffix(v, "y") && !strings.HasSuffix(v, "ay") && !strings.HasSuffix(v, "ey"):
			m[v[:len(v)-1]+"ies"] = true
		default:
			m[v+"s"] = true
		}
	}
	return m
}()

// isInstruction reports whether a sentence starts with an imperative or
// third-person verb of change ("Add ...", "Adds ...").
func isInstruction(s string) bool {
	var t tokenizer
	t.reset(s)
	w, ok := t.next()
	return ok && len(w) <= 12 && instructionVerbs[strings.ToLower(w)]
}
