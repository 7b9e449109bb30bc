package analysis

import (
	"bytes"
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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
	// Task is set on a task-list item ("- [ ] ...", "- [x] ...").
	Task bool

	// What Original needs to find the Markdown a part of Text came from.
	src        string // the whole Markdown text
	spans      []span // in order of Text offset
	base       int    // offset in the reader's buffer of Text[0]
	start, end int    // offsets in src of the block's first and last inline text
}

// span says that the reader's buffer from offset text on holds the bytes
// of the Markdown from offset src on; src < 0 marks bytes the reader put
// there itself (a space for a dropped code span, a tag or a line break).
type span struct{ text, src int }

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
		b.spans = slices.Clone(b.spans)
		blocks = append(blocks, b)
	})
	return blocks
}

// Original returns the Markdown that Text[i:j] was read from, as its author
// wrote it: inline code, links, emphasis and mentions kept, line breaks read
// as spaces (as GitHub shows them) and HTML comments, which nobody sees, left
// out. Code, links or tags that the reader dropped right before the first
// visible word, or after the last when the text does not end a sentence,
// belong to it. i and j are byte offsets into Text, as from a sentence of
// it.
func (b Block) Original(i, j int) string { return b.original(i, j).text(b.src) }

// original is where in the Markdown a part of a block came from, kept
// as offsets so that it costs nothing until it is quoted.
type original struct {
	from, to int    // offsets in the Markdown
	fallback string // the visible text, when the offsets are unknown
}

// text is the original as Block.Original gives it; src is the Markdown
// the block was read from (or any text it is a prefix of).
func (o original) text(src string) string {
	if o.to <= o.from || o.to > len(src) {
		return o.fallback
	}
	return cleanOriginal(src[o.from:o.to])
}

func (b Block) original(i, j int) original {
	i, j = max(0, i), min(j, len(b.Text))
	for i < j && isSpaceByte(b.Text[i]) {
		i++
	}
	for j > i && isSpaceByte(b.Text[j-1]) {
		j--
	}
	if i >= j {
		return original{}
	}
	if b.src == "" || len(b.spans) == 0 {
		return original{fallback: strings.Clone(b.Text[i:j])}
	}
	// From the end of the last word before the text...
	from := b.start
	if p := i - 1; p >= 0 {
		for p >= 0 && isSpaceByte(b.Text[p]) {
			p--
		}
		if p >= 0 {
			from = b.srcOf(p) + 1
		}
	}
	// ...to the end of its last word, or to the next word when it does not
	// end a sentence.
	to := b.srcOf(j-1) + 1
	if c := b.Text[j-1]; c != '.' && c != '?' && c != '!' {
		q := j
		for q < len(b.Text) && isSpaceByte(b.Text[q]) {
			q++
		}
		if q < len(b.Text) {
			to = b.srcOf(q)
		} else {
			to = max(to, b.end)
		}
	}
	if from < 0 || to > len(b.src) || from >= to {
		return original{fallback: strings.Clone(b.Text[i:j])}
	}
	return original{from: from, to: to}
}

