package scenario

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ---- helpers -------------------------------------------------------------

func peopleByLogin(t *testing.T, o Org) map[string]Person {
	t.Helper()
	m := map[string]Person{}
	for _, p := range o.People {
		if _, dup := m[p.Login]; dup {
			t.Errorf("person %q listed twice", p.Login)
		}
		m[p.Login] = p
	}
	return m
}

func allIssueComments(o Org) []Comment {
	var out []Comment
	for _, r := range o.Repos {
		for _, is := range r.Issues {
			out = append(out, is.Comments...)
		}
	}
	return out
}

// issueEnd is an issue's state after all of Later has been played.
type issueEnd struct {
	body      string
	assignees []string
	labels    []string
	closed    bool
}

func playIssue(t *testing.T, where string, is Issue) issueEnd {
	t.Helper()
	e := issueEnd{body: is.Body, assignees: slices.Clone(is.Assignees), labels: slices.Clone(is.Labels)}
	for i, ch := range is.Later {
		at := fmt.Sprintf("%s Later[%d] (%s)", where, i, ch.Kind)
		switch ch.Kind {
		case KindAssign:
			if slices.Contains(e.assignees, ch.Value) {
				t.Errorf("%s: %q already assigned", at, ch.Value)
			}
			e.assignees = append(e.assignees, ch.Value)
		case KindUnassign:
			if !slices.Contains(e.assignees, ch.Value) {
				t.Errorf("%s: %q not assigned", at, ch.Value)
			}
			e.assignees = slices.DeleteFunc(e.assignees, func(s string) bool { return s == ch.Value })
		case KindEditBody:
			if ch.Value == "" || ch.Value == e.body {
				t.Errorf("%s: edit does not change the body", at)
			}
			e.body = ch.Value
		case KindLabel:
			if ch.Value == "" || slices.Contains(e.labels, ch.Value) {
				t.Errorf("%s: label %q empty or already there", at, ch.Value)
			}
			e.labels = append(e.labels, ch.Value)
		case KindUnlabel:
			if !slices.Contains(e.labels, ch.Value) {
				t.Errorf("%s: label %q not there", at, ch.Value)
			}
			e.labels = slices.DeleteFunc(e.labels, func(s string) bool { return s == ch.Value })
		case KindClose:
			if e.closed {
				t.Errorf("%s: already closed", at)
			}
			e.closed = true
		case KindReopen:
			if !e.closed {
				t.Errorf("%s: not closed", at)
			}
			e.closed = false
		default:
			t.Errorf("%s: kind not valid for an issue", at)
		}
	}
	return e
}

var (
	ownerLineRe  = regexp.MustCompile(`(?im)^\s*(?:owner|dri)\s*:\s*@([a-z0-9-]+(?:/[a-z0-9-]+)?)\s*$`)
	ownerFieldRe = regexp.MustCompile(`(?m)^###\s*Owner\s*\n\s*\n\s*@([a-z0-9-]+(?:/[a-z0-9-]+)?)\s*$`)

	// Sections of an issue form left empty do not count as anything.
	noResponseRe = regexp.MustCompile(`(?m)^###[^\n]*\n\s*\n_No response_\s*$`)
	rationaleRes = []*regexp.Regexp{
		regexp.MustCompile(`(?im)^#{2,3}\s*(?:problem|why|motivation|impact|user story|expected behaviou?r)\b`),
		regexp.MustCompile(`(?im)^(?:why|impact|motivation|problem)\s*:`),
		regexp.MustCompile(`(?i)\bso that\b`),
		regexp.MustCompile(`(?i)\bas an? [^.\n]*\bI want\b`),
		regexp.MustCompile(`(?i)\bexpected\b`),
	}
)

// ownerEvidence is a crude version of the owner rules, good enough to
// check the hand-written WantOwner annotations.
func ownerEvidence(e issueEnd) (found bool, mentions []string) {
	for _, m := range ownerLineRe.FindAllStringSubmatch(e.body, -1) {
		mentions = append(mentions, m[1])
	}
	for _, m := range ownerFieldRe.FindAllStringSubmatch(e.body, -1) {
		mentions = append(mentions, m[1])
	}
	found = len(e.assignees) > 0 || len(mentions) > 0
	for _, l := range e.labels {
		if strings.HasPrefix(l, "owner:") && len(l) > len("owner:") {
			found = true
		}
	}
	return found, mentions
}

