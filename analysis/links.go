package analysis

import (
	"strconv"
	"strings"
)

// Link is a reference from a pull request (or issue) to an issue.
type Link struct {
	Owner, Repo string // empty for the same repository
	Number      int
	// Closing is true when a closing keyword precedes the reference
	// ("Fixes #12", "closes acme/web#3"), as GitHub reads it.
	Closing bool
	// Text is the reference as written, keyword included: "Fixes #12".
	Text string
}

// closingKeywords are GitHub's keywords that close an issue when a pull
// request merges.
var closingKeywords = []string{"close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"}

// ParseLinks finds the issues a title and body refer to: "#12",
// "acme/web#12" and "https://github.com/acme/web/issues/12". A closing
// keyword right before a reference ("Fixes #12", "closes: #12") marks it
// Closing; "part of #12" or "see #12" are related only. References inside
// code spans and blocks, quoted lines, HTML comments and headings are not
// links. Each issue appears once, in order of first mention; a closing
// mention wins over a related one.
func ParseLinks(title, body string) []Link {
	var links []Link
	add := func(l Link) {
		for i := range links {
			if links[i].Number == l.Number && strings.EqualFold(links[i].Owner, l.Owner) && strings.EqualFold(links[i].Repo, l.Repo) {
				if l.Closing && !links[i].Closing {
					links[i].Closing = true
					links[i].Text = l.Text
				}
				return
			}
		}
		links = append(links, l)
	}
	scanLinkLine(title, add)
	if len(body) > maxProseInput {
		body = body[:maxProseInput]
	}
	var fence string
	inComment := false
	for len(body) > 0 {
		var line string
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if inComment {
			i := strings.Index(line, "-->")
			if i < 0 {
				continue
			}
			inComment = false
			line = line[i+3:]
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := indentWidth(line[:len(line)-len(trimmed)])
		if fence != "" {
			if indent < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
				fence = ""
			}
			continue
		}
		if indent < 4 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			n := 0
			for n < len(trimmed) && trimmed[n] == trimmed[0] {
				n++
			}
			fence = trimmed[:n]
			continue
		}
		line = stripHTMLComments(trimmed, &inComment)
		trimmed = strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '>' || isHeadingLine(trimmed) {
			continue
		}
		scanLinkLine(trimmed, add)
	}
	return links
}

func isHeadingLine(s string) bool {
	level := 0
	for level < len(s) && s[level] == '#' {
		level++
	}
	return level > 0 && level <= 6 && (level == len(s) || s[level] == ' ' || s[level] == '\t')
}

// scanLinkLine finds references in one line of text, code spans removed.
func scanLinkLine(line string, add func(Link)) {
	line = blankCodeSpans(line)
	for i := 0; i < len(line); i++ {
		var l Link
		var start, end int
		switch c := line[i]; {
		case c == '#':
			n, e := readNumber(line, i+1)
			if n <= 0 || (e < len(line) && isWordByte(line[e])) {
				continue
			}
			start, end = i, e
			// "owner/repo#12"
			if i > 0 && isRepoByte(line[i-1]) {
				j := i
				for j > 0 && (isRepoByte(line[j-1]) || line[j-1] == '/') {
					j--
				}
				owner, repo, ok := strings.Cut(line[j:i], "/")
				if !ok || !validLogin(owner) || !validRepo(repo) {
					i = e - 1
					continue
				}
				l.Owner, l.Repo = owner, repo
				start = j
			}
			if start > 0 && !isRefBoundary(line[start-1]) {
				i = e - 1
				continue
			}
			l.Number = n
		case c == 'h' && (strings.HasPrefix(line[i:], "https://github.com/") || strings.HasPrefix(line[i:], "http://github.com/")):
			prefix := len("https://github.com/")
			if !strings.HasPrefix(line[i:], "https://") {
				prefix = len("http://github.com/")
			}
			rest := line[i+prefix:]
			parts := strings.SplitN(rest, "/", 4)
			if len(parts) < 4 || (parts[2] != "issues" && parts[2] != "pull") || !validLogin(parts[0]) || !validRepo(parts[1]) {
				continue
			}
			numStart := len(line) - len(parts[3])
			n, e := readNumber(line, numStart)
			if n <= 0 || (e < len(line) && isWordByte(line[e])) {
				continue
			}
			l.Owner, l.Repo, l.Number = parts[0], parts[1], n
			start, end = i, e
		default:
			continue
		}
		l.Text = line[start:end]
		if kw, ok := closingKeywordBefore(line[:start]); ok {
			l.Closing = true
			l.Text = line[len(line[:start])-len(kw) : end]
		}
		add(l)
		i = end - 1
	}
}

// closingKeywordBefore reports whether text ends with a closing keyword,
// an optional colon and spaces; it returns that tail.
func closingKeywordBefore(text string) (string, bool) {
	t := strings.TrimRight(text, " \t")
	if len(t) == len(text) && len(text) > 0 {
		// "Fixes#12" is not a keyword use; GitHub needs a space or colon.
		if !strings.HasSuffix(t, ":") {
			return "", false
		}
	}
	t = strings.TrimSuffix(t, ":")
	// "**Fixes** #12"
	t = strings.TrimRight(t, "*_")
	for _, kw := range closingKeywords {
		if len(t) < len(kw) || !strings.EqualFold(t[len(t)-len(kw):], kw) {
			continue
		}
		before := len(t) - len(kw)
		if before > 0 && (isWordByte(t[before-1])) {
			continue
		}
		// keep the emphasis markers that opened before the keyword
		for before > 0 && (t[before-1] == '*' || t[before-1] == '_') {
			before--
		}
		return text[before:], true
	}
	return "", false
}

func readNumber(s string, i int) (int, int) {
	j := i
	for j < len(s) && j-i < 10 && isDigit(s[j]) {
		j++
	}
	if j == i || (j < len(s) && isDigit(s[j])) {
		return 0, j
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil {
		return 0, j
	}
	return n, j
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isRepoByte(c byte) bool { return isWordByte(c) || c == '-' || c == '.' }

// isRefBoundary is what may stand right before a reference.
func isRefBoundary(c byte) bool {
	switch c {
	case ' ', '\t', '(', '[', ',', ';', ':', '*', '_', '"', '\'', '{', '<':
		return true
	}
	return false
}

func validRepo(s string) bool {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isRepoByte(s[i]) {
			return false
		}
	}
	return true
}

// blankCodeSpans replaces inline code spans with spaces, keeping offsets.
func blankCodeSpans(s string) string {
	if strings.IndexByte(s, '`') < 0 {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		end := strings.Index(string(b[i+n:]), s[i:i+n])
		if end < 0 {
			i += n
			continue
		}
		for j := i; j < i+n+end+n; j++ {
			b[j] = ' '
		}
		i += n + end + n
	}
	return string(b)
}
