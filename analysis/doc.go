// Package analysis judges text: whether a comment raises a product-level
// concern, whether an issue or pull request says why it matters, who owns
// it, and which issues a pull request links. It is pure: plain values in,
// results with evidence out, no I/O, no network and no GitHub client.
//
// # Reading Markdown
//
// Prose reads a body as GitHub renders it and keeps only what a person reads
// as the author's own words: fenced and indented code, inline code, stack
// traces and log lines, quoted replies ("> ..." quotes someone else), HTML
// comments and tags, images, link targets and bare URLs are dropped, and the
// unchanged sentences of GitHub's default issue and pull request templates
// ("A clear and concise description of what the bug is.") are ignored. So
// "performance" in `perfMonitor` or in a Java stack trace is never a concern.
//
// # Concerns: weighted phrase rules first, a small trained model second
//
// AnalyzeComment is rule-based first: a table of weighted phrases
// (lexicon.go) decides, and its matches are the evidence. The choice is
// deliberate:
//
//   - Every positive must quote its evidence, and a person reading a bot
//     comment or a dashboard must be able to see why; a phrase table gives
//     the sentence and the phrases that fired.
//   - The labelled set we could write by hand (a few hundred comments) is
//     too small for a model alone to generalise better than rules written
//     from the taxonomy.
//   - Rules are fast (one map lookup per word), need no model file, no
//     download and no cgo, and a repository can read and argue with them.
//
// Measured on text written after the rules, the rules alone missed product-level sentences whose words the
// table lacked. So a second opinion runs where the rules find nothing: a
// logistic regression per concern and one for product-level, over the same
// normalised words and word pairs, trained in memory on first use from the
// development part of the labelled set (model.go; embedded, never the
// held-out part). It is asked only about sentences where the rules found a
// hint (a phrase score of at least 0.4) or an affected audience but no
// concern, and no code talk; it then needs a product-level probability of
// 0.7, takes the rules' strongest hint as the concern (else its own best),
// and adds any concern it gives at least 0.5. It never overrides the rules;
// its evidence is the sentence, like the rules'. A check on a handful of
// real public review comments showed an ungated model calling polite
// review talk product-level, hence the gate.
//
// Each sentence is tokenised (lowercase, light plural stemming, numbers
// with units turned into tokens such as "#time" for "300ms" or "#pct" for
// "4%", spelled-out counts into "#num") and matched longest phrase first.
// Phrases add weight to one or more of the six concerns of CONTRACTS
// section 5. Three kinds of context adjust the sum: naming the people
// affected (users, customers, operators) lifts a concern that already has
// support; a measurement (300ms, 4%, 2GB) does the same; code-level talk
// (rename, unit test, CI, bump, lint) lowers concerns in a sentence that
// names nobody affected, so "this test is flaky" or "the build is slow" are
// not product-level while "checkout is flaky for users" is. A sentence
// scoring at least 1 for a concern shows it, and becomes its evidence.
//
// User experience has the most words that also name code, so it asks for
// an effect on a person. Words such as "confusing", "docs", "error
// message", "default", "workflow" or "onboarding" count in full only in a
// sentence that names the people affected or a clear UX word (button,
// screen, CLI, "couldn't find"); without either they are a hint for the
// model, however many there are, and in code talk nothing ("this function
// is confusing", "the default is the zero value", "the docs workflow").
// A concern word right before a code noun names code ("onboarding
// module", "docs folder"), and one right before a part of a screen names
// that part ("reports page"): neither counts. Words that only tell how a
// person feels ("annoying", "people expect") yield to another concern
// with its own evidence, and a user_experience score needs 0.8 of the
// sentence's leading score to be shown beside it, so "the page feels
// slower" is performance alone. Customers and business are told apart
// the same way: "teams on the Business plan" names who is affected,
// "until a customer asks" or "the team is three people" is priority.
//
// Questions, hedges and negation are read like statements on purpose: "what
// happens to users if the payment API times out?" and "this won't affect
// latency" both reason about an effect on users, which is what
// product-level means. Text that is mostly non-Latin script, or has more
// common German, French, Spanish, Portuguese, Italian or Dutch function words
// than English ones, or only emoji, is not product-level rather than guessed.
//
// The weights were set on the development part of the labelled set in
// testdata/ (see testdata/LABELS.md); the held-out part is only measured,
// by TestEvaluation (go test -v -run TestEvaluation ./analysis/).
//
// # Rationale
//
// DetectRationale looks for the problem or need an issue or pull request
// addresses, and why it matters: a heading or issue-form field such as Why,
// Problem, Motivation, Impact, User story, Use case or Describe the bug with
// real content under it (empty sections and placeholders such as
// "_No response_", "N/A", "TBD" or an HTML comment do not count); Expected
// and Actual behaviour both filled; or prose with a reason ("so that",
// "because", "in order to", "as a <role>, I want", "currently ... fails").
// Strong means an explicit reason or a filled rationale section; weak means
// hints of a problem or need. A bare instruction ("Bump X to 2.0") has none.
// An inline "Why: ..." or "**Impact:** ..." line counts like a heading; a
// bug report whose title says what fails counts as weak. Not reasons:
// checklists (task-list items), fields that ask the reporter yes or no,
// questions, the form fields of a how-to question, and text copied unchanged
// from the repository's own templates (RationaleOptions.Templates). The
// evidence quotes the sentence as its author wrote it (Block.Original).
//
// The few numbers of rationaleTuning are chosen on real issue reports
// nobody on the team wrote, leaving one repository out; rationale_real_test.go
// prints the figure (go test -v -run TestRationaleOnRealIssues ./analysis/)
// when the shared data set is beside the project, and skips otherwise.
//
// # Owners and links
//
// DetectOwner takes assignees first, then "Owner:"/"DRI:"/"Accountable:"
// lines or issue-form fields in the body, then labels matching a glob
// ("owner:*"). ParseLinks reads "Fixes #12", "closes acme/web#3" and issue
// URLs the way GitHub does, telling closing references from related ones.
package analysis