// rationaleEvidence is a crude version of the rationale rules, good enough
// to check the hand-written WantRationale annotations.
func rationaleEvidence(body string) bool {
	body = noResponseRe.ReplaceAllString(body, "")
	for _, re := range rationaleRes {
		if re.MatchString(body) {
			return true
		}
	}
	return false
}

// ---- config validation ---------------------------------------------------

type fieldKind int

const (
	fBool fieldKind = iota
	fString
	fStrings
	fEnum
	fMap
)

type field struct {
	kind fieldKind
	enum []string
	sub  map[string]field
}

var commentEnum = []string{"missing", "always", "never"}

// configSchema is the .github/ownership.yml the README documents: these keys only.
var configSchema = map[string]field{
	"enabled": {kind: fBool},
	"comment": {kind: fEnum, enum: commentEnum},
	"owner": {kind: fMap, sub: map[string]field{
		"label_pattern": {kind: fString},
		"fields":        {kind: fStrings},
	}},
	"rationale": {kind: fMap, sub: map[string]field{
		"headings": {kind: fStrings},
	}},
	"roles": {kind: fMap, sub: map[string]field{
		"product": {kind: fStrings},
	}},
	"ignore": {kind: fMap, sub: map[string]field{
		"labels":  {kind: fStrings},
		"authors": {kind: fStrings},
	}},
	"pull_requests": {kind: fMap, sub: map[string]field{
		"comment":              {kind: fEnum, enum: commentEnum},
		"require_linked_issue": {kind: fBool},
		"ignore_authors":       {kind: fStrings},
		"ignore_labels":        {kind: fStrings},
	}},
}

type configProblem struct{ Key, Kind string }

func validateMapping(n *yaml.Node, schema map[string]field, prefix string) []configProblem {
	var out []configProblem
	if n.Kind != yaml.MappingNode {
		return []configProblem{{strings.TrimSuffix(prefix, "."), "bad_value"}}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		key := prefix + k
		if seen[k] {
			out = append(out, configProblem{key, "duplicate_key"})
		}
		seen[k] = true
		f, ok := schema[k]
		if !ok {
			out = append(out, configProblem{key, "unknown_key"})
			continue
		}
		bad := false
		switch f.kind {
		case fBool:
			bad = v.Kind != yaml.ScalarNode || v.Tag != "!!bool"
		case fString:
			bad = v.Kind != yaml.ScalarNode || v.Tag != "!!str" || v.Value == ""
		case fEnum:
			bad = v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !slices.Contains(f.enum, v.Value)
		case fStrings:
			bad = v.Kind != yaml.SequenceNode
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode || e.Tag != "!!str" || e.Value == "" {
					bad = true
				}
			}
		case fMap:
			out = append(out, validateMapping(v, f.sub, key+".")...)
			continue
		}
		if bad {
			out = append(out, configProblem{key, "bad_value"})
		}
	}
	return out
}

// validateConfig parses text as YAML (failing the test if it does not
// parse) and returns the keys that are unknown or have bad values.
func validateConfig(t *testing.T, repo, text string) ([]configProblem, *yaml.Node) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("%s: config is not YAML: %v", repo, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		t.Fatalf("%s: config is not a single YAML document", repo)
	}
	probs := validateMapping(doc.Content[0], configSchema, "")
	sort.Slice(probs, func(i, j int) bool { return probs[i].Key < probs[j].Key })
	return probs, doc.Content[0]
}

func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// ---- tests ---------------------------------------------------------------

func TestDeterministicAndFresh(t *testing.T) {
	a, b := Build(), Build()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Build() returned different orgs on two calls")
	}
	// Each call must allocate anew: changing one result leaves the next alone.
	a.Teams["product"][0] = "mutated"
	a.People[0].Login = "mutated"
	a.Repos[0].Issues[0].Comments[0].Body = "mutated"
	a.Repos[0].Issues[0].Labels[0] = "mutated"
	a.Repos[1].Issues = a.Repos[1].Issues[:1]
	if c := Build(); !reflect.DeepEqual(b, c) {
		t.Fatal("modifying one Build() result changed a later one: shared state")
	}
}

