package scenario

// Pull requests per repository. PullRequests[j-1] of a repository is
// #len(Issues)+j there; "Fixes #N" in a body refers to issue N of the same
// repository.

// Review states.
const (
	Approved         = "APPROVED"
	ChangesRequested = "CHANGES_REQUESTED"
	Commented        = "COMMENTED"
)

// rv is a review; concerns empty means implementation level.
func rv(author, state, body string, concerns ...string) Review {
	return Review{Author: author, State: state, Body: body, Concerns: concerns}
}

func webPulls() []PullRequest {
	return []PullRequest{
		{ // #28
			Title:  "Wait for the promo code before enabling Pay now",
			Author: maya,
			Head:   "maya/safari-promo-checkout",
			Labels: list("bug"),
			Body:   "Fixes #1\n\nAwaits the promo request before the Pay now button is enabled, and guards against `session.promo` being undefined. Tested on Safari 17.2, 16.6 and current Chrome/Firefox.",
			Reviews: []Review{
				rv(olivia, Commented, "Could the button show a spinner while the promo request is in flight? Otherwise people click twice, nothing happens, and they think checkout is broken again.", UX),
				rv(erin, Approved, "LGTM, nice regression test."),
			},
			ReviewComments: []Comment{
				c(erin, "nit: `session.promo?.amount ?? 0` reads a bit cleaner than the ternary."),
				c(olivia, "The button is disabled without telling screen readers why. Add `aria-busy` and a visually hidden \"Applying promo code\" label.", UX),
				c(maya, "Done, both."),
			},
			Comments: []Comment{
				c(ciBot, "✅ **e2e** passed on `maya/safari-promo-checkout` (webkit, chromium, firefox)."),
			},
			Later:      []Change{mergeBy(maya)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "web", Number: 1}},
		},
		{ // #29
			Title:  "Paginate the projects list on the dashboard home",
			Author: erin,
			Head:   "erin/paginate-projects",
			Labels: list("performance"),
			Body:   "Fixes #2\n\nServer-side pagination, 50 projects per page, recently viewed projects pinned above the list.",
			Reviews: []Review{
				rv(maya, ChangesRequested, "The count query still scans every project: on the 800-project workspace it takes 1.9 s on its own. It needs the `(workspace_id, archived)` index.", Perf),
				rv(priya, Commented, "Please keep \"recently viewed\" pinned on every page, not only the first. That's what most people open first thing in the morning.", UX),
				rv(maya, Approved, "Index added, count is 40 ms now and the page is interactive in 1.2 s. Ship it.", Perf),
			},
			ReviewComments: []Comment{
				c(maya, "nit: `PAGE_SIZE` should come from config rather than a literal."),
				c(erin, "Done."),
				c(maya, "Going back from a project resets you to page 1 and the top of the list. People will notice that on day one.", UX),
				c(erin, "Page is in the URL now, and scroll position is restored."),
			},
			Comments: []Comment{
				c(zoe, "Tried the preview on our workspace, much better. Thank you!", Perf),
			},
			Later:      []Change{mergeBy(erin)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "web", Number: 2}},
		},
		{ // #30
			Title:  "Bump next from 14.1.0 to 14.2.3",
			Author: dependabot,
			Head:   "dependabot/npm_and_yarn/next-14.2.3",
			Labels: list("dependencies", "javascript"),
			Body: "Bumps [next](https://github.com/vercel/next.js) from 14.1.0 to 14.2.3.\n\n" +
				"<details>\n<summary>Release notes</summary>\n\nSee the release notes on the next.js repository for v14.2.3, v14.2.2, v14.2.1 and v14.2.0.\n</details>\n\n" +
				"Dependabot will resolve any conflicts with this PR as long as you don't alter it yourself. You can also trigger a rebase manually by commenting `@dependabot rebase`.",
			Reviews: []Review{
				rv(erin, Approved, ""),
			},
			Comments: []Comment{
				c(ciBot, "✅ **build** and **e2e** passed on `dependabot/npm_and_yarn/next-14.2.3`."),
			},
			Later: []Change{mergeBy(erin)},
		},
		{ // #31
			Title:  "Keep the session alive while the user is typing",
			Author: olivia,
			Head:   "olivia/session-keepalive",
			Draft:  true,
			Labels: list("ux"),
			Body:   "Fixes #3\n\n- throttled token refresh on input events (at most once a minute)\n- \"Stay signed in?\" dialog with a countdown when the tab has been idle for 25 minutes\n- form drafts kept in local storage until saved\n\nServer side is in acme/payments-api.",
			Reviews: []Review{
				rv(sanjay, Commented, "Throttle looks right: once a minute per active user is about 150 refreshes/s at peak on top of today's 900, which the auth service handles fine.", Perf),
				rv(priya, Commented, "Countdown copy looks great. Can the dialog say the form is saved locally? That's the reassurance people actually need.", UX),
			},
			ReviewComments: []Comment{
				c(maya, "nit: `useKeepAlive` should clear its interval on unmount."),
				c(maya, "Storing drafts in local storage means billing details sit in the browser unencrypted on shared computers. Let's exclude the card and tax-id fields.", Security),
				c(olivia, "Good catch, excluded and added a test."),
			},
			Comments: []Comment{
				c(olivia, "Marking ready, the payments-api side is merged."),
			},
			Later:      []Change{readyBy(olivia)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "web", Number: 3}},
		},
		{ // #32
			Title:  "Move to the flat ESLint config",
			Author: erin,
			Head:   "erin/eslint-9",
			Labels: list("chore"),
			Body:   "Flat config plus `eslint --fix`. No behaviour changes.",
			Reviews: []Review{
				rv(maya, Approved, "LGTM"),
			},
			ReviewComments: []Comment{
				c(olivia, "nit: keep `jsx-a11y` rules at error level, the preset downgraded them to warnings."),
				c(erin, "Fixed."),
			},
			Comments: []Comment{
				c(ciBot, "✅ **lint** passed on `erin/eslint-9`."),
			},
			Later: []Change{mergeBy(erin)},
		},
		{ // #33
			Title:  "SAML login with Okta",
			Author: maya,
			Head:   "maya/saml-okta",
			Labels: list("enterprise"),
			Body:   "Part of #10: SP-initiated SAML 2.0 with Okta, enforced per workspace.\n\nWhy: two of the three enterprise deals in #10 need Okta SSO before they can sign; Azure AD follows in a separate PR.",
			Reviews: []Review{
				rv(rhea, ChangesRequested, "Sessions for SSO users must be capped at 12 h as agreed in #10. Without SCIM, that cap is the only thing that cuts off someone who has left the customer.", Security),
				rv(marcus, Commented, "The design partner asked whether IdP-initiated login works. Their employees start from the Okta dashboard, so without it the first login fails for everyone.", Customer),
				rv(rhea, Approved, "Cap is in, thanks."),
			},
			ReviewComments: []Comment{
				c(erin, "nit: `samlResp` → `samlResponse`, we don't abbreviate elsewhere."),
				c(rhea, "Allow a small clock skew on `NotOnOrAfter`, not zero. Otherwise logins fail at random for people whose laptop clock drifts.", Reliability),
				c(maya, "Done, 2 minutes skew."),
				c(erin, "This test signs with a key committed to the repo. Fine for tests, but please name it `testdata/insecure-test-key.pem` so nobody copies it."),
			},
			Comments: []Comment{
				c(ciBot, "❌ **e2e** failed on `maya/saml-okta`: `sso.spec.ts:88 expected redirect to /dashboard, got /login?error=expired`."),
				c(maya, "That was the clock skew, green now."),
			},
			WantReason: true,
		},
		{ // #34
			Title:  "Redirect legacy /v1 routes",
			Author: maya,
			Head:   "maya/rm-v1",
			Labels: list("cleanup"),
			Body:   "Fixes #15\n\n301 from every /v1 path to its new route, then delete `pages/v1`.",
			Reviews: []Review{
				rv(erin, Commented, "nit: the redirect map could be generated from the route manifest instead of listed by hand."),
				rv(priya, Approved, "Thanks for keeping old bookmarks working. That's about 2% of sessions that would otherwise land on a 404.", Customer),
			},
			ReviewComments: []Comment{
				c(erin, "nit: trailing slash variants aren't covered (`/v1/projects/`)."),
				c(maya, "Added."),
			},
			Later: []Change{
				editBody(maya, "Fixes #15\n\n301 from every /v1 path to its new route, then delete `pages/v1`.\n\n"+
					"Why: about 2% of sessions still arrive on /v1 URLs from bookmarks and links in customers' wikis; a 404 would strand them and turn into support tickets."),
				mergeBy(maya),
			},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "web", Number: 15}},
		},
		{ // #35
			Title:  "Virtualised projects list",
			Author: erin,
			Head:   "erin/virtual-list",
			Body:   "Render only the visible project cards with react-window.",
			Reviews: []Review{
				rv(maya, Commented, "This adds 30 kB and breaks Ctrl+F on the page, which people use a lot with 800 projects. Let's go with pagination (#29) instead.", UX, Perf),
			},
			ReviewComments: []Comment{
				c(olivia, "nit: the list items lose their `role=\"listitem\"` here."),
			},
			Comments: []Comment{
				c(erin, "Agreed, closing in favour of #29."),
			},
			Later: []Change{closeBy(erin)},
		},
	}
}

