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
// white space collapsed, Markdown punctuation escaped so it shows as
// typed, and a word joiner after each "@" and "#" so that nobody is
// notified and no issue is linked.
func Escape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '&', '*', '_', '[', ']', '<', '>', '|', '!', '~', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '@', '#':
			b.WriteByte(c)
			b.WriteString(wordJoiner)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
