package analysis

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// BlockKind says what kind of Markdown block a Block came from.
type BlockKind uint8

// Block kinds.
const (
	BlockParagraph BlockKind = iota // running prose, table rows included
	BlockHeading                    // an ATX heading ("### Why") or a line that is only bold text
	BlockListItem                   // one item of a bullet, numbered or task list
)

// Block is one piece of prose a reader sees in rendered Markdown.
type Block struct {
	Kind  BlockKind
	Level int    // heading level 1-6; 0 for other blocks
	Text  string // the visible text: inline code, images, URLs and tags removed
}

// maxProseInput caps how much of a text the reader looks at; the rest of a
// longer text is ignored. A comment on GitHub holds at most 65,536
// characters, so only pasted logs and generated text are cut.
const maxProseInput = 256 << 10

// Prose reads Markdown as GitHub renders it and returns the prose a person
// reads as the author's own words. It leaves out fenced and indented code,
// inline code, stack traces and log lines, quoted replies (">" lines quote
// someone else), HTML comments and tags, images, link targets and bare URLs,
// and lines that are mostly symbols. Headings and list items stay separate
// blocks so rationale detection can see a template's structure.
func Prose(markdown string) []Block {
	var blocks []Block
	readProse(markdown, func(b Block) {
		b.Text = strings.Clone(b.Text)
		blocks = append(blocks, b)
	})
	return blocks
}

// proseReader holds the state of one pass over a text.
type proseReader struct {
	emit      func(Block)
	para      []byte
	paraKind  BlockKind
	inPara    bool
	fence     string // the opening fence while inside a fenced code block
	inComment bool   // inside a multi-line HTML comment
	prevBlank bool
	prevCode  bool // the previous line was indented code
	inLog     bool // the previous line was a log or stack trace line
}

var proseBufPool = sync.Pool{New: func() any { return new([]byte) }}

// readProse calls emit for each block of prose. The Text of a block lives
// in a reused buffer: it is valid only during the call, so keep a copy
// (strings.Clone) of anything stored.
func readProse(md string, emit func(Block)) {
	if len(md) > maxProseInput {
		md = md[:maxProseInput]
	}
	buf := proseBufPool.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= 64<<10 {
			proseBufPool.Put(buf)
		}
	}()
	r := proseReader{emit: emit, prevBlank: true, para: (*buf)[:0]}
	defer func() { *buf = r.para[:0] }()
	for len(md) > 0 {
		var line string
		if i := strings.IndexByte(md, '\n'); i >= 0 {
			line, md = md[:i], md[i+1:]
		} else {
			line, md = md, ""
		}
		r.line(strings.TrimSuffix(line, "\r"))
	}
	r.flush()
}

func (r *proseReader) flush() {
	if !r.inPara {
		return
	}
	text := bytes.TrimSpace(r.para)
	r.inPara = false
	if len(text) > 0 {
		r.emit(Block{Kind: r.paraKind, Text: unsafe.String(&text[0], len(text))})
	}
	r.para = r.para[:0]
}

func (r *proseReader) line(line string) {
	// Inside a multi-line HTML comment, look for its end.
	if r.inComment {
		i := strings.Index(line, "-->")
		if i < 0 {
			return
		}
		r.inComment = false
		line = line[i+3:]
		if strings.TrimSpace(line) == "" {
			return
		}
	}
	trimmed := strings.TrimLeft(line, " \t")
	indent := indentWidth(line[:len(line)-len(trimmed)])

	// Fenced code.
	if r.fence != "" {
		if indent < 4 && strings.HasPrefix(trimmed, r.fence) && strings.Trim(trimmed, r.fence[:1]+" \t") == "" {
			r.fence = ""
		}
		return
	}
	if indent < 4 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
		r.flush()
		c := trimmed[0]
		n := 0
		for n < len(trimmed) && trimmed[n] == c {
			n++
		}
		r.fence = trimmed[:n]
		r.prevBlank = false
		return
	}

	if trimmed == "" {
		r.flush()
		r.prevBlank = true
		r.prevCode = false
		r.inLog = false
		return
	}
	wasBlank := r.prevBlank
	r.prevBlank = false

	// Indented code: four spaces after a blank line or more indented code.
	if indent >= 4 && (wasBlank || r.prevCode) && !r.inPara {
		r.prevCode = true
		return
	}
	r.prevCode = false

	// Quoted replies are someone else's words.
	if trimmed[0] == '>' {
		r.flush()
		return
	}

	// A line that starts an HTML comment and does not end it.
	line = stripHTMLComments(trimmed, &r.inComment)
	trimmed = strings.TrimSpace(line)
	if trimmed == "" {
		return
	}

	if isLogLine(trimmed) || (r.inLog && indent > 0) {
		r.flush()
		r.inLog = true
		return
	}
	r.inLog = false

	// Headings.
	if trimmed[0] == '#' {
		level := 0
		for level < len(trimmed) && trimmed[level] == '#' {
			level++
		}
		if level <= 6 && (level == len(trimmed) || trimmed[level] == ' ' || trimmed[level] == '\t') {
			r.flush()
			text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(trimmed[level:]), "#"))
			r.emitInline(BlockHeading, level, text)
			return
		}
	}
	// Setext underline or thematic break: ends the paragraph.
	if isRule(trimmed) {
		r.flush()
		return
	}
	// A line that is only bold text works as a heading in many templates.
	if len(trimmed) > 4 && (strings.HasPrefix(trimmed, "**") && strings.HasSuffix(trimmed, "**") ||
		strings.HasPrefix(trimmed, "__") && strings.HasSuffix(trimmed, "__")) &&
		!strings.Contains(trimmed[2:len(trimmed)-2], "**") {
		r.flush()
		r.emitInline(BlockHeading, 4, trimmed[2:len(trimmed)-2])
		return
	}
	// Table separator rows.
	if trimmed[0] == '|' && strings.Trim(trimmed, "|-: \t") == "" {
		return
	}
	// List items.
	if rest, ok := listItem(trimmed); ok {
		r.flush()
		r.inPara = true
		r.paraKind = BlockListItem
		r.appendInline(rest)
		return
	}
	if !r.inPara {
		r.inPara = true
		r.paraKind = BlockParagraph
	} else {
		r.para = append(r.para, ' ')
	}
	r.appendInline(trimmed)
}

