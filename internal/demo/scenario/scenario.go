// Package scenario describes the small, realistic GitHub organisation that
// `ownershipbot demo` plays through the simulated GitHub API.
//
// It is pure data: no I/O, no GitHub client, standard library only. Build
// returns the same Org on every call, so the demo summary and the end-to-end
// tests built on it are reproducible.
//
// Numbering: issues are created in the order of Repo.Issues, so Issues[i-1]
// has number i. Pull requests are created after all issues of their
// repository, so PullRequests[j-1] has number len(Issues)+j. A pull request
// body that says "Fixes #N" refers to issue N of the same repository.
//
// Besides what is sent to GitHub, the data carries annotations (fields named
// Want*, Concerns, EditedConcerns, ConfigErrors) that say what a correct
// analysis should conclude. They are never sent anywhere; tests and the demo
// summary may compare the bot's results against them.
package scenario

// Org is the organisation the demo plays.
type Org struct {
	// Login is the organisation's login, "acme".
	Login string
	// Teams maps a team slug to its member logins ("product": {"priya", ...}).
	Teams map[string][]string
	// People lists everyone who appears anywhere in the org, bots included.
	People []Person
	// Repos are the repositories, in creation order.
	Repos []Repo
}

// Person is a GitHub account that appears in the org.
type Person struct {
	// Login is the GitHub login, e.g. "maya-okafor" or "dependabot[bot]".
	Login string
	// Name is the display name.
	Name string
	// Association is the author_association GitHub reports for this person
	// on the org's repositories: MEMBER, OWNER, COLLABORATOR, CONTRIBUTOR or
	// NONE.
	Association string
	// Bot is true for bot accounts (GitHub user type "Bot").
	Bot bool
}

// Repo is one repository of the org.
type Repo struct {
	// Name is the repository name without the owner, e.g. "web".
	Name string
	// Description is the one-line repository description.
	Description string
	// Private repositories are seen only by the org's admins and the
	// repository's collaborators (the page's sign-in test relies on it).
	Private bool
	// Config is the content of .github/ownership.yml, "" when there is none.
	Config string
	// ConfigErrors lists the mistakes deliberately put into Config (empty
	// for a valid or absent config). The bot should report exactly these
	// and keep the defaults for the repository.
	ConfigErrors []ConfigError
	// Issues are created in order: Issues[i-1] is issue #i.
	Issues []Issue
	// PullRequests are created after the issues: PullRequests[j-1] is
	// #len(Issues)+j.
	PullRequests []PullRequest
}

// ConfigError is one deliberate mistake in a repository's config.
type ConfigError struct {
	// Key is the dotted path of the offending key, e.g. "owners" or
	// "pull_requests.comment".
	Key string
	// Kind is "unknown_key" or "bad_value".
	Kind string
	// Problem says in plain words what is wrong and how to fix it.
	Problem string
}

// Issue is one issue with its whole life in the demo.
type Issue struct {
	// Title and Body as the author opened the issue.
	Title, Body string
	// Author is the login of whoever opened the issue.
	Author string
	// Assignees at creation time.
	Assignees []string
	// Labels at creation time.
	Labels []string
	// Comments are posted in order after the issue is opened.
	Comments []Comment
	// Later lists what happens after the comments, in order.
	Later []Change
	// Closed is true when the issue is closed at the end of its own Later.
	// It is a summary of Later: the issue is closed by a "close" change
	// there, never by this field alone. On real GitHub, merging a pull
	// request that closes the issue (see PullRequest.WantCloses) closes it
	// too; whoever plays the org decides whether to simulate that.
	Closed bool

	// WantOwner is true when, at the end, the issue has an owner by the
	// rules of the bot (assignee, Owner:/DRI: line, issue-form Owner field,
	// owner label). Annotation only.
	WantOwner bool
	// WantRationale is true when, at the end, the issue states the problem
	// or need and why it matters. Annotation only.
	WantRationale bool
}

// Comment is an issue comment, a PR conversation comment or an inline
// review comment.
type Comment struct {
	// Author is the commenter's login.
	Author string
	// Body is the text as first posted.
	Body string
	// EditedBody is the text after the author edited it; "" = never edited.
	EditedBody string
	// Deleted is true when the comment is deleted (after any edit).
	Deleted bool

	// Concerns are the product-level concerns (by analysis's names) a
	// correct classifier should find in Body; empty means implementation
	// level. Annotation only.
	Concerns []string
	// EditedConcerns are the same for EditedBody (meaningful only when
	// EditedBody is set). Annotation only.
	EditedConcerns []string
}

