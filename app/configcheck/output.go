// Package configcheck tells whoever pushes a .github/ownership.yml whether
// the bot can use it, where they look: a check run on the pushed commit,
// passing or failing, listing every problem with its line. It also drops the
// cached configuration when the default branch changes it.
package configcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/config"
)

// GitHub's limits on a check run's output: summary and text hold at most
// 65535 characters each (counted here in bytes, which are never fewer), and
// one request carries at most 50 annotations.
const (
	maxOutputBytes = 65535
	maxAnnotations = 50
)

// maxListed is more problems than summary and text can show (each line
// takes at least 26 bytes); the parser counts the rest without wording them.
const maxListed = 2*maxOutputBytes/26 + 1

// CheckName names the check run on the commit.
const CheckName = "ownershipbot: .github/ownership.yml"

// Output is what a check run says about one configuration file.
type Output struct {
	Conclusion  string // "success" or "failure"
	Title       string
	Summary     string // Markdown
	Text        string // Markdown; "" when the summary holds everything
	Annotations []Annotation
}

// Annotation marks one problem on its line of the file.
type Annotation struct {
	Line    int
	Message string // plain text
}

// Render turns the result of config.ParseAll into a check run's output: the
// verdict, what it means for the repository (org says whether the file is
// the organisation's, in its .github repository), and the full list of
// problems with their lines, as much as GitHub's limits hold, in code blocks
// so that nothing from the file is read as Markdown (no mention, link or
// formatting), the rest counted with a pointer to `ownershipbot config
// check`. The first 50 problems with a line are also annotations.
func Render(err error, org bool) Output {
	if err == nil {
		return Output{Conclusion: "success", Title: "Valid configuration",
			Summary: "`" + config.Path + "` at this commit is a valid ownershipbot configuration."}
	}
	var problems []config.Problem
	more := 0
	var cerr *config.Error
	if errors.As(err, &cerr) {
		problems, more = cerr.Problems, cerr.More
	} else {
		problems = []config.Problem{{Message: err.Error()}}
	}
	total := len(problems) + more
	o := Output{Conclusion: "failure", Title: plural(total, "problem") + " in " + config.Path}
	for _, p := range problems {
		if len(o.Annotations) == maxAnnotations {
			break
		}
		if p.Line > 0 {
			o.Annotations = append(o.Annotations, Annotation{Line: p.Line, Message: oneLine(p.Message)})
		}
	}

	keeps := "the repository keeps what applies without it (the organisation's file, or the defaults)"
	if org {
		keeps = "repositories without a file of their own keep the defaults, and those with one apply it over the defaults"
	}
	intro := fmt.Sprintf("`%s` at this commit has %s. On the default branch ownershipbot does not apply such a file: %s. "+
		"A broken file can only make the bot quieter: an `enabled: false` or `comment: never` in it still holds. "+
		"Fix the problems below (lines as in the file); `ownershipbot config check %s` checks a file before you push it.\n\n",
		config.Path, plural(total, "problem"), keeps, config.Path)

	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = oneLine(p.String())
	}
	fence := fenceFor(lines)
	// What ends a field that could not hold every line; sized for the
	// largest count, so the budget below never overflows.
	tail := func(left int) string {
		return fmt.Sprintf("\n…and %s not shown here: run `ownershipbot config check %s` to list them all.\n", plural(left, "more problem"), config.Path)
	}
	tailRoom := len(tail(total))

	var next int
	pack := func(head string) string {
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(fence + "\n")
		closing := fence + "\n"
		for next < len(lines) {
			l := lines[next] + "\n"
			if b.Len()+len(l)+len(closing)+tailRoom > maxOutputBytes {
				break
			}
			b.WriteString(l)
			next++
		}
		b.WriteString(closing)
		return b.String()
	}
	o.Summary = pack(intro)
	if next < len(lines) {
		o.Text = pack("Problems, continued:\n\n")
	}
	if left := len(lines) - next + more; left > 0 {
		if o.Text != "" {
			o.Text += tail(left)
		} else {
			o.Summary += tail(left)
		}
	}
	return o
}

// fenceFor returns a code fence longer than any run of backticks in lines,
// so no line can close the block.
func fenceFor(lines []string) string {
	longest := 0
	for _, l := range lines {
		run := 0
		for i := 0; i < len(l); i++ {
			if l[i] == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%s %ss", thousands(n), noun)
}

// thousands writes n with commas: 2,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
