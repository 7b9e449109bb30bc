package scenario

// webConfig lists product people by team.
const webConfig = `# ownershipbot settings for acme/web
enabled: true
comment: missing
owner:
  label_pattern: "owner:*"
  fields: [Owner, DRI]
rationale:
  headings: [Problem, Why, Motivation, Impact, User story, Expected behaviour]
roles:
  product: ["@acme/product"]
ignore:
  labels: [duplicate, wontfix]
  authors: ["dependabot[bot]"]
pull_requests:
  comment: missing
  require_linked_issue: false
  ignore_authors: ["dependabot[bot]", "renovate[bot]"]
  ignore_labels: [skip-ownership]
`

func webRepo() Repo {
	issues := withFollowUps(webIssues(), webFollowUps())
	return Repo{
		Name:         "web",
		Description:  "Customer dashboard and marketing site (Next.js)",
		Config:       webConfig,
		Issues:       issues,
		PullRequests: withReviewComments(len(issues), webPulls(), webReviewMore()),
	}
}

func webIssues() []Issue {
	return []Issue{
		{ // 1
			Title:  "Checkout button does nothing on Safari 17 when a promo code is applied",
			Author: ana,
			Labels: list("bug"),
			Body: `Steps to reproduce:

1. Add any paid plan to the cart
2. Apply promo code SPRING24
3. Click "Pay now"

Expected: the payment sheet opens.
Actual: nothing happens. No spinner, no error. Works fine in Chrome and Firefox.

Safari 17.2 on macOS 14.2. We tried twice from two different Macs.`,
			Comments: []Comment{
				c(maya, "Thanks for the report. Could you open the Web Inspector console and paste anything red that shows up when you click the button?"),
				c(ana, "Here you go:\n\n"+fence("", "Unhandled Promise Rejection: TypeError: undefined is not an object (evaluating 'session.promo.amount')\n    at applyDiscount (checkout-3f9a1c.js:1:48211)\n    at onSubmit (checkout-3f9a1c.js:1:50977)")),
				c(priya, "Support has 14 tickets about this since Monday, all Safari. Everyone who hits it abandons the upgrade, so this is costing us real revenue every day it stays open. Can we treat it as P1?", Customer, Business),
				c(erin, "Repro'd on 17.2. `session.promo` is still undefined when the form submits because the promo request resolves after the re-render. Should be a one-line guard plus awaiting the promo fetch."),
				c(maya, "I'll take it."),
			},
			Later:         []Change{assign(maya, maya), label(maya, "P1")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 2
			Title:  "Dashboard takes 6+ seconds to load for workspaces with many projects",
			Author: zoe,
			Labels: list("performance"),
			Body: `## Problem

Our workspace has ~800 projects. The dashboard home page takes 6–8 seconds before anything is clickable, every time, even on a fast connection. Smaller workspaces I'm in load in about a second.

## Impact

People on my team have started bookmarking individual project pages to avoid the home page. New hires think the product is broken.`,
			Comments: []Comment{
				c(maya, "Confirmed from our traces: p95 time-to-interactive is 7.4 s for workspaces with more than 500 projects versus 1.1 s median. We render every project card up front.", Perf),
				c(priya, "For context, 18 of our top 20 accounts by ARR have more than 500 projects. This is the page they see first every morning.", Customer, Business),
				c(olivia, "If we paginate, please keep a skeleton state so the page doesn't look frozen while the next batch loads. Right now there's no feedback at all for seven seconds.", UX),
				c(erin, "+1 to paginating server-side. Virtualised list would be a bigger refactor."),
				c(zoe, "Thanks all, happy to test a preview build against our workspace."),
			},
			Later:         []Change{label(maya, "owner:team-web")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 3
			Title:     "Session expires silently while editing a long form, and the work is lost",
			Author:    priya,
			Assignees: list(olivia),
			Labels:    list("bug", "ux"),
			Body: `As a workspace admin I want my session to stay alive (or at least warn me) while I'm filling in the billing profile, so that I don't lose ten minutes of typing when I press Save.

Today the session times out after 30 minutes of no API calls. Typing in a form doesn't count as activity, so Save returns a 401 and the form is cleared.

Seen in three customer calls this month. Payments uses the same session cookie, so the fix likely spans web and payments-api.`,
			Comments: []Comment{
				c(olivia, "Two options: refresh the token on input events (throttled), or show a \"your session is about to expire\" dialog at 25 minutes. The dialog is friendlier for screen reader users because it is announced.", UX),
				c(sanjay, "Refreshing on input is fine from our side as long as it's throttled to once a minute. Each refresh is a DB write on the auth service, and at peak we already do ~900 refreshes/s.", Perf),
				c(priya, "Let's do both: silent refresh while typing, dialog only if the tab was idle. Keeping the form contents in local storage would also cover the crash case.", UX),
				c(lucia, "Heads up that the payments side needs the same change, I'll open the PR there."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 4
			Title:  "Bump eslint-config-acme to v9",
			Author: erin,
			Labels: list("chore"),
			Body:   "Move to the flat config and eslint-config-acme 9.x.",
			Comments: []Comment{
				c(ciBot, "❌ **lint** failed on `erin/eslint-9`: 312 problems (298 errors, 14 warnings). [Details](https://ci.acme.dev/runs/88121)"),
				c(maya, "Most of those are the new `no-unused-vars` defaults. `eslint --fix` should take care of ~250 of them."),
				c(erin, "Yep, running it now. I'll split the fixes into a separate commit so the review is readable."),
				c(olivia, "nit: can we keep `jsx-a11y` at error level rather than warn? It moved to warn in the preset."),
			},
		},
		{ // 5
			Title:  "Dark mode?",
			Author: fred,
			Body:   "Any plans for a dark theme for the dashboard?",
			Comments: []Comment{
				c(meilin, "+1"),
				c(carl, "+1 from us as well"),
				c(priya, "Not on the roadmap this quarter. The design-system work has to land first; we'll look at it again in Q3 planning.", Business),
				c(fred, "Fair enough, thanks for the answer."),
			},
		},
		{ // 6
			Title:  "[Bug]: CSV export drops rows with non-ASCII names",
			Author: meilin,
			Labels: list("bug", "triage"),
			Body: form(
				"Problem", "Exporting the customers table to CSV silently skips every row whose name contains non-ASCII characters (e.g. 田中, Müller, José).",
				"Expected behaviour", "All rows are exported, UTF-8 encoded.",
				"Steps to reproduce", "1. Customers → Export → CSV\n2. Compare the row count with the table (412 vs 3,108 for us)",
				"Owner", "",
			),
			Comments: []Comment{
				c(erin, "Found it: the exporter runs each row through `btoa`, which throws on characters outside Latin-1, and the catch block just `continue`s."),
				c(meilin, "This hits every Japanese customer record we have, about 2,700 rows per export. Our finance team reconciles from this file so they've been under-reporting for weeks without knowing.", Customer, Reliability),
				c(erin, "nit for whoever fixes it: the helper should live in `utils/csv.ts`, not inline in the component."),
				c(maya, "Silently dropping data is the worst way to fail here. At minimum the export should error loudly if a row can't be encoded.", Reliability),
			},
			Later:         []Change{unlabel(erin, "triage")},
			WantRationale: true,
		},
		{ // 7
			Title:     "Refactor useProjects into a query module",
			Author:    maya,
			Assignees: list(maya),
			Labels:    list("refactor"),
			Body:      "Move `useProjects` and its three siblings into `queries/projects.ts` and use the shared query client.",
			Comments: []Comment{
				c(erin, "nit: `projectsQuery` reads better than `projQ`."),
				c(maya, "Sure, will rename."),
				c(olivia, "While you're in there, the hook refetches on every window focus. Switching tabs makes the whole sidebar flash, which people have complained about.", UX),
				c(maya, "Good point, I'll put that in the description."),
			},
			Later: []Change{editBody(maya, "Move `useProjects` and its three siblings into `queries/projects.ts` and use the shared query client.\n\n"+
				"Why: the hook refetches on every window focus, which costs ~40 extra requests per session and makes the sidebar flicker whenever you switch tabs.")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 8
			Title:  "Invite dialog traps keyboard focus",
			Author: olivia,
			Labels: list("accessibility", "bug"),
			Body: `Owner: @obrandt

## Problem

Keyboard and screen reader users can't leave the "Invite teammates" dialog: Esc does nothing and Tab moves focus to the page behind the overlay. This fails WCAG 2.1 SC 2.1.2 (No Keyboard Trap).

## Why it matters

Two enterprise customers have accessibility conformance in their contracts and audit us yearly; the next audit is in six weeks.`,
			Comments: []Comment{
				c(maya, "We should swap the hand-rolled modal for the design-system `<Dialog>`; it already handles focus return."),
				c(marcus, "Let's make sure this lands before the audit. If it slips, legal wants to know by the end of the month so they can talk to the customers.", Business, Customer),
				c(olivia, "Plan is to fix the invite dialog first and then sweep the other five modals."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 9
			Title:  "Flaky e2e test: settings/billing.spec.ts",
			Author: erin,
			Labels: list("ci"),
			Body:   "Times out intermittently on CI.\n\n" + fence("", "  ✘ settings/billing.spec.ts:42:5 › updates the billing email (30.0s)\n    Error: locator.click: Timeout 30000ms exceeded.\n    waiting for getByRole('button', { name: 'Save' })"),
			Comments: []Comment{
				c(ciBot, "❌ **e2e** failed on `main` (attempt 1 of 2). Retry passed."),
				c(maya, "Re-running helps but it's happened four times today. Can we quarantine it until someone looks?"),
				c(kenji, "+1, it bit my PR twice."),
				c(erin, "I'll take it, probably the toast covering the button."),
			},
			Later:     []Change{assign(erin, erin)},
			WantOwner: true,
		},
		{ // 10
			Title:  "SAML SSO for enterprise workspaces",
			Author: marcus,
			Labels: list("enhancement", "enterprise"),
			Body: `DRI: @acme/web

## Why

Three deals in the pipeline (about $180k ARR combined) list SAML SSO as a hard requirement, and we lost one last quarter for the same reason. Admins at those companies can't onboard 300+ people one invite at a time.

## Scope

- SAML 2.0 with Okta and Azure AD tested
- Enforce SSO per workspace
- SCIM is out of scope for v1`,
			Comments: []Comment{
				c(rhea, "If SCIM is out of scope we need a story for deprovisioning. Otherwise someone who leaves the customer keeps a valid session in our app for up to 30 days.", Security),
				c(maya, "Rough estimate: 3 weeks for SAML with one IdP, another week per extra IdP for testing."),
				c(priya, "Let's ship Okta first, it's 2 of the 3 deals. Azure AD in the follow-up.", Business, Customer),
				c(rhea, "OK with that, as long as sessions are capped at 12h for SSO workspaces until SCIM lands.", Security),
				c(marcus, "Agreed. Updating the scope now."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 11
			Title:  "Typo on pricing page",
			Author: meilin,
			Body:   "\"Billed anually\" under the Team plan.",
			Comments: []Comment{
				c(erin, "Thanks! Fixed in the next deploy."),
			},
			Later:  []Change{closeBy(erin)},
			Closed: true,
		},
		{ // 12
			Title:  "Upgrade to React 19",
			Author: erin,
			Labels: list("chore", "owner:team-web"),
			Body:   "Upgrade react and react-dom to 19 and fix whatever breaks.",
			Comments: []Comment{
				c(maya, "Blocked on `react-beautiful-dnd`, which is unmaintained. We'd need to move the board view to `dnd-kit` first."),
				c(erin, "I'll open a separate issue for the dnd-kit migration."),
				c(ciBot, "❌ **typecheck** failed on `erin/react-19`: 57 errors in 23 files."),
				c(kenji, "React 19 should also make the board view noticeably faster for big workspaces: fewer re-renders while dragging cards, so less jank for the people with 500+ cards.", Perf).edited("Most of the type errors are the `ref` prop changes, there's a codemod for those. (Edited: dropped a claim I hadn't measured.)"),
			},
			WantOwner: true,
		},
		{ // 13
			Title:  "Notification times shown in UTC instead of my timezone",
			Author: fred,
			Labels: list("bug"),
			Body: `Expected behaviour: notification timestamps are shown in the timezone set in my profile (Europe/Stockholm).

Actual: everything is in UTC, so "Deploy finished 08:00" actually happened at 09:00 for me.`,
			Comments: []Comment{
				c(olivia, "Confirmed, the notifications list formats dates on the server, which runs in UTC."),
				c(fred, "We have on-call staff in four timezones and last week someone missed a handover because of this. It's more than cosmetic for us.", Customer, Reliability),
				c(olivia, "Makes sense. We should format on the client with the profile timezone, and show the zone explicitly on hover.", UX),
			},
			WantRationale: true,
		},
		{ // 14
			Title:  "New workspaces skip the \"invite your team\" onboarding step",
			Author: jules,
			Labels: list("onboarding"),
			Body: `## Problem

Only 23% of new workspaces invite a second person in their first week. Workspaces with two or more active users in week one retain about 3x better at day 90. The invite step is the one most people skip in the onboarding checklist.`,
			Comments: []Comment{
				c(marcus, "Let's make the invite rate a Q2 goal: 40% of new workspaces inviting someone in week one. Worth more than the other two onboarding items combined.", Business),
				c(olivia, "On a 13\" laptop the invite step is below the fold, so a lot of people never see it. Moving it to the top of the checklist is cheap.", UX),
				c(erin, "Can we A/B it behind the `onboarding_v2` flag? The flag plumbing already exists."),
				c(jules, "Yes, let's A/B it. I'll own this one."),
			},
			Later: []Change{editBody(jules, `Owner: @jules-pm

## Problem

Only 23% of new workspaces invite a second person in their first week. Workspaces with two or more active users in week one retain about 3x better at day 90. The invite step is the one most people skip in the onboarding checklist.

## Plan

A/B test moving the invite step to the top of the checklist, behind `+"`onboarding_v2`"+`.`)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 15
			Title:     "Remove legacy /v1 dashboard routes",
			Author:    maya,
			Assignees: list(maya),
			Labels:    list("cleanup"),
			Body:      "Delete `pages/v1/*` and the `LegacyLayout` component. Nothing links there anymore.",
			Comments: []Comment{
				c(priya, "Are we sure? Analytics shows about 2% of sessions still land on /v1 URLs, mostly from old bookmarks and links in customers' internal wikis. A hard 404 would generate support tickets.", Customer),
				c(maya, "Good catch. I'll add permanent redirects to the new routes instead of 404s."),
				c(erin, "LGTM"),
			},
			WantOwner: true,
		},
		{ // 16
			Title:  "Search is case-sensitive",
			Author: paul,
			Body:   "Searching for \"Acme\" doesn't find the project called \"acme-site\". I expected search to ignore case like everywhere else in the app.",
			Comments: []Comment{
				c(paul, "Happy to send a PR if someone points me at the right file."),
				c(erin, "Thanks! It's `src/search/normalize.ts`. Lowercasing both sides in `normalize()` should be enough; there's a test file next to it."),
				c(paul, "👍 on it"),
			},
			WantRationale: true,
		},
		{ // 17
			Title:  "Marketing page images are 4 MB each",
			Author: olivia,
			Labels: list("performance", "owner:team-web"),
			Body: `## Impact

Largest Contentful Paint on the landing page is 5.1 s on a throttled 4G profile and Lighthouse performance is 41. Paid campaigns send mobile traffic straight to this page; bounce rate on mobile is 68% vs 41% on desktop.

The hero and feature images are uncompressed PNGs, 3–4 MB each.`,
			Comments: []Comment{
				c(maya, "Switching to `next/image` with AVIF should get each one under 200 kB."),
				c(jules, "If we can get LCP under 2.5 s I'd like to rerun the campaign test. Paid traffic is our biggest acquisition cost right now.", Business, Perf),
				c(olivia, "Done, LCP is 1.9 s on the same profile. Closing.", Perf),
			},
			Later:         []Change{closeBy(olivia)},
			Closed:        true,
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 18
			Title:  "Update copyright year in footer",
			Author: erin,
			Body:   "2023 → 2024, ideally computed.",
			Comments: []Comment{
				c(maya, "`new Date().getFullYear()` and be done with it forever 🙂"),
			},
			Later:  []Change{closeBy(erin)},
			Closed: true,
		},
		{ // 19
			Title:     "Rate-limit the login endpoint",
			Author:    rhea,
			Assignees: list(maya),
			Labels:    list("security"),
			Body: `### Problem

` + "`/api/login`" + ` has no rate limiting. Over the weekend we saw a credential-stuffing run: ~40,000 attempts from ~300 IPs against 1,200 accounts. Six accounts without 2FA were accessed and had to be reset.

### What we need

Per-IP and per-account limits, and alerting when the failure rate spikes.`,
			Comments: []Comment{
				c(tomasz, "We can do the per-IP part at the edge with a WAF rule today, no deploy needed."),
				c(rhea, "Please also lock an account after 10 failures, but email the owner with an unlock link. Otherwise an attacker can lock people out on purpose.", Security, UX),
				c(maya, "Per-account counter in Redis with a 15 minute window. I'll have a PR tomorrow."),
				c(priya, "Should we force 2FA for admins while we're at it? Those six accounts included two workspace admins.", Security, Customer),
				c(rhea, "Yes, separate issue though."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 20
			Title:  "Project settings page crashes for projects without an owner",
			Author: carl,
			Labels: list("bug"),
			Body: "Opening Settings on a project whose owner left the company shows a white screen. I expected the settings page to load so I could assign a new owner.\n\n" +
				fence("", "TypeError: Cannot read properties of null (reading 'login')\n    at OwnerField (settings-91b2.js:2:1184)\n    at renderWithHooks (framework-7a1e.js:1:64412)"),
			Comments: []Comment{
				c(erin, "Null owner isn't handled in `OwnerField`. Easy fix."),
				c(carl, "We have ~60 projects in that state after a reorg, so we can't reassign any of them right now.", Customer),
				c(erin, "Could you try again tomorrow? The fix is in the deploy queue."),
			},
			WantRationale: true,
		},
		{ // 21
			Title:  "Make the sidebar collapsible",
			Author: zoe,
			Labels: list("enhancement"),
			Body:   "Please add a way to collapse the left sidebar, so that wide tables (the usage report especially) fit on a 13\" laptop without horizontal scrolling.",
			Comments: []Comment{
				c(olivia, "We'd want the collapsed state remembered per user, and the toggle reachable by keyboard.", UX),
				c(meilin, "+1, same problem here"),
			},
			WantRationale: true,
		},
		{ // 22
			Title:     "Look into the bundle size jump",
			Author:    maya,
			Assignees: list(maya),
			Labels:    list("performance"),
			Body:      "Something pulled moment.js back in. Find it and get rid of it.",
			Comments: []Comment{
				c(erin, "`date-range-picker` 3.x depends on moment. We could pin 2.x or swap to the one in the design system."),
				c(maya, "Swap. Pinning just delays it."),
				c(kenji, "Can we add a size-limit check to CI so this doesn't happen silently again?"),
			},
			Later: []Change{editBody(maya, "Something pulled moment.js back in. Find it and get rid of it.\n\n"+
				"Impact: the main bundle went from 410 kB to 690 kB gzipped, and first load on a mid-range Android phone went from 2.1 s to 3.4 s.")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 23
			Title:  "Migrate styled-components to CSS modules",
			Author: olivia,
			Labels: list("tech-debt"),
			Body:   "Track the migration away from styled-components.",
			Comments: []Comment{
				c(maya, "That's ~240 files. Can we do it route by route instead of one big bang?"),
				c(olivia, "Yes, route by route. I'll write a codemod for the simple cases."),
				c(erin, "LGTM as a plan."),
				c(kenji, "nit: let's name the files `*.module.css` consistently, some of the early ones are `.styles.css`."),
			},
		},
		{ // 24
			Title:  "Export the dashboard as PDF",
			Author: meilin,
			Labels: list("enhancement"),
			Body:   "As a finance lead I want to export the monthly usage dashboard as a PDF so that I can attach it to our board pack without taking screenshots.",
			Comments: []Comment{
				c(priya, "We've heard this from 9 customers this quarter, mostly finance and ops people who don't log in day to day.", Customer),
				c(marcus, "Scope for v1: one page, current filters, company logo. No custom layouts, that's where these features go to die.", Business),
				c(erin, "Headless Chrome in a worker is the simplest way to render it."),
				c(zoe, "+1"),
			},
			WantRationale: true,
		},
		{ // 25
			Title:  "Every error toast says \"Something went wrong\"",
			Author: jules,
			Labels: list("ux"),
			Body: `Why: support gets about 30 tickets a week that are just a screenshot of "Something went wrong". Users can't tell whether to retry, fix their input, or wait, and neither can support without digging through logs.

Most of these are validation errors or expired sessions, which we know how to describe.`,
			Comments: []Comment{
				c(olivia, "The API already returns a `code` and `message`; the toast just ignores them.", UX),
				c(maya, "We should keep a generic fallback but include the request id so support can look it up.", UX, Customer),
				c(jules, "Love that. Request id in small text, copyable."),
				c(erin, "nit: the toast component has two props that do the same thing (`text` and `message`), let's drop one while we're touching it."),
			},
			Later:         []Change{label(maya, "owner:team-web")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 26
			Title:     "Delete unused feature flags",
			Author:    erin,
			Assignees: list(erin),
			Labels:    list("cleanup"),
			Body:      "`new_nav`, `billing_v2`, `beta_search` and `sso_preview` are at 100% or 0% for months. Remove them and the dead branches.",
			Comments: []Comment{
				c(maya, "`sso_preview` is still used by the SSO work in #10, leave that one."),
				c(erin, "Ah right, dropping it from the list."),
				c(erin, "Ah right, dropping it from the list.").deleted(),
			},
			WantOwner: true,
		},
		{ // 27
			Title:  "Storybook build broken on main",
			Author: kenji,
			Labels: list("ci"),
			Body:   fence("", "$ npm run storybook:build\nERR! Module not found: Error: Can't resolve '@acme/ui/tokens.css' in '/app/.storybook'"),
			Comments: []Comment{
				c(erin, "The tokens file moved in the design-system bump. Fix is a path change in `.storybook/preview.ts`."),
				c(kenji, "Thanks, confirmed green now."),
			},
			Later:  []Change{closeBy(kenji)},
			Closed: true,
		},
	}
}
