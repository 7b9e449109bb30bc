package analysis

import (
	"strconv"
	"strings"
)

// lexiconText is the weighted phrase table behind the concern classifier.
// Each line is "<target> <weight>: phrase, phrase, ...". A target is a
// concern, or one of:
//
//   - audience: words naming the people affected (users, ...);
//     they strengthen any concern in the same sentence
//   - tech: words of code-level talk (rename, unit test, CI, bump, ...);
//     they weaken concerns in a sentence that names no audience
//   - quant: numbers that measure something ("#pct" for "40%")
//   - none: phrases that mean nothing here ("for what it's worth"), listed
//     so that their words do not count on their own
//
// Phrases are matched on lowercased words with a light plural stemmer, the
// longest phrase first, so "error message" (user_experience) wins over
// "error" (reliability) and "flaky test" (tech) over "flaky". A number with
// a unit becomes a token: "#time" (300ms, 2 s), "#size" (40MB), "#rate"
// (req/s), "#pct" (12%), "#factor" (3x), "#num" (any other number).
// A weight of 1 is enough on its own; smaller weights need support.
const lexiconText = `
performance 1.2: latency, latencies, slow, slower, slowness, too slow, sluggish, laggy, performance, perf, performant, throughput, load time, load times, page load, response time, response times, render time, p50, p90, p95, p99, tail latency, rps, qps, #rate, req s, requests per second, memory usage, memory footprint, memory leak, cpu usage, cpu time, high cpu, bundle size, cold start, startup time, scalability, bottleneck, takes forever, jank, janky, fps, frame rate, under load, high load, peak traffic, n #num query, n #num queries, inefficient, hot path, database load, time to first byte, ttfb, time to interactive, slowdown, slows down, blocks the main thread, main thread, quadratic, speed up, speeds up, a lot of cpu, lots of cpu, a lot of memory, lots of memory, starve, starves, #factor faster, #factor slower, crawl, crawls, thousands of queries, #num ms, #num millisecond, #num mb, #num gb, #num kb, #num percent faster, #num percent slower, instant, noticeable delay, freezes, frozen, unresponsive, responsiveness, drains battery, battery drain, battery life, battery, pegs, all cores, cpu bound, takes ages, takes a while, takes too long, took forever, too long to load, long to load, perceived performance, snappy, snappier, gc pause, gc pauses, garbage collection, round trip, round trips, extra round trip, on every keystroke, at scale, hot loop, overhead, multiplies, billions of, download size, payload size, data usage, metered, page weight, slows, slowing, faster than, slower than, speedup, perf regression, performance regression, bandwidth usage, nothing renders, blocks rendering, time to load, load faster, loads faster, load slower, loads slower, takes longer, scale badly, scales badly, doesn't scale, won't scale, does not scale, perceived speed, feel faster, feels faster, feel slow, feels slow, feels slower, feel slower, stutter, stutters, stuttering, choppy, lock up, locking up, locks up, falls behind, fall behind, falling behind, can't keep up, cannot keep up, o n #num, takes minutes, take minutes, takes hours, take hours, takes several seconds, takes seconds, every page view, on every page view, slow connection, slow connections, slow network, slow networks, concurrent users, median, fans spin, spins up the fans, #time
performance 0.8: cpu, scaling, scalable, slowly, faster, lag, lagging, optimization, optimize, optimise, heavy, spike, spikes, traffic spike, delay, delays, delayed, heavier, lighter, wait, waiting, paginate, pagination, renders, rendering, re render, re renders, rerender, rerenders, loading, api calls, network calls, database calls, extra calls, extra requests, streaming, millions of, large repos, per request, on every request, efficiency, resources, resource, exponential, called on every, wifi, 3g, 4g, mobile data, reindex, reindexes, reindexing, worker thread, freeze, average
performance 0.6: page view, page views, memory, ram, #size, speed, scale, fast, fastest, traffic, efficient, expensive query, benchmark, benchmarks, cache, caching, regression, load, concurrency, concurrent, resource usage, out of memory, oom, big repo, large repo, large file, large files, query, queries, #num minute, #num hour, #num second

reliability 1.2: outage, outages, downtime, goes down, went down, go down, crash, crashes, crashed, crashing, timeout, timeouts, time out, times out, timed out, timing out, data loss, lose data, lost data, losing data, data corruption, corrupt, corrupted, corrupts, corruption, availability, uptime, sla, slo, slos, incident, incidents, postmortem, post mortem, resilient, resilience, fall over, falls over, fell over, duplicate charge, duplicate charges, double charge, double charged, charged twice, partial failure, degraded, degradation, circuit breaker, single point of failure, data integrity, stops working, stopped working, unreliable, reliability, retry storm, thundering herd, oom, out of memory, oomkilled, 5xx, 500s, internal server error, bad gateway, unavailable, service unavailable, error rate, error rates, failure rate, silently fail, silently fails, silently dropped, dropped event, dropped events, dropped message, dropped messages, lost message, lost messages, lost update, lost updates, data inconsistency, inconsistent data, never recover, failover, disaster recovery, panics in production, flaky in production, hangs forever, hang forever, deadlock, deadlocks, 500 error, 500 errors, 502s, 503s, 504s, 500, 502, 503, 504, network blip, health check, health checks, dead instance, gives up, give up, stop updating, stops updating, stopped updating, losing their, lose their work, lost work, lost their work, unsaved work, without a transaction, wrong totals, wrong results, inconsistent, on launch, gets killed, get killed, oom killed, error page, unreachable, doesn't start, won't start, fails to start, failed to start, aborted, aborts, delivered twice, processed twice, sent twice, charged twice, blank screen, white screen, errors out, error out, blows up, blew up, fails over, dead connection, stale connection, truncated, half written, locked out, can't log in, cannot log in, can't sign in, breaks for, broken for, degrade gracefully, fails closed, fail closed, fails open, fail open, durability, at least once, exactly once, overwrites, clobbers, sev1, sev2, pagerduty, crash loop, restart loop, keeps restarting, corrupts, goes negative, wasn't imported, were not imported, never arrives, never arrive, never sent, don't arrive, doesn't arrive, lost events, missing data, data missing, skipped records, skips records, disk full, disk filling up, out of disk, dead letter queue, dead letter, poison message, poison messages, network drops, connection drops, requests fail, requests failing, requests were failing, requests are failing, request fails, is down, are down, was down, were down, logged out, lose all, lost all, goes blank, go blank, went blank, empty file, zero byte file, half the requests, dropped requests, dropped connections, redirect loop, login loop, land back on, lands back on, back on the login page, back to the login page, kicked out, get kicked out, kicked back, infinite loop, endless loop, took us down, take us down, taken down, takes us down, took down, took the site down, brought down
reliability 0.8: retry, retries, retried, retrying, failure, failures, recovery, recover, on call, oncall, paged, pager, reliable, idempotent, idempotency, backoff, stuck, hangs, hang, hung, stale, fallback, rollback, roll back, panic, panics, race condition, crashloop, fails, failed, fail, broken, doesn't work, does not work, not working, isn't working, in production, prod, errors, restart, restarts, needs a restart, end up with, load balancer, backup, backups, wrong data, skipped, skips, malformed, duplicated, quietly, silently, interrupted, killed, kills, broke, robust, robustness, graceful, gracefully, durable, overwrite, clobber, race, regressed, safeguard, handle the case, edge case, partial, goes away, retry logic, filling up, fill up, disk space, block everything, mid transfer, status page, depend on it, blank
reliability 0.5: error, failing, flaky, flakiness, exception, lost, dropped, restore, consistency, bug, bugs, breaks, break, alert, alerts, alerting, intermittent, intermittently, sometimes fails, wrong, duplicate, twice, boot, persist, ordering, inventory, recoverable

security_privacy 1.2: vulnerability, vulnerabilities, vulnerable, cve, xss, csrf, ssrf, sql injection, injection, exploit, exploitable, exploited, attacker, attackers, malicious, security, insecure, authentication, authorization, access control, rbac, least privilege, privilege escalation, credential, credentials, api key, api keys, leaked, pii, personal data, personal information, privacy, gdpr, ccpa, hipaa, soc2, soc #num, compliance, audit log, audit logs, encrypt, encrypted, encryption, unencrypted, plaintext, 2fa, mfa, phishing, spoof, spoofing, brute force, supply chain, unauthorized, unauthenticated, data exposure, cross tenant, sensitive data, secret, secrets, leak secrets, password, passwords, access token, access tokens, permission check, permission checks, tenant isolation, pentest, penetration test, security review, threat model, sanitize, sanitise, escalate privileges, impersonate, impersonation, session hijacking, clickjacking, open redirect, path traversal, rce, remote code execution, csp, content security policy, signed urls, data retention, consent, tracking, telemetry opt out, opt out, anonymize, anonymise, two factor, only admin, only admins, any member can, anyone can see, private channel, private channels, private repo, private repos, private data, run scripts, see private, script injection, email address, email addresses, phone number, phone numbers, analytics vendor, third party, third parties, publicly, reachable from the internet, unsigned, signature, signatures, forged, forge, tamper, tampering, arbitrary code, their data, data deletion, right to be forgotten, data residency, data sovereignty, personal access token, personal access tokens, revoke, revoked, revocation, removed from the org, write access, admin rights, admin access, sensitive, confidential, exfiltrate, exfiltration, mitm, man in the middle, bcrypt, plain text password, httponly, samesite, secure flag, csrf token, ddos, denial of service, zip bomb, sandbox escape, escape the sandbox, leaked credentials, token leak, account takeover, take over the account, take over an account, privacy policy, legal, dpa, data processing, retention policy, delete their data, deleted users, access to other, other users data, other tenants, fake events, fake requests, post fake, card number, card numbers, credit card, credit cards, payment details, ssn, social security, authenticated user, any authenticated, search engines, guessable, enumerate, enumeration, another workspace, other workspace, other workspaces, another tenant, another org, other orgs, customer email, user email, users email, re authenticate, reauthenticate, re authentication, reauthentication, stolen, steal, take over, auditor, auditors, access to production, production access, bypass, bypasses, bypassing, internal api, someone else's data, another user's data, auth middleware, no auth, without auth, anyone who finds
security_privacy 0.8: permission, permissions, privilege, privileges, exposes, exposed, exposure, compliant, tls, ssl, sso, authenticate, token, tokens, admin only, anyone can, audit, signed, verify, verified, verification, fake, public, arbitrary, access, edit access, view access, read access, certificate, certificates, cert, md5, sha1, salt, captcha, sandbox, root, sudo, vendor, internet, environment variables, env vars, dumps, offboarding, identity, identities, role, roles, scope
security_privacy 0.6: auth, authorize, secure, expose, leak, leaks, oauth, cookie, cookies, cors, session, sessions, ssl certificate, scopes, private, logged, logs contain, rate limit, rate limiting, abuse, spam, any member, scoped to, file type, guest, guests, search engine, guess, internal only

user_experience 1.2: retention setting, generic 500, usability test, usability testing, user testing, confusing, confused, confusion, unintuitive, counterintuitive, counter intuitive, intuitive, usability, ux, user experience, friction, error message, error messages, warning message, discoverable, discoverability, accessibility, a11y, screen reader, screen readers, keyboard navigation, onboarding, out of the box, clunky, annoying, annoyed, frustrating, frustrated, frustration, hard to find, hard to use, easy to use, easier to use, hard to understand, easy to miss, cryptic, user facing, tooltip, empty state, dark mode, help text, learning curve, extra step, extra steps, extra click, extra clicks, too many clicks, getting started, user flow, ui text, wording, misleading, surprising, unexpected for users, hard to read, easy to read, mental model, workflow friction, papercut, paper cut, not obvious, obvious to users, can't figure out, cannot figure out, couldn't figure out, doesn't tell, does not tell, no feedback, silently ignores, dead end, sensible default, sensible defaults, default behavior, default behaviour, default value, docs, documentation, documented, undocumented, readme, tutorial, how to use, usage text, color contrast, colour contrast, focus state, alt text, aria, localization, translation, translations, i18n, l10n, #num click, #num clicks, should say, should tell, should explain, should print, doesn't say, does not say, doesn't explain, keep missing, keeps missing, people miss, scary, couldn't find, can't find, cannot find, could not find, what i typed, lose what, confirmation dialog, confirmation prompt, took me a while, took me ages, took me forever, re enter, retype, first run, clear warning, clearer message, clear message, clearer error, generic error, unhelpful, users expect, people expect, hard to know, distracting, cluttered, clutter, overwhelming, buried, greyed out, grayed out, unusable, user friendly, friendlier, ugly, misaligned, cut off, accidentally, by accident, footgun, foot gun, error prone, muscle memory, understandable, confuse, confuses, misread, misreading, misunderstand, jargon, touch target, date format, same information twice, asks for the same, nobody reads, people don't read, users don't read, tell them why, tells you, tell you, which field, offending field, like every other, like in every other, consistent with other, annoyingly, irritating, discoverable, hard to discover, nobody finds, easy to find, where to find, hard to navigate, navigate, nothing happens, nothing visibly happens, no idea, had no idea, didn't know, did not know, can't close, cannot close, can't be closed, hard to tell, by hand, levels deep, had to search, doesn't say which, does not say which, permission denied message, easy to get wrong, easy to mess up, everyone tries, people try, users try, hardly usable, barely usable, not usable
user_experience 0.8: unclear, not clear, cli, command line, hard to, difficult to, easier to, easier, harder, simpler, simple, intuitive enough, click, clicks, flag name, flags, verbose, noisy, readable, newcomer, newcomers, new user, new users, first time, discover, ux wise, looks broken, workflow, ergonomic, ergonomics, awkward, painful, tedious, manually, manual step, dry run, banner, ui, realise, realize, realised, realized, wizard, for you, instead of failing, clearer, toggle, checkbox, helpful, polish, nicer, visual, visually, undo, confirm, mistake, mistakes, by mistake, remember, terminology, understand, guide, guides, how do i, example, examples, picker, icon, icons, font, theme, timezone, locale, notification, notifications, shortcut, shortcuts, hidden, disabled, scroll, scrolling, autocomplete, search box, label says, friendly, explain why, skeleton, loading state, loading indicator, inconsistent with, visibly, escape key, hides, setup, set up, installation, permission denied, defaults
user_experience 0.6: copy, microcopy, button, dropdown, modal, dialog, settings page, navigation, layout, responsive, mobile, cli output, command output, prompt, progress bar, spinner, feedback loop, default, by default, validation, backwards
user_experience 0.5: contrast, keyboard, message, messages, warning, output, expect, expected, expects, redirect, step, steps, display, displayed, shows, show, see, sees, visible, label, page, screen, form, feel, feels, says, hide, had to

customer_impact 1.2: enterprise customer, enterprise customers, customers asked, customer asked, customers are asking, users are asking, users asked, people asking, people are asking, keeps coming up, support ticket, support tickets, support request, support requests, support load, support burden, support volume, support team, zendesk, escalation, escalations, escalated, many users, most users, all users, every user, some users, few users, affected users, users affected, customers affected, affected customers, #pct of users, #pct of customers, #pct of requests, #num users, #num customers, #num accounts, #num tenants, #num orgs, #num organizations, thousands of users, hundreds of users, millions of users, breaking change, breaking changes, backwards compatible, backward compatible, backwards compatibility, backward compatibility, backwards incompatible, upgrade path, migration path, migration guide, existing users, existing customers, existing integrations, existing installs, existing deployments, adoption, complain, complained, complaining, complaint, complaints, user reports, users report, users reported, customer reports, customers report, customer reported, user base, install base, churn, churned, who is affected, how many users, how many customers, blast radius, everyone on, every customer, paying customers, key customer, big customer, largest customer, design partner, feature request, feature requests, most requested, highly requested, upvotes, thumbs up, power users, self hosted users, on prem customers, #num organisation, #num organisations, would affect, will affect, affect every, every downstream, support get, support gets, will have to update, have to update their, their scripts, scripted against, will notice, would notice, customers noticed, users noticed, #num ticket, #num tickets, tickets about, hit everyone, everyone who, notify users, notify customers, email the accounts, email users, email customers, announce, announcement, projects depend, partner integration, partner integrations, built on top of, active users, active base, of our users, of our customers, #pct of our, several people, many people, a lot of people, lots of people, most people, few people, nobody uses, no one uses, who uses, who actually uses, usage data, analytics show, analytics shows, break their, breaks their, their workflows, their workflow, their integrations, their spreadsheets, their dashboards, their pipelines, their configs, their config, account manager, customer success, csm, support question, support questions, upset, angry, lose customers, lost customers, largest tenant, biggest tenant, large customers, big customers, smaller customers, free users, paid users, paying users, trial users, beta users, early adopters, users have asked, people have asked, someone asked, people complain, users complain, customers complain, many reports, several reports, duplicate issues, reported this, reported it, reported by several, reports from, pain for users, pain for customers, burden on users, migration burden, manual migration, will break, would break, would hit, will hit, number one request, top request, app store, play store, store reviews, ecosystem, plugin authors, strand, stranded, dozens of, #num of them, ratings, one star
customer_impact 0.8: impacted, affected, affects, affect, impact, impacts, migration, migrate, migrating, deprecate, deprecated, deprecation, deprecating, downstream, breaking, breaks existing, feedback, requested, asked for, asking for, requests from, reported by, user report, forum, community, upgrade, upgrading, ticket, tickets, notice, noticed, anyone who, accounts that, depend on, depends on, depend on this, rely on, relies on, relying on, partner, partners, built on, installs, install, deployments, deployment, usage, reported, reports, hit, hits, enterprise, tenant, rating, plugins, extensions
customer_impact 0.4: user, users, client, clients, people, everyone, partners, tenants, accounts

business_value 1.2: priority, priorities, prioritize, prioritise, prioritized, prioritization, deprioritize, deprioritise, high priority, low priority, p0, p1, p2, roadmap, worth it, not worth, worth the, worth doing, budget, revenue, conversion rate, conversion, okr, okrs, kpi, kpis, success metric, success metrics, north star, strategy, strategic, trade off, tradeoff, tradeoffs, trade offs, out of scope, in scope, scope creep, scope, mvp, nice to have, must have, deadline, roi, return on investment, engineering time, engineering effort, aws bill, cloud bill, cloud cost, cloud costs, infra cost, infra costs, infrastructure cost, running cost, running costs, hosting cost, cost savings, pricing, paid plan, paid plans, enterprise plan, free tier, competitor, competitors, competitive, market, sales, sales team, deal, deals, business case, business value, business impact, opportunity cost, maintenance burden, maintenance cost, long term cost, value for, worth the effort, cost benefit, q1, q2, q3, q4, this quarter, next quarter, goal, goals, objective, go to market, gtm, differentiator, retention, engagement, activation, funnel, monetize, monetization, upsell, renewal, renewals, contract, arr, mrr, dau, mau, not a priority, top priority, focus on, defer, punt, postpone, later release, cut from, cut scope, descoped, descope, bang for the buck, payoff, pay off, investment, invest, cost, costs, expensive, cheaper, spend, spending, #money, solving for, what problem are we solving, seeing the value, #num a month, #num per month, per month, a month, a year, per year, savings, timebox, time box, time boxed, save money, real money, money, paying for, pay for, license cost, licence cost, licensing, free plan, premium, pro plan, prospect, prospects, win loss, lost deals, sell, sell to, selling, validate demand, a b test, ab test, measurable, backlog, headcount, resourcing, staffing, impact on revenue, worth the time, worth our time, not worth it, good use of time, best use of time, spend time, spending time, spend the time, weigh the cost, cost of, cheap, affordable, consolidate, consolidating, for this release, in this release, next release, next sprint, this sprint, this half, next half, product decision, product call, product to weigh in, weigh in, strategy, positioning, icebox, justified, justify, justifies, make the cut, promised, what does success look like, success look like, #num engineers, engineer weeks, person weeks, weeks of work, days of work, months of work, fund, funding, incumbent, incumbents
business_value 0.6: value, effort, worth, ship, shipping, release, plan, planned, planning, business, metric, metrics, measure, success, outcome, outcomes, target, bet, commitment, commit to, product decision, product call, pm, stakeholders, leadership, i'd rather, smaller version, launch, validate, experiment, experiments, measure, instrument, first version, simple version, iteration, phase, sprint, capacity, opportunity, vision, mission, later, plan, tier, public sector, segment, billing, worthwhile, prioritize against, complexity, engineers, saving, milestone

customer_impact 0.6: customer, customers
security_privacy 0.4: login, sign in, signup
none 0: for what it's worth, worth noting, worth mentioning, worth a look, worth checking, take a look, makes sense, good catch, long story short, saving a draft, saves a draft
audience 1: user, users, end user, end users, client, clients, operator, operators, admin, admins, administrator, administrators, people, merchant, merchants, shopper, shoppers, buyer, buyers, seller, sellers, subscriber, subscribers, visitor, visitors, tenant, tenants, partner, partners, folks, developers using, integrators, maintainers of, teams using, anyone using, someone using, reader, readers, member, members, player, players, patient, patients, student, students, driver, drivers, viewer, viewers, api caller, api callers, human, humans, sre, sres, on call, oncall, support, enterprise, self hosters, self hosted, guest, guests, org owner, org owners, customer, customers, everyone who, anyone who, people who, accounts, account, tenants, installs, partners, members, teams using, prospect, prospects, buyer, buyers
audience 1: most people, many people, a lot of people, lots of people, several people, most user, many user, a lot of user, of our user, of our customer, most customer, many customer, several customer
audience 0.5: everyone, anyone, someone, people who, whoever

uxweak 0: easier to, layout, confusing, confused, confusion, unintuitive, counterintuitive, counter intuitive, intuitive, misleading, surprising, not obvious, hard to understand, hard to read, easy to read, understandable, readable, unclear, not clear, clearer, simpler, simple, easier, harder, easier to use, easy to use, hard to use, hard to know, hard to tell, error message, error messages, warning message, docs, documentation, documented, undocumented, readme, tutorial, guide, guides, example, examples, default, defaults, by default, default value, default behavior, default behaviour, sensible default, sensible defaults, workflow, ui, user facing, onboarding, wording, ui text, terminology, understand, message, messages, output, expect, expected, expects, step, steps, display, displayed, shows, show, see, sees, visible, label, form, feel, feels, says, hide, hides, hidden, had to, copy, validation, backwards, verbose, noisy, friendly, helpful, nicer, polish, remember, mistake, mistakes, accidentally, by hand, manually, setup, set up, installation, annoying, painful, tedious, awkward, clunky, cryptic, ugly, getting started, navigate, how to use, usage text, help text, flags, flag name, explain why, tells you, tell you, for you

code 1: package, packages, module, modules, component, components, function, functions, func, method, methods, class, classes, struct, structs, variable, variables, helper, helpers, util, utils, handler, handlers, hook, hooks, layer, folder, directory, dir, test, tests, spec, specs, fixture, fixtures, mock, mocks, string, strings, constant, constants, enum, prop, props, reducer, middleware, controller, namespace, crate, slice, map, struct field, type, types, callback, callbacks, closure, goroutine, receiver, constructor, literal, signature, field name

customer_impact 0.8: on the free plan, on the business plan, on the enterprise plan, on the team plan, on the pro plan, on the paid plan, on the starter plan, on the old plan, on the legacy plan, on the free tier, on the paid tier, on the enterprise tier, on the team tier, on the old pricing, on the old pricing model, on the legacy pricing, on the old billing model, on the legacy billing, on the annual plan
audience 1: on the free plan, on the business plan, on the enterprise plan, on the team plan, on the pro plan, on the paid plan, on the starter plan, on the old plan, on the legacy plan, on the free tier, on the paid tier, on the enterprise tier, on the team tier, on the old pricing, on the old pricing model, on the legacy pricing, on the old billing model, on the legacy billing, on the annual plan
customer_impact 1.2: #num prospect, how many accounts, how many paying, how many people
customer_impact 0.6: still use, still using, still uses, still rely on, still on the
audience 1: #num prospect, how many accounts, how many paying
business_value 0.6: in the pipeline, sales pipeline, deal pipeline
business_value 1.2: is #num people, are #num people, until a customer, until a paying customer, until we have a customer, until customers ask, until a customer asks, until someone asks, until somebody asks, team is #num people, we are #num people, we're #num people, the team is stretched, stretched thin, won't sign, wouldn't sign, will not sign, won't buy, jump the queue, jumps the queue
none 0: our support team has, the support team has, support team has, our team, the team

affect 1: annoying, annoyed, annoyingly, irritating, painful, frustrating, frustrated, frustration, feel, feels, expect, expects, expected, people expect, users expect, shows, show, see, sees, visible, display, displayed, scary, tedious, ugly, clunky, surprising, without any warning, no warning
ui 1: page, pages, tab, tabs, screen, screens, view, button, buttons, menu, panel, dialog, modal, widget, sidebar, link, links

quant 1: #pct, #time, #size, #rate, #factor

tech 1: debugging, when debugging, docs theme, purely cosmetic, no code change, no code changes, test name, test names, old signature, new signature, function signature, method signature, control flow, early return, early returns, nil case, nil check, easier to follow, hard to follow, harder to follow, easy to follow, easier to reason about, hard to reason about, easier to test, harder to test, hard to test, simpler to test, docs workflow, docs build, docs site, docs job, docs ci, mkdocs, sphinx, docusaurus, lint workflow, test workflow, ci workflow, workflow run, workflow runs, workflow file, workflow yaml, the workflow that, markdown lint, link checker, go convention, go conventions, error string, error strings, zero value, zero values, default case, default branch of, nested callback, nested callbacks, callback hell, internal api, internal apis, bumping, nit, nits, nitpick, typo, typos, rename, renaming, renamed, variable, variables, var, refactor, refactoring, refactored, unit test, unit tests, integration test, integration tests, e2e test, e2e tests, test case, test cases, flaky test, flaky tests, test suite, ci, github actions, lint, linter, linting, golangci, go vet, gofmt, goimports, prettier, eslint, rubocop, formatting, indentation, whitespace, trailing whitespace, bump, bumps, bumped, dependabot, renovate, lockfile, lock file, go mod, go sum, package json, rebase, rebased, squash, merge conflict, merge conflicts, lgtm, docstring, dead code, unused, unused import, helper, helpers, mock, mocks, mocking, fixture, fixtures, snapshot test, code style, style guide, naming, camelcase, snake case, this pr, this diff, the diff, code review, codeowners, makefile, dockerfile, build script, build step, build cache, type hint, type hints, type annotation, generic type, generic types, generic function, type parameter, type parameters, struct, structs, enum, getter, setter, constructor, function name, method name, file name, import, imports, import cycle, circular import, readability, coverage, code coverage, test coverage, ci job, ci run, pipeline, workflow file, yaml, compile, compiler, compiles, compilation, cherry pick, backport, changelog, commit message, squash merge, force push, pre commit, hook, performance test, performance tests, perf test, load test, load tests, benchmark job, test job, test run, test runs, the runner, runner, runners, release workflow, ci token, github token, workflow token, the lock, mutex, goroutine, goroutines, thread safe, integration test, integration tests, receiver, receiver name, the build, codegen, code generation, code freeze, the freeze, release freeze, context with timeout, with timeout, custom timer, timer, ci runner, ci runners, add a test, a test that, test that covers, covers the, nightly build, artifact, artifacts, e2e job, login test, test user, prs, stuck job, restart the job, rerun, re run, the job queue, ci pipeline, build failed, registry
tech 0.6: test, tests, testing, build, builds, merge, merged, merging, conflict, conflicts, upgrade to, go version, node version, python version, deps, pull request, pull requests, queued
tech 0.3: function, functions, method, methods, class, classes, module, package, dependency, dependencies, version, commit, commits, branch, branches, approve, approved, code, comment, comments, line, lines, file, files, format, reformat, cleanup, clean up, simplify, nested, pointer, slice, argument, arguments, param, params, parameter, return value
`