// srcOf maps the offset of a visible byte of Text (not one the reader put
// in) to its offset in the Markdown.
func (b Block) srcOf(i int) int {
	p := b.base + i
	k, _ := slices.BinarySearchFunc(b.spans, p, func(s span, p int) int { return cmp.Compare(s.text, p) })
	if k == len(b.spans) || b.spans[k].text > p {
		k--
	}
	if k < 0 || b.spans[k].src < 0 {
		return -1
	}
	return b.spans[k].src + p - b.spans[k].text
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// cleanOriginal drops HTML comments and reads every run of white space,
// line breaks included, as one space.
func cleanOriginal(s string) string {
	if isCleanOriginal(s) {
		return s // most quotes: one line, nothing to drop
	}
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + " " + s[i+4+j+3:]
	}
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\n\r\t") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isCleanOriginal reports whether cleanOriginal would return s as it is:
// no HTML comment, line break, tab or two spaces in a row, and nothing to
// trim at either end. It may say no to a text that is clean (one with
// another control character): cleanOriginal then takes the long way.
func isCleanOriginal(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; c <= ' ' || c >= utf8.RuneSelf {
		return false
	}
	if c := s[len(s)-1]; c <= ' ' || c >= utf8.RuneSelf {
		return false
	}
	// Eight bytes at a time: a control character, a '<', or a space
	// after a space (in this word or at the end of the last).
	const ones = 0x0101010101010101
	i := 0
	var lastSpaces uint64
	for ; i+8 <= len(s); i += 8 {
		x := load64(s[i : i+8])
		spaces := zeroBytes(x ^ ones*' ')
		control := highBits &^ ((x&^highBits + ones*(0x80-0x20)) | x)
		if control|zeroBytes(x^ones*'<')|spaces&(spaces<<8|lastSpaces>>56) != 0 {
			return false
		}
		lastSpaces = spaces
	}
	prevSpace := i > 0 && s[i-1] == ' '
	for ; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == '<' || c == ' ' && prevSpace {
			return false
		}
		prevSpace = c == ' '
	}
	return true
}

// load64 reads eight bytes as one little-endian word; the compiler makes
// it one load.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// zeroBytes has the top bit set in each byte of x that is zero, and no
// other bit.
func zeroBytes(x uint64) uint64 {
	return highBits &^ ((x&^highBits + ones7f) | x)
}

const ones7f = 0x7f7f7f7f7f7f7f7f

// forEachSentenceAt calls fn on each sentence of a block's Text with the
// sentence's offset in it.
func forEachSentenceAt(text string, fn func(s string, at int)) {
	start := 0
	for i := nextSentenceMark(text, 0); i < len(text); i = nextSentenceMark(text, i+1) {
		// a sentence ends at the mark followed by a space or the end
		if i+1 < len(text) && text[i+1] != ' ' && text[i+1] != ')' && text[i+1] != '"' {
			continue
		}
		sentenceAt(text, start, i+1, fn)
		start = i + 1
	}
	sentenceAt(text, start, len(text), fn)
}

