package analysis

import "strings"

// templateSentences are the placeholder sentences of GitHub's default issue
// and pull request templates, in normal form (lowercase, words joined by
// one space). Left unchanged they are not the author's words.
var templateSentences = map[string]bool{}

var templateTexts = []string{
	"A clear and concise description of what the bug is.",
	"Steps to reproduce the behavior:",
	"Steps to reproduce the behaviour:",
	"Go to '...'", "Click on '....'", "Click on '...'", "Scroll down to '....'", "See error",
	"A clear and concise description of what you expected to happen.",
	"If applicable, add screenshots to help explain your problem.",
	"Add any other context about the problem here.",
	"Is your feature request related to a problem? Please describe.",
	"Is your feature request related to a problem?", "Please describe.",
	"Describe the solution you'd like", "Describe alternatives you've considered",
	"A clear and concise description of what you want to happen.",
	"A clear and concise description of any alternative solutions or features you've considered.",
	"Add any other context or screenshots about the feature request here.",
	"Please include a summary of the change and which issue is fixed.",
	"Please also include relevant motivation and context.",
	"List any dependencies that are required for this change.",
	"Please delete options that are not relevant.",
	"Bug fix (non-breaking change which fixes an issue)",
	"New feature (non-breaking change which adds functionality)",
	"Breaking change (fix or feature that would cause existing functionality to not work as expected)",
	"This change requires a documentation update",
	"My code follows the style guidelines of this project",
	"I have performed a self-review of my own code",
	"I have commented my code, particularly in hard-to-understand areas",
	"I have made corresponding changes to the documentation",
	"My changes generate no new warnings",
	"I have added tests that prove my fix is effective or that my feature works",
	"New and existing unit tests pass locally with my changes",
	"Any dependent changes have been merged and published in downstream modules",
	"Please describe the tests that you ran to verify your changes.",
	"Provide instructions so we can reproduce.",
	"Please also list any relevant details for your test configuration",
	"Describe the bug", "Expected behavior", "Expected behaviour", "Screenshots", "Additional context",
	"To Reproduce", "Desktop (please complete the following information):",
	"Smartphone (please complete the following information):",
	"Ex.", "_No response_", "No response", "N/A", "NA", "n/a", "None", "TBD", "TODO", "-", "...", "…",
	"Why is this needed?", "What is the problem?", "Describe the problem", "Describe the problem.",
	"Explain why this matters.", "Explain why this matters", "Describe your change", "Describe your changes",
	"What does this PR do?", "Why do we need it?", "Describe the bug.", "Thanks for taking the time to fill out this bug report!",
	"Thanks for taking the time to fill out this form!",
	"Type of change", "How Has This Been Tested?", "Checklist:", "Checklist", "Related issues", "Fixes # (issue)", "Fixes #",
}

// templateNorms holds the same sentences in the classifier's normal form
// (see appendNorm), so it can drop them while scoring without a second pass.
var (
	templateNorms    = map[string]bool{}
	templateNormPre  string
	maxTemplateWords int
)

func init() {
	for _, s := range templateTexts {
		templateSentences[normalKey(s)] = true
		k, n := normWords(s)
		templateNorms[k] = true
		maxTemplateWords = max(maxTemplateWords, n)
	}
	templateNormPre, _ = normWords("A clear and concise description of")
}

// normWords is the normal form of a text and its number of words.
func normWords(s string) (string, int) {
	var t tokenizer
	t.reset(s)
	var b []byte
	n := 0
	for {
		w, ok := t.next()
		if !ok {
			return string(b), n
		}
		if n > 0 {
			b = append(b, ' ')
		}
		b = appendNorm(b, w)
		n++
	}
}

// isTemplateNorm reports whether a sentence in normal form is template text.
func isTemplateNorm(norm []byte) bool {
	return templateNorms[string(norm)] || len(norm) >= len(templateNormPre) && string(norm[:len(templateNormPre)]) == templateNormPre
}

// normalKey lowercases s and joins its words with single spaces.
func normalKey(s string) string {
	var buf [256]byte
	b := appendKey(buf[:0], s)
	return string(b)
}

// keyBytes maps a byte to its normal form, 0 for one that separates words.
var keyBytes = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c >= 0x80:
			t[c] = byte(c)
		}
	}
	return t
}()

func appendKey(b []byte, s string) []byte {
	space := false
	for i := 0; i < len(s); i++ {
		c := keyBytes[s[i]]
		if c == 0 {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// isTemplateText reports whether a sentence is unchanged template text or
// a placeholder that says nothing ("N/A", "_No response_", "[e.g. iOS]").
func isTemplateText(s string) bool {
	if len(s) > 200 {
		return false
	}
	if hasPlaceholder(s) {
		return true
	}
	var buf [256]byte
	k := appendKey(buf[:0], s)
	if len(k) == 0 {
		return true
	}
	if templateSentences[string(k)] {
		return true
	}
	const clear = "a clear and concise description of"
	return len(k) >= len(clear) && string(k[:len(clear)]) == clear
}

// isTemplateKey is isTemplateText for a sentence whose normal form k
// (normalKey) is known.
func isTemplateKey(s string, k []byte) bool {
	if len(s) > 200 {
		return false
	}
	if hasPlaceholder(s) {
		return true
	}
	const clear = "a clear and concise description of"
	return len(k) == 0 || templateSentences[string(k)] || len(k) >= len(clear) && string(k[:len(clear)]) == clear
}

// hasPlaceholder reports whether s holds a template's bracketed
// placeholder: "[e.g. iOS]", "e.g. [...]".
func hasPlaceholder(s string) bool {
	return strings.IndexByte(s, '[') >= 0 && (strings.Contains(s, "[e.g.") || strings.Contains(s, "e.g. [") || strings.Contains(s, "[...]"))
}

// isTemplateHeading reports whether a heading is one of the default
// templates' own headings; such headings are structure, not prose.
func isTemplateHeading(s string) bool { return isTemplateText(s) }

// templateKeys is the set of sentences and headings of a repository's own
// templates, in normal form (see normalKey).
func templateKeys(templates []string) map[string]bool {
	if len(templates) == 0 {
		return nil
	}
	keys := map[string]bool{}
	for _, t := range templates {
		readProse(t, func(b Block) {
			if k := normalKey(b.Text); k != "" {
				keys[k] = true
			}
			forEachSentence(b.Text, func(s string) {
				if k := normalKey(s); k != "" {
					keys[k] = true
				}
			})
		})
	}
	return keys
}

// isRepoTemplate reports whether a sentence, in normal form, is unchanged
// text of the repository's own templates.
func (o *RationaleOptions) isRepoTemplate(k []byte) bool {
	if len(o.Templates) == 0 {
		return false
	}
	if o.templateKeys == nil {
		o.templateKeys = templateKeys(o.Templates)
	}
	return o.templateKeys[string(k)]
}