func TestRepos(t *testing.T) {
	o := Build()
	if o.Login != "acme" {
		t.Errorf("org login %q", o.Login)
	}
	if n := len(o.Repos); n < 3 || n > 4 {
		t.Errorf("%d repos, want 3-4", n)
	}
	names := map[string]bool{}
	for _, r := range o.Repos {
		if r.Name == "" || names[r.Name] {
			t.Errorf("repo name %q empty or not unique", r.Name)
		}
		names[r.Name] = true
		titles := map[string]bool{}
		for i, is := range r.Issues {
			if is.Title == "" || titles[is.Title] {
				t.Errorf("%s#%d: title %q empty or repeated", r.Name, i+1, is.Title)
			}
			titles[is.Title] = true
		}
	}
}

func TestCounts(t *testing.T) {
	o := Build()
	issues, comments := 0, 0
	for _, r := range o.Repos {
		if n := len(r.Issues); n < 15 || n > 35 {
			t.Errorf("%s: %d issues, want 15-35", r.Name, n)
		}
		issues += len(r.Issues)
		for _, is := range r.Issues {
			comments += len(is.Comments)
		}
	}
	if issues < 90 || issues > 110 {
		t.Errorf("%d issues, want about 100 (90-110)", issues)
	}
	if comments < 360 || comments > 450 {
		t.Errorf("%d issue comments, want about 400 (360-450)", comments)
	}
	t.Logf("%d issues, %d issue comments", issues, comments)
}

func TestPeople(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	product := map[string]bool{}
	for _, l := range o.Teams["product"] {
		product[l] = true
	}
	var engineers, pms, outsiders, bots int
	for _, p := range o.People {
		if p.Name == "" {
			t.Errorf("%s: no name", p.Login)
		}
		if p.Bot != strings.HasSuffix(p.Login, "[bot]") {
			t.Errorf("%s: Bot=%v does not match the login", p.Login, p.Bot)
		}
		switch p.Association {
		case "MEMBER", "OWNER", "COLLABORATOR", "CONTRIBUTOR", "NONE":
		default:
			t.Errorf("%s: association %q", p.Login, p.Association)
		}
		switch {
		case p.Bot:
			bots++
		case product[p.Login]:
			pms++
			if p.Association != "MEMBER" {
				t.Errorf("product manager %s is %s, want MEMBER", p.Login, p.Association)
			}
		case p.Association == "MEMBER" || p.Association == "OWNER" || p.Association == "COLLABORATOR":
			engineers++
		default:
			outsiders++
		}
	}
	if engineers < 7 || engineers > 10 {
		t.Errorf("%d engineers, want about 8", engineers)
	}
	if pms < 2 || pms > 3 {
		t.Errorf("%d product managers, want 2-3", pms)
	}
	if outsiders < 5 || outsiders > 8 {
		t.Errorf("%d outsiders, want about 6", outsiders)
	}
	for _, b := range []string{dependabot, ciBot} {
		if !byLogin[b].Bot {
			t.Errorf("bot %s missing", b)
		}
	}
	for team, members := range o.Teams {
		if len(members) == 0 {
			t.Errorf("team %s is empty", team)
		}
		for _, m := range members {
			if p, ok := byLogin[m]; !ok || p.Bot {
				t.Errorf("team %s: member %q is not a person", team, m)
			}
		}
	}
}

func TestIssueReferencesExist(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	isPerson := func(where, login string) {
		if _, ok := byLogin[login]; !ok {
			t.Errorf("%s: %q is not in People", where, login)
		}
	}
	refRe := regexp.MustCompile(`(?:^|[\s(])#(\d+)\b`)
	for _, r := range o.Repos {
		checkRefs := func(where, text string) {
			for _, m := range refRe.FindAllStringSubmatch(text, -1) {
				var n int
				fmt.Sscan(m[1], &n)
				if n < 1 || n > len(r.Issues)+len(r.PullRequests) {
					t.Errorf("%s: refers to #%d, which does not exist in %s", where, n, r.Name)
				}
			}
		}
		for i, is := range r.Issues {
			where := fmt.Sprintf("%s#%d", r.Name, i+1)
			isPerson(where+" author", is.Author)
			checkRefs(where, is.Body)
			for _, a := range is.Assignees {
				isPerson(where+" assignee", a)
				if byLogin[a].Bot {
					t.Errorf("%s: bot %s assigned", where, a)
				}
			}
			for j, cm := range is.Comments {
				isPerson(fmt.Sprintf("%s comment %d", where, j), cm.Author)
				checkRefs(where, cm.Body+"\n"+cm.EditedBody)
			}
			for j, ch := range is.Later {
				isPerson(fmt.Sprintf("%s Later[%d] actor", where, j), ch.Actor)
				if ch.Kind == KindAssign || ch.Kind == KindUnassign {
					isPerson(fmt.Sprintf("%s Later[%d] assignee", where, j), ch.Value)
				}
				if ch.Kind == KindEditBody {
					checkRefs(where, ch.Value)
				}
			}
		}
	}
}