func paymentsPulls() []PullRequest {
	return []PullRequest{
		{ // #28
			Title:  "Make large refunds asynchronous",
			Author: dan,
			Head:   "dkim/async-refunds",
			Labels: list("api"),
			Body:   "Fixes #1\n\nRefunds that need manual review now return `202` with `status: pending_review` instead of blocking for up to 30 s. A `refund.updated` webhook fires when review completes.",
			Reviews: []Review{
				rv(sanjay, Approved, "Load test: 20 concurrent large refunds no longer move p99 for other endpoints, 180 ms before and after.", Perf),
				rv(marcus, Commented, "Changelog entry reads well. Twelve integrators issue refunds over $10k; I'll email them before this ships so nobody's polling loop breaks.", Customer),
			},
			ReviewComments: []Comment{
				c(lucia, "nit: `StatusPendingReview` to match the other status constants."),
				c(lucia, "Is `refund.updated` covered by the webhook signature tests? Looks like only `refund.created` is."),
				c(dan, "Added."),
			},
			Comments: []Comment{
				c(ciBot, "✅ **test** passed on `dkim/async-refunds` (4m31s)."),
			},
			Later:      []Change{mergeBy(dan)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 1}},
		},
		{ // #29
			Title:  "Reserve idempotency keys before processing",
			Author: lucia,
			Head:   "lucia/idempotency-reserve",
			Labels: list("bug"),
			Body:   "Fixes #2\n\nInsert the key with status `processing` before doing any work; a concurrent request with the same key gets `409` with `Retry-After: 1`.",
			Reviews: []Review{
				rv(sanjay, ChangesRequested, "If the first request crashes after reserving, the key stays `processing` forever and the merchant can never retry that charge. It needs a lease that expires.", Reliability),
				rv(dan, Approved, "Lease looks good."),
				rv(sanjay, Approved, ""),
			},
			ReviewComments: []Comment{
				c(sanjay, "nit: magic `30 * time.Second` → `keyLeaseTTL`."),
				c(dan, "409 with `Retry-After` is what our SDKs already retry on, so merchants using them get the fix with no code change.", Customer),
				c(lucia, "Test for the lease expiry is in `idempotency_test.go`."),
			},
			Comments: []Comment{
				c(ciBot, "✅ **test** passed on `lucia/idempotency-reserve` (4m02s)."),
				c(paul, "Thanks for the quick fix! We'll switch our retries back on after you deploy."),
			},
			Later:      []Change{mergeBy(lucia)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 2}},
		},
		{ // #30
			Title:  "Accept throttled session refresh",
			Author: lucia,
			Head:   "lucia/session-refresh",
			Body:   "Fixes acme/web#3\n\nServer side of the web keep-alive: `POST /v1/session/refresh`, at most once per minute per session.",
			Reviews: []Review{
				rv(sanjay, Commented, "Each refresh is a write. At one per minute per active user we add ~150 writes/s at peak, fine for the auth database.", Perf),
				rv(dan, Approved, ""),
			},
			ReviewComments: []Comment{
				c(dan, "nit: log at debug, not info; this runs on every refresh."),
				c(sanjay, "Return 429 rather than 400 when someone refreshes too often, so clients back off instead of treating it as an error.", Reliability),
			},
			Later:      []Change{mergeBy(lucia)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "web", Number: 3}},
		},
		{ // #31
			Title:  "Split handlers.go into one file per resource",
			Author: dan,
			Head:   "dkim/split-handlers",
			Labels: list("refactor"),
			Body:   "Closes #27\n\nPure move, no behaviour changes.",
			Reviews: []Review{
				rv(lucia, Approved, "Pure move, checked with `git diff --color-moved`."),
			},
			ReviewComments: []Comment{
				c(lucia, "nit: `charges_handler.go` vs `handlers_refund.go`, pick one naming scheme."),
				c(dan, "Went with `handlers_*.go`."),
			},
			Comments: []Comment{
				c(ciBot, "✅ **test** passed on `dkim/split-handlers` (3m51s)."),
			},
			Later:      []Change{mergeBy(dan)},
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 27}},
		},
		{ // #32
			Title:  "Retry budget and circuit breaker for the card network client",
			Author: sanjay,
			Head:   "sanjay/retry-budget",
			Labels: list("reliability"),
			Body:   "Fixes #23",
			Reviews: []Review{
				rv(priya, Commented, "What do merchants see while the breaker is open? If their checkout shows \"try again in a minute\" that's what we want, but it should be in the docs.", UX, Customer),
				rv(dan, ChangesRequested, "Breaker state is per pod, so with 12 pods they trip at different times and we'll still send ~half the retries during an outage. OK for now, but please note it in the code.", Reliability),
				rv(lucia, Approved, ""),
			},
			ReviewComments: []Comment{
				c(lucia, "nit: this belongs in `internal/resilience` as discussed in the issue."),
				c(dan, "The test sleeps for real; use the fake clock or this adds 6 s to CI."),
				c(sanjay, "Both done."),
			},
			Later:      []Change{mergeBy(sanjay)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 23}},
		},
		{ // #33
			Title:  "Bump stripe-go to v76",
			Author: dan,
			Head:   "dkim/stripe-v76",
			Labels: list("dependencies"),
			Body:   "Fixes #3",
			Reviews: []Review{
				rv(lucia, Approved, "LGTM"),
			},
			Later:      []Change{mergeBy(dan)},
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 3}},
		},
		{ // #34
			Title:  "WIP: partial captures",
			Author: lucia,
			Head:   "lucia/partial-captures",
			Draft:  true,
			Body:   "Fixes #4\n\nLedger model and API first, dashboard later. Not ready for review.",
			Reviews: []Review{
				rv(dan, Commented, "Early look: the ledger entries make sense to me."),
			},
			ReviewComments: []Comment{
				c(marcus, "Launch merchants typically do 2–3 captures per order. Make sure the remaining authorised amount is obvious in the response, or support will get the \"why did my capture fail\" questions.", UX, Customer),
				c(lucia, "It's `amount_capturable` on the charge, same as before."),
			},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "payments-api", Number: 4}},
		},
	}
}

