package scenario

// infraConfig is deliberately broken: "owners" is not a key (the intended
// key is "owner") and "sometimes" is not a valid value for comment. The
// rest is valid, so the bot must report exactly these two mistakes and keep
// the defaults for the repository.
const infraConfig = `# Ownership bot config for acme/infra
enabled: true
comment: sometimes
owners:
  label_pattern: "owner:*"
roles:
  product: ["@acme/product"]
ignore:
  labels: [wontfix]
`

func infraRepo() Repo {
	issues := withFollowUps(infraIssues(), infraFollowUps())
	return Repo{
		Name:        "infra",
		Description: "Terraform, Kubernetes manifests and CI runners",
		Config:      infraConfig,
		ConfigErrors: []ConfigError{
			{Key: "comment", Kind: "bad_value", Problem: `comment is "sometimes"; it must be one of missing, always, never`},
			{Key: "owners", Kind: "unknown_key", Problem: `unknown key "owners"; did you mean "owner"?`},
		},
		Issues:       issues,
		PullRequests: withReviewComments(len(issues), infraPulls(), infraReviewMore()),
	}
}

func infraIssues() []Issue {
	return []Issue{
		{ // 1
			Title:     "Staging nodes OOM-killed every night",
			Author:    tomasz,
			Assignees: list(tomasz),
			Labels:    list("incident-followup"),
			Body: `Impact: the nightly data sync on staging pushes the m5.large nodes over their memory limit around 02:00 UTC, the kubelet kills pods at random, and the morning e2e suite fails on about 3 days out of 5. People have stopped trusting staging results and merge on red.

` + fence("", "kernel: Out of memory: Killed process 28114 (payments-api) total-vm:2419520kB, anon-rss:1510244kB"),
			Comments: []Comment{
				c(sanjay, "The sync job has no memory limit, so it takes whatever's free. Setting requests/limits on it should isolate it.", Reliability),
				c(viktor, "Or move it to its own node group with a taint. That's ~$90/month for one m5.large.", Business),
				c(tomasz, "Doing both: limits now, dedicated node group next sprint."),
				c(kenji, "thanks, the red e2e runs were driving me mad"),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 2
			Title:     "Terraform state lock stuck on prod/network",
			Author:    viktor,
			Assignees: list(viktor),
			Body:      fence("", "Error: Error acquiring the state lock\nLock Info:\n  ID:        5d1c0e8e-97f2-6b9a-0c2f-6e1e4a7b9d11\n  Path:      acme-tfstate/prod/network.tfstate\n  Who:       runner@ci-7f9c\n  Created:   2024-05-02 09:14:22 UTC") + "\n\nForce-unlock after confirming no apply is running.",
			Comments: []Comment{
				c(tomasz, "The CI job was cancelled mid-apply. Checked, nothing running. Go ahead."),
				c(viktor, "Unlocked."),
			},
			Later:     []Change{closeBy(viktor)},
			Closed:    true,
			WantOwner: true,
		},
		{ // 3
			Title:  "Postgres failover took 11 minutes",
			Author: sanjay,
			Labels: list("reliability", "incident-followup"),
			Body: `Owner: @tnowak

### Problem

During the AZ outage on Thursday the payments database failed over in 11 minutes. Our target is under 60 seconds. For those 11 minutes every charge failed with a 500 and merchants' checkouts were down.

### Expected behaviour

Automatic failover in under a minute, and applications reconnect without a restart.`,
			Comments: []Comment{
				c(tomasz, "Most of the 11 minutes was the DNS TTL (300 s) plus the app's connection pool holding dead connections. The actual promotion took 40 s.", Reliability),
				c(marcus, "11 minutes of failed checkouts during EU business hours: we're crediting 14 merchants under the SLA. I'd like a date for the fix that I can tell them.", Customer, Business),
				c(sanjay, "Pool side: set `max_conn_lifetime` and health-check on borrow. That's a payments-api change, I'll link it."),
				c(tomasz, "DNS side tracked in #10."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 4
			Title:  "Bump ingress-nginx chart to 4.10",
			Author: viktor,
			Labels: list("dependencies"),
			Body:   "4.8.3 → 4.10.0.",
			Comments: []Comment{
				c(tomasz, "Read the changelog, the default for `allow-snippet-annotations` flipped. We use snippets in two ingresses."),
				c(viktor, "Good catch, I'll set it explicitly."),
				c(ciBot, "✅ **helm-diff** produced 3 changes for `prod`."),
			},
		},
		{ // 5
			Title:  "NAT gateway egress costs $9k/month",
			Author: rhea,
			Labels: list("cost", "owner:platform"),
			Body: `## Why

NAT egress is now our third-largest AWS line item. Most of it is nodes pulling images from Docker Hub and talking to S3 over the NAT instead of a VPC endpoint. That money buys nothing.`,
			Comments: []Comment{
				c(tomasz, "S3 gateway endpoint is free and takes 10 minutes. A pull-through cache in ECR for Docker Hub images would cut the rest.", Business),
				c(viktor, "Pull-through cache also protects us from Docker Hub rate limits, which broke CI twice last month.", Reliability),
				c(rhea, "Great. Target: under $2k/month by end of quarter.", Business),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 6
			Title:  "Add PodDisruptionBudgets to all deployments",
			Author: tomasz,
			Body:   "Every deployment with more than one replica gets a PDB with `maxUnavailable: 1`.",
			Comments: []Comment{
				c(sanjay, "Please do payments-api first. Node upgrades took down both replicas at once twice in May, and checkout returned 503s for a few minutes each time.", Reliability, Customer),
				c(tomasz, "Right, adding that to the issue."),
				c(viktor, "nit: generate them from the Helm library chart instead of one file per service."),
			},
			Later: []Change{editBody(tomasz, "Every deployment with more than one replica gets a PDB with `maxUnavailable: 1`, "+
				"so that node upgrades can't take down all replicas of a service at once (this happened to payments-api twice in May).")},
			WantRationale: true,
		},
		{ // 7
			Title:     "Rotate the CI deploy key",
			Author:    viktor,
			Assignees: list(viktor),
			Labels:    list("security"),
			Body:      "Yearly rotation. Update the secret in all three CI projects.",
			Comments: []Comment{
				c(viktor, "Rotated and old key revoked."),
			},
			Later:     []Change{closeBy(viktor)},
			Closed:    true,
			WantOwner: true,
		},
		{ // 8
			Title:  "Grafana dashboard for the webhook delivery queue",
			Author: sanjay,
			Labels: list("observability"),
			Body:   "Queue depth, oldest message age and failure rate per merchant, so that on-call can see a backlog building before merchants notice their webhooks are late.",
			Comments: []Comment{
				c(tomasz, "The metrics exist already, it's only the dashboard. I'll export the JSON into the repo so it's versioned."),
				c(marcus, "Last backlog (#5 in payments) was reported by a merchant 35 minutes before our alert fired. That's the number I'd like this to fix.", Customer, Reliability),
			},
			WantRationale: true,
		},
		{ // 9
			Title:  "Upgrade EKS to 1.30",
			Author: tomasz,
			Labels: list("chore", "owner:platform"),
			Body:   "1.28 → 1.29 → 1.30. Staging first.",
			Comments: []Comment{
				c(viktor, "`kubectl convert` flags the two old `flowcontrol` manifests, need to bump those first."),
				c(tomasz, "Staging done. Prod next Tuesday."),
				c(ciBot, "✅ **conformance** passed on `staging` (1.30.2)."),
			},
			WantOwner: true,
		},
		{ // 10
			Title:  "DNS TTLs are too long for database failover",
			Author: sanjay,
			Labels: list("reliability"),
			Body:   "Expected: clients follow a failover within 60 s.\nActual: the `db-primary` record has a 300 s TTL, and some resolvers cache it longer, so clients keep connecting to the old primary for up to 5 minutes.",
			Comments: []Comment{
				c(tomasz, "Lower to 30 s. Route 53 query cost is negligible at our volume.", Business),
				c(viktor, "Or skip DNS entirely and use the RDS proxy endpoint, which follows failover on its own."),
				c(sanjay, "RDS proxy adds ~1 ms per query; fine for payments.", Perf),
			},
			WantRationale: true,
		},
		{ // 11
			Title:  "Clean up unused S3 buckets",
			Author: viktor,
			Body:   "There are 41 buckets with no writes in a year. List them, check with owners, delete.",
			Comments: []Comment{
				c(tomasz, "Some are access logs we might need for audits, check the tags first."),
				c(viktor, "Will do."),
			},
		},
		{ // 12
			Title:  "We have never tested a restore",
			Author: rhea,
			Labels: list("reliability", "compliance"),
			Body: `### Problem

Backups run nightly, but nobody has ever restored one. If we lost the primary region we don't know how long recovery would take, or whether the backups are even complete. Our SOC 2 report claims a 4-hour RTO that we have never demonstrated.`,
			Comments: []Comment{
				c(sanjay, "I'd like a quarterly restore drill into a scratch account with a timed runbook. First one will be slow, that's the point.", Reliability),
				c(tomasz, "The snapshots are encrypted with a KMS key that only exists in the primary region, so cross-region restore doesn't work today. Good thing we're checking.", Reliability),
				c(rhea, "Sanjay, can you own this?"),
				c(sanjay, "Yes."),
			},
			Later:         []Change{assign(rhea, sanjay)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 13
			Title:  "Move application secrets from env vars to Vault",
			Author: tomasz,
			Labels: list("security"),
			Body: `DRI: @acme/platform

## Motivation

Secrets are plain env vars in the deployments, so anyone with read access to a namespace (about 40 people) can see database passwords and API keys with ` + "`kubectl describe`" + `. Rotation also requires a redeploy of every service.`,
			Comments: []Comment{
				c(rhea, "This is also a finding from the last pentest. Must be done before the next one in September.", Security, Business),
				c(viktor, "Vault agent injector vs. the CSI driver: the CSI driver needs fewer sidecars."),
				c(sanjay, "Whatever we pick, secret fetch at startup must not become a single point of failure. If Vault is down, running pods have to keep working.", Reliability),
				c(tomasz, "CSI driver with cached secrets then."),
			},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 14
			Title:  "Renovate config",
			Author: viktor,
			Labels: list("dependencies"),
			Body:   "Add renovate.json to group Terraform provider bumps weekly.",
			Comments: []Comment{
				c(tomasz, "LGTM"),
			},
			Later:  []Change{closeBy(viktor)},
			Closed: true,
		},
		{ // 15
			Title:  "Too many pages for on-call",
			Author: sanjay,
			Labels: list("observability"),
			Body:   "Impact: on-call got 212 pages last week, 180 of them for alerts that resolved on their own within 5 minutes. People are sleeping 4 hours a night on their on-call week, and real alerts get acknowledged late because everyone assumes it's noise.",
			Comments: []Comment{
				c(tomasz, "Most are the disk-usage alerts on the build nodes. Those shouldn't page at all."),
				c(rhea, "Real incidents acknowledged late is the bit that worries me. Median ack time went from 3 to 11 minutes this quarter.", Reliability),
				c(viktor, "nit: the alert rules have three different naming schemes, let's pick one while we're editing them."),
			},
			WantRationale: true,
		},
		{ // 16
			Title:  "Runbook for payments outages",
			Author: marcus,
			Body:   "We need a runbook for this.",
			Comments: []Comment{
				c(sanjay, "There's a draft in the wiki, I'll move it here."),
				c(marcus, "thanks"),
			},
		},
		{ // 17
			Title:  "CI runners are slow",
			Author: kenji,
			Labels: list("ci"),
			Body:   "Impact: median time to a green PR check is 14 minutes (5 minutes locally). Engineers batch unrelated changes into one PR to avoid waiting, which makes reviews worse.",
			Comments: []Comment{
				c(viktor, "The runners are 2-core instances with no layer cache. 8-core with a persistent Go and npm cache should get us under 6 minutes."),
				c(rhea, "That's about $1,100/month more. Fine if it gets us under 6 minutes.", Business),
				c(erin, "+1, I've been doing exactly the batching thing."),
				c(ciBot, "✅ **bench-runner** on `ci-8core-test`: median 5m12s over 20 runs."),
			},
			Later:         []Change{label(viktor, "owner:platform")},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 18
			Title:  "terraform fmt check in CI",
			Author: viktor,
			Labels: list("ci"),
			Body:   "Add `terraform fmt -check -recursive` as a required step.",
			Comments: []Comment{
				c(tomasz, "👍"),
				c(kenji, "Does this run on every PR? That's another 40 s on the runners.").deleted(),
				c(ciBot, "❌ **terraform-fmt** failed: 12 files need formatting."),
				c(viktor, "Formatted in a separate commit."),
			},
		},
		{ // 19
			Title:  "Application logs kept for 400 days",
			Author: rhea,
			Labels: list("privacy", "compliance"),
			Body: `### Problem

Application logs (with IP addresses and emails in them) are retained for 400 days. Our privacy policy promises 90. Under GDPR that's a finding waiting to happen, and it's also ~$3k/month of storage we don't need.`,
			Comments: []Comment{
				c(tomasz, "Lifecycle rule on the log bucket plus retention setting at the vendor. Security audit logs should stay at 400, they're exempt.", Security),
				c(viktor, "nit: the bucket policy is in two places right now, `logs.tf` and `s3.tf`. Let's consolidate."),
				c(rhea, "I'll drive this one with legal."),
			},
			Later:         []Change{assign(rhea, rhea)},
			WantOwner:     true,
			WantRationale: true,
		},
		{ // 20
			Title:     "Set resource requests on CronJobs",
			Author:    tomasz,
			Assignees: list(tomasz),
			Body:      "None of the CronJobs have requests or limits.",
			Comments: []Comment{
				c(viktor, "Kyverno policy to enforce it afterwards?"),
				c(tomasz, "Yes, in audit mode first."),
			},
			WantOwner: true,
		},
		{ // 21
			Title:  "Alert before TLS certificates expire",
			Author: viktor,
			Labels: list("observability"),
			Body:   "Impact: the certificate on `api.acme.dev` expired on Sunday and the public API was down for 47 minutes for every customer until someone noticed on Twitter.\n\nWe need an alert at 14 days and automatic renewal everywhere.",
			Comments: []Comment{
				c(rhea, "47 minutes of total API downtime on a weekend, and every integration failed at once. This one was embarrassing.", Reliability, Customer),
				c(tomasz, "cert-manager already renews everything inside the cluster; this certificate lived on the old load balancer."),
				c(viktor, "Moving it behind cert-manager and adding a Prometheus alert on `probe_ssl_earliest_cert_expiry`."),
			},
			WantRationale: true,
		},
		{ // 22
			Title:  "Terraform AWS provider 5.x",
			Author: viktor,
			Labels: list("dependencies"),
			Body:   "4.67 → 5.x across all modules.",
			Comments: []Comment{
				c(tomasz, "`aws_s3_bucket` lost a bunch of inline arguments in 5.0; the plan shows 41 resources changing."),
				c(viktor, "Going module by module then, starting with the ones that have no S3 buckets."),
			},
		},
	}
}