func TestIssueLifecycle(t *testing.T) {
	o := Build()
	closed, closedThenReopened, edits, gainedOwner := 0, 0, 0, 0
	for _, r := range o.Repos {
		for i, is := range r.Issues {
			where := fmt.Sprintf("%s#%d", r.Name, i+1)
			e := playIssue(t, where, is)
			if e.closed != is.Closed {
				t.Errorf("%s: Closed=%v but Later leaves it closed=%v", where, is.Closed, e.closed)
			}
			if is.Closed {
				closed++
			}
			kinds := map[string]bool{}
			for _, ch := range is.Later {
				kinds[ch.Kind] = true
			}
			if kinds[KindReopen] {
				closedThenReopened++
			}
			if kinds[KindEditBody] {
				edits++
			}
			if kinds[KindAssign] || kinds[KindLabel] {
				gainedOwner++
			}
		}
	}
	if closed < 5 || closedThenReopened < 1 || edits < 5 || gainedOwner < 5 {
		t.Errorf("too little happens later: closed=%d reopened=%d body edits=%d assign/label=%d",
			closed, closedThenReopened, edits, gainedOwner)
	}
}

// TestAnnotations checks the hand-written WantOwner / WantRationale against
// a crude reading of the final issue, so that the demo's expectations and
// the data cannot drift apart silently.
func TestAnnotations(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	total, complete, ownerOnly, rationaleOnly, neither := 0, 0, 0, 0, 0
	var viaAssignee, viaLine, viaField, viaLabel, gainedLater int
	for _, r := range o.Repos {
		for i, is := range r.Issues {
			where := fmt.Sprintf("%s#%d", r.Name, i+1)
			e := playIssue(t, where, is)
			owner, mentions := ownerEvidence(e)
			if owner != is.WantOwner {
				t.Errorf("%s: WantOwner=%v but the final issue says %v", where, is.WantOwner, owner)
			}
			for _, m := range mentions {
				if org, team, ok := strings.Cut(m, "/"); ok {
					if org != o.Login || o.Teams[team] == nil {
						t.Errorf("%s: owner @%s is not a team of the org", where, m)
					}
				} else if _, ok := byLogin[m]; !ok {
					t.Errorf("%s: owner @%s is not a person", where, m)
				}
			}
			rat := rationaleEvidence(e.body)
			if rat != is.WantRationale {
				t.Errorf("%s: WantRationale=%v but the final body says %v", where, is.WantRationale, rat)
			}
			if is.WantOwner && is.WantRationale {
				if o0, _ := ownerEvidence(issueEnd{body: is.Body, assignees: is.Assignees, labels: is.Labels}); !o0 || !rationaleEvidence(is.Body) {
					gainedLater++
				}
			}
			switch {
			case len(e.assignees) > 0:
				viaAssignee++
			case ownerLineRe.MatchString(e.body):
				viaLine++
			case ownerFieldRe.MatchString(e.body):
				viaField++
			case owner:
				viaLabel++
			}
			total++
			switch {
			case is.WantOwner && is.WantRationale:
				complete++
			case is.WantOwner:
				ownerOnly++
			case is.WantRationale:
				rationaleOnly++
			default:
				neither++
			}
		}
	}
	share := float64(complete) / float64(total)
	t.Logf("complete %d, owner only %d, rationale only %d, neither %d (%.0f%% complete)",
		complete, ownerOnly, rationaleOnly, neither, 100*share)
	if share < 0.30 || share > 0.50 {
		t.Errorf("%.0f%% of issues complete, want about 40%%", 100*share)
	}
	if ownerOnly < 8 || rationaleOnly < 8 || neither < 8 {
		t.Errorf("each kind of incomplete issue should be well represented")
	}
	if viaAssignee == 0 || viaLine == 0 || viaField == 0 || viaLabel == 0 || gainedLater < 5 {
		t.Errorf("owners should come from every source and some arrive later: assignee %d, line %d, form field %d, label %d, gained later %d",
			viaAssignee, viaLine, viaField, viaLabel, gainedLater)
	}
}

