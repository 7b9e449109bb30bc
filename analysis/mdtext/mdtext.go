// Package mdtext writes other people's text into GitHub Markdown so that it
// shows exactly as written and notifies nobody: a quoted sentence with
// backticks, emphasis, an @mention or an issue reference must neither break
// the surrounding comment nor ping a person or link an issue.
package mdtext

import (
	"strings"
	"unicode/utf8"
)

// Shorten reads every run of white space as one space and cuts s to at
// most max runes, ending a cut text with "…".
func Shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max || max < 1 {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// CodeSpan returns s as one inline code span, which GitHub shows verbatim:
// no emphasis, links, HTML, mentions or issue references inside it. The
// fence is one backtick longer than the longest run of backticks in s, so
// the text's own backticks stay as they are. s should be one line (see
// Shorten); an empty s gives "".
func CodeSpan(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' {
		// A space on each side is stripped by the renderer and keeps a
		// backtick at the edge from joining the fence.
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// wordJoiner is an invisible character that stops GitHub from reading
// "@name" as a mention or "#12" as a reference, while the text looks the
// same.
const wordJoiner = "\u2060"

// Escape returns s as plain Markdown text for one line or one table cell:
// white space collapsed, Markdown punctuation escaped so it shows as typed
// (a leading "-", "+", "=" or "1." starts no list or heading), and a word
// joiner placed so that nobody is notified and nothing is linked: after
// each "@" and "#", after the "GH" of "GH-12", inside "://" and after a
// "www" that starts a web address.
func Escape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	b.Grow(len(s) + 8)
	if n := leadingMarker(s); n > 0 {
		b.WriteString(s[:n-1])
		b.WriteByte('\\')
		b.WriteByte(s[n-1])
		s = s[n:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '&', '*', '_', '[', ']', '<', '>', '|', '!', '~', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '@', '#':
			b.WriteByte(c)
			b.WriteString(wordJoiner)
		case ':':
			b.WriteByte(c)
			if strings.HasPrefix(s[i+1:], "//") {
				b.WriteString(wordJoiner)
			}
		default:
			b.WriteByte(c)
			if (c == 'h' || c == 'H' || c == 'w' || c == 'W') && i >= 1 && linkPrefix(s[:i+1], s[i+1:]) {
				b.WriteString(wordJoiner)
			}
		}
	}
	return b.String()
}

// leadingMarker returns the length of a list or heading marker that starts
// s ("-", "+", "=", "12." or "12)" followed by a space or the end), or 0.
func leadingMarker(s string) int {
	if s == "" {
		return 0
	}
	n := 0
	switch {
	case s[0] == '-' || s[0] == '+' || s[0] == '=':
		n = 1
	default:
		for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n == len(s) || (s[n] != '.' && s[n] != ')') {
			return 0
		}
		n++
	}
	if n < len(s) && s[n] != ' ' {
		return 0
	}
	return n
}

// linkPrefix reports whether before ends in "GH" followed by "-" and a
// digit, or in a word "www" followed by ".": the starts of an issue
// reference and of a web address GitHub would link.
func linkPrefix(before, after string) bool {
	lower := strings.ToLower(before)
	switch {
	case strings.HasSuffix(lower, "gh"):
		start := len(lower) - 2
		return (start == 0 || !isWord(lower[start-1])) && len(after) >= 2 && after[0] == '-' && after[1] >= '0' && after[1] <= '9'
	case strings.HasSuffix(lower, "www"):
		start := len(lower) - 3
		return (start == 0 || !isWord(lower[start-1])) && strings.HasPrefix(after, ".")
	}
	return false
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