func (r *proseReader) emitInline(kind BlockKind, level int, text string) {
	r.para = appendInline(r.para[:0], text)
	t := bytes.TrimSpace(r.para)
	if len(t) > 0 {
		r.emit(Block{Kind: kind, Level: level, Text: unsafe.String(&t[0], len(t))})
	} else if kind == BlockHeading {
		r.emit(Block{Kind: kind, Level: level})
	}
	r.para = r.para[:0]
}

func (r *proseReader) appendInline(text string) { r.para = appendInline(r.para, text) }

func indentWidth(ws string) int {
	n := 0
	for i := 0; i < len(ws); i++ {
		if ws[i] == '\t' {
			n += 4 - n%4
		} else {
			n++
		}
	}
	return n
}

func isRule(s string) bool {
	if len(s) < 3 {
		return false
	}
	c := s[0]
	if c != '-' && c != '=' && c != '*' && c != '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != c && s[i] != ' ' {
			return false
		}
	}
	return true
}

// listItem strips a list marker ("- ", "* ", "+ ", "1. ", "2) ") and a
// task box ("[ ] ", "[x] ").
func listItem(s string) (string, bool) {
	rest := ""
	switch {
	case len(s) >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t'):
		rest = s[2:]
	default:
		i := 0
		for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i+1 >= len(s) || (s[i] != '.' && s[i] != ')') || (s[i+1] != ' ' && s[i+1] != '\t') {
			return "", false
		}
		rest = s[i+2:]
	}
	rest = strings.TrimLeft(rest, " \t")
	if len(rest) >= 3 && rest[0] == '[' && rest[2] == ']' && (rest[1] == ' ' || rest[1] == 'x' || rest[1] == 'X') {
		rest = strings.TrimLeft(rest[3:], " \t")
	}
	return rest, true
}

// stripHTMLComments removes complete "<!-- ... -->" comments from a line and
// cuts an unterminated one, setting *open.
func stripHTMLComments(s string, open *bool) string {
	if !strings.Contains(s, "<!--") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			*open = true
			break
		}
		s = s[i+4+j+3:]
		b.WriteByte(' ')
	}
	return b.String()
}

