package scenario

// paymentsConfig lists product people by login and asks for a linked issue
// on every pull request.
const paymentsConfig = `# acme/payments-api: ownership nudges
enabled: true
comment: missing
owner:
  label_pattern: "owner:*"
  fields: [Owner, DRI]
rationale:
  headings: [Problem, Why, Motivation, Impact, User story]
roles:
  product:
    - priya-nair
    - marcus-hale
ignore:
  labels: [question]
  authors: []
pull_requests:
  comment: missing
  require_linked_issue: true
  ignore_authors: ["dependabot[bot]"]
  ignore_labels: []
`

func paymentsRepo() Repo {
	issues := withFollowUps(paymentsIssues(), paymentsFollowUps())
	return Repo{
		Name:         "payments-api",
		Private:      true,
		Description:  "Charges, refunds, payouts and merchant webhooks (Go)",
		Config:       paymentsConfig,
		Issues:       issues,
		PullRequests: withReviewComments(len(issues), paymentsPulls(), paymentsReviewMore()),
	}
}

func paymentsIssues() []Issue {
	return []Issue{
		{ // 1
			Title:  "Refunds over $10,000 fail with 502",
			Author: carl,
			Labels: list("bug"),
			Body: "`POST /v1/refunds` for any amount above 1,000,000 (minor units) returns a 502 after ~30 seconds. Smaller refunds work.\n\n" +
				"Expected: the refund is created, or a 4xx telling me what's wrong.\nActual:\n\n" +
				fence("json", `{"error":{"type":"api_error","message":"upstream request timeout"}}`),
			Comments: []Comment{
				c(dan, "Large refunds go through the manual-review queue, and the handler waits synchronously for the review service. That's the 30 s."),
				c(carl, "We issue about 40 of these a month for enterprise customers and right now finance does them by hand in the dashboard, which takes half a day each time.", Customer),
				c(sanjay, "The handler should return 202 with status `pending_review` instead of blocking. Holding a connection for 30 s also eats our worker pool: 20 of these in parallel and p99 for everything else jumps to 4 s.", Perf, Reliability),
				c(dan, "Agreed, I'll make it async and document the pending state."),
				c(marcus, "Please flag it in the changelog, integrators who poll for `succeeded` will need to handle `pending_review`.", Customer),
			},
			Later:         []Change{assign(dan, dan)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 2
			Title:  "Idempotency-Key ignored when the first request times out",
			Author: paul,
			Labels: list("bug", "owner:payments"),
			Body: `## Problem

If the first ` + "`POST /v1/charges`" + ` with an ` + "`Idempotency-Key`" + ` times out on our side and we retry with the same key, a second charge is created. We double-charged 37 end customers last Tuesday during your latency spike.

## Why it matters

The whole point of the key is that retries are safe. Right now we can't retry at all, so every timeout becomes a manual check.`,
			Comments: []Comment{
				c(sanjay, "Confirmed. The key is only stored after the charge commits, so a retry that arrives while the first request is still in flight isn't deduplicated.", Reliability),
				c(lucia, "We need to insert the key row first with status `in_progress` and make the second request wait or return 409."),
				c(priya, "This is our highest-severity bug right now. 37 double charges means 37 refunds and 37 angry emails, and one of the affected merchants is in the renewal cycle.", Customer, Business),
				c(paul, "409 with a `Retry-After` would be perfect for us."),
				c(lucia, "nit on the proposal: call the status `processing`, that's what the rest of the API uses."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 3
			Title:  "Bump stripe-go to v76",
			Author: dan,
			Labels: list("dependencies"),
			Body:   "v72 → v76. Changelog has a couple of renamed fields.",
			Comments: []Comment{
				c(ciBot, "✅ **test** passed on `dkim/stripe-v76` (4m12s)."),
				c(lucia, "LGTM once CI is green on the integration suite too."),
			},
		},
		{ // 4
			Title:  "[Feature]: Partial captures",
			Author: zoe,
			Labels: list("enhancement"),
			Body: form(
				"Problem", "We authorise the full order amount at checkout but often ship in several parcels. Today we can only capture once, so we either capture everything up front (and refund what doesn't ship) or lose the rest of the authorisation.",
				"Who is affected", "Any merchant with split shipments. For us it's ~30% of orders.",
				"Owner", "",
			),
			Comments: []Comment{
				c(marcus, "This keeps coming up in sales calls with retail merchants. It's also what the two competitors we lose to most often already support.", Customer, Business),
				c(lucia, "Card networks allow multiple captures up to the authorised amount for most MCCs. The ledger model is the tricky part."),
				c(dan, "nit: we already have `CaptureRequest.Amount`, let's not add a second `PartialAmount` field."),
				c(lucia, "I can own this, I wrote the original capture flow."),
			},
			Later: []Change{editBody(lucia, form(
				"Problem", "We authorise the full order amount at checkout but often ship in several parcels. Today we can only capture once, so we either capture everything up front (and refund what doesn't ship) or lose the rest of the authorisation.",
				"Who is affected", "Any merchant with split shipments. For us it's ~30% of orders.",
				"Owner", "@lucia-fdez",
			))},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 5
			Title:     "Merchant webhook retries never stop",
			Author:    sanjay,
			Assignees: list(sanjay),
			Labels:    list("reliability"),
			Body: `Impact: one merchant's endpoint was down for three days and we kept retrying every event with a 60 s cap, about 1.2M attempts. The shared delivery queue backed up and every other merchant saw webhooks delayed by up to 40 minutes.

Proposal: exponential backoff up to 6 h, give up after 3 days, email the merchant after 24 h of failures, and give each merchant their own queue partition.`,
			Comments: []Comment{
				c(marcus, "Emailing after 24 h is good. Can the dashboard show a banner too? Most merchants don't read those emails.", UX, Customer),
				c(dan, "Per-merchant partitions means changing the queue key, that's a migration. Can we do backoff first and partitions second?"),
				c(sanjay, "Yes. Backoff alone would have cut the 1.2M attempts to under 100.", Reliability),
				c(ciBot, "✅ **load-test** webhook-delivery: 18k events/min sustained, p99 enqueue 12 ms."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 6
			Title:     "Rename amt fields to amount_minor",
			Author:    lucia,
			Assignees: list(lucia),
			Labels:    list("refactor"),
			Body:      "Internal structs use `amt`, `amount`, and `value` for the same thing. Standardise on `AmountMinor`.",
			Comments: []Comment{
				c(dan, "+1. Keep the JSON tags as they are so the public API doesn't change."),
				c(lucia, "Yes, internal only."),
				c(dan, "nit: `AmountMinor` or `MinorAmount`? The ledger package already uses the second.").edited("nit: `AmountMinor` or `MinorAmount`? Ledger already uses `MinorAmount`, let's match it."),
			},
			WantOwner: true,
		},
		{ // 7
			Title:  "Generate currency tables from ISO 4217 data",
			Author: dan,
			Labels: list("chore"),
			Body:   "Replace the hand-maintained `currencies.go` with a `go generate` step.",
			Comments: []Comment{
				c(lucia, "Which source? The SIX XML file changes format every couple of years."),
				c(dan, "Vendor a snapshot and regenerate when we bump it."),
				c(sanjay, "👍"),
			},
		},
		{ // 8
			Title:  "Payout report totals don't match the dashboard",
			Author: meilin,
			Labels: list("bug"),
			Body: `For March, the payout CSV sums to €48,211.40 but the dashboard shows €48,390.15.

Expected: both show the same total.
Actual: the CSV is €178.75 lower. The difference seems to be refunds issued on the last day of the month.`,
			Comments: []Comment{
				c(lucia, "The CSV cuts off at 00:00 UTC and the dashboard uses the merchant's timezone. Refunds late on the 31st fall into different months."),
				c(meilin, "Our accountant flagged it during month-end close. If the numbers don't match we have to reconcile by hand, which took two days this time.", Customer),
				c(priya, "We should pick one definition and show it in both places. Merchant timezone is what people expect.", UX),
			},
			WantRationale: true,
		},
		{ // 9
			Title:  "Card data in debug logs",
			Author: rhea,
			Labels: list("security", "pci"),
			Body: `Owner: @sanjay-rao

### Problem

With debug logging on, the tokenizer logs the card fingerprint, last4 and expiry for every request. Debug was enabled in production for two hours on Friday, and those logs are shipped to our log vendor. This is out of scope for our PCI DSS assessment and must not happen again.

### Action

- purge the affected log range at the vendor
- make the tokenizer's logger redact by default
- add a lint that rejects logging of ` + "`Card`" + ` structs`,
			Comments: []Comment{
				c(sanjay, "Purge request is filed with the vendor, they confirm within 24 h. Redaction PR is up."),
				c(rhea, "Thanks. We also have to tell the QSA; I'll handle that. No customer notification needed since no PANs were logged.", Security),
				c(tomasz, "Can we stop allowing debug level in prod entirely? It's also 8x the log volume, last time it cost us ~$2k in one afternoon.", Business),
				c(sanjay, "I'd rather keep it behind a time-limited flag for incidents. Will write that up."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 10
			Title:  "3-D Secure 2 for EU cards",
			Author: marcus,
			Labels: list("enhancement"),
			Body: `## Why

Since the PSD2 SCA enforcement, about 12% of EU card payments through us are soft-declined with "authentication required". Merchants see those as failed checkouts, and three EU merchants have told us they'll move volume elsewhere if we can't fix it this quarter.`,
			Comments: []Comment{
				c(dan, "We'd need a challenge flow in the hosted checkout and a redirect flow for API-only merchants."),
				c(priya, "Hosted checkout first, that's 80% of EU volume.", Business),
				c(lucia, "Frictionless flow should cover most cases. The last time I looked at the numbers, only ~5% of 3DS2 transactions actually get a challenge.", UX),
				c(marcus, "Putting this on the payments team board.").edited("Putting this on the payments team board. Target is EU availability before November: the holiday season is about 40% of those merchants' annual volume.", Business, Customer),
			},
			Later:         []Change{label(marcus, "owner:payments")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 11
			Title:  "Go 1.26",
			Author: tomasz,
			Labels: list("chore"),
			Body:   "Bump the toolchain in go.mod, Dockerfile and CI.",
			Comments: []Comment{
				c(ciBot, "✅ **test** passed on `tnowak/go-1.26` (3m58s)."),
				c(dan, "LGTM"),
				c(tomasz, "Merged, closing."),
			},
			Later:  []Change{closeBy(tomasz)},
			Closed: true,
		},
		{ // 12
			Title:  "Listing invoices is very slow for large merchants",
			Author: fred,
			Labels: list("performance"),
			Body: "`GET /v1/invoices?limit=100` takes 9–14 seconds for our account (~180k invoices), later pages even longer.\n\n" +
				"Impact: our nightly reconciliation job pages through the last 30 days and now regularly hits its 1 h timeout, so finance starts the day without yesterday's numbers.",
			Comments: []Comment{
				c(dan, "We paginate with OFFSET. Switching to cursor pagination on `(created_at, id)` should make every page ~constant time.", Perf),
				c(sanjay, "There's also no index on `(merchant_id, created_at)`. EXPLAIN shows a seq scan over 40M rows.", Perf),
				c(fred, "Cursor pagination is fine for us as long as the old `offset` param keeps working for a while.", Customer),
				c(dan, "We'll keep `offset` for 6 months with a deprecation header."),
			},
			WantRationale: true,
		},
		{ // 13
			Title:  "Switch to pgx v5",
			Author: dan,
			Body:   "We're still on lib/pq. pgx has native types and a better pool.",
			Comments: []Comment{
				c(lucia, "The `numeric` handling differs, we'd need to check every `Scan` into decimal."),
				c(tomasz, "Also the pool config knobs are named differently, we'd have to update the Helm values."),
				c(dan, "OK, parking this until after the 3DS work."),
				c(sanjay, "+1 to parking"),
			},
		},
		{ // 14
			Title:     "JPY amounts are off by 100x in receipts",
			Author:    ana,
			Assignees: list(lucia),
			Labels:    list("bug"),
			Body: `We charge ¥1,200 and the receipt email says ¥120,000.

Expected: ¥1,200 (JPY has no minor unit).
Actual: ¥120,000. The charge itself is correct, only the receipt is wrong.`,
			Comments: []Comment{
				c(lucia, "The receipt template divides by 100 unconditionally. It should use the currency's exponent."),
				c(ana, "Several of our customers called their bank thinking they were overcharged. It's generating support calls for us and for them.", Customer),
				c(lucia, "Fixed in the template and added tests for JPY, KRW and BHD (3 decimals)."),
				c(dan, "nice, thanks!"),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 15
			Title:  "Document the decline codes",
			Author: paul,
			Labels: list("docs"),
			Body:   "The API reference lists `card_declined` but not the `decline_code` values. I want to show different messages for `insufficient_funds` and `do_not_honor` so that shoppers know whether trying another card will help.",
			Comments: []Comment{
				c(marcus, "Fair ask. Wrong messages at checkout cost merchants conversions, and this is cheap for us to fix.", Customer, Business),
				c(dan, "The list is in `declines/codes.go`; we can generate the docs table from it."),
			},
			WantRationale: true,
		},
		{ // 16
			Title:  "dispute.created webhook arrives before charge.succeeded",
			Author: carl,
			Labels: list("bug", "webhooks"),
			Body: `Expected: events for a charge arrive in the order they happened.
Actual: for fast disputes (same day) we sometimes get ` + "`dispute.created`" + ` first, and our handler 404s because the charge isn't in our DB yet.`,
			Comments: []Comment{
				c(sanjay, "We don't guarantee ordering today. Deliveries are parallel per merchant."),
				c(carl, "Then please document it. We lost two disputes because our handler dropped the event and nobody responded in time.", Customer, Reliability),
				c(sanjay, "Agreed, docs first. Ordering per charge is possible once we partition by merchant (#5)."),
			},
			WantRationale: true,
		},
		{ // 17
			Title:     "Remove legacy_gateway package",
			Author:    lucia,
			Assignees: list(lucia),
			Labels:    list("cleanup"),
			Body:      "Last merchant migrated off it in January. Delete the package and its config.",
			Comments: []Comment{
				c(dan, "LGTM"),
				c(ciBot, "✅ **test** passed on `lucia/rm-legacy-gateway` (3m40s)."),
			},
			Later:     []Change{closeBy(lucia)},
			Closed:    true,
			WantOwner: true,
		},
		{ // 18
			Title:  "Request id in error responses",
			Author: sanjay,
			Body:   "Add `request_id` to the error JSON body, not just the `X-Request-Id` header.",
			Comments: []Comment{
				c(priya, "Support would love this. Half the time merchants send us a screenshot of the body, never the headers.", Customer),
				c(sanjay, "Good point, adding that to the description."),
			},
			Later: []Change{editBody(sanjay, "Add `request_id` to the error JSON body, not just the `X-Request-Id` header, "+
				"so that merchants can quote it to support and we can find the trace in seconds instead of searching logs by timestamp.")},
			WantRationale: true,
		},
		{ // 19
			Title:  "Separate platform fee and processing fee on charges",
			Author: marcus,
			Labels: list("enhancement", "marketplaces"),
			Body: `DRI: @acme/payments

As a marketplace operator I want to see the platform fee and the processing fee as separate fields on each charge, so that I can reconcile payouts to sellers without recomputing our fee schedule.

Today both are folded into ` + "`fee`" + `.`,
			Comments: []Comment{
				c(dan, "Adding fields is backwards compatible. We'd keep `fee` as the sum."),
				c(zoe, "This would save us a whole reconciliation script. +1", Customer),
				c(priya, "Let's scope it to charges only; refunds can follow if people ask.", Business),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 20
			Title:  "TestRefundPartial fails on Feb 29",
			Author: kenji,
			Labels: list("test"),
			Body:   fence("", "--- FAIL: TestRefundPartial (0.01s)\n    refund_test.go:88: parsing time \"2025-02-29\": day out of range"),
			Comments: []Comment{
				c(lucia, "The test adds one year to today's date. Use a fixed clock."),
				c(kenji, "Done, closing."),
			},
			Later:  []Change{closeBy(kenji)},
			Closed: true,
		},
		{ // 21
			Title:  "Sales tax for Canadian provinces",
			Author: marcus,
			Labels: list("enhancement", "tax"),
			Body: `## Why

We launch in Canada in Q3. Without GST/HST/PST per province, Canadian merchants would have to compute tax themselves, which they won't accept: it's the first question in every sales call there.`,
			Comments: []Comment{
				c(lucia, "Quebec's QST is separate from GST, and BC's PST has different exemptions. We need a per-province table, not a single rate."),
				c(priya, "Let's timebox to the launch provinces first: Ontario, BC and Quebec. The rest in Q4.", Business),
				c(dan, "I can take it after partial captures."),
			},
			Later:         []Change{assign(marcus, dan)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 22
			Title:  "Upgrade Postgres driver",
			Author: tomasz,
			Body:   "lib/pq 1.10.9 → 1.10.10.",
			Comments: []Comment{
				c(dan, "Any reason not to fold this into the pgx move?"),
				c(tomasz, "It's a one-line bump, pgx is months away."),
			},
		},
		{ // 23
			Title:     "Retry budget for the card network client",
			Author:    sanjay,
			Assignees: list(sanjay),
			Labels:    list("reliability"),
			Body: `## Motivation

During the card network incident on 3 March our client retried every failed authorisation three times with no jitter. That tripled our traffic to a network that was already struggling, and 7% of charges failed for 50 minutes instead of the ~10 minutes other processors saw.

Proposal: a retry budget of 10% of requests per minute, jittered backoff, and a circuit breaker per network.`,
			Comments: []Comment{
				c(dan, "Do we have a way to test the breaker without a real outage? A fault-injection flag in staging would help."),
				c(priya, "This is the one I'd prioritise over new features this sprint. 50 minutes of 7% failures was the biggest revenue hit of the quarter.", Business, Reliability),
				c(sanjay, "Staging fault injection is in the plan. Target is to shed retries within 30 s of the error rate crossing 20%.", Reliability),
				c(lucia, "nit: `RetryBudget` should live in `internal/resilience`, not in the network client package."),
				c(dan, "LGTM overall"),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 24
			Title:  "Allow two active API keys for zero-downtime rotation",
			Author: zoe,
			Labels: list("enhancement"),
			Body:   "As a merchant I want two secret keys active at the same time so that I can rotate keys without downtime. Right now rolling a key invalidates the old one instantly and every running worker fails until it's redeployed.",
			Comments: []Comment{
				c(rhea, "Two keys is standard. We should also expire the old one automatically after 7 days so people don't keep both forever.", Security),
				c(zoe, "7 days would be plenty for us."),
			},
			WantRationale: true,
		},
		{ // 25
			Title:  "Question: sandbox rate limits?",
			Author: meilin,
			Labels: list("question"),
			Body:   "What are the rate limits in sandbox? I'm getting 429s at what feels like 10 requests per second.",
			Comments: []Comment{
				c(dan, "Sandbox is 25 req/s per key, production is 100. We'll add it to the docs."),
				c(meilin, "Thanks!"),
			},
			Later:  []Change{closeBy(dan)},
			Closed: true,
		},
		{ // 26
			Title:  "Audit trail for refunds issued by support",
			Author: priya,
			Labels: list("compliance"),
			Body: `### Problem

Support agents can issue refunds from the admin console with no record of who did it or why. Our SOC 2 auditor flagged it, and last month we couldn't explain a $4,800 refund to a merchant who disputed it.`,
			Comments: []Comment{
				c(rhea, "The audit log must be append-only and include the agent, reason, and ticket link.", Security),
				c(lucia, "We have the `events` table. Adding an `actor` column is simpler than a new table."),
				c(priya, "Works for me, as long as it's visible to merchants in their own activity log.", Customer),
			},
			WantRationale: true,
		},
		{ // 27
			Title:     "Split handlers.go",
			Author:    dan,
			Assignees: list(dan),
			Body:      "It's 3,400 lines. One file per resource.",
			Comments: []Comment{
				c(lucia, "Please do it in a PR with no behaviour changes, easier to review."),
				c(dan, "That's the plan."),
			},
			WantOwner: true,
		},
	}
}
