package deploy

import (
	"bytes"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

const prometheusRuleFile = "kubernetes/components/prometheus-operator/prometheusrule.yaml"

// generatedPrometheusRule wraps deploy/prometheus/rules/*.yml into one
// PrometheusRule for the Prometheus Operator, groups in file order.
func generatedPrometheusRule(t *testing.T) []byte {
	t.Helper()
	var groups []any
	for _, f := range []string{"prometheus/rules/recording.yml", "prometheus/rules/alerts.yml"} {
		var rf struct {
			Groups []any `yaml:"groups"`
		}
		readYAML(t, f, &rf)
		groups = append(groups, rf.Groups...)
	}
	doc := map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "PrometheusRule",
		"metadata": map[string]any{
			"name":   "ownershipbot",
			"labels": map[string]any{"app.kubernetes.io/name": "ownershipbot"},
		},
		"spec": map[string]any{"groups": groups},
	}
	var buf bytes.Buffer
	buf.WriteString("# Generated from deploy/prometheus/rules by `go generate ./deploy`; edit those files, not this one.\n")
	buf.WriteString("# The recording rules feed the Grafana dashboards; the alerts carry runbooks.\n")
	buf.WriteString("# If your Prometheus selects rules by label (ruleSelector), add that label here with a kustomize patch.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	return buf.Bytes()
}

// TestPrometheusRuleMatchesRuleFiles keeps the PrometheusRule in
// deploy/kubernetes equal to the rule files promtool tests.
func TestPrometheusRuleMatchesRuleFiles(t *testing.T) {
	want := generatedPrometheusRule(t)
	if *update {
		if err := os.WriteFile(prometheusRuleFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(prometheusRuleFile)
	if err != nil {
		t.Fatalf("%v; run go generate ./deploy", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from deploy/prometheus/rules; run go generate ./deploy", prometheusRuleFile)
	}
}