func cliPulls() []PullRequest {
	return []PullRequest{
		{ // #25
			Title:  "Login: bypass the proxy for the loopback callback, time out after 2 minutes",
			Author: kenji,
			Head:   "kenji/login-no-proxy",
			Body:   "Fixes #1",
			Reviews: []Review{
				rv(erin, Approved, "Tested behind mitmproxy, works. The timeout message with the `--device` hint is clear.", UX),
			},
			ReviewComments: []Comment{
				c(erin, "nit: `2*time.Minute` → a named constant."),
				c(erin, "nit: typo in the comment, \"loopack\"."),
			},
			Comments: []Comment{
				c(fred, "Built this branch and it works through Zscaler here 🎉"),
			},
			Later:      []Change{mergeBy(kenji)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "cli", Number: 1}},
		},
		{ // #26
			Title:  "Shared output printer with json and yaml",
			Author: kenji,
			Head:   "kenji/output-printer",
			Body:   "Closes #2\n\nEvery command now supports `-o table|json|yaml`.",
			Reviews: []Review{
				rv(erin, Commented, "Field names are snake_case here but camelCase in `projects list`. Scripts will depend on these, so we have to pick one before this ships or we break people twice.", Customer),
				rv(jules, Commented, "Please show `-o json` in every command's `--help`. That's where people look, not the docs site.", UX),
			},
			ReviewComments: []Comment{
				c(erin, "nit: the `Printer` interface can be unexported."),
				c(kenji, "snake_case everywhere now; `projects list` keeps camelCase aliases until 3.0."),
			},
			Comments: []Comment{
				c(paul, "Tried the branch with our CI scripts, works great 👍"),
			},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "cli", Number: 2}},
		},
		{ // #27
			Title:  "Check isatty on stdout",
			Author: kenji,
			Head:   "kenji/isatty-stdout",
			Body:   "One-character fix.",
			Reviews: []Review{
				rv(erin, Approved, "LGTM"),
			},
			Later: []Change{
				editBody(kenji, "Fixes #16\n\nOne-character fix: we checked stdin instead of stdout."),
				mergeBy(kenji),
			},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "cli", Number: 16}},
		},
		{ // #28
			Title:  "init: refuse to overwrite an existing config without --force",
			Author: kenji,
			Head:   "kenji/init-no-clobber",
			Body:   "Fixes: #19\n\n`--force` keeps a backup in `acme.yaml.bak`.",
			Reviews: []Review{
				rv(fred, Commented, "The backup file is a nice touch. That would have saved both of my colleagues.", Customer),
				rv(erin, Approved, ""),
			},
			ReviewComments: []Comment{
				c(erin, "nit: the error should name the file that already exists."),
			},
			Later:      []Change{mergeBy(kenji)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "cli", Number: 19}},
		},
		{ // #29
			Title:  "Use the event stream for deploy --watch",
			Author: zoe,
			Head:   "zoe/watch-events",
			Body:   "Fixes #8\n\nReplaces the polling loop with the `/events` stream.",
			Reviews: []Review{
				rv(kenji, ChangesRequested, "Reconnect has no backoff: if the API is down, every watching CLI reconnects in a tight loop and hammers us during an outage, which is how we got #8 in the first place.", Reliability, Perf),
				rv(kenji, Commented, "Thanks for the update, much better."),
			},
			ReviewComments: []Comment{
				c(erin, "nit: `evtCh` → `events`."),
				c(kenji, "Please add a test for the reconnect path."),
				c(zoe, "Added, with a fake server that drops the connection."),
			},
			Comments: []Comment{
				c(zoe, "Addressed: jittered backoff from 1 s to 30 s."),
				c(ciBot, "✅ **build** passed on `zoe/watch-events`."),
			},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "cli", Number: 8}},
		},
	}
}

