package analysis

// Temporary first versions so the rest of the tree compiles; replaced by the
// real engine.

// AnalyzeComment classifies one comment's Markdown body.
func AnalyzeComment(body string) CommentAnalysis { return CommentAnalysis{} }

// DetectRationale judges whether an issue or pull request states why it matters.
func DetectRationale(title, body string, opts RationaleOptions) Rationale {
	return Rationale{Strength: StrengthNone}
}

// DetectOwner finds an issue's owner: assignees first, then an owner line or
// issue-form field in the body, then a label matching the pattern.
func DetectOwner(in OwnerInput, opts OwnerOptions) (Owner, bool) { return Owner{}, false }
