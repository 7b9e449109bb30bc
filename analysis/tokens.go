package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenizer splits text into words: runs of letters and digits, with
// apostrophes and underscores inside a word, a decimal point inside a
// number and a "%" after one. Everything else separates words.
type tokenizer struct {
	s string
	i int
	// Of the last word: its letters, those outside the Latin scripts,
	// whether it joins words as names in code do ("perf_monitor",
	// "perfMonitor"), and whether it is lowercase ASCII letters only.
	letters, nonLatin int
	joined, plain     bool
}

func (t *tokenizer) reset(s string) { t.s, t.i = s, 0 }

// Kinds of bytes, as the tokenizer looks for the start of a word.
const (
	kindSeparator = iota // any other ASCII byte: never starts a word
	kindWord             // an ASCII letter or digit
	kindCloser           // '#', '$' or a byte of a character beyond ASCII: look closer
)

var byteKind = func() (m [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			m[c] = kindWord
		case c == '#' || c == '$' || c >= utf8.RuneSelf:
			m[c] = kindCloser
		}
	}
	return m
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// next returns the next word, or false at the end.
func (t *tokenizer) next() (string, bool) {
	s := t.s
	i := t.i
	for i < len(s) {
		c := s[i]
		if k := byteKind[c]; k == kindSeparator {
			i++
			continue
		} else if k == kindWord {
			break
		}
		r, n := rune(c), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if r >= utf8.RuneSelf && isWordRune(r) || (r == '#' && i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z') ||
			((r == '$' || r == '€' || r == '£') && i+n < len(s) && isDigit(s[i+n])) {
			break
		}
		i += n
	}
	start := i
	if i < len(s) && s[i]-'a' < 26 {
		// The common case: lowercase ASCII letters up to a separator.
		j := i + 1
		for j < len(s) && s[j]-'a' < 26 {
			j++
		}
		if j == len(s) || byteKind[s[j]] == kindSeparator && s[j] != '\'' && s[j] != '_' {
			t.i = j
			t.letters, t.nonLatin, t.joined, t.plain = j-i, 0, false, true
			return s[i:j], true
		}
	}
	if i < len(s) && s[i] == '#' {
		i++
	} else if i < len(s) && (s[i] == '$' || s[i] >= utf8.RuneSelf) {
		if r, n := utf8.DecodeRuneInString(s[i:]); r == '$' || r == '€' || r == '£' {
			i += n
		}
	}
	digitsOnly := true
	t.letters, t.nonLatin, t.joined = 0, 0, false
	t.plain = start < len(s) && s[start] >= 'a' && s[start] <= 'z'
	for i < len(s) {
		if c := s[i]; c >= 'a' && c <= 'z' {
			// the common case: a run of lowercase ASCII letters
			j := i + 1
			for j < len(s) && s[j]-'a' < 26 {
				j++
			}
			digitsOnly = false
			t.letters += j - i
			i = j
			continue
		} else if c >= 'A' && c <= 'Z' {
			digitsOnly, t.plain = false, false
			t.letters++
			if i > start && s[i-1] >= 'a' && s[i-1] <= 'z' {
				t.joined = true // camel case
			}
			i++
			continue
		}
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r >= '0' && r <= '9':
			t.plain = false
			i++
			continue
		case r >= utf8.RuneSelf && isWordRune(r):
			digitsOnly, t.plain = false, false
			if unicode.IsLetter(r) {
				t.letters++
				if r >= 0x250 {
					t.nonLatin++
				}
			}
			i += n
			continue
		case (r == '\'' || r == '’' || r == '_') && i > start && i+n < len(s) && isWordByteStart(s[i+n:]):
			digitsOnly, t.plain = false, false
			t.joined = t.joined || r == '_'
			i += n
			continue
		case (r == '.' || r == ',') && digitsOnly && i > start && i+1 < len(s) && isDigit(s[i+1]):
			t.plain = false
			i++
			continue
		case r == '%' && digitsOnly && i > start:
			t.plain = false
			i++
		}
		break
	}
	t.i = i
	if start == i {
		return "", false
	}
	return s[start:i], true
}

func isWordByteStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