var concernNames = []string{UX, Perf, Reliability, Security, Customer, Business}

func checkConcerns(t *testing.T, where string, cs []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cs {
		if !slices.Contains(concernNames, c) || seen[c] {
			t.Errorf("%s: concern %q unknown or repeated", where, c)
		}
		seen[c] = true
	}
}

func TestComments(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	var product, edits, toProduct, toNit, deleted int
	byConcern := map[string]int{}
	byRole := map[string]int{}
	productTeam := o.Teams["product"]
	all := allIssueComments(o)
	for i, cm := range all {
		where := fmt.Sprintf("comment %d by %s", i, cm.Author)
		if strings.TrimSpace(cm.Body) == "" {
			t.Errorf("%s: empty", where)
		}
		checkConcerns(t, where, cm.Concerns)
		checkConcerns(t, where+" (edited)", cm.EditedConcerns)
		if cm.EditedBody == "" && len(cm.EditedConcerns) > 0 {
			t.Errorf("%s: EditedConcerns without EditedBody", where)
		}
		if byLogin[cm.Author].Bot && len(cm.Concerns)+len(cm.EditedConcerns) > 0 {
			t.Errorf("%s: a bot's comment is marked product-level", where)
		}
		if len(cm.Concerns) > 0 {
			product++
			for _, c := range cm.Concerns {
				byConcern[c]++
			}
			role := "engineer"
			switch {
			case slices.Contains(productTeam, cm.Author):
				role = "product"
			case byLogin[cm.Author].Association == "NONE" || byLogin[cm.Author].Association == "CONTRIBUTOR":
				role = "external"
			}
			byRole[role]++
		}
		if cm.EditedBody != "" {
			edits++
			if cm.EditedBody == cm.Body {
				t.Errorf("%s: edit does not change the text", where)
			}
			switch {
			case len(cm.Concerns) == 0 && len(cm.EditedConcerns) > 0:
				toProduct++
			case len(cm.Concerns) > 0 && len(cm.EditedConcerns) == 0:
				toNit++
			}
		}
		if cm.Deleted {
			deleted++
		}
	}
	share := float64(product) / float64(len(all))
	t.Logf("%d of %d comments product-level (%.0f%%), by concern %v, by role %v; %d edited, %d deleted",
		product, len(all), 100*share, byConcern, byRole, edits, deleted)
	if share < 0.25 || share > 0.55 {
		t.Errorf("%.0f%% product-level comments; want a mix (25-55%%)", 100*share)
	}
	for _, c := range concernNames {
		if byConcern[c] < 5 {
			t.Errorf("concern %s appears in only %d comments", c, byConcern[c])
		}
	}
	for _, r := range []string{"engineer", "product", "external"} {
		if byRole[r] < 10 {
			t.Errorf("only %d product-level comments by %s people", byRole[r], r)
		}
	}
	if toProduct < 1 || toNit < 1 || deleted < 2 {
		t.Errorf("want edits both ways and some deletions: to product %d, to nit %d, deleted %d", toProduct, toNit, deleted)
	}
	social := 0
	for _, cm := range all {
		b := strings.ToLower(strings.TrimSpace(cm.Body))
		if b == "+1" || b == "lgtm" || strings.HasPrefix(b, "thanks") || strings.HasPrefix(b, "+1,") {
			social++
		}
	}
	if social < 10 {
		t.Errorf("only %d purely social comments (+1, LGTM, thanks)", social)
	}
}

