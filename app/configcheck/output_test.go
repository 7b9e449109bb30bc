package configcheck

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/config"
)

func TestValidFilePasses(t *testing.T) {
	_, err := config.ParseAll([]byte("comment: never\n"))
	if o := Render(err, false); o.Conclusion != "success" || o.Text != "" || len(o.Annotations) != 0 {
		t.Fatalf("a valid file: %+v", o)
	}
}

// problemLines returns the lines of the code blocks of a field.
func problemLines(field string) []string {
	var out []string
	inside := false
	for _, l := range strings.Split(field, "\n") {
		if regexp.MustCompile("^```+$").MatchString(l) {
			inside = !inside
			continue
		}
		if inside {
			out = append(out, l)
		}
	}
	return out
}

func TestEveryProblemIsListedWithinGitHubsLimits(t *testing.T) {
	for _, n := range []int{1, 2000, 6000} {
		t.Run(fmt.Sprint(n, " unknown keys"), func(t *testing.T) {
			var file strings.Builder
			for i := range n {
				fmt.Fprintf(&file, "unknown_%d: x\n", i)
			}
			_, err := config.ParseUpTo([]byte(file.String()), maxListed) // as the handler parses
			o := Render(err, false)
			if o.Conclusion != "failure" || !strings.Contains(o.Title, thousands(n)+" problem") {
				t.Fatalf("conclusion %q, title %q", o.Conclusion, o.Title)
			}
			if len(o.Summary) > maxOutputBytes || len(o.Text) > maxOutputBytes {
				t.Fatalf("summary %d and text %d bytes; GitHub takes at most %d each", len(o.Summary), len(o.Text), maxOutputBytes)
			}
			listed := append(problemLines(o.Summary), problemLines(o.Text)...)
			for i, l := range listed {
				if want := fmt.Sprintf(`line %d: "unknown_%d" is not a setting`, i+1, i); l != want {
					t.Fatalf("problem %d listed as %q, want %q", i, l, want)
				}
			}
			switch {
			case n <= 2000 && len(listed) != n:
				t.Fatalf("%d of %d problems listed; they fit, so all must be", len(listed), n)
			case len(listed) < n && !strings.Contains(o.Summary+o.Text, fmt.Sprintf("and %s more problems not shown", thousands(n-len(listed)))):
				t.Fatalf("%d problems not listed and not counted", n-len(listed))
			}
			if len(o.Annotations) != min(n, maxAnnotations) || o.Annotations[0].Line != 1 {
				t.Fatalf("%d annotations, want %d from line 1", len(o.Annotations), min(n, maxAnnotations))
			}
		})
	}
}

// Keys and values from the file stay inside code blocks, whose fence no
// backtick run in a problem can close: nothing from the file is Markdown.
func TestProblemsStayInsideCode(t *testing.T) {
	_, err := config.ParseAll([]byte("\"@acme/security please look ```` [x](https://evil.test)\": true\n"))
	o := Render(err, true)
	lines := problemLines(o.Summary)
	if len(lines) != 1 || !strings.Contains(lines[0], "@acme/security") {
		t.Fatalf("problem lines %q", lines)
	}
	outside := strings.Replace(o.Summary, lines[0], "", 1)
	for _, live := range []string{"@acme", "evil.test"} {
		if strings.Contains(outside, live) {
			t.Fatalf("%q appears outside the code block:\n%s", live, o.Summary)
		}
	}
	if !strings.Contains(o.Summary, "repositories without a file of their own") {
		t.Fatalf("the org's file is not described as the org's:\n%s", o.Summary)
	}
}

func TestTooLargeFails(t *testing.T) {
	o := Render(config.TooLarge(10<<20), false)
	if o.Conclusion != "failure" || !strings.Contains(o.Summary, "too large") {
		t.Fatalf("%+v", o)
	}
}
