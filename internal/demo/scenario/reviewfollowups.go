package scenario

// Second-round inline review comments: replies, follow-up nits and late
// product points, keyed by pull request number and appended to
// ReviewComments.

// withReviewComments appends more[n] to the review comments of pull
// request #n, where the first pull request is #issues+1. It panics on a
// number that is not a pull request, which the tests would catch.
func withReviewComments(issues int, prs []PullRequest, more map[int][]Comment) []PullRequest {
	for n, cs := range more {
		pr := &prs[n-issues-1]
		pr.ReviewComments = append(pr.ReviewComments, cs...)
	}
	return prs
}

func webReviewMore() map[int][]Comment {
	return map[int][]Comment{
		28: {
			c(erin, "nit: the test name says \"promo\" twice."),
			c(maya, "The spinner only appears after 150 ms, so fast responses don't flash it at people.", UX),
			c(olivia, "👍"),
		},
		29: {
			c(erin, "Edge case: a workspace with exactly 50 projects shows a link to an empty page 2."),
			c(priya, "Could we show the total (\"812 projects\") above the list? Account admins use it as a sanity check after imports.", UX),
			c(maya, "nit: unused import `useMemo`."),
		},
		31: {
			c(sanjay, "nit: we now have both `REFRESH_INTERVAL_MS` and `refreshEveryMs`."),
			c(olivia, "The dialog keeps focus inside and returns it to the field you were typing in; tested with VoiceOver and NVDA.", UX),
			c(maya, "This interval keeps running in background tabs. On a laptop on battery that's a wake-up every minute for every open tab.", Perf).
				edited("nit: pause the interval on `visibilitychange` rather than checking `document.hidden` inside it."),
		},
		32: {
			c(maya, "nit: `.eslintignore` isn't read with the flat config, move the entries to `ignores`."),
			c(erin, "Moved."),
		},
		33: {
			c(marcus, "IdP-initiated login is a launch blocker for the design partner. Can it go in this PR rather than the next one?", Customer, Business),
			c(maya, "It's in now, behind the same workspace setting."),
			c(erin, "nit: document the `SAML_*` variables in `.env.example`."),
		},
		34: {
			c(priya, "Can we count hits per /v1 path? Then we'll know when it's safe to drop the redirects instead of guessing.", Business),
			c(maya, "Added a counter per path."),
		},
		35: {
			c(erin, "nit: would need `@types/react-window` as a devDependency."),
		},
	}
}

func paymentsReviewMore() map[int][]Comment {
	return map[int][]Comment{
		28: {
			c(sanjay, "nit: set a `Location` header on the 202."),
			c(dan, "Added."),
			c(marcus, "The docs example for refunds still shows `succeeded` straight away. Integrators copy those examples verbatim, so it'll cause the same support tickets again.", Customer),
		},
		29: {
			c(lucia, "The migration builds the index without `CONCURRENTLY`. That locks `idempotency_keys` and blocks every charge for the few minutes the build takes.", Reliability),
			c(sanjay, "Good catch, it's concurrent now."),
			c(dan, "nit: `ErrKeyInFlight` reads better than `ErrKeyBusy`."),
		},
		30: {
			c(lucia, "Refresh rotates the token, right? Otherwise a leaked token stays valid forever as long as something keeps refreshing it.", Security),
			c(dan, "It rotates, there's a test."),
		},
		31: {
			c(sanjay, "nit: `go vet` flags a copied lock in `handlers_payouts.go`. Pre-existing, but it's in the diff now."),
			c(dan, "Will fix in a follow-up so this stays a pure move."),
		},
		32: {
			c(priya, "Thanks for the docs section. That's exactly what support needs to answer merchants during an incident.", Customer),
			c(sanjay, "Thresholds are env-configurable, so we can tune during an incident without a deploy."),
			c(lucia, "nit: log breaker transitions at warn, not info."),
		},
		33: {
			c(lucia, "nit: go.sum still has a stray v72 line."),
			c(dan, "Cleaned up."),
		},
		34: {
			c(dan, "nit: `CaptureN` is a confusing name, `Capture` with an amount is enough."),
			c(lucia, "Ack, placeholder name."),
			c(marcus, "Please reject captures after the authorisation expires with a clear error. Merchants who ship late will hit this and need to know to re-authorise.", UX, Customer),
		},
	}
}

func cliReviewMore() map[int][]Comment {
	return map[int][]Comment{
		25: {
			c(kenji, "Fixed both."),
			c(fred, "Could the timeout be configurable? Our SSO with MFA prompts sometimes takes longer than two minutes.", UX),
			c(kenji, "`--timeout` added, default 2m."),
		},
		26: {
			c(erin, "yaml output prints `null` for empty lists; `[]` would be kinder to scripts."),
			c(jules, "Add an example to `acme help output` too. New users won't know the flag exists otherwise.", UX),
			c(kenji, "nit to self: remove the debug Println.").deleted(),
		},
		27: {
			c(erin, "nit: add a test with a pipe so it doesn't regress."),
			c(kenji, "Added."),
		},
		28: {
			c(kenji, "Good point."),
			c(erin, "nit: `os.O_EXCL` would make this race-free."),
		},
		29: {
			c(erin, "Does this still work against 1.x servers? Enterprise customers on self-hosted are on older versions and we can't break watch for them.", Customer),
			c(zoe, "It falls back to polling with backoff when `/events` returns 404."),
			c(kenji, "nit: constants for the 1 s and 30 s."),
		},
	}
}

func infraReviewMore() map[int][]Comment {
	return map[int][]Comment{
		23: {
			c(tomasz, "Done."),
			c(sanjay, "2 GiB leaves headroom for the other pods; the job peaked at 1.4 GiB last week."),
		},
		24: {
			c(viktor, "nit: the comment above the record still says 300."),
			c(tomasz, "Fixed."),
		},
		25: {
			c(viktor, "nit: runner tags were renamed, update the CI templates too."),
			c(kenji, "Can we keep one 2-core runner for the docs jobs? They don't need 8 cores and it's cheaper.", Business),
		},
		26: {
			c(viktor, "nit: first commit has the formatting, second adds the CI step; please don't squash."),
		},
		27: {
			c(sanjay, "Great, that answers it."),
			c(viktor, "nit: chart version bump is missing."),
			c(rhea, "Mount the secrets read-only, and make sure the service account can only read its own Vault path.", Security),
		},
	}
}