// Change kinds used in Issue.Later and PullRequest.Later.
const (
	KindAssign         = "assign"           // Value: login assigned
	KindUnassign       = "unassign"         // Value: login unassigned
	KindEditBody       = "edit_body"        // Value: the new body
	KindLabel          = "label"            // Value: label added
	KindUnlabel        = "unlabel"          // Value: label removed
	KindClose          = "close"            // Value: "" (PR: closed without merge)
	KindReopen         = "reopen"           // Value: ""
	KindReadyForReview = "ready_for_review" // PR only, Value: ""
	KindMerge          = "merge"            // PR only, Value: ""
)

// Change is something that happens to an issue or pull request after its
// comments have been posted.
type Change struct {
	// Kind is one of the Kind* constants.
	Kind string
	// Actor is the login of who makes the change.
	Actor string
	// Value depends on Kind (see the constants).
	Value string
}

// PullRequest is one pull request with its reviews and comments.
type PullRequest struct {
	// Title and Body as opened.
	Title, Body string
	// Author is the login of whoever opened the PR.
	Author string
	// Draft is true when the PR is opened as a draft.
	Draft bool
	// Labels at creation time.
	Labels []string
	// Head is the branch name, e.g. "maya/fix-checkout-timeout".
	Head string
	// Reviews are review submissions with a body, state APPROVED,
	// CHANGES_REQUESTED or COMMENTED.
	Reviews []Review
	// ReviewComments are inline review comments on the diff.
	ReviewComments []Comment
	// Comments are conversation comments on the PR.
	Comments []Comment
	// Later lists what happens after reviews and comments, in order:
	// "edit_body", "ready_for_review", "merge", "close", "label", ...
	Later []Change

	// WantReason is true when, at the end, the PR links an issue with a
	// rationale or explains a reason itself. Annotation only.
	WantReason bool
	// WantCloses lists the issues the PR's final title and body close with
	// a closing keyword (fixes, closes, resolves, ...), in order of
	// appearance. Plain references ("Part of #10") are not included.
	// Annotation only.
	WantCloses []IssueRef
}

// IssueRef names an issue of the org.
type IssueRef struct {
	// Repo is the repository name within the org, e.g. "web".
	Repo string
	// Number is the issue number in that repository.
	Number int
}

// Review is a submitted pull-request review.
type Review struct {
	// Author is the reviewer's login.
	Author string
	// State is APPROVED, CHANGES_REQUESTED or COMMENTED.
	State string
	// Body is the review's summary text (may be "" for a bare approval).
	Body string
	// Concerns as for Comment. Annotation only.
	Concerns []string
}

// Concern names, as docs/reference.md lists them.
const (
	UX          = "user_experience"
	Perf        = "performance"
	Reliability = "reliability"
	Security    = "security_privacy"
	Customer    = "customer_impact"
	Business    = "business_value"
)

// Build returns the demo organisation. Every call returns an equal, freshly
// allocated value, so callers may modify it.
func Build() Org {
	return Org{
		Login:  "acme",
		Teams:  teams(),
		People: people(),
		Repos: []Repo{
			webRepo(),
			paymentsRepo(),
			cliRepo(),
			infraRepo(),
		},
	}
}

// Repo returns the repository called name.
func (o Org) Repo(name string) (Repo, bool) {
	for _, r := range o.Repos {
		if r.Name == name {
			return r, true
		}
	}
	return Repo{}, false
}

// Person returns the person with the given login.
func (o Org) Person(login string) (Person, bool) {
	for _, p := range o.People {
		if p.Login == login {
			return p, true
		}
	}
	return Person{}, false
}

// PullRequestNumber is the number of PullRequests[j] (j counted from 0).
func (r Repo) PullRequestNumber(j int) int { return len(r.Issues) + j + 1 }

// Logins of the people, so the data files read naturally.
const (
	// Engineers.
	maya   = "maya-okafor"   // web lead
	dan    = "dkim"          // payments
	lucia  = "lucia-fdez"    // payments
	tomasz = "tnowak"        // platform / infra
	sanjay = "sanjay-rao"    // payments, SRE-minded
	erin   = "erinwalsh"     // web / cli
	kenji  = "kenji-sato"    // cli
	olivia = "obrandt"       // web, accessibility
	rhea   = "rhea-cto"      // org owner
	viktor = "viktor-contra" // contractor, collaborator on infra

	// Product managers.
	priya  = "priya-nair"
	marcus = "marcus-hale"
	jules  = "jules-pm"

	// Outsiders.
	zoe    = "zoe-builds"
	fred   = "fredrikj"
	ana    = "ana-m"
	paul   = "pwright-dev"
	carl   = "cloudnative-carl"
	meilin = "mei-lin"

	// Bots.
	dependabot = "dependabot[bot]"
	ciBot      = "acme-ci[bot]"
)