func TestConfigs(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	var none, broken, byTeam, byLoginCount int
	for _, r := range o.Repos {
		if r.Config == "" {
			none++
			if len(r.ConfigErrors) > 0 {
				t.Errorf("%s: ConfigErrors without a config", r.Name)
			}
			continue
		}
		probs, root := validateConfig(t, r.Name, r.Config)
		var want []configProblem
		for _, ce := range r.ConfigErrors {
			if ce.Problem == "" {
				t.Errorf("%s: config error %q has no explanation", r.Name, ce.Key)
			}
			want = append(want, configProblem{ce.Key, ce.Kind})
		}
		sort.Slice(want, func(i, j int) bool { return want[i].Key < want[j].Key })
		if !reflect.DeepEqual(probs, want) {
			t.Errorf("%s: config problems %v, want exactly %v", r.Name, probs, want)
		}
		if len(r.ConfigErrors) > 0 {
			broken++
			continue
		}
		product := lookup(root, "roles", "product")
		if product == nil {
			t.Errorf("%s: no roles.product", r.Name)
			continue
		}
		teams, logins := 0, 0
		for _, e := range product.Content {
			if org, team, ok := strings.Cut(strings.TrimPrefix(e.Value, "@"), "/"); ok && strings.HasPrefix(e.Value, "@") {
				if org != o.Login || o.Teams[team] == nil {
					t.Errorf("%s: roles.product lists unknown team %s", r.Name, e.Value)
				}
				teams++
			} else {
				if _, ok := byLogin[strings.TrimPrefix(e.Value, "@")]; !ok {
					t.Errorf("%s: roles.product lists unknown login %s", r.Name, e.Value)
				}
				logins++
			}
		}
		if teams > 0 {
			byTeam++
		}
		if logins > 0 && teams == 0 {
			byLoginCount++
		}
	}
	if none != 1 || broken != 1 || byTeam < 1 || byLoginCount < 1 {
		t.Errorf("want one repo without config, one broken, one listing product by team and one by login; got none=%d broken=%d team=%d login=%d",
			none, broken, byTeam, byLoginCount)
	}
}

// TestValidatorCatches proves the config validator used above is not a
// rubber stamp.
func TestValidatorCatches(t *testing.T) {
	probs, _ := validateConfig(t, "sample", "enabled: yes-please\nowner:\n  fieldz: [Owner]\npull_requests:\n  comment: sometimes\n  require_linked_issue: true\n")
	want := []configProblem{{"enabled", "bad_value"}, {"owner.fieldz", "unknown_key"}, {"pull_requests.comment", "bad_value"}}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("validator found %v, want %v", probs, want)
	}
}

// ---- pull requests -------------------------------------------------------

var closingRe = regexp.MustCompile(`(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+(?:https://github\.com/([a-z0-9-]+)/([a-z0-9._-]+)/issues/(\d+)|(?:([a-z0-9-]+)/([a-z0-9._-]+))?#(\d+))\b`)

// closingLinks finds the issues text closes; repo is the PR's repository.
// A link to another owner is reported with Repo "owner/name".
func closingLinks(org, repo, text string) []IssueRef {
	var out []IssueRef
	for _, m := range closingRe.FindAllStringSubmatch(text, -1) {
		l := IssueRef{Repo: repo}
		owner, name, num := m[4], m[5], m[6]
		if m[3] != "" {
			owner, name, num = m[1], m[2], m[3]
		}
		if name != "" {
			l.Repo = name
			if owner != org {
				l.Repo = owner + "/" + name
			}
		}
		fmt.Sscan(num, &l.Number)
		out = append(out, l)
	}
	return out
}

var plainRefRe = regexp.MustCompile(`(?:^|[\s(])#(\d+)\b`)

// prTexts is every text of a pull request that may mention an issue.
func prTexts(pr PullRequest) []string {
	out := []string{pr.Title, pr.Body}
	for _, ch := range pr.Later {
		out = append(out, ch.Value)
	}
	for _, rvw := range pr.Reviews {
		out = append(out, rvw.Body)
	}
	for _, cm := range append(slices.Clone(pr.ReviewComments), pr.Comments...) {
		out = append(out, cm.Body, cm.EditedBody)
	}
	return out
}

type prEnd struct {
	body                         string
	draft, merged, closed, ready bool
}

