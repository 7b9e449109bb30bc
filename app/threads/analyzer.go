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

// packageAnalyzer is the analysis package's functions as an Analyzer.
type packageAnalyzer struct{}

func (packageAnalyzer) AnalyzeComment(body string) analysis.CommentAnalysis {
	return analysis.AnalyzeComment(body)
}

func (packageAnalyzer) DetectRationale(title, body string, opts analysis.RationaleOptions) analysis.Rationale {
	return analysis.DetectRationale(title, body, opts)
}

func (packageAnalyzer) DetectOwner(in analysis.OwnerInput, opts analysis.OwnerOptions) (analysis.Owner, bool) {
	return analysis.DetectOwner(in, opts)
}

func (packageAnalyzer) RoleOf(a analysis.Author) analysis.Role { return analysis.RoleOf(a) }

func (packageAnalyzer) ParseLinks(title, body string) []analysis.Link {
	return analysis.ParseLinks(title, body)
}