// appendInline writes the visible text of one line: code spans, images,
// HTML tags, link targets and bare URLs are dropped; link text stays.
func appendInline(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`':
			n := 0
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				i += n + end + n
				b = append(b, ' ')
				continue
			}
			i += n
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			if end := linkEnd(s[i+1:]); end > 0 {
				i += 1 + end
				continue
			}
		case c == '[':
			if end := linkEnd(s[i:]); end > 0 {
				text := s[i+1 : strings.Index(s[i:], "](")+i]
				b = appendInline(b, text)
				i += end
				continue
			}
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 && end < 200 && isTag(s[i+1:i+end]) {
				b = append(b, ' ')
				i += end + 1
				continue
			}
		case (c == 'h' || c == 'H') && (strings.HasPrefix(s[i:], "https://") || strings.HasPrefix(s[i:], "http://")):
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != ')' && s[j] != '>' {
				j++
			}
			i = j
			continue
		}
		b = append(b, c)
		i++
	}
	return b
}

// linkEnd returns the length of "[text](target)" at the start of s, or 0.
func linkEnd(s string) int {
	mid := strings.Index(s, "](")
	if mid < 0 || mid > 500 || strings.IndexByte(s[:mid], '\n') >= 0 {
		return 0
	}
	end := strings.IndexByte(s[mid+2:], ')')
	if end < 0 {
		return 0
	}
	return mid + 2 + end + 1
}

func isTag(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '/' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '=' || c == '"' || c == '\'' || c == '-' || c == '/' || c == ':' || c == '.' || c == '_' || c == '#' || c == ';' || c == '%' || c == '?' || c == '&') {
			return false
		}
	}
	return true
}

// logPrefixes start lines of stack traces, tracebacks and logs.
var logPrefixes = []string{
	"Traceback (most recent call last)", "File \"", "goroutine ", "panic: ", "Exception in thread",
	"Caused by: ", "at java.", "at org.", "at com.", "at sun.", "at Object.", "at async ", "at new ",
	"npm ERR!", "npm WARN", "ERROR ", "ERROR:", "ERROR]", "WARN ", "WARN:", "WARNING:", "INFO ", "INFO:", "DEBUG ", "DEBUG:",
	"FATAL", "[ERROR]", "[WARN]", "[INFO]", "[DEBUG]", "level=", "time=", "ts=", "E0", "E1", "I0", "I1", "W0", "W1",
	"$ ", "+ ", "Error: Cannot find module", "error[E", "thread '", "Segmentation fault", "fatal error:",
	"at <anonymous>", "... ", "at ", "Stack trace:", "Stacktrace:", "Call stack:",
}

// isLogLine reports whether a line reads as machine output rather than prose.
// logFirstBytes holds the first bytes of logPrefixes, to skip most lines
// with one check.
var logFirstBytes = func() (t [256]bool) {
	for _, p := range logPrefixes {
		t[p[0]] = true
	}
	return t
}()

func isLogLine(s string) bool {
	for _, p := range logPrefixes {
		if !logFirstBytes[s[0]] {
			break
		}
		if strings.HasPrefix(s, p) {
			switch p {
			case "E0", "E1", "I0", "I1", "W0", "W1":
				// glog: "E0612 10:11:12.123456 ..."
				if len(s) < 5 || !isDigit(s[2]) || !isDigit(s[3]) {
					continue
				}
			case "at ":
				// "at foo.bar (file.js:1:2)" or "at pkg.Func(File.java:3)"
				open := strings.IndexByte(s, '(')
				if open < 0 || strings.IndexByte(strings.TrimSpace(s[3:open]), ' ') >= 0 {
					continue
				}
			case "+ ", "... ":
				// a diff line or shell trace is only a log when it looks like code
				if letterShare(s) > 0.7 {
					continue
				}
			}
			return true
		}
	}
	// Timestamps: "2024-05-01", "12:30:01", "[2024-..."
	t := strings.TrimLeft(s, "[")
	if len(t) >= 10 && isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]) && t[4] == '-' && isDigit(t[5]) && isDigit(t[6]) && t[7] == '-' {
		return true
	}
	if len(t) >= 8 && isDigit(t[0]) && isDigit(t[1]) && t[2] == ':' && isDigit(t[3]) && isDigit(t[4]) && t[5] == ':' {
		return true
	}
	// "Error: listen EADDRINUSE: address already in use"
	if (strings.HasPrefix(s, "Error: ") || strings.HasPrefix(s, "error: ")) && strings.Count(s, ":") >= 2 {
		return true
	}
	// "java.lang.NullPointerException: ...", "TypeError: x is undefined"
	if sp := strings.IndexAny(s, " :"); sp > 0 && sp < len(s) && s[sp] == ':' {
		head := s[:sp]
		if (strings.HasSuffix(head, "Exception") || strings.HasSuffix(head, "Error")) && !strings.ContainsAny(head, " ") && head != "Error" {
			return true
		}
	}
	// File positions such as "main.go:42" or "+0x1d" in a line without much prose.
	if strings.Contains(s, "+0x") || (strings.Contains(s, ".go:") || strings.Contains(s, ".py\", line") || strings.Contains(s, ".java:") || strings.Contains(s, ".rb:") || strings.Contains(s, ".js:")) && letterShare(s) < 0.8 {
		return true
	}
	return letterShare(s) < 0.45 && len(s) > 8
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// letterShare is the share of letters and spaces among a line's characters.
func letterShare(s string) float64 {
	letters, total := 0, 0
	for _, r := range s {
		total++
		if r == ' ' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf {
			letters++
		}
	}
	if total == 0 {
		return 1
	}
	return float64(letters) / float64(total)
}
