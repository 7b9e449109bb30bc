package analysis

import (
	"fmt"
	"testing"
)

func TestParseLinks(t *testing.T) {
	type L = Link
	tests := []struct {
		title, body string
		want        []Link
	}{
		// closing keywords, every form GitHub accepts
		{"", "Fixes #12", []L{{Number: 12, Closing: true, Text: "Fixes #12"}}},
		{"", "fixes #12", []L{{Number: 12, Closing: true, Text: "fixes #12"}}},
		{"", "FIXES #12", []L{{Number: 12, Closing: true, Text: "FIXES #12"}}},
		{"", "Fix #3", []L{{Number: 3, Closing: true, Text: "Fix #3"}}},
		{"", "Fixed #3", []L{{Number: 3, Closing: true, Text: "Fixed #3"}}},
		{"", "Closes #7", []L{{Number: 7, Closing: true, Text: "Closes #7"}}},
		{"", "close #7", []L{{Number: 7, Closing: true, Text: "close #7"}}},
		{"", "Closed #7", []L{{Number: 7, Closing: true, Text: "Closed #7"}}},
		{"", "Resolves #44", []L{{Number: 44, Closing: true, Text: "Resolves #44"}}},
		{"", "resolve #44", []L{{Number: 44, Closing: true, Text: "resolve #44"}}},
		{"", "Resolved #44", []L{{Number: 44, Closing: true, Text: "Resolved #44"}}},
		{"", "Fixes: #12", []L{{Number: 12, Closing: true, Text: "Fixes: #12"}}},
		{"", "Closes:#12", []L{{Number: 12, Closing: true, Text: "Closes:#12"}}},
		{"", "**Fixes** #12", []L{{Number: 12, Closing: true, Text: "**Fixes** #12"}}},
		{"", "- Fixes #12", []L{{Number: 12, Closing: true, Text: "Fixes #12"}}},
		{"", "This PR fixes #12 by retrying.", []L{{Number: 12, Closing: true, Text: "fixes #12"}}},
		{"", "Fixes acme/web#5", []L{{Owner: "acme", Repo: "web", Number: 5, Closing: true, Text: "Fixes acme/web#5"}}},
		{"", "Closes my-org/my.repo_2#5", []L{{Owner: "my-org", Repo: "my.repo_2", Number: 5, Closing: true, Text: "Closes my-org/my.repo_2#5"}}},
		{"", "Fixes https://github.com/acme/web/issues/9", []L{{Owner: "acme", Repo: "web", Number: 9, Closing: true, Text: "Fixes https://github.com/acme/web/issues/9"}}},
		{"", "Resolves: https://github.com/acme/api/issues/101#issuecomment-5", []L{{Owner: "acme", Repo: "api", Number: 101, Closing: true, Text: "Resolves: https://github.com/acme/api/issues/101"}}},
		{"Fix #8: crash on empty config", "", []L{{Number: 8, Closing: true, Text: "Fix #8"}}},
		{"", "Fixes #1, fixes #2", []L{{Number: 1, Closing: true, Text: "Fixes #1"}, {Number: 2, Closing: true, Text: "fixes #2"}}},
		// related references
		{"", "Fixes #1, #2", []L{{Number: 1, Closing: true, Text: "Fixes #1"}, {Number: 2, Text: "#2"}}},
		{"", "Part of #12", []L{{Number: 12, Text: "#12"}}},
		{"", "See #12 for context.", []L{{Number: 12, Text: "#12"}}},
		{"", "#12", []L{{Number: 12, Text: "#12"}}},
		{"", "Related: #12", []L{{Number: 12, Text: "#12"}}},
		{"", "Follow-up to (#12)", []L{{Number: 12, Text: "#12"}}},
		{"", "Refs acme/web#3", []L{{Owner: "acme", Repo: "web", Number: 3, Text: "acme/web#3"}}},
		{"", "See https://github.com/acme/web/issues/3", []L{{Owner: "acme", Repo: "web", Number: 3, Text: "https://github.com/acme/web/issues/3"}}},
		{"", "Depends on https://github.com/acme/web/pull/77", []L{{Owner: "acme", Repo: "web", Number: 77, Text: "https://github.com/acme/web/pull/77"}}},
		{"", "Prefix #4 is not a keyword", []L{{Number: 4, Text: "#4"}}},
		{"", "This doesn't fix anything; see #4", []L{{Number: 4, Text: "#4"}}},
		// de-duplication, closing wins
		{"", "See #12.\n\nFixes #12", []L{{Number: 12, Closing: true, Text: "Fixes #12"}}},
		{"", "Fixes #12\n\nsee #12 again", []L{{Number: 12, Closing: true, Text: "Fixes #12"}}},
		{"", "#3 and #3 and #4", []L{{Number: 3, Text: "#3"}, {Number: 4, Text: "#4"}}},
		// not references
		{"", "Fixes `#12`", nil},
		{"", "```\nFixes #12\n```", nil},
		{"", "~~~go\n// Fixes #12\n~~~", nil},
		{"", "> Fixes #12", nil},
		{"", "<!-- Fixes #12 -->", nil},
		{"", "<!--\nFixes #12\n-->", nil},
		{"", "## #12 follow-ups", nil},
		{"", "# Fixes #12", nil},
		{"", "Fixes #", nil},
		{"", "Fixes #abc", nil},
		{"", "color: #fff and #12px", nil},
		{"", "issue#12 and abc#12", nil},
		{"", "&#123; entity", nil},
		{"", "Fixes #0", nil},
		{"", "https://github.com/acme/web/blob/main/x.go#L12", nil},
		{"", "https://example.com/acme/web/issues/3", nil},
		{"", "", nil},
		{"", "http://github.com/", nil},
		{"", "Fixes http://github.com/acme/web/issues/4", []L{{Owner: "acme", Repo: "web", Number: 4, Closing: true, Text: "Fixes http://github.com/acme/web/issues/4"}}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d %s%s", i, tt.title, tt.body), func(t *testing.T) {
			got := ParseLinks(tt.title, tt.body)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ParseLinks(%q, %q)\n got %+v\nwant %+v", tt.title, tt.body, got, tt.want)
			}
		})
	}
}
