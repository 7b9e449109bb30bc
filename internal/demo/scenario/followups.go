package scenario

// Follow-up comments: what people say days or weeks after the first round
// of discussion (status updates, "any news?", confirmations, CI results).
// They are appended to the issue's Comments, keyed by issue number.

// withFollowUps appends more[n] to the comments of issue #n. It panics on
// a number that is not an issue, which the tests would catch.
func withFollowUps(issues []Issue, more map[int][]Comment) []Issue {
	for n, cs := range more {
		issues[n-1].Comments = append(issues[n-1].Comments, cs...)
	}
	return issues
}

func webFollowUps() map[int][]Comment {
	return map[int][]Comment{
		1: {
			c(ana, "Confirmed fixed on our side, thanks for the quick turnaround!"),
			c(priya, "Support confirms zero new Safari checkout tickets since Wednesday's deploy.", Customer),
		},
		2: {
			c(marcus, "Can we define done as p95 under 2 s for an 800-project workspace? That's the number I'll report back to the account managers.", Perf, Business),
			c(erin, "Draft PR with server-side pagination is up, 50 projects per page."),
			c(zoe, "Tried the preview build on our workspace: 1.3 s to interactive instead of 7. Huge difference.", Perf),
		},
		3: {
			c(olivia, "Dialog copy draft: \"You've been inactive for a while. Stay signed in?\" Feedback welcome."),
			c(jules, "Looks good. Can it say how long until sign-out? People panic less when they can see a countdown.", UX),
		},
		4: {
			c(ciBot, "✅ **lint** passed on `erin/eslint-9`."),
		},
		5: {
			c(ana, "+1"),
			c(zoe, "Would love this too 🙏"),
		},
		6: {
			c(lucia, "The same encoding helper is copied into the payouts export in payments-api, worth grepping for it there too."),
			c(meilin, "Any ETA on this?"),
		},
		8: {
			c(olivia, "Invite dialog is fixed; 3 of the 5 other modals done."),
			c(ciBot, "✅ **a11y** axe-core: 0 violations on `/settings/members`."),
		},
		9: {
			c(erin, "It was the toast covering the Save button. Waiting for it to disappear fixes it: 50 green runs in a row."),
			c(maya, "🎉 thanks"),
		},
		10: {
			c(dan, "payments-api already has a session-cap helper, happy to share it."),
			c(priya, "Okta beta with one design partner starts on the 14th. If it goes well we can close two of the three deals this quarter.", Business),
		},
		12: {
			c(maya, "Let's not block anything on this, React 18 is fine for now."),
		},
		13: {
			c(fred, "Any update? This caused confusion again during last night's incident, two people read the alert times wrong.", Customer),
		},
		14: {
			c(jules, "Two weeks of A/B data: invite rate 23% → 31% in the variant. Keeping it running another week before we call it.", Business),
		},
		15: {
			c(ciBot, "✅ **e2e** passed on `maya/rm-v1` (12m4s)."),
			c(priya, "Thanks for adding the redirects 🙏"),
		},
		16: {
			c(paul, "PR is up."),
			c(erin, "Merged, thanks Paul! 🎉"),
		},
		19: {
			c(tomasz, "WAF rule is live: 20 requests per minute per IP on `/api/login`."),
			c(maya, "Per-account lockout merged. Unlock email copy reviewed by Priya."),
		},
		20: {
			c(carl, "Works now, thank you!"),
		},
		21: {
			c(erin, "Would make a good first issue. Labelling it."),
		},
		22: {
			c(maya, "Swapped the picker: back to 415 kB. Added a size-limit check to CI with a 450 kB budget."),
		},
		23: {
			c(olivia, "First three routes migrated, no visual diffs in Chromatic."),
		},
		24: {
			c(marcus, "Bumping this: two of those nine customers renew this quarter and asked about it again in their business reviews.", Customer, Business),
		},
		25: {
			c(priya, "Support would also like the request id in the failed-payment email.", Customer),
			c(erin, "+1"),
		},
		26: {
			c(erin, "PR is up, net −1,900 lines 🎉"),
		},
	}
}

