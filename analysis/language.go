package analysis

import (
	"strings"
)

// Language: a comment is read only when it is English. The check is two
// counts over its prose, with no data to download: the share of letters
// outside the Latin scripts (Chinese, Japanese, Russian, Arabic, ...), and
// frequent function words of English against those of German, French,
// Spanish, Portuguese, Italian and Dutch. The lists leave out words that
// are also English ("die", "on", "a", "me", "son").

// englishFunctionWords are frequent English words no other listed language
// uses.
const englishFunctionWords = "the is are was were to of and it this that we you i for with not if but can will would " +
	"should have has do does what when our they there at by from or so as it's don't i'm we're won't can't how why " +
	"more than all my just also now be been which any only then them their these those about into could"

// foreignFunctionWords are frequent words of other languages that are not
// English words, one language a line.
var foreignFunctionWords = []string{
	"der das und ist nicht ein eine ich wir mit auf für von zu sehr auch wenn wird werden sind oder aber noch nach bei wie kann dass ob",
	"les est et pas une des je nous vous avec sur dans très cette qui mais être sont ou ça il elle aussi déjà",
	"el los las es y que para por con una muy pero está esta hay como más del lo tiene cuando también porque",
	"em um uma não com é são mais também ao quando pelo pela isso está muito mas como você",
	"il che non della sono gli del una di è anche questo quando perché ma più",
	"het een niet van zijn ik dat wij ook maar wel voor naar deze wordt",
}

// addFunctionWords marks the function words in the lexicon, where the
// reader looks up every word anyway: lexEntry.lang is 1 for English, 2 and
// up for the lines of foreignFunctionWords.
func addFunctionWords(lex lexicon) {
	add := func(list string, lang uint8) {
		for _, w := range strings.Fields(list) {
			key := string(appendNorm(nil, w))
			e := lex[key]
			if e == nil {
				e = &lexEntry{lines: [6]int32{-1, -1, -1, -1, -1, -1}}
				lex[key] = e
			}
			if e.lang == 0 {
				e.lang = lang
			}
		}
	}
	add(englishFunctionWords, 1)
	for i, l := range foreignFunctionWords {
		add(l, uint8(i+2))
	}
}

// langCount accumulates the language evidence of one comment.
type langCount struct {
	english  int
	foreign  [8]int
	letters  int
	nonLatin int
}

// word counts one word, read by t, and its entry in the lexicon.
func (c *langCount) word(e *lexEntry, t *tokenizer) {
	c.letters += t.letters
	c.nonLatin += t.nonLatin
	if e == nil {
		return
	}
	switch {
	case e.lang == 1:
		c.english++
	case e.lang > 1:
		c.foreign[e.lang]++
	}
}

// isEnglish judges the comment read so far: words to read, mostly in Latin
// letters, and no other language's function words outnumbering English ones.
func (c *langCount) isEnglish() bool {
	if c.letters == 0 || c.nonLatin*10 > c.letters*3 {
		return false
	}
	top := 0
	for _, n := range c.foreign {
		top = max(top, n)
	}
	return !(top >= 2 && top > c.english)
}