func infraPulls() []PullRequest {
	return []PullRequest{
		{ // #23
			Title:  "Memory limits for the staging sync job",
			Author: tomasz,
			Head:   "tnowak/sync-limits",
			Body:   "Closes https://github.com/acme/infra/issues/1",
			Reviews: []Review{
				rv(viktor, Approved, ""),
			},
			ReviewComments: []Comment{
				c(viktor, "nit: use the `resources` helper from the library chart."),
			},
			Later:      []Change{mergeBy(tomasz)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "infra", Number: 1}},
		},
		{ // #24
			Title:  "Lower the db-primary TTL to 30 s",
			Author: tomasz,
			Head:   "tnowak/db-ttl",
			Body:   "Resolves #10",
			Reviews: []Review{
				rv(sanjay, Approved, "This takes up to 4.5 minutes off every failover for payments, most of the gap to the 60 s target.", Reliability),
			},
			Comments: []Comment{
				c(ciBot, "✅ **terraform-plan** 1 to change, 0 to add, 0 to destroy."),
			},
			Later:      []Change{mergeBy(tomasz)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "infra", Number: 10}},
		},
		{ // #25
			Title:  "8-core CI runners with a persistent cache",
			Author: viktor,
			Head:   "viktor/ci-runners",
			Body:   "fixes #17",
			Reviews: []Review{
				rv(rhea, Commented, "Approved on cost: about $1.1k/month more for ~9 minutes off every PR.", Business),
				rv(tomasz, Approved, "nit: pin the AMI id."),
			},
			ReviewComments: []Comment{
				c(tomasz, "The cache volume must be encrypted, it will hold private modules and npm tokens.", Security),
				c(viktor, "Encrypted with the CI KMS key."),
			},
			Later:      []Change{mergeBy(viktor)},
			WantReason: true,
			WantCloses: []IssueRef{{Repo: "infra", Number: 17}},
		},
		{ // #26
			Title:  "terraform fmt",
			Author: viktor,
			Head:   "viktor/fmt",
			Body:   "Run `terraform fmt -recursive`.",
			Reviews: []Review{
				rv(tomasz, Approved, "LGTM"),
			},
			Later: []Change{mergeBy(viktor)},
		},
		{ // #27
			Title:  "Vault CSI driver for payments-api",
			Author: viktor,
			Head:   "viktor/vault-csi",
			Body:   "Part of #13.\n\nWhy: secrets in env vars are readable by anyone with namespace read access (about 40 people), and rotating them needs a redeploy.",
			Reviews: []Review{
				rv(sanjay, Commented, "If Vault is unreachable when a pod starts, does the pod fail? During an incident that would stop us from scaling up payments-api exactly when we need it.", Reliability),
				rv(rhea, Approved, ""),
			},
			ReviewComments: []Comment{
				c(tomasz, "nit: the SecretProviderClass name should include the environment."),
				c(viktor, "Pods start from the cached secret if Vault is down; there's a test for it in the chart."),
			},
			WantReason: true,
		},
	}
}
