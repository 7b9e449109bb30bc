package scenario

// The cli repository has no .github/ownership.yml: the org defaults apply.
func cliRepo() Repo {
	issues := withFollowUps(cliIssues(), cliFollowUps())
	return Repo{
		Name:         "cli",
		Description:  "The acme command-line tool (Go)",
		Issues:       issues,
		PullRequests: withReviewComments(len(issues), cliPulls(), cliReviewMore()),
	}
}

func cliIssues() []Issue {
	return []Issue{
		{ // 1
			Title:  "`acme login` hangs behind a corporate proxy",
			Author: fred,
			Labels: list("bug"),
			Body: `With HTTPS_PROXY set, ` + "`acme login`" + ` prints "Opening browser..." and then hangs forever.

Expected: login completes through the proxy like every other command.
Actual: hangs; Ctrl-C is the only way out. ` + "`acme projects list`" + ` works through the same proxy.

acme 2.5.0, Windows 11, Zscaler.`,
			Comments: []Comment{
				c(kenji, "The login callback server listens on localhost and the OAuth redirect goes through the proxy, which can't reach your localhost. We need NO_PROXY for the loopback address."),
				c(fred, "Our whole company is behind Zscaler, so nobody here can use the CLI right now; about 120 engineers. We're back to copy-pasting tokens from the web UI.", Customer),
				c(erin, "We should also time out after 2 minutes with a message that suggests `acme login --device` as a fallback. Hanging forever is the worst experience.", UX, Reliability),
				c(kenji, "I'll do both."),
			},
			Later:         []Change{assign(kenji, kenji)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 2
			Title:  "--output json for every command",
			Author: paul,
			Labels: list("enhancement"),
			Body: `Owner: @kenji-sato

Only ` + "`projects list`" + ` supports ` + "`--output json`" + `. I'd like it on every command so that I can pipe results into jq in CI scripts instead of scraping the table output, which breaks whenever a column is added.`,
			Comments: []Comment{
				c(kenji, "Agreed. We'll add a shared printer so every command gets `json` and `yaml` for free."),
				c(zoe, "+1, we scrape `acme deploy status` today and it broke twice this year.", Customer),
				c(erin, "Please make the JSON field names stable and documented; once scripts depend on them they're an API.", Customer),
				c(kenji, "nit to self: `--output` should also accept `-o`."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 3
			Title:  "Bump cobra to 1.8",
			Author: kenji,
			Labels: list("dependencies"),
			Body:   "1.7 → 1.8.",
			Comments: []Comment{
				c(ciBot, "✅ **build** passed on `kenji/cobra-1.8` (linux, darwin, windows)."),
				c(erin, "LGTM"),
			},
		},
		{ // 4
			Title:  "Unhelpful error when the token has expired",
			Author: carl,
			Labels: list("ux"),
			Body: `Actual:

` + fence("", "$ acme deploy\nError: 401") + `

Expected: something like "Your session expired. Run ` + "`acme login`" + ` again." I spent 20 minutes thinking our deploy was broken.`,
			Comments: []Comment{
				c(erin, "Yes, every 401 should map to that message. The API sends `token_expired` as the code, we just don't read it.", UX),
				c(carl, "Thanks. Our juniors hit this every Monday morning.", Customer),
				c(kenji, "+1").edited("+1. Every new user on the team hits this in their first week, and the bare 401 gives them no hint about what to do.", UX, Customer),
			},
			WantRationale: true,
		},
		{ // 5
			Title:  "Homebrew formula is out of date",
			Author: meilin,
			Body:   "`brew install acme/tap/acme` installs 2.3.1. Latest release is 2.5.0.",
			Comments: []Comment{
				c(erin, "The tap bump is a manual step in the release checklist and it was missed twice. I'll automate it."),
				c(meilin, "thanks!"),
			},
			Later:     []Change{assign(erin, erin)},
			WantOwner: true,
		},
		{ // 6
			Title:  "Windows: config written to the wrong directory",
			Author: ana,
			Labels: list("bug", "windows"),
			Body: `Expected: config in %APPDATA%\acme\config.yaml.
Actual: config in C:\Users\ana\.acme\config.yaml, which our IT policy wipes on every logoff, so I have to log in again every morning.`,
			Comments: []Comment{
				c(kenji, "We use `os.UserHomeDir()` everywhere; on Windows we should use `os.UserConfigDir()`."),
				c(erin, "We'll need a migration: read the old path if the new one doesn't exist, then move it. Otherwise everyone on Windows gets logged out on upgrade.", Customer),
			},
			WantRationale: true,
		},
		{ // 7
			Title:     "Release checklist for 3.0",
			Author:    kenji,
			Assignees: list(kenji),
			Labels:    list("release"),
			Body:      "- [ ] remove deprecated flags\n- [ ] update completions\n- [ ] changelog\n- [ ] tap + scoop bump\n- [ ] announce",
			Comments: []Comment{
				c(erin, "Add \"bump the Docker image\" too, it's always forgotten."),
				c(kenji, "Added."),
				c(jules, "Can we hold the announcement until the docs site has the migration guide? 3.0 removes flags people use in CI.", Customer),
			},
			WantOwner: true,
		},
		{ // 8
			Title:  "`acme deploy --watch` pins a CPU core",
			Author: zoe,
			Labels: list("performance"),
			Body: `While ` + "`acme deploy --watch`" + ` is running, the process uses 100% of one core, even when nothing is happening.

Impact: our CI runners are shared, and a single watch process slows every other build on the box by ~30%. Deploys can take 20 minutes, so that adds up.`,
			Comments: []Comment{
				c(kenji, "It polls in a tight loop with no sleep when the API returns 304. Oops."),
				c(erin, "We should switch to the events stream instead of polling. It'd also cut our API load: watch clients are ~15% of all API requests today.", Perf),
				c(zoe, "Happy to test a build, just tag me."),
				c(ciBot, "✅ **build** passed on `kenji/watch-backoff`."),
			},
			Later:         []Change{label(kenji, "owner:cli")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 9
			Title:  "Rename `acme proj` to `acme project`",
			Author: erin,
			Labels: list("ux"),
			Body:   "Rename the command, keep `proj` as a hidden alias.",
			Comments: []Comment{
				c(jules, "Big +1. In the last round of user interviews 4 of 6 people typed `acme project` first and got \"unknown command\". That's our first impression for new users.", UX, Customer),
				c(kenji, "nit: the alias should print a one-line deprecation note on stderr, not stdout, or it breaks scripts."),
				c(erin, "Adding the interview numbers to the description."),
			},
			Later: []Change{editBody(erin, "Rename the command, keep `proj` as a hidden alias.\n\n"+
				"Why: `proj` is the only abbreviated command. In user interviews 4 of 6 people typed `acme project` first and got \"unknown command\".")},
			WantRationale: true,
		},
		{ // 10
			Title:  "zsh completion",
			Author: meilin,
			Body:   "Would be great to have zsh completion, bash works already.",
			Comments: []Comment{
				c(carl, "+1"),
				c(zoe, "+1"),
				c(paul, "cobra can generate it: `acme completion zsh`. It's just not documented.").edited("cobra can generate it: `acme completion zsh > \"${fpath[1]}/_acme\"`. It's just not documented."),
			},
		},
		{ // 11
			Title:  "Let users turn off telemetry",
			Author: rhea,
			Labels: list("privacy"),
			Body: `DRI: @acme/cli

### Problem

The CLI sends anonymous usage telemetry and there is no way to turn it off. At least three customers' security teams have blocked the CLI because of it, and our privacy policy says users can opt out of analytics, which is not true for the CLI.

### Proposal

` + "`ACME_TELEMETRY=0`" + `, ` + "`acme config set telemetry false`" + `, and a first-run notice.`,
			Comments: []Comment{
				c(jules, "We use telemetry to decide which commands to deprecate. Can we keep an aggregate count if people opt out? Otherwise we're flying blind on 3.0.", Business),
				c(rhea, "No: opt-out means nothing is sent. Legal was clear on that.", Security),
				c(kenji, "First-run notice goes to stderr so it doesn't break piping."),
				c(jules, "Fair. Let's at least ask in the notice, opt-out rate is a metric I'd like to track.", Business),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 12
			Title:  "Fix errcheck warnings",
			Author: kenji,
			Labels: list("chore"),
			Body:   "golangci-lint reports 46 unchecked errors, mostly `Close()`.",
			Comments: []Comment{
				c(erin, "Could we enable the linter in CI after this so they don't come back?"),
				c(kenji, "Yes, that's the second commit."),
			},
		},
		{ // 13
			Title:  "`acme logs` drops lines on long output",
			Author: carl,
			Labels: list("bug"),
			Body: `Expected: ` + "`acme logs --since 1h`" + ` prints all ~5,000 lines.
Actual: ~3,200 lines with random gaps. Running it twice gives different gaps.`,
			Comments: []Comment{
				c(erin, "The pagination token is dropped when a page boundary falls inside a multi-line log entry."),
				c(carl, "We use this for incident reviews. Missing lines during an incident review is worse than no tool at all.", Reliability, Customer),
				c(erin, "Agreed. Fix is small; I'll add a regression test with a synthetic 10k-line stream."),
				c(kenji, "thanks!"),
			},
			Later:         []Change{assign(erin, erin)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 14
			Title:  "Use t.TempDir in tests",
			Author: kenji,
			Labels: list("test"),
			Body:   "Replace the hand-rolled temp dirs and their cleanup.",
			Comments: []Comment{
				c(erin, "LGTM"),
			},
			Later:  []Change{closeBy(kenji)},
			Closed: true,
		},
		{ // 15
			Title:  "Profiles for multiple accounts",
			Author: paul,
			Labels: list("enhancement"),
			Body:   "As a consultant working for several clients, I want named profiles (`acme --profile client-a ...`) so that I don't have to log out and back in every time I switch projects.",
			Comments: []Comment{
				c(kenji, "Config already supports multiple contexts internally, we'd mostly need the flag and `acme profile` commands."),
				c(jules, "Agencies are a growing segment for us. I'd like this in 3.1.", Business, Customer),
				c(ana, "+1, same situation with staging and production accounts."),
			},
			WantRationale: true,
		},
		{ // 16
			Title:  "Progress bar fills CI logs with escape codes",
			Author: zoe,
			Labels: list("bug", "owner:cli"),
			Body:   "Expected behaviour: plain line-by-line output when stdout is not a terminal.\n\nActual: thousands of `\\r\\x1b[K` sequences; our GitLab job log for one deploy is 14 MB and takes ages to open.",
			Comments: []Comment{
				c(kenji, "We check `isatty` on stdin instead of stdout. One-character fix, basically."),
				c(erin, "Also honour `NO_COLOR` and `TERM=dumb` while we're there.", UX),
			},
			Later:         []Change{closeBy(kenji), reopen(zoe)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 17
			Title:     "Move releases to goreleaser",
			Author:    erin,
			Assignees: list(erin),
			Labels:    list("build"),
			Body:      "Replace `scripts/release.sh` with goreleaser. Also produces the tap and scoop manifests.",
			Comments: []Comment{
				c(kenji, "Please keep the checksums file name the same, the install script downloads it by name."),
				c(erin, "Will do."),
				c(ciBot, "❌ **release-dry-run** failed: `goreleaser: signing: gpg: no default secret key`."),
				c(erin, "Expected, signing key isn't in the dry-run env. Skipping signing there."),
			},
			WantOwner: true,
		},
		{ // 18
			Title:  "Binary is 48 MB",
			Author: kenji,
			Body:   "Was 21 MB in 2.0. Check what got pulled in.",
			Comments: []Comment{
				c(erin, "The AWS SDK, for one command. `go version -m` lists 300 modules."),
				c(kenji, "Let's strip with `-ldflags=\"-s -w\"` first and see."),
			},
		},
		{ // 19
			Title:  "`acme init` overwrites an existing config without asking",
			Author: fred,
			Labels: list("bug"),
			Body:   "I ran `acme init` in a directory that already had an `acme.yaml` with 200 lines of environment config. It was replaced by the template without any warning.\n\nExpected: a prompt, or refusing without `--force`.",
			Comments: []Comment{
				c(kenji, "Refuse without `--force` is the safer default. Sorry about your config."),
				c(fred, "Git saved me this time; two colleagues weren't so lucky.", Customer, Reliability),
			},
			Later:         []Change{assign(kenji, kenji)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 20
			Title:  "README install instructions",
			Author: meilin,
			Body:   "Update the install section for the new tap name.",
			Comments: []Comment{
				c(erin, "Done, thanks for pointing it out!"),
			},
			Later:  []Change{closeBy(erin)},
			Closed: true,
		},
		{ // 21
			Title:     "Sign release binaries",
			Author:    rhea,
			Assignees: list(tomasz),
			Labels:    list("security"),
			Body: `## Why

Customers in regulated industries have to verify what they install. Two asked this month whether our binaries are signed; one can't roll the CLI out until they are. Unsigned binaries also trip SmartScreen on Windows.`,
			Comments: []Comment{
				c(tomasz, "Sigstore/cosign for the checksums file, plus Authenticode for the Windows binary. The Authenticode cert takes ~2 weeks to get."),
				c(marcus, "The customer that's blocked renews in 6 weeks, so let's order the cert now.", Customer, Business),
				c(tomasz, "Ordered."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 22
			Title:  "panic in `acme status`",
			Author: ana,
			Body:   fence("", "$ acme status\npanic: runtime error: index out of range [0] with length 0\n\ngoroutine 1 [running]:\ngithub.com/acme/cli/cmd.statusRun(...)\n\t/src/cmd/status.go:57 +0x3a4"),
			Comments: []Comment{
				c(kenji, "Empty workspace, no environments yet. We index `envs[0]` without checking."),
				c(kenji, "Fixed on main, will be in 2.5.1."),
				c(ana, "👍"),
			},
		},
		{ // 23
			Title:  "Deprecate the --token flag",
			Author: kenji,
			Body:   "Why: tokens passed as flags end up in shell history, `ps` output and CI logs. We've already had one customer leak a token in a public CI log.\n\nReplace with `ACME_TOKEN` or `--token-file`.",
			Comments: []Comment{
				c(rhea, "Yes please. Print a warning in 2.x, remove in 3.0.", Security),
				c(jules, "Warning text should include the exact replacement command, or people will just ignore it.", UX),
				c(erin, "nit: `--token-file -` should read from stdin."),
			},
			Later:         []Change{assign(kenji, kenji)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 24
			Title:  "acme version --check",
			Author: erin,
			Body:   "Add a flag that compares with the latest release.",
			Comments: []Comment{
				c(kenji, "Should respect the telemetry opt-out (#11) since it calls home."),
			},
		},
	}
}