// appendNorm appends the normal form of one word: lowercased, plural
// stripped, possessive dropped, numbers with units as unit tokens.
func appendNorm(dst []byte, w string) []byte {
	if w == "" {
		return dst
	}
	if isDigit(w[0]) {
		return appendNumber(dst, w)
	}
	if w[0] == '$' || strings.HasPrefix(w, "€") || strings.HasPrefix(w, "£") {
		return append(dst, "#money"...)
	}
	start := len(dst)
	ascii := true
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		ascii = false
		r, n := utf8.DecodeRuneInString(w[i:])
		if r == '’' {
			dst = append(dst, '\'')
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return finishNorm(dst, start, ascii)
}

// appendPlainNorm is appendNorm for a word of lowercase ASCII letters
// only, as the tokenizer tells (tokenizer.plain): most words are.
func appendPlainNorm(dst []byte, w string) []byte {
	n := len(w)
	if n >= 3 && n <= 9 && numberWordStart[w[0]] {
		return finishNorm(append(dst, w...), len(dst), true)
	}
	dst = append(dst, w...)
	// finishNorm's plurals; a word of letters has no possessive
	switch {
	case n > 4 && w[n-3] == 'i' && w[n-2] == 'e' && w[n-1] == 's':
		return append(dst[:len(dst)-3], 'y')
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		return dst[:len(dst)-1]
	}
	return dst
}

// finishNorm ends the normal form of the word in dst[start:], lowercased:
// a spelled-out count becomes "#num", a possessive and a plural go.
func finishNorm(dst []byte, start int, ascii bool) []byte {
	if ascii && isNumberWord(dst[start:]) {
		return append(dst[:start], "#num"...)
	}
	word := dst[start:]
	// possessive
	if n := len(word); n > 3 && word[n-2] == '\'' && word[n-1] == 's' {
		return dst[:len(dst)-2]
	}
	n := len(word)
	switch {
	case n > 4 && word[n-3] == 'i' && word[n-2] == 'e' && word[n-1] == 's':
		dst = dst[:len(dst)-3]
		return append(dst, 'y')
	case n > 3 && word[n-1] == 's' && word[n-2] != 's' && word[n-2] != 'u' && word[n-2] != 'i' && word[n-2] != '\'':
		return dst[:len(dst)-1]
	}
	return dst
}

// appendNumber turns "300ms" into "#time", "40%" into "#pct" and so on.
func appendNumber(dst []byte, w string) []byte {
	i := 0
	for i < len(w) && (isDigit(w[i]) || w[i] == '.' || w[i] == ',') {
		i++
	}
	num, unit := w[:i], w[i:]
	var lower [16]byte
	if len(unit) > len(lower) {
		return append(dst, "#num"...)
	}
	u := lower[:len(unit)]
	for j := 0; j < len(unit); j++ {
		c := unit[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		u[j] = c
	}
	switch string(u) {
	case "":
		switch num {
		case "500", "502", "503", "504":
			return append(dst, num...) // HTTP errors
		}
		return append(dst, "#num"...)
	case "%":
		return append(dst, "#pct"...)
	case "ms", "msec", "s", "sec", "secs", "min", "mins", "h", "hr", "hrs", "us", "µs", "ns":
		if string(u) == "s" && len(num) == 3 && (num[0] == '4' || num[0] == '5') {
			return append(append(dst, num...), 's') // "500s" are HTTP errors
		}
		return append(dst, "#time"...)
	case "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "k", "m":
		if string(u) == "k" || string(u) == "m" {
			return append(dst, "#num"...)
		}
		return append(dst, "#size"...)
	case "rps", "qps", "tps", "ops":
		return append(dst, "#rate"...)
	case "x":
		return append(dst, "#factor"...)
	case "xx":
		return append(append(dst, num...), "xx"...)
	}
	// "2fa", "5xx", "p2p": keep the word.
	for j := 0; j < len(w); j++ {
		c := w[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// isNumberWord reports whether a lowercased word is a spelled-out count,
// read as "#num" like digits.
func isNumberWord(w []byte) bool {
	if len(w) < 3 || len(w) > 9 || !numberWordStart[w[0]] {
		return false // most words: a look at the first letter is enough
	}
	switch string(w) {
	case "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozen", "dozens",
		"hundreds", "thousands", "millions", "twenty", "fifty", "hundred", "thousand", "million":
		return true
	}
	return false
}

// numberWordStart marks the first letters of the words isNumberWord knows.
var numberWordStart = [256]bool{'t': true, 'f': true, 's': true, 'e': true, 'n': true, 'd': true, 'h': true, 'm': true}
