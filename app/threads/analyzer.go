package threads

import "github.com/ownershipbot/ownershipbot/analysis"

// Analyzer is the judgement of text the handlers use; every call into
// package analysis goes through it.
type Analyzer interface {
	AnalyzeComment(body string) analysis.CommentAnalysis
	DetectRationale(title, body string, opts analysis.RationaleOptions) analysis.Rationale
	DetectOwner(in analysis.OwnerInput, opts analysis.OwnerOptions) (analysis.Owner, bool)
	RoleOf(a analysis.Author) analysis.Role
	ParseLinks(title, body string) []analysis.Link
}

// TextAnalyzer is the Analyzer of a process: the comment classifier built
// once at start (comments and rationale), and the analysis package's pure
// functions for the rest.
func TextAnalyzer(a *analysis.Analyzer) Analyzer { return textAnalyzer{a} }

type textAnalyzer struct{ *analysis.Analyzer }

func (textAnalyzer) DetectOwner(in analysis.OwnerInput, opts analysis.OwnerOptions) (analysis.Owner, bool) {
	return analysis.DetectOwner(in, opts)
}

func (textAnalyzer) RoleOf(a analysis.Author) analysis.Role { return analysis.RoleOf(a) }

func (textAnalyzer) ParseLinks(title, body string) []analysis.Link {
	return analysis.ParseLinks(title, body)
}
