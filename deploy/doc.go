// Package deploy holds ownershipbot's deployment artifacts (the GitHub App
// manifest, container image, Kubernetes manifests, local compose stack,
// Prometheus rules and Grafana dashboards) and the tests that prove them:
// offline validation of the Kubernetes manifests, promtool checks and unit
// tests of every rule, and a real Prometheus scraping `ownershipbot demo`
// that answers every dashboard query. See README.md.
package deploy

//go:generate go test -run TestAppManifestFile|TestPrometheusRuleMatchesRuleFiles -update .
