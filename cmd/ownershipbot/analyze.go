package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// defaultMaxLine is the longest input line analyze reads; a longer line
// gets an error line of its own. GitHub caps a comment at 65,536
// characters, so 16 MiB leaves room for any real export.
const defaultMaxLine = 16 << 20

// analyzeInput is one line of analyze's input (see docs/reference.md).
type analyzeInput struct {
	ID                json.RawMessage `json:"id"`
	Kind              string          `json:"kind"`
	Title             string          `json:"title"`
	Body              string          `json:"body"`
	AuthorAssociation string          `json:"author_association"`
	// Assignees and Labels are optional; when given for an issue they count
	// for has_owner as they do in the app.
	Assignees []string `json:"assignees"`
	Labels    []string `json:"labels"`
}

// analyzeOutput is one line of analyze's output. HasRationale and HasOwner
// are set for issues and pull requests only.
type analyzeOutput struct {
	ID           json.RawMessage     `json:"id,omitempty"`
	HasRationale *bool               `json:"has_rationale,omitempty"`
	HasOwner     *bool               `json:"has_owner,omitempty"`
	ProductLevel bool                `json:"product_level"`
	Concerns     []analysis.Concern  `json:"concerns"`
	Evidence     []analysis.Evidence `json:"evidence"`
}

type analyzeError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// analyzeOptions are analyze's flags.
type analyzeOptions struct {
	maxLine  int
	text     bool // each line is a comment's plain text, not a JSON object
	analyzer *analysis.Analyzer
}

func runAnalyze(ctx context.Context, env *cmdEnv, args []string) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var opts analyzeOptions
	fs.IntVar(&opts.maxLine, "max-line-bytes", defaultMaxLine, "longest input `bytes` per line; a longer line gets an error line")
	fs.BoolVar(&opts.text, "text", false, "read plain text: each line is one comment, and its output's id is the line number")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: ownershipbot analyze [flags] < input.jsonl

Reads JSON Lines on stdin and writes one JSON line per input line on stdout,
in order. Input lines:
  {"id": "c1", "kind": "comment", "body": "...", "author_association": "MEMBER"}
  {"id": "i1", "kind": "issue", "title": "...", "body": "..."}
Output lines:
  {"id": "c1", "product_level": true, "concerns": ["performance"], "evidence": [...]}
  {"id": "i1", "has_rationale": true, "has_owner": false, "product_level": false, ...}
kind is comment (the default), review, review_comment, issue or pull_request;
issues and pull requests also get has_rationale and has_owner, and may carry
"assignees" and "labels" (lists of strings) for owner detection.
A line that is not valid input yields {"line": N, "error": "..."}; the other
lines are still analysed and the command exits 1 at the end.

With --text, each line is the plain text of one comment instead:
  echo "This adds 300ms to checkout." | ownershipbot analyze --text
  {"id":1,"product_level":true,"concerns":["performance"],"evidence":[...]}

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		if opts.text {
			errorf(env, "analyze --text reads the comments from stdin, one a line, not from its arguments: pipe them in, as in 'echo %q | ownershipbot analyze --text'", strings.Join(fs.Args(), " "))
		} else {
			errorf(env, "analyze reads stdin and takes no arguments; got %q", fs.Arg(0))
		}
		return exitUsage
	}
	if opts.maxLine < 1 {
		errorf(env, "--max-line-bytes must be at least 1")
		return exitUsage
	}
	a, err := analysis.New()
	if err != nil {
		errorf(env, "%v", err)
		return exitFailure
	}
	opts.analyzer = a
	bad, err := analyzeStream(ctx, env.stdin, env.stdout, opts)
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	if bad > 0 {
		errorf(env, "%d input line(s) were not valid and got an error line", bad)
		return exitFailure
	}
	return exitOK
}