// lexEntry is what one phrase contributes to a sentence's scores.
type lexEntry struct {
	weights  [6]float32 // in AllConcerns order
	audience float32
	tech     float32
	quant    float32
	// longest is, on the entry of a first word, the length in words of the
	// longest phrase that starts with it, so most words need one lookup.
	longest int
	// phrase is false for entries that exist only to carry longest or lang.
	phrase bool
	// lang marks frequent function words of English or of other languages.
	lang uint8
	// weakUX marks a user_experience phrase that often names code rather
	// than a person's experience ("confusing", "docs", "default"): its
	// weight counts only next to an affected person or a clear UX word.
	weakUX bool
	// codeNoun marks a word that names a piece of code ("package",
	// "component", "helper"): a phrase right before it is a name, so
	// "onboarding module" or "docs folder" is not a concern.
	codeNoun bool
	// uiNoun marks a word that names a part of a screen ("page", "tab"):
	// a phrase right before it is the part's name, so "reports page" or
	// "billing tab" says nothing about customers or money.
	uiNoun bool
	// affect marks a user_experience phrase that tells only how a person
	// feels about what happened ("annoying", "people expect"): in a
	// sentence with its own evidence for another concern it describes
	// that concern.
	affect bool
}

// Function word languages of lexEntry.lang.
const (
	langEnglish = 1
	langForeign = 2
)