// sentenceAt calls fn on text[start:end] without the white space around
// it, unless nothing is left.
func sentenceAt(text string, start, end int, fn func(s string, at int)) {
	// strings.TrimSpace, keeping where the sentence starts; ASCII first
	for start < end && asciiSpace[text[start]] {
		start++
	}
	if start < end && text[start] >= utf8.RuneSelf {
		t := text[start:end]
		start += len(t) - len(strings.TrimLeftFunc(t, unicode.IsSpace))
	}
	for end > start && asciiSpace[text[end-1]] {
		end--
	}
	if end > start && text[end-1] >= utf8.RuneSelf {
		end = start + len(strings.TrimRightFunc(text[start:end], unicode.IsSpace))
	}
	if end > start {
		fn(text[start:end], start)
	}
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// nextSentenceMark returns the offset of the first '.', '?' or '!' in
// text from i on, or len(text); eight bytes at a time.
func nextSentenceMark(text string, i int) int {
	const ones = 0x0101010101010101
	for ; i+8 <= len(text); i += 8 {
		x := load64(text[i : i+8])
		if m := zeroBytes(x^ones*'.') | zeroBytes(x^ones*'?') | zeroBytes(x^ones*'!'); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(text); i++ {
		if c := text[i]; c == '.' || c == '?' || c == '!' {
			return i
		}
	}
	return i
}

// proseReader holds the state of one pass over a text.
type proseReader struct {
	emit  func(Block)
	src   string
	para  []byte // the text of every block of the pass, one after another
	spans []span // where para's bytes come from
	// paraStart and spanStart are where the block being read starts in
	// para and spans; pending holds the blocks read, emitted at the end of
	// the pass so that all their text is copied into one string
	paraStart, spanStart int
	pending              []pendingBlock
	started              bool // the block has inline text; blockStart is set
	blockStart, blockEnd int
	paraKind             BlockKind
	task                 bool // the paragraph is a task-list item
	inPara               bool
	fence                string // the opening fence while inside a fenced code block
	inComment            bool   // inside a multi-line HTML comment
	prevBlank            bool
	prevCode             bool // the previous line was indented code
	inLog                bool // the previous line was a log or stack trace line
	// codeProse asks for fenced plain text that reads as sentences;
	// inFenceProse is set inside such a fence, whose lines (start and end
	// offsets) fenceLines collects.
	mode         proseMode
	inFenceProse bool
	fenceLines   []span
	stats        proseStats
	// blanked is set once an HTML comment was blanked out of a line: the
	// text read then differs from the Markdown's bytes.
	blanked bool
}

// proseStats counts what a pass left out.
type proseStats struct {
	// Code counts the blocks of code, logs and stack traces: fenced or
	// indented blocks and runs of log lines.
	Code int
	// InlineCode counts the code spans dropped from prose, Quotes the
	// quoted lines, Tasks the task-list items.
	InlineCode, Quotes, Tasks int
	// Prose is the length of the prose read, in bytes; Mention is set
	// when its first block starts by naming someone ("@alice ...").
	Prose   int
	Mention bool
}

// pendingBlock is a block read and not yet emitted: its text is
// para[text:textEnd], its spans spans[spanFrom:spanTo].
type pendingBlock struct {
	kind                 BlockKind
	level                int
	task                 bool
	text, textEnd        int
	spanFrom, spanTo     int
	blockStart, blockEnd int
}

// proseBuf holds a reader's buffers between passes.
type proseBuf struct {
	para    []byte
	spans   []span
	pending []pendingBlock
}

var proseBufPool = sync.Pool{New: func() any { return new(proseBuf) }}

// readProse calls emit for each block of prose, in order, once the whole
// text is read. The blocks' Text share one string, so keeping a part of
// one keeps all of it: copy (strings.Clone) what is stored for long.
func readProse(md string, emit func(Block)) { readProseWith(md, 0, emit) }

// proseMode asks a pass for more than the comment classifier reads.
type proseMode uint8

const (
	// proseFenceText reads a fenced block of plain text (no language, or
	// shell or text) that holds sentences rather than commands or output:
	// some issue forms put the reporter's own description into such a
	// block.
	proseFenceText proseMode = 1 << iota
	// proseInlineFences reads a line that starts with three backticks and
	// has another backtick after them ("```Foo()```'s callback is not
	// called") as prose with inline code, as GitHub does, instead of as
	// the start of a code block. The comment classifier does not ask for
	// it yet: its weights were fitted on the older reading, and it should
	// ask when they are next retrained.
	proseInlineFences
)

// readProseWith is readProse in a mode, and returns what it left out.
func readProseWith(md string, mode proseMode, emit func(Block)) proseStats {
	buf := proseBufPool.Get().(*proseBuf)
	stats := readProseInto(buf, md, mode, emit, nil)
	if buf.keep() {
		proseBufPool.Put(buf)
	}
	return stats
}

// keep reports whether the buffers are small enough to keep for the next
// pass.
func (buf *proseBuf) keep() bool { return cap(buf.para) <= 64<<10 && cap(buf.pending) <= 4096 }

// readProseInto is readProseWith with the buffers of the caller's; it
// calls ready, unless nil, with what the pass counted before the first
// block is emitted.
func readProseInto(buf *proseBuf, md string, mode proseMode, emit func(Block), ready func(proseStats)) proseStats {
	if len(md) > maxProseInput {
		md = md[:maxProseInput]
	}
	r := proseReader{emit: emit, src: md, prevBlank: true, para: buf.para[:0], spans: buf.spans[:0], pending: buf.pending[:0], mode: mode}
	for pos := 0; pos < len(md); {
		end, next := len(md), len(md)
		if i := strings.IndexByte(md[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		r.line(strings.TrimSuffix(md[pos:end], "\r"), pos)
		pos = next
	}
	r.flush()
	for k, p := range r.pending {
		r.stats.Prose += p.textEnd - p.text
		if k == 0 && p.textEnd > p.text && r.para[p.text] == '@' {
			r.stats.Mention = true
		}
		if p.task {
			r.stats.Tasks++
		}
	}
	if ready != nil {
		ready(r.stats)
	}
	// A block whose text the Markdown holds as it is (one line, nothing
	// dropped) shares the Markdown's string; the others share one copy of
	// all the blocks' text, made when the first of them needs it.
	var text string
	for _, p := range r.pending {
		if p.textEnd == 0 {
			emit(Block{Kind: p.kind, Level: p.level})
			continue
		}
		spans := r.spans[p.spanFrom:p.spanTo]
		t, ok := r.verbatim(spans, p.text, p.textEnd)
		if !ok {
			if text == "" {
				text = string(r.para)
			}
			t = text[p.text:p.textEnd]
		}
		emit(Block{Kind: p.kind, Level: p.level, Text: t, Task: p.task,
			src: r.src, spans: spans, base: p.text, start: p.blockStart, end: p.blockEnd})
	}
	buf.para, buf.spans, buf.pending = r.para[:0], r.spans[:0], r.pending[:0]
	return r.stats
}

// verbatim returns the Markdown that holds para[from:to] byte for byte,
// when one span of the block's (spans) covers it all.
func (r *proseReader) verbatim(spans []span, from, to int) (string, bool) {
	if r.blanked {
		return "", false
	}
	for k, s := range spans {
		if s.text > from {
			break
		}
		if k+1 < len(spans) && spans[k+1].text <= from {
			continue
		}
		// s holds from; it must reach to and be the Markdown's
		if s.src < 0 || k+1 < len(spans) && spans[k+1].text < to {
			return "", false
		}
		at := s.src + from - s.text
		return r.src[at : at+to-from], true
	}
	return "", false
}

func (r *proseReader) flush() {
	if !r.inPara {
		return
	}
	r.inPara = false
	r.emitBuffered(r.paraKind, 0, r.task, false)
}

// emitBuffered files the block being read and starts the next. An empty
// heading is filed too: it still ends the section above it.
func (r *proseReader) emitBuffered(kind BlockKind, level int, task, emitEmpty bool) {
	seg := r.para[r.paraStart:]
	if text := bytes.TrimSpace(seg); len(text) > 0 {
		at := r.paraStart + cap(seg) - cap(text)
		r.pending = append(r.pending, pendingBlock{kind: kind, level: level, task: task, text: at, textEnd: at + len(text),
			spanFrom: r.spanStart, spanTo: len(r.spans), blockStart: r.blockStart, blockEnd: r.blockEnd})
	} else if emitEmpty {
		r.pending = append(r.pending, pendingBlock{kind: kind, level: level})
	}
	r.startBlock()
}

// startBlock starts a new block at the end of the buffers.
func (r *proseReader) startBlock() {
	r.paraStart, r.spanStart, r.started = len(r.para), len(r.spans), false
}

// emitFenceProse emits the lines of a plain-text fence as one paragraph
// when they read as sentences: mostly letters, no log lines, and at least a
// fifth of their words the small words of English prose.
func (r *proseReader) emitFenceProse() {
	r.inFenceProse = false
	words, small := 0, 0
	for _, l := range r.fenceLines {
		line := strings.TrimSpace(r.src[l.text:l.src])
		if line == "" {
			continue
		}
		if isLogLine(line) || letterShare(line) < 0.8 {
			return
		}
		for _, w := range strings.Fields(line) {
			words++
			if proseSmallWords[strings.ToLower(strings.Trim(w, ".,;:!?\"'()"))] {
				small++
			}
		}
	}
	if words < 8 || small*5 < words {
		return
	}
	r.startBlock()
	for _, l := range r.fenceLines {
		line, at := trimSpace(r.src[l.text:l.src], l.text)
		if line == "" {
			continue
		}
		if r.started {
			r.insert(' ')
		} else {
			r.started, r.blockStart = true, at
		}
		r.copyText(line, at)
		r.blockEnd = at + len(line)
	}
	r.emitBuffered(BlockParagraph, 0, false, false)
}

// proseSmallWords are function words that make up a good part of any
// English sentence and hardly any command or code.
var proseSmallWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true, "was": true, "were": true, "i": true,
	"it": true, "to": true, "of": true, "and": true, "in": true, "on": true, "for": true, "with": true,
	"when": true, "but": true, "not": true, "this": true, "that": true, "be": true, "have": true,
	"has": true, "my": true, "we": true, "you": true, "can": true, "do": true, "does": true, "if": true,
	"so": true, "as": true, "at": true, "by": true, "from": true, "or": true, "there": true, "what": true,
}

// line reads one line of the Markdown, which starts at offset off.
func (r *proseReader) line(line string, off int) {
	// Inside a multi-line HTML comment, look for its end.
	if r.inComment {
		i := strings.Index(line, "-->")
		if i < 0 {
			return
		}
		r.inComment = false
		line, off = line[i+3:], off+i+3
		if strings.TrimSpace(line) == "" {
			return
		}
	}
	lead := 0
	for lead < len(line) && (line[lead] == ' ' || line[lead] == '\t') {
		lead++
	}
	trimmed := line[lead:]
	indent := indentWidth(line[:len(line)-len(trimmed)])
	off += len(line) - len(trimmed)

	// Fenced code.
	if r.fence != "" {
		if indent < 4 && strings.HasPrefix(trimmed, r.fence) && strings.Trim(trimmed, r.fence[:1]+" \t") == "" {
			r.fence = ""
			if r.inFenceProse {
				r.emitFenceProse()
			}
		} else if r.inFenceProse {
			r.fenceLines = append(r.fenceLines, span{text: off, src: off + len(line)})
		}
		return
	}
	if indent < 4 && isFenceOpening(trimmed, r.mode&proseInlineFences != 0) {
		r.flush()
		c := trimmed[0]
		n := 0
		for n < len(trimmed) && trimmed[n] == c {
			n++
		}
		r.fence = trimmed[:n]
		r.stats.Code++
		r.prevBlank = false
		switch strings.ToLower(strings.TrimSpace(trimmed[n:])) {
		case "", "text", "txt", "plaintext", "shell", "console", "sh":
			r.inFenceProse = r.mode&proseFenceText != 0
			r.fenceLines = r.fenceLines[:0]
		default:
			r.inFenceProse = false
		}
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
		if !r.prevCode {
			r.stats.Code++
		}
		r.prevCode = true
		return
	}
	r.prevCode = false

	// Quoted replies are someone else's words.
	if trimmed[0] == '>' {
		r.flush()
		r.stats.Quotes++
		return
	}

	// A line that starts an HTML comment and does not end it.
	if strings.Contains(trimmed, "<!--") {
		// The text read is no longer the Markdown's bytes.
		r.blanked = true
		trimmed = blankHTMLComments(trimmed, &r.inComment)
	}
	trimmed, off = trimSpace(trimmed, off)
	if trimmed == "" {
		return
	}

	if isLogLine(trimmed) || (r.inLog && indent > 0) {
		r.flush()
		if !r.inLog {
			r.stats.Code++
		}
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
			text, at := trimSpace(trimmed[level:], off+level)
			text, at = trimSpace(strings.TrimRight(text, "#"), at)
			r.emitInline(BlockHeading, level, text, at)
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
		r.emitInline(BlockHeading, 4, trimmed[2:len(trimmed)-2], off+2)
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
		r.task = isTaskBox(trimmed[:len(trimmed)-len(rest)])
		r.inline(rest, off+len(trimmed)-len(rest))
		return
	}
	if !r.inPara {
		r.inPara = true
		r.paraKind = BlockParagraph
		r.task = false
	} else {
		r.insert(' ')
	}
	r.inline(trimmed, off)
}

// isFenceOpening reports whether a line opens a fenced code block: three
// or more backticks or tildes, and, when strict, for backticks an info
// string without a backtick ("```Foo()```'s callback" is a line of prose
// with inline code).
func isFenceOpening(line string, strict bool) bool {
	if !strings.HasPrefix(line, "```") && !strings.HasPrefix(line, "~~~") {
		return false
	}
	return !strict || line[0] == '~' || strings.IndexByte(strings.TrimLeft(line, "`"), '`') < 0
}

// emitInline emits one line as a block of its own.
func (r *proseReader) emitInline(kind BlockKind, level int, text string, off int) {
	r.startBlock()
	r.inline(text, off)
	r.emitBuffered(kind, level, false, kind == BlockHeading)
}

// trimSpace trims s, which starts at offset off, and returns where the
// trimmed text starts.
func trimSpace(s string, off int) (string, int) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", off
	}
	return t, off + strings.Index(s, t)
}

// copyText appends s, which starts at offset off of the Markdown.
func (r *proseReader) copyText(s string, off int) {
	if s == "" {
		return
	}
	if n := len(r.spans); n == r.spanStart || r.spans[n-1].src < 0 || r.spans[n-1].src+len(r.para)-r.spans[n-1].text != off {
		r.spans = append(r.spans, span{text: len(r.para), src: off})
	}
	r.para = append(r.para, s...)
}

// insert appends a byte of the reader's own, such as the space that
// stands for a dropped code span.
func (r *proseReader) insert(c byte) {
	if n := len(r.spans); n == r.spanStart || r.spans[n-1].src >= 0 {
		r.spans = append(r.spans, span{text: len(r.para), src: -1})
	}
	r.para = append(r.para, c)
}

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

// isTaskBox reports whether a list marker ends in a task box, "[ ]" or "[x]".
func isTaskBox(marker string) bool {
	m := strings.TrimRight(marker, " \t")
	return len(m) >= 3 && m[len(m)-1] == ']' && m[len(m)-3] == '['
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

// blankHTMLComments blanks out complete "<!-- ... -->" comments of a line,
// keeping every other byte where it was, and cuts an unterminated one,
// setting *open.
func blankHTMLComments(s string, open *bool) string {
	if !strings.Contains(s, "<!--") {
		return s
	}
	b := []byte(s)
	for i := 0; ; {
		j := strings.Index(s[i:], "<!--")
		if j < 0 {
			break
		}
		j += i
		k := strings.Index(s[j+4:], "-->")
		if k < 0 {
			*open = true
			return string(b[:j])
		}
		i = j + 4 + k + 3
		for x := j; x < i; x++ {
			b[x] = ' '
		}
	}
	return string(b)
}

// inline appends the visible text of one line, which starts at offset off
// of the Markdown: code spans, images, HTML tags, link targets and bare
// URLs are dropped; link text stays.
func (r *proseReader) inline(s string, off int) {
	if !r.started {
		r.started, r.blockStart = true, off
	}
	run := 0 // start of the text not yet copied
	for i := 0; i < len(s); {
		for i < len(s) && !inlineMark[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '`':
			n := 0
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			r.copyText(s[run:i], off+run)
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				i += n + end + n
				r.insert(' ')
				r.stats.InlineCode++
			} else {
				i += n
			}
			run = i
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			if end := linkEnd(s[i+1:]); end > 0 {
				r.copyText(s[run:i], off+run)
				i += 1 + end
				run = i
				continue
			}
		case c == '[':
			if end := linkEnd(s[i:]); end > 0 {
				r.copyText(s[run:i], off+run)
				r.inline(s[i+1:strings.Index(s[i:], "](")+i], off+i+1)
				i += end
				run = i
				continue
			}
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 && end < 200 && isTag(s[i+1:i+end]) {
				r.copyText(s[run:i], off+run)
				r.insert(' ')
				i += end + 1
				run = i
				continue
			}
		case c == ':' && i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/':
			// A bare URL, from its "http" on: the letters before the
			// colon are never the end of what was dropped before.
			from := -1
			if i >= 5 && s[i-5:i] == "https" {
				from = i - 5
			} else if i >= 4 && s[i-4:i] == "http" {
				from = i - 4
			}
			if from < run {
				break
			}
			r.copyText(s[run:from], off+run)
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != ')' && s[j] != '>' {
				j++
			}
			i = j
			run = i
			continue
		}
		i++
	}
	r.copyText(s[run:], off+run)
	r.blockEnd = off + len(s)
}

// inlineMark marks the bytes where inline starts to look closer: code
// spans, images, links, tags and the colon of a URL.
var inlineMark = [256]bool{'`': true, '!': true, '[': true, '<': true, ':': true}

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

// logPrefixesByFirst files logPrefixes under their first byte, in order,
// so a line is checked only against the prefixes it could start with.
var logPrefixesByFirst = func() (t [256][]string) {
	for _, p := range logPrefixes {
		t[p[0]] = append(t[p[0]], p)
	}
	return t
}()

// isLogLine reports whether a line reads as machine output rather than prose.
func isLogLine(s string) bool {
	for _, p := range logPrefixesByFirst[s[0]] {
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
	t := s
	for len(t) > 0 && t[0] == '[' {
		t = t[1:]
	}
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
	sp := 0
	for sp < len(s) && s[sp] != ' ' && s[sp] != ':' {
		sp++
	}
	if sp > 0 && sp < len(s) && s[sp] == ':' {
		head := s[:sp]
		if (strings.HasSuffix(head, "Exception") || strings.HasSuffix(head, "Error")) && !strings.ContainsAny(head, " ") && head != "Error" {
			return true
		}
	}
	// File positions such as "main.go:42" or "+0x1d" in a line without much prose.
	share := letterShare(s)
	if strings.Contains(s, "+0x") || share < 0.8 && strings.IndexByte(s, '.') >= 0 && (strings.Contains(s, ".go:") || strings.Contains(s, ".py\", line") || strings.Contains(s, ".java:") || strings.Contains(s, ".rb:") || strings.Contains(s, ".js:")) {
		return true
	}
	return len(s) > 8 && share < 0.45
}

// asciiLetter marks the ASCII bytes letterShare counts as letters.
var asciiLetter = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// letterShare is the share of letters and spaces among a line's characters.
func letterShare(s string) float64 {
	letters, total := 0, 0
	i := 0
	// Eight ASCII bytes at a time, while they are ASCII.
	for ; i+8 <= len(s); i += 8 {
		x := load64(s[i : i+8])
		if x&highBits != 0 {
			break
		}
		letters += asciiLettersIn(x)
		total += 8
	}
	for i < len(s) {
		total++
		c := s[i]
		if c >= utf8.RuneSelf {
			// any other character, or a byte that is not UTF-8, as range reads it
			_, n := utf8.DecodeRuneInString(s[i:])
			letters++
			i += n
			continue
		}
		if asciiLetter[c] {
			letters++
		}
		i++
	}
	if total == 0 {
		return 1
	}
	return float64(letters) / float64(total)
}

// highBits has the top bit of each byte of a word of eight.
const highBits = 0x8080808080808080

// asciiLettersIn counts the letters and spaces among eight ASCII bytes
// (as asciiLetter tells them), all bytes at once: a letter is a byte that,
// folded to lowercase, lies between 'a' and 'z'. No byte's sum carries
// into the next, as every byte is under 0x80.
func asciiLettersIn(x uint64) int {
	const ones = 0x0101010101010101
	l := x | ones*0x20 // fold case; a space stays a space
	atLeastA := (l + ones*(0x80-'a')) & highBits
	pastZ := (l + ones*(0x80-'z'-1)) & highBits
	notSpace := ((x ^ ones*' ') + ones*0x7f) & highBits
	return bits.OnesCount64(atLeastA&^pastZ | highBits&^notSpace)
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