func playPR(t *testing.T, where string, pr PullRequest) prEnd {
	t.Helper()
	e := prEnd{body: pr.Body, draft: pr.Draft}
	for i, ch := range pr.Later {
		at := fmt.Sprintf("%s Later[%d] (%s)", where, i, ch.Kind)
		switch ch.Kind {
		case KindEditBody:
			if ch.Value == "" || ch.Value == e.body {
				t.Errorf("%s: edit does not change the body", at)
			}
			e.body = ch.Value
		case KindReadyForReview:
			if !e.draft || e.closed {
				t.Errorf("%s: not an open draft", at)
			}
			e.draft, e.ready = false, true
		case KindMerge:
			if e.draft || e.closed {
				t.Errorf("%s: cannot merge a draft or closed PR", at)
			}
			e.merged, e.closed = true, true
		case KindClose:
			if e.closed {
				t.Errorf("%s: already closed", at)
			}
			e.closed = true
		case KindReopen:
			if !e.closed || e.merged {
				t.Errorf("%s: not closed, or merged", at)
			}
			e.closed = false
		case KindLabel, KindUnlabel:
			if ch.Value == "" {
				t.Errorf("%s: no label", at)
			}
		default:
			t.Errorf("%s: kind not valid for a pull request", at)
		}
	}
	return e
}

func TestPullRequests(t *testing.T) {
	o := Build()
	byLogin := peopleByLogin(t, o)
	repos := map[string]Repo{}
	for _, r := range o.Repos {
		repos[r.Name] = r
	}
	var prs, reviewItems, convo, product, sameRepoLinks, crossRepoLinks int
	var dependabotPRs, draftToReady, merged, closedUnmerged, bare, gainedReason, withReason int
	for _, r := range o.Repos {
		heads := map[string]bool{}
		for j, pr := range r.PullRequests {
			prs++
			where := fmt.Sprintf("%s#%d (PR)", r.Name, len(r.Issues)+j+1)
			if _, ok := byLogin[pr.Author]; !ok {
				t.Errorf("%s: author %q not in People", where, pr.Author)
			}
			if pr.Title == "" || pr.Head == "" || heads[pr.Head] {
				t.Errorf("%s: empty title, or head branch %q empty or reused", where, pr.Head)
			}
			heads[pr.Head] = true
			if pr.Author == dependabot {
				dependabotPRs++
			}
			for _, rvw := range pr.Reviews {
				reviewItems++
				if _, ok := byLogin[rvw.Author]; !ok {
					t.Errorf("%s: reviewer %q not in People", where, rvw.Author)
				}
				switch rvw.State {
				case Approved, ChangesRequested:
					if rvw.Author == pr.Author {
						t.Errorf("%s: %s reviews their own PR with %s", where, rvw.Author, rvw.State)
					}
				case Commented:
					if rvw.Body == "" {
						t.Errorf("%s: COMMENTED review without a body", where)
					}
				default:
					t.Errorf("%s: review state %q", where, rvw.State)
				}
				checkConcerns(t, where, rvw.Concerns)
				if len(rvw.Concerns) > 0 {
					product++
				}
			}
			for _, list := range [][]Comment{pr.ReviewComments, pr.Comments} {
				for _, cm := range list {
					if _, ok := byLogin[cm.Author]; !ok {
						t.Errorf("%s: commenter %q not in People", where, cm.Author)
					}
					checkConcerns(t, where, cm.Concerns)
					if byLogin[cm.Author].Bot && len(cm.Concerns) > 0 {
						t.Errorf("%s: bot comment marked product-level", where)
					}
				}
			}
			reviewItems += len(pr.ReviewComments)
			convo += len(pr.Comments)
			for _, cm := range pr.ReviewComments {
				if len(cm.Concerns) > 0 {
					product++
				}
			}

			for _, text := range prTexts(pr) {
				for _, m := range plainRefRe.FindAllStringSubmatch(text, -1) {
					var n int
					fmt.Sscan(m[1], &n)
					if n < 1 || n > len(r.Issues)+len(r.PullRequests) {
						t.Errorf("%s: refers to #%d, which does not exist in %s", where, n, r.Name)
					}
				}
			}
			e := playPR(t, where, pr)
			if e.ready {
				draftToReady++
			}
			if e.merged {
				merged++
			} else if e.closed {
				closedUnmerged++
			}
			links := closingLinks(o.Login, r.Name, pr.Title+"\n"+e.body)
			if !reflect.DeepEqual(links, pr.WantCloses) {
				t.Errorf("%s: closes %v, but WantCloses is %v", where, links, pr.WantCloses)
			}
			linkedReason := false
			for _, l := range links {
				target, ok := repos[l.Repo]
				if !ok || l.Number < 1 || l.Number > len(target.Issues) {
					t.Errorf("%s: closes %s#%d, which is not an issue of the org", where, l.Repo, l.Number)
					continue
				}
				if l.Repo == r.Name {
					sameRepoLinks++
				} else {
					crossRepoLinks++
				}
				if target.Issues[l.Number-1].WantRationale {
					linkedReason = true
				}
			}
			if len(links) == 0 && len(closingLinks(o.Login, r.Name, pr.Body)) == 0 {
				bare++
			}
			reason := linkedReason || rationaleEvidence(e.body)
			if reason != pr.WantReason {
				t.Errorf("%s: WantReason=%v but the final PR says %v", where, pr.WantReason, reason)
			}
			if reason {
				withReason++
				if pr.Body != e.body {
					gainedReason++
				}
			}
		}
	}
	t.Logf("%d PRs (%d with a reason), %d reviews + review comments (%d product-level), %d conversation comments",
		prs, withReason, reviewItems, product, convo)
	if prs < 20 || prs > 30 {
		t.Errorf("%d pull requests, want about 25", prs)
	}
	if reviewItems < 120 || reviewItems > 180 {
		t.Errorf("%d reviews and review comments, want about 150", reviewItems)
	}
	if share := float64(product) / float64(reviewItems); share < 0.2 || share > 0.6 {
		t.Errorf("%.0f%% of review items product-level, want a mix", 100*share)
	}
	if dependabotPRs != 1 || draftToReady < 1 || merged < 1 || closedUnmerged < 1 ||
		bare < 3 || sameRepoLinks < 10 || crossRepoLinks != 1 || gainedReason < 1 || withReason == prs {
		t.Errorf("missing variety: dependabot=%d draft→ready=%d merged=%d closed=%d bare=%d same-repo links=%d cross-repo=%d gained reason=%d with reason=%d/%d",
			dependabotPRs, draftToReady, merged, closedUnmerged, bare, sameRepoLinks, crossRepoLinks, gainedReason, withReason, prs)
	}
}

