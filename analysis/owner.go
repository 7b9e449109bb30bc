package analysis

import (
	"path"
	"strings"
)

// Default owner detection settings, used when OwnerOptions is the zero value.
var (
	DefaultOwnerFields       = []string{"Owner", "DRI", "Accountable"}
	DefaultOwnerLabelPattern = "owner:*"
)

// DetectOwner finds an issue's owner: assignees first, then an owner line
// ("Owner: @alice", "DRI: @acme/payments") or an issue-form field ("### Owner"
// followed by the value) in the body, then a label matching the pattern.
//
// The zero OwnerOptions means the defaults: fields Owner, DRI and
// Accountable, label pattern "owner:*". Options with fields set and an
// empty LabelPattern disable labels, as OwnerOptions documents.
func DetectOwner(in OwnerInput, opts OwnerOptions) (Owner, bool) {
	if len(opts.Fields) == 0 && opts.LabelPattern == "" {
		opts.Fields = DefaultOwnerFields
		opts.LabelPattern = DefaultOwnerLabelPattern
	}
	for _, a := range in.Assignees {
		a = strings.TrimPrefix(strings.TrimSpace(a), "@")
		if a != "" {
			return Owner{Name: "@" + a, Kind: OwnerPerson, Source: OwnerFromAssignee}, true
		}
	}
	if o, ok := ownerFromBody(in.Body, opts.Fields); ok {
		return o, true
	}
	if opts.LabelPattern != "" {
		for _, l := range in.Labels {
			if o, ok := ownerFromLabel(l, opts.LabelPattern); ok {
				return o, true
			}
		}
	}
	return Owner{}, false
}

// ownerFromBody reads owner lines and issue-form fields, skipping code,
// quotes and HTML comments.
func ownerFromBody(body string, fields []string) (Owner, bool) {
	if body == "" || len(fields) == 0 {
		return Owner{}, false
	}
	if len(body) > maxProseInput {
		body = body[:maxProseInput]
	}
	var fence string
	inComment := false
	pendingField := false // the previous heading was an owner field; its value follows
	for _, raw := range strings.Split(body, "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if inComment {
			i := strings.Index(line, "-->")
			if i < 0 {
				continue
			}
			inComment = false
			line = strings.TrimSpace(line[i+3:])
		}
		if fence != "" {
			if strings.HasPrefix(line, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fence = line[:3]
			continue
		}
		line = strings.TrimSpace(stripHTMLComments(line, &inComment))
		if line == "" || line[0] == '>' {
			continue
		}
		if line[0] == '#' {
			h := strings.TrimSpace(strings.TrimLeft(line, "#"))
			pendingField = matchField(strings.TrimRight(h, ": "), fields)
			continue
		}
		if pendingField {
			pendingField = false
			if o, ok := parseOwnerValue(line, true); ok {
				o.Source = OwnerFromField
				return o, true
			}
			continue
		}
		// "| Owner | @alice |"
		if line[0] == '|' {
			cells := strings.Split(strings.Trim(line, "| "), "|")
			if len(cells) >= 2 && matchField(strings.TrimSpace(strings.ReplaceAll(cells[0], "*", "")), fields) {
				if o, ok := parseOwnerValue(strings.TrimSpace(cells[1]), false); ok {
					o.Source = OwnerFromBody
					return o, true
				}
			}
			continue
		}
		// "Owner: @alice", "- **DRI:** @acme/payments", "Accountable - @bob"
		l := strings.TrimLeft(line, "-*+ \t")
		l = strings.ReplaceAll(l, "*", "")
		l = strings.ReplaceAll(l, "_", " ")
		for _, f := range fields {
			if len(l) <= len(f) || !strings.EqualFold(l[:len(f)], f) {
				continue
			}
			rest := strings.TrimLeft(l[len(f):], " \t")
			if rest == "" || (rest[0] != ':' && rest[0] != '-' && rest[0] != '=') {
				continue
			}
			if o, ok := parseOwnerValue(strings.TrimSpace(rest[1:]), false); ok {
				o.Source = OwnerFromBody
				return o, true
			}
		}
	}
	return Owner{}, false
}

func matchField(h string, fields []string) bool {
	h = strings.Trim(h, "*_ ")
	for _, f := range fields {
		if strings.EqualFold(h, f) {
			return true
		}
		// "Owner (GitHub handle)", "DRI / owner"
		if len(h) > len(f) && strings.EqualFold(h[:len(f)], f) && !isLetterByte(h[len(f)]) {
			return true
		}
	}
	return false
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseOwnerValue reads "@alice", "@acme/payments" or, in an issue-form
// field, a bare login; placeholders such as "_No response_", "TBD" or
// "none" name nobody.
func parseOwnerValue(v string, bareOK bool) (Owner, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Owner{}, false
	}
	word := v
	if i := strings.IndexAny(word, " ,;\t()"); i >= 0 {
		word = word[:i]
	}
	if !strings.HasPrefix(word, "@") {
		if !bareOK || word != v {
			return Owner{}, false
		}
		switch strings.ToLower(strings.Trim(word, "_*.")) {
		case "", "no response", "none", "tbd", "n/a", "na", "unknown", "nobody", "unassigned", "todo", "-":
			return Owner{}, false
		}
	}
	name := strings.TrimRight(strings.TrimPrefix(word, "@"), ".")
	if !validOwnerName(name) {
		return Owner{}, false
	}
	if strings.Contains(name, "/") {
		return Owner{Name: "@" + name, Kind: OwnerTeam}, true
	}
	return Owner{Name: "@" + name, Kind: OwnerPerson}, true
}

// validOwnerName accepts a GitHub login or "org/team".
func validOwnerName(s string) bool {
	login, team, isTeam := strings.Cut(s, "/")
	if !validLogin(login) {
		return false
	}
	if !isTeam {
		return true
	}
	if team == "" || len(team) > 100 || strings.Contains(team, "/") {
		return false
	}
	for i := 0; i < len(team); i++ {
		c := team[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func validLogin(s string) bool {
	if s == "" || len(s) > 39 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			// "dependabot[bot]" is not an owner
			return false
		}
	}
	return true
}

// ownerFromLabel matches a label such as "owner:alice" or
// "owner:@acme/payments" against a glob whose "*" holds the owner.
func ownerFromLabel(label, pattern string) (Owner, bool) {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(label))
	if err != nil || !ok {
		// "owner:acme/payments" holds a slash, which path.Match does not let "*" match.
		if err == nil && strings.Count(pattern, "*") == 1 {
			pre, suf, _ := strings.Cut(pattern, "*")
			if len(label) > len(pre)+len(suf) && strings.EqualFold(label[:len(pre)], pre) && strings.EqualFold(label[len(label)-len(suf):], suf) {
				ok = true
			}
		}
		if !ok {
			return Owner{}, false
		}
	}
	pre, suf, found := strings.Cut(pattern, "*")
	if !found || len(label) < len(pre)+len(suf) {
		return Owner{}, false
	}
	name := strings.TrimSpace(label[len(pre) : len(label)-len(suf)])
	name = strings.TrimPrefix(name, "@")
	if !validOwnerName(name) {
		return Owner{}, false
	}
	if strings.Contains(name, "/") {
		return Owner{Name: "@" + name, Kind: OwnerTeam, Source: OwnerFromLabel}, true
	}
	return Owner{Name: "@" + name, Kind: OwnerPerson, Source: OwnerFromLabel}, true
}
