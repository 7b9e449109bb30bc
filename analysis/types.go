package analysis

// Concern is one kind of product-level concern (CONTRACTS section 5).
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
	// IsBot is true for GitHub users of type Bot.
	IsBot bool
	// Association is GitHub's author_association: OWNER, MEMBER,
	// COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, NONE, ...
	Association string
	// IsProduct is true when the repository's config lists the author as a
	// product person, by login or through a team.
	IsProduct bool
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