// TestEveryoneAppears: People lists only people who take part.
func TestEveryoneAppears(t *testing.T) {
	o := Build()
	seen := map[string]bool{}
	for _, r := range o.Repos {
		for _, is := range r.Issues {
			seen[is.Author] = true
			for _, cm := range is.Comments {
				seen[cm.Author] = true
			}
			for _, ch := range is.Later {
				seen[ch.Actor] = true
			}
		}
		for _, pr := range r.PullRequests {
			seen[pr.Author] = true
			for _, rvw := range pr.Reviews {
				seen[rvw.Author] = true
			}
			for _, cm := range append(slices.Clone(pr.ReviewComments), pr.Comments...) {
				seen[cm.Author] = true
			}
		}
	}
	for _, p := range o.People {
		if !seen[p.Login] {
			t.Errorf("%s is listed in People but takes no part", p.Login)
		}
	}
}

// TestClosingLinks keeps the link reader used above honest.
func TestClosingLinks(t *testing.T) {
	got := closingLinks("acme", "cli", "Fixes #1, closes: acme/web#3, resolved https://github.com/acme/infra/issues/7, fixes other/x#2; part of #9, see #4, prefix#5")
	want := []IssueRef{{"cli", 1}, {"web", 3}, {"infra", 7}, {"other/x", 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("closingLinks = %v, want %v", got, want)
	}
}

func TestLookups(t *testing.T) {
	o := Build()
	r, ok := o.Repo("payments-api")
	if !ok || r.Name != "payments-api" {
		t.Fatalf("Repo(payments-api) = %q, %v", r.Name, ok)
	}
	if _, ok := o.Repo("nope"); ok {
		t.Error("Repo(nope) found something")
	}
	if n := r.PullRequestNumber(0); n != len(r.Issues)+1 {
		t.Errorf("first PR number %d, want %d", n, len(r.Issues)+1)
	}
	if p, ok := o.Person(dependabot); !ok || !p.Bot {
		t.Errorf("Person(dependabot) = %+v, %v", p, ok)
	}
	if _, ok := o.Person("nobody"); ok {
		t.Error("Person(nobody) found something")
	}
}