func people() []Person {
	return []Person{
		{Login: maya, Name: "Maya Okafor", Association: "MEMBER"},
		{Login: dan, Name: "Daniel Kim", Association: "MEMBER"},
		{Login: lucia, Name: "Lucía Fernández", Association: "MEMBER"},
		{Login: tomasz, Name: "Tomasz Nowak", Association: "MEMBER"},
		{Login: sanjay, Name: "Sanjay Rao", Association: "MEMBER"},
		{Login: erin, Name: "Erin Walsh", Association: "MEMBER"},
		{Login: kenji, Name: "Kenji Sato", Association: "MEMBER"},
		{Login: olivia, Name: "Olivia Brandt", Association: "MEMBER"},
		{Login: rhea, Name: "Rhea Lindqvist", Association: "OWNER"},
		{Login: viktor, Name: "Viktor Hansen", Association: "COLLABORATOR"},

		{Login: priya, Name: "Priya Nair", Association: "MEMBER"},
		{Login: marcus, Name: "Marcus Hale", Association: "MEMBER"},
		{Login: jules, Name: "Jules Moreau", Association: "MEMBER"},

		{Login: zoe, Name: "Zoe Adeyemi", Association: "CONTRIBUTOR"},
		{Login: fred, Name: "Fredrik Johansson", Association: "NONE"},
		{Login: ana, Name: "Ana Martins", Association: "NONE"},
		{Login: paul, Name: "Paul Wright", Association: "CONTRIBUTOR"},
		{Login: carl, Name: "Carl Weber", Association: "NONE"},
		{Login: meilin, Name: "Mei Lin", Association: "NONE"},

		{Login: dependabot, Name: "dependabot[bot]", Association: "NONE", Bot: true},
		{Login: ciBot, Name: "acme-ci[bot]", Association: "NONE", Bot: true},
	}
}

func teams() map[string][]string {
	return map[string][]string{
		"product":  {priya, marcus, jules},
		"payments": {dan, lucia, sanjay},
		"web":      {maya, erin, olivia},
		"platform": {tomasz, sanjay, viktor},
		"cli":      {kenji, erin},
	}
}

// c is a comment; concerns empty means implementation level.
func c(author, body string, concerns ...string) Comment {
	return Comment{Author: author, Body: body, Concerns: concerns}
}

// edited returns the comment as later edited to body.
func (cm Comment) edited(body string, concerns ...string) Comment {
	cm.EditedBody = body
	cm.EditedConcerns = concerns
	return cm
}

// deleted returns the comment, deleted at the end.
func (cm Comment) deleted() Comment {
	cm.Deleted = true
	return cm
}

func assign(actor, login string) Change { return Change{Kind: KindAssign, Actor: actor, Value: login} }
func editBody(actor, body string) Change {
	return Change{Kind: KindEditBody, Actor: actor, Value: body}
}
func label(actor, l string) Change   { return Change{Kind: KindLabel, Actor: actor, Value: l} }
func unlabel(actor, l string) Change { return Change{Kind: KindUnlabel, Actor: actor, Value: l} }
func closeBy(actor string) Change    { return Change{Kind: KindClose, Actor: actor} }
func reopen(actor string) Change     { return Change{Kind: KindReopen, Actor: actor} }
func readyBy(actor string) Change    { return Change{Kind: KindReadyForReview, Actor: actor} }
func mergeBy(actor string) Change    { return Change{Kind: KindMerge, Actor: actor} }

// form renders an issue-form body: pairs of heading and value; an empty
// value renders as GitHub's "_No response_".
func form(pairs ...string) string {
	out := ""
	for i := 0; i+1 < len(pairs); i += 2 {
		v := pairs[i+1]
		if v == "" {
			v = "_No response_"
		}
		if out != "" {
			out += "\n\n"
		}
		out += "### " + pairs[i] + "\n\n" + v
	}
	return out
}

// list is a tiny helper for string slices in the data files.
func list(s ...string) []string { return s }

// fence wraps text in a fenced code block with the given info string.
func fence(info, text string) string { return "```" + info + "\n" + text + "\n```" }
