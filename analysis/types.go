package analysis

import "strings"

// Concern is one kind of product-level concern (see docs/reference.md).
type Concern string

// The six concerns, with their exact contract names.
const (
	UserExperience  Concern = "user_experience"
	Performance     Concern = "performance"
	Reliability     Concern = "reliability"
	SecurityPrivacy Concern = "security_privacy"
	CustomerImpact  Concern = "customer_impact"
	BusinessValue   Concern = "business_value"
)

// AllConcerns lists the concerns in contract order.
var AllConcerns = []Concern{UserExperience, Performance, Reliability, SecurityPrivacy, CustomerImpact, BusinessValue}

// Evidence is the text that made the analysis find a concern, so a person
// can see why.
type Evidence struct {
	Concern Concern `json:"concern"`
	// Text is the author's sentence that shows the concern.
	Text string `json:"text"`
	// Phrases are the phrase table's entries for the concern that the
	// sentence matched, at most three.
	Phrases []string `json:"phrases,omitempty"`
	// Features are the normalised words and word pairs of the sentence
	// that weighed most for the concern with the model, at most three.
	Features []string `json:"features,omitempty"`
	// DecidedBy is "rules" when the phrase rules' scores added more to the
	// decision than the words did, else "model".
	DecidedBy string `json:"decided_by,omitempty"`
}

// CommentAnalysis is the judgement on one comment, review or review comment.
type CommentAnalysis struct {
	ProductLevel bool
	Concerns     []Concern  // in AllConcerns order, no duplicates; empty unless ProductLevel
	Evidence     []Evidence // at least one per concern
}

// Strength grades how clearly a text states why the work matters.
type Strength string

// Rationale strengths.
const (
	StrengthNone   Strength = "none"
	StrengthWeak   Strength = "weak"
	StrengthStrong Strength = "strong"
)

// RationaleOptions tunes rationale detection per repository.
type RationaleOptions struct {
	// Headings are extra headings or issue-form field labels that introduce
	// a rationale, on top of the built-in ones (Why, Problem, Motivation, ...).
	Headings []string
	// Templates are the repository's own issue and pull request templates,
	// as Markdown (an issue form as the labels, descriptions, placeholders
	// and values it shows). A sentence or heading copied from one unchanged
	// is not the author's words; what the author wrote into it is.
	Templates []string
	// PullRequest says the text is a pull request's title and description
	// rather than an issue's: far fewer descriptions than issue reports
	// state a reason, and the model knows it.
	PullRequest bool

	templateKeys map[string]bool // set by WithTemplates
}

// WithTemplates returns the options with these templates, read once so that
// DetectRationale does not read them again on every call.
func (o RationaleOptions) WithTemplates(templates ...string) RationaleOptions {
	o.Templates = templates
	o.templateKeys = templateKeys(templates)
	return o
}

// Rationale is the judgement on whether an issue or pull request says why.
type Rationale struct {
	Strength Strength
	Evidence string // the heading, field or sentence that stated it; empty for none
}

// Present reports whether a rationale was found, weak or strong.
func (r Rationale) Present() bool { return r.Strength == StrengthWeak || r.Strength == StrengthStrong }

// OwnerSource says where an owner was found.
type OwnerSource string

// Owner sources.
const (
	OwnerFromAssignee OwnerSource = "assignee"
	OwnerFromBody     OwnerSource = "body"  // an "Owner: @login" or "DRI: @org/team" line
	OwnerFromField    OwnerSource = "field" // an issue-form field such as "### Owner"
	OwnerFromLabel    OwnerSource = "label"
)

// OwnerKind says whether an owner is a person or a team.
type OwnerKind string

// Owner kinds.
const (
	OwnerPerson OwnerKind = "person"
	OwnerTeam   OwnerKind = "team"
)

// Owner is who owns an issue and where that was found.
type Owner struct {
	Name   string // "@login" or "@org/team"
	Kind   OwnerKind
	Source OwnerSource
}

// OwnerInput is what owner detection looks at.
type OwnerInput struct {
	Body      string
	Assignees []string // logins, without "@"
	Labels    []string
}

// OwnerOptions tunes owner detection per repository.
type OwnerOptions struct {
	// LabelPattern is a glob such as "owner:*"; a matching label names the
	// owner with the text the "*" matched. Empty disables labels.
	LabelPattern string
	// Fields are line prefixes and issue-form field labels that name an
	// owner, such as "Owner", "DRI", "Accountable".
	Fields []string
}

// Role is the part an author plays in a discussion.
type Role string

// Roles, with their exact metric label values.
const (
	RoleEngineer Role = "engineer"
	RoleProduct  Role = "product"
	RoleExternal Role = "external"
	RoleBot      Role = "bot"
)

// Author is what role detection needs to know of a comment's author.
type Author struct {
	Login string
	// IsBot is true for bots, as IsBot decides.
	IsBot bool
	// Association is GitHub's author_association: OWNER, MEMBER,
	// COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, NONE, ...
	Association string
	// IsProduct is true when the repository's config lists the author as a
	// product person, by login or through a team.
	IsProduct bool
}

// IsBot reports whether an account is a bot: GitHub's user type is Bot
// (in REST payloads, and in gh exports where they carry it), or the login
// has a bot's form: "name[bot]" as the REST API writes an App's user,
// "app/name" as gh prints one, or the bare name of one of GitHub's own
// Apps, which gh gives comment authors and no person can hold. serve and
// report both decide with it, so they count a repository alike.
func IsBot(login, userType string) bool {
	if strings.EqualFold(userType, "Bot") {
		return true
	}
	l := strings.ToLower(login)
	return strings.HasSuffix(l, "[bot]") && len(l) > len("[bot]") || strings.HasPrefix(l, "app/") && len(l) > len("app/") ||
		githubApps[l]
}

// githubApps are the slugs of Apps that GitHub itself runs.
var githubApps = map[string]bool{
	"github-actions": true, "dependabot": true, "copilot": true, "github-advanced-security": true,
	"github-merge-queue": true, "copilot-pull-request-reviewer": true, "copilot-swe-agent": true,
}

// BotSlug is a bot's login without "[bot]" or "app/": the name GitHub's
// GraphQL API, and so gh, gives the same App elsewhere (a comment by
// "dependabot" is by "dependabot[bot]").
func BotSlug(login string) string {
	l := strings.ToLower(login)
	l = strings.TrimSuffix(l, "[bot]")
	return strings.TrimPrefix(l, "app/")
}

// RoleOf decides an author's role: bot, then product, then engineer for the
// repository's owners, members and collaborators, else external.
func RoleOf(a Author) Role {
	switch {
	case a.IsBot:
		return RoleBot
	case a.IsProduct:
		return RoleProduct
	}
	switch a.Association {
	case "OWNER", "MEMBER", "COLLABORATOR":
		return RoleEngineer
	}
	return RoleExternal
}