// lexicon maps a normalised phrase (stemmed words joined by one space) to
// its entry; maxPhraseWords is the longest phrase in words.
var (
	lexicon        map[string]*lexEntry
	maxPhraseWords int
)

func init() {
	lexicon = make(map[string]*lexEntry, 2048)
	var scratch []byte
	for _, line := range strings.Split(lexiconText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, list, ok := strings.Cut(line, ":")
		if !ok {
			panic("analysis: lexicon line without colon: " + line)
		}
		target, ws, _ := strings.Cut(head, " ")
		w64, err := strconv.ParseFloat(ws, 32)
		if err != nil {
			panic("analysis: lexicon weight: " + line)
		}
		w := float32(w64)
		for _, phrase := range strings.Split(list, ",") {
			phrase = strings.TrimSpace(phrase)
			if phrase == "" {
				continue
			}
			var t tokenizer
			scratch = scratch[:0]
			n := 0
			t.reset(phrase)
			for {
				tok, ok := t.next()
				if !ok {
					break
				}
				if n > 0 {
					scratch = append(scratch, ' ')
				}
				scratch = appendNorm(scratch, tok)
				n++
			}
			if n == 0 {
				continue
			}
			if n > maxPhraseWords {
				maxPhraseWords = n
			}
			key := string(scratch)
			e := lexicon[key]
			if e == nil {
				e = &lexEntry{}
				lexicon[key] = e
			}
			e.phrase = true
			first, _, _ := strings.Cut(key, " ")
			head := lexicon[first]
			if head == nil {
				head = &lexEntry{}
				lexicon[first] = head
			}
			head.longest = max(head.longest, n)
			switch target {
			case "audience":
				e.audience = max(e.audience, w)
			case "tech":
				e.tech = max(e.tech, w)
			case "quant":
				e.quant = max(e.quant, w)
			case "none":
			case "uxweak":
				e.weakUX = true
			case "code":
				e.codeNoun = true
			case "ui":
				e.uiNoun = true
			case "affect":
				e.affect = true
			default:
				i := concernIndex(Concern(target))
				if i < 0 {
					panic("analysis: lexicon target: " + target)
				}
				e.weights[i] = max(e.weights[i], w)
			}
		}
	}
}

func concernIndex(c Concern) int {
	for i, x := range AllConcerns {
		if x == c {
			return i
		}
	}
	return -1
}