func paymentsFollowUps() map[int][]Comment {
	return map[int][]Comment{
		1: {
			c(ciBot, "✅ **test** passed on `dkim/async-refunds` (4m31s)."),
			c(carl, "The pending state works for us. Thanks for making it async rather than just raising the timeout."),
		},
		2: {
			c(lucia, "Fix is in review. Load test with forced client timeouts: 0 duplicate charges in 2M requests.", Reliability),
			c(marcus, "I'll write to the 37 affected merchants once it's deployed.", Customer),
		},
		3: {
			c(dan, "Integration suite is green too, merging."),
		},
		4: {
			c(zoe, "Any timeline? Peak season starts in August for us."),
			c(lucia, "Design doc is up for review; aiming for a beta in 6 weeks."),
		},
		5: {
			c(sanjay, "Backoff is deployed. The last merchant outage produced 74 retries over 3 days instead of about a million.", Reliability),
			c(marcus, "Dashboard banner is in the web backlog."),
		},
		6: {
			c(lucia, "`MinorAmount` it is."),
		},
		8: {
			c(lucia, "Wait, I think the dashboard is UTC as well?").deleted(),
			c(lucia, "Checked again: the dashboard uses the merchant's timezone, the CSV uses UTC. Fixing the CSV."),
		},
		9: {
			c(sanjay, "Vendor confirmed the purge."),
			c(rhea, "Closing the loop: the QSA accepted the remediation.", Security),
		},
		10: {
			c(dan, "Spike branch works against the test ACS. Challenged transactions add ~1.2 s to checkout.", Perf),
			c(ana, "+1, we're an EU merchant and see these soft declines every day.", Customer),
		},
		12: {
			c(ciBot, "✅ **migrate** created index `invoices_merchant_created_idx` on staging (3m12s)."),
			c(fred, "Tried the cursor param on staging: 180 ms per page. 🎉", Perf),
		},
		14: {
			c(ana, "Confirmed fixed, thanks!"),
		},
		15: {
			c(paul, "Thanks! A generated table would be great."),
		},
		16: {
			c(carl, "+1 to per-charge ordering eventually."),
		},
		18: {
			c(dan, "LGTM"),
		},
		19: {
			c(ciBot, "✅ **openapi-diff** no breaking changes."),
		},
		21: {
			c(lucia, "The one Go library for Canadian tax is GPL, so we'll maintain the table ourselves."),
		},
		22: {
			c(ciBot, "✅ **test** passed on `tnowak/pq-1.10.10`."),
		},
		23: {
			c(sanjay, "Breaker merged. Staging fault injection with the network at 30% errors: retries shed within 18 s, charge success held at 96%.", Reliability),
			c(priya, "That's exactly the outcome I wanted. Thank you!"),
		},
		24: {
			c(meilin, "+1"),
		},
		26: {
			c(marcus, "The auditors want this in place before the Type II window starts on 1 July.", Business),
			c(lucia, "Migration for the `actor` column is ready."),
		},
		27: {
			c(ciBot, "❌ **test** failed on `dkim/split-handlers`: `handlers_refund.go:14: undefined: parseAmount`"),
			c(dan, "Forgot to add a file. Fixed."),
		},
	}
}

func cliFollowUps() map[int][]Comment {
	return map[int][]Comment{
		1: {
			c(ciBot, "✅ **build** passed on `kenji/login-no-proxy`."),
			c(fred, "2.5.1 works through Zscaler. Thank you!"),
		},
		2: {
			c(paul, "Would errors be JSON too with `-o json`? Scripts choke on a table error message in the middle of JSON output.", UX),
			c(kenji, "Yes: with `-o json`, errors go to stderr as JSON."),
		},
		4: {
			c(erin, "Fixed in 2.5.1."),
		},
		5: {
			c(erin, "The release workflow now opens the tap PR automatically."),
		},
		6: {
			c(ana, "Any ETA?"),
			c(kenji, "Aiming for 2.6."),
		},
		8: {
			c(zoe, "Tested the build: CPU is ~0% while waiting. 👍", Perf),
		},
		9: {
			c(erin, "Alias implemented, deprecation note goes to stderr."),
		},
		10: {
			c(kenji, "Documented in the README now."),
			c(meilin, "thanks!"),
		},
		11: {
			c(kenji, "Env var and config key are in. First-run notice is waiting for copy."),
			c(jules, "Copy: \"acme collects anonymous usage data to improve the CLI. Turn it off with `acme config set telemetry false`.\""),
		},
		13: {
			c(carl, "Verified with 2.5.2, all lines present. Thanks!"),
		},
		15: {
			c(paul, "Happy to help implement it if you share a rough design."),
		},
		16: {
			c(kenji, "Fixed in 2.5.1."),
		},
		18: {
			c(erin, "Stripping got us to 33 MB. Dropping the AWS SDK for the one S3 call would save another 10."),
		},
		19: {
			c(kenji, "PR is up: refuses without `--force`, and `--force` backs up the old file to `acme.yaml.bak`."),
		},
		21: {
			c(ciBot, "✅ **release-dry-run** signed checksums with cosign (keyless)."),
		},
		22: {
			c(ana, "Confirmed fixed in 2.5.1"),
		},
		23: {
			c(ana, "Could `ACME_TOKEN` also be read from a `.env` file?"),
			c(kenji, "Probably not, we'd rather not encourage tokens in files that end up in repos.", Security),
		},
		24: {
			c(erin, "Yes, good point."),
		},
	}
}

func infraFollowUps() map[int][]Comment {
	return map[int][]Comment{
		1: {
			c(tomasz, "Limits in place: no OOM kills for 7 nights, e2e green 7 out of 7."),
		},
		3: {
			c(ciBot, "✅ **chaos** failover drill on staging: primary promoted in 38 s, apps reconnected in 52 s."),
		},
		4: {
			c(viktor, "Applied to staging, no change in behaviour."),
		},
		5: {
			c(tomasz, "S3 endpoint is live. NAT egress is down 45% in the first week.", Business),
		},
		6: {
			c(viktor, "Library chart change is up."),
		},
		8: {
			c(sanjay, "Dashboard is in `dashboards/webhooks.json`."),
		},
		9: {
			c(viktor, "Prod upgraded, no incidents."),
		},
		10: {
			c(tomasz, "TTL lowered to 30 s."),
		},
		12: {
			c(sanjay, "First drill: 5 h 40 min to restore into the scratch account, over the 4 h target. Writing up where the time went.", Reliability),
		},
		13: {
			c(viktor, "CSI driver PoC works for payments-api on staging."),
		},
		15: {
			c(sanjay, "Disk alerts no longer page. 31 pages this week, down from 212.", Reliability),
		},
		16: {
			c(marcus, "Any progress on moving the draft over?"),
			c(sanjay, "Moved to `runbooks/payments.md`."),
		},
		17: {
			c(viktor, "Switched over. Median this week is 5m40s."),
		},
		19: {
			c(viktor, "Lifecycle rule applied."),
		},
		20: {
			c(tomasz, "Requests set everywhere."),
		},
	}
}
