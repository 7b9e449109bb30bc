package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/report"
)

// reportOptions are report's flags.
type reportOptions struct {
	format     string
	product    string
	ownerLabel string
	ownerField string
	headings   string
	ignoreLbls string
	ignoreAuth string
	files      []string
}

func runReport(ctx context.Context, env *cmdEnv, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var opts reportOptions
	fs.StringVar(&opts.format, "format", "table", "output `format`: table, markdown or json")
	fs.StringVar(&opts.product, "product", "", "comma-separated `logins` of product people, counted under the product role")
	fs.StringVar(&opts.ownerLabel, "owner-label", analysis.DefaultOwnerLabelPattern, "label `glob` naming an issue's owner; its * is the login or org/team")
	fs.StringVar(&opts.ownerField, "owner-fields", strings.Join(analysis.DefaultOwnerFields, ","), "comma-separated body `fields` naming an owner (\"Owner: @alice\", \"### DRI\")")
	fs.StringVar(&opts.headings, "rationale-headings", "", "comma-separated extra `headings` or form fields that hold a rationale")
	fs.StringVar(&opts.ignoreLbls, "ignore-labels", "", "comma-separated `labels` whose issues and pull requests are left out, as ignore.labels in .github/ownership.yml")
	fs.StringVar(&opts.ignoreAuth, "ignore-authors", "", "comma-separated `logins` whose issues and pull requests are left out, as ignore.authors")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: ownershipbot report [flags] [FILE ...]

Prints an ownership report of a repository from the JSON that the GitHub CLI
prints: which issues have an owner and a rationale, which pull requests fix an
owned issue, how much of the discussion is product-level, and the open issues
most in need of an owner or a reason. Shares divide by open issues and open
pull requests; closed ones are counted apart. Fields missing from the export
that a figure needs are warned of on stderr (and in the JSON's "warnings").
Reads the files named, or stdin when
there are none or a file is "-". Issues and pull requests may come in one
stream (one JSON array after the other) or one file each:

  gh issue list --state all --limit 1000 \
    --json number,title,body,author,assignees,labels,comments,state,createdAt,closedAt,url > issues.json
  gh pr list --state all --limit 1000 \
    --json number,title,body,author,assignees,labels,comments,reviews,state,createdAt,closedAt,url > prs.json
  ownershipbot report issues.json prs.json

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	opts.files = fs.Args()
	render := map[string]func(io.Writer, []report.Report) error{
		"table": report.RenderText, "text": report.RenderText,
		"markdown": report.RenderMarkdown, "md": report.RenderMarkdown,
		"json": report.RenderJSON,
	}[strings.ToLower(opts.format)]
	if render == nil {
		errorf(env, "--format %q is not one of table, markdown, json", opts.format)
		return exitUsage
	}
	if opts.ownerLabel != "" {
		if _, err := path.Match(opts.ownerLabel, ""); err != nil || strings.Count(opts.ownerLabel, "*") != 1 {
			errorf(env, "--owner-label %q must be a glob with one *, such as owner:*", opts.ownerLabel)
			return exitUsage
		}
	}

	var readers []io.Reader
	if len(opts.files) == 0 {
		opts.files = []string{"-"}
	}
	for _, name := range opts.files {
		if name == "-" {
			readers = append(readers, env.stdin)
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			errorf(env, "cannot open %s: %s", name, reportFileError(err))
			return exitFailure
		}
		defer f.Close()
		// A newline between files keeps two exports apart.
		readers = append(readers, f, strings.NewReader("\n"))
	}
	exp, err := report.Parse(io.MultiReader(readers...))
	if err != nil {
		errorf(env, "the input is not a gh issue list or gh pr list JSON export: %s", strings.TrimPrefix(err.Error(), report.ErrNotExport.Error()+": "))
		return exitFailure
	}
	if err := ctx.Err(); err != nil {
		errorf(env, "report was interrupted")
		return exitFailure
	}
	var product []string
	if opts.product != "" {
		product = strings.Split(opts.product, ",")
	}
	analyzer, err := analysis.New()
	if err != nil {
		errorf(env, "%v", err)
		return exitFailure
	}
	reports := report.Build(exp, report.Options{
		Analyzer:      analyzer,
		ProductLogins: product,
		Owner:         analysis.OwnerOptions{LabelPattern: opts.ownerLabel, Fields: reportSplitList(opts.ownerField)},
		Rationale:     analysis.RationaleOptions{Headings: reportSplitList(opts.headings)},
		IgnoreLabels:  reportSplitList(opts.ignoreLbls),
		IgnoreAuthors: reportSplitList(opts.ignoreAuth),
	})
	// Figures the export cannot support are said on stderr too, so a
	// terminal reader sees them whatever the format.
	for _, r := range reports {
		for _, w := range r.Warnings {
			fmt.Fprintf(env.stderr, "ownershipbot: warning: %s: %s.\n", r.Repository, w)
		}
	}
	if err := render(env.stdout, reports); err != nil {
		errorf(env, "could not write the report")
		return exitFailure
	}
	return exitOK
}

// reportSplitList splits a comma-separated flag value, dropping empty items.
func reportSplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func reportFileError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	return "it cannot be read"
}