// analyzeStream analyses r line by line into w. It holds one line at a time
// (at most opts.maxLine bytes), so memory stays flat on any input size. It
// returns how many lines were invalid, and an error only when reading or
// writing fails.
func analyzeStream(ctx context.Context, r io.Reader, w io.Writer, opts analyzeOptions) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var line []byte
	bad := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			bw.Flush()
			return bad, errors.New("analyze was interrupted")
		}
		var tooLong, eof bool
		line = line[:0]
		for {
			chunk, err := br.ReadSlice('\n')
			if !tooLong {
				if len(line)+len(chunk) > opts.maxLine+2 { // room for "\r\n"
					tooLong = true
					line = line[:0]
				} else {
					line = append(line, chunk...)
				}
			}
			if err == nil {
				break
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				eof = true
				break
			}
			bw.Flush()
			return bad, fmt.Errorf("could not read the input: %v", err)
		}
		if eof && len(line) == 0 && !tooLong {
			break
		}
		line = bytes.TrimRight(line, "\r\n")
		var out any
		if tooLong {
			out = analyzeError{Line: n, Error: fmt.Sprintf("the line is longer than %d bytes", opts.maxLine)}
		} else if opts.text {
			out = analyzeText(n, line, opts.analyzer)
		} else if res, msg := analyzeLine(line, opts.analyzer); msg != "" {
			out = analyzeError{Line: n, Error: msg}
		} else {
			out = res
		}
		if _, isErr := out.(analyzeError); isErr {
			bad++
		}
		if err := enc.Encode(out); err != nil {
			return bad, errors.New("could not write the output")
		}
		// Flush when no more input is waiting, so a pipe sees answers as
		// lines arrive.
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return bad, errors.New("could not write the output")
			}
		}
		if eof {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return bad, errors.New("could not write the output")
	}
	return bad, nil
}

// analyzeText analyses one line of plain text as a comment; its id is the
// line number.
func analyzeText(n int, line []byte, analyzer *analysis.Analyzer) analyzeOutput {
	a := analyzer.AnalyzeComment(string(line))
	out := analyzeOutput{ID: json.RawMessage(strconv.Itoa(n)), ProductLevel: a.ProductLevel, Concerns: a.Concerns, Evidence: a.Evidence}
	if out.Concerns == nil {
		out.Concerns = []analysis.Concern{}
	}
	if out.Evidence == nil {
		out.Evidence = []analysis.Evidence{}
	}
	return out
}

// analyzeLine analyses one input line; it returns an error sentence for a
// line that is not valid input.
func analyzeLine(line []byte, analyzer *analysis.Analyzer) (analyzeOutput, string) {
	if len(bytes.TrimSpace(line)) == 0 {
		return analyzeOutput{}, "the line is empty; expected a JSON object"
	}
	var in analyzeInput
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return analyzeOutput{}, "the line is not a JSON object with string fields id, kind, title, body: " + jsonProblem(err)
	}
	if dec.More() {
		return analyzeOutput{}, "the line holds more than one JSON value"
	}
	if len(in.ID) > 0 && in.ID[0] != '"' && (in.ID[0] < '0' || in.ID[0] > '9') && in.ID[0] != '-' {
		return analyzeOutput{}, "id must be a string or a number"
	}
	out := analyzeOutput{ID: in.ID}
	switch strings.ToLower(in.Kind) {
	case "", "comment", "review", "review_comment":
		a := analyzer.AnalyzeComment(in.Body)
		out.ProductLevel, out.Concerns, out.Evidence = a.ProductLevel, a.Concerns, a.Evidence
	case "issue", "pull_request":
		text := in.Body
		if in.Title != "" {
			text = in.Title + "\n\n" + in.Body
		}
		a := analyzer.AnalyzeComment(text)
		out.ProductLevel, out.Concerns, out.Evidence = a.ProductLevel, a.Concerns, a.Evidence
		opts := analysis.RationaleOptions{PullRequest: strings.ToLower(in.Kind) == "pull_request"}
		hasRationale := analyzer.DetectRationale(in.Title, in.Body, opts).Present()
		_, hasOwner := analysis.DetectOwner(analysis.OwnerInput{Body: in.Body, Assignees: in.Assignees, Labels: in.Labels}, analysis.OwnerOptions{})
		out.HasRationale, out.HasOwner = &hasRationale, &hasOwner
	default:
		return analyzeOutput{}, fmt.Sprintf("kind %q is not one of comment, review, review_comment, issue, pull_request", in.Kind)
	}
	if out.Concerns == nil {
		out.Concerns = []analysis.Concern{}
	}
	if out.Evidence == nil {
		out.Evidence = []analysis.Evidence{}
	}
	return out, ""
}

// jsonProblem turns a decoding error into a short phrase without Go type
// names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q has the wrong type", typ.Field)
		}
		return "the value is not an object"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON ends early"
	}
	return "invalid JSON"
}
