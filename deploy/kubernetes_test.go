package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

// This file renders deploy/kubernetes with the stock tools people use,
// `kustomize build` (v5, installed by .ci/run from the Go module proxy) and
// `kubectl kustomize`, and requires both to give the same documents. Every
// rendered document is then decoded into the k8s.io/api types with unknown
// fields refused, and the variants are checked for what each promises.

type object = map[string]any

// kustomizeVersion is the kustomize .ci/run installs: the newest v5 whose
// module builds with this repository's Go.
const kustomizeVersion = "v5.8.2"

// kustomizeProgram finds kustomize v5 on PATH or where `go install` puts it.
func kustomizeProgram(t *testing.T) string {
	t.Helper()
	var candidates []string
	if path, err := exec.LookPath("kustomize"); err == nil {
		candidates = append(candidates, path)
	}
	for _, v := range []string{"GOBIN", "GOPATH"} {
		out, _ := exec.Command("go", "env", v).Output()
		if dir := strings.TrimSpace(string(out)); dir != "" {
			if v == "GOPATH" {
				dir = filepath.Join(filepath.SplitList(dir)[0], "bin")
			}
			candidates = append(candidates, filepath.Join(dir, "kustomize"))
		}
	}
	for _, path := range candidates {
		out, err := exec.Command(path, "version").Output()
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(out)), "v5.") {
			return path
		}
	}
	needs.Missing(t, "kustomize v5 is neither on PATH nor in Go's bin directory", "go install sigs.k8s.io/kustomize/kustomize/v5@"+kustomizeVersion)
	return ""
}

// variant is a kustomization people apply: one of ours, or one of their
// own that lists ours, the Prometheus Operator component and their image,
// written as deploy/README.md shows.
type variant struct {
	name     string
	dir      string // relative to deploy/
	operator bool   // with components/prometheus-operator, in a kustomization of the reader's own
}

var variants = []variant{
	{"SQLite", "kubernetes", false},
	{"PostgreSQL", "kubernetes/overlays/postgres", false},
	{"SQLite with the Prometheus Operator", "kubernetes", true},
	{"PostgreSQL with the Prometheus Operator", "kubernetes/overlays/postgres", true},
}

// ownImage is the image the README's own kustomization points at.
const ownImage = "registry.example.com/platform/ownershipbot:v1.2.3"

// kustomization returns the directory to build: dir itself, or a
// kustomization of the reader's own: the one in deploy/README.md, with its
// paths pointing at this checkout and at dir.
func (v variant) kustomization(t *testing.T) string {
	t.Helper()
	if !v.operator {
		return v.dir
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# my-cluster/ownershipbot/kustomization.yaml\n.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("deploy/README.md no longer shows a kustomization of one's own (# my-cluster/ownershipbot/kustomization.yaml)")
	}
	own := t.TempDir()
	deployDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(own, deployDir)
	if err != nil {
		t.Fatal(err)
	}
	k := strings.ReplaceAll(string(m[1]), "../../ownershipbot/deploy/kubernetes/overlays/postgres", filepath.ToSlash(filepath.Join(rel, v.dir)))
	k = strings.ReplaceAll(k, "../../ownershipbot/deploy/", filepath.ToSlash(rel)+"/")
	if err := os.WriteFile(filepath.Join(own, "kustomization.yaml"), []byte(k), 0o644); err != nil {
		t.Fatal(err)
	}
	return own
}

// build runs a stock renderer on dir and returns its documents.
func build(t *testing.T, dir string, command ...string) []object {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(command[0], append(command[1:], dir)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", strings.Join(command, " "), dir, err, stderr.String())
	}
	return splitDocuments(t, strings.Join(command, " "), out)
}

// render builds a variant with kustomize and with kubectl, and requires both
// to give the same documents.
func render(t *testing.T, v variant) []object {
	t.Helper()
	dir := v.kustomization(t)
	objs := build(t, dir, kustomizeProgram(t), "build")
	kubectl := needs.Program(t, "kubectl", "install kubectl 1.27 or later, whose `kubectl kustomize` is kustomize v5")
	if other := build(t, dir, kubectl, "kustomize"); !reflect.DeepEqual(objs, other) {
		t.Errorf("kubectl kustomize renders %s differently from kustomize build", v.dir)
	}
	return objs
}

func readDocuments(t *testing.T, path string) []object {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return splitDocuments(t, path, b)
}

func splitDocuments(t *testing.T, source string, b []byte) []object {
	t.Helper()
	var objs []object
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("%s: %v", source, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func identity(o object) string {
	md, _ := o["metadata"].(object)
	return fmt.Sprintf("%v/%v", o["kind"], md["name"])
}

// decodeStrict turns a rendered document into a typed value, refusing any
// field the type does not know (a typo such as readinesProbe fails here).
func decodeStrict(t *testing.T, o object, into any) {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s does not decode strictly into %T: %v", identity(o), into, err)
	}
}

// ServiceMonitor mirrors the subset of monitoring.coreos.com/v1 ServiceMonitor
// that ownershipbot uses, field names as in the Prometheus Operator's CRD;
// k8s.io/api has no type for it.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		JobLabel          string               `json:"jobLabel,omitempty"`
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector *struct {
			Any        bool     `json:"any,omitempty"`
			MatchNames []string `json:"matchNames,omitempty"`
		} `json:"namespaceSelector,omitempty"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path,omitempty"`
			Scheme        string `json:"scheme,omitempty"`
			Interval      string `json:"interval,omitempty"`
			ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// PrometheusRule mirrors monitoring.coreos.com/v1 PrometheusRule.
type PrometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Groups []struct {
			Name     string `json:"name"`
			Interval string `json:"interval,omitempty"`
			Rules    []struct {
				Record      string            `json:"record,omitempty"`
				Alert       string            `json:"alert,omitempty"`
				Expr        string            `json:"expr"`
				For         string            `json:"for,omitempty"`
				Labels      map[string]string `json:"labels,omitempty"`
				Annotations map[string]string `json:"annotations,omitempty"`
			} `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

type rendered struct {
	prometheusRules []*PrometheusRule
	deployments     []*appsv1.Deployment
	services        []*corev1.Service
	pvcs            []*corev1.PersistentVolumeClaim
	pdbs            []*policyv1.PodDisruptionBudget
	serviceAccounts []*corev1.ServiceAccount
	secrets         []*corev1.Secret
	serviceMonitors []*ServiceMonitor
	kinds           []string
}

func decodeAll(t *testing.T, objs []object) rendered {
	t.Helper()
	var r rendered
	for _, o := range objs {
		api, kind := fmt.Sprint(o["apiVersion"]), fmt.Sprint(o["kind"])
		r.kinds = append(r.kinds, kind)
		switch api + " " + kind {
		case "apps/v1 Deployment":
			v := new(appsv1.Deployment)
			decodeStrict(t, o, v)
			r.deployments = append(r.deployments, v)
		case "v1 Service":
			v := new(corev1.Service)
			decodeStrict(t, o, v)
			r.services = append(r.services, v)
		case "v1 PersistentVolumeClaim":
			v := new(corev1.PersistentVolumeClaim)
			decodeStrict(t, o, v)
			r.pvcs = append(r.pvcs, v)
		case "policy/v1 PodDisruptionBudget":
			v := new(policyv1.PodDisruptionBudget)
			decodeStrict(t, o, v)
			r.pdbs = append(r.pdbs, v)
		case "v1 ServiceAccount":
			v := new(corev1.ServiceAccount)
			decodeStrict(t, o, v)
			r.serviceAccounts = append(r.serviceAccounts, v)
		case "v1 Secret":
			v := new(corev1.Secret)
			decodeStrict(t, o, v)
			r.secrets = append(r.secrets, v)
		case "monitoring.coreos.com/v1 PrometheusRule":
			v := new(PrometheusRule)
			decodeStrict(t, o, v)
			r.prometheusRules = append(r.prometheusRules, v)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			v := new(ServiceMonitor)
			decodeStrict(t, o, v)
			r.serviceMonitors = append(r.serviceMonitors, v)
		default:
			t.Fatalf("unexpected document %s %s: add it to this test", api, kind)
		}
	}
	sort.Strings(r.kinds)
	return r
}

func selects(sel map[string]string, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// checkCommon holds the invariants of every variant: probes, security,
// resources, wiring between the objects.
func checkCommon(t *testing.T, r rendered, operator bool) *appsv1.Deployment {
	t.Helper()
	if len(r.deployments) != 1 || len(r.services) != 1 || len(r.pdbs) != 1 || len(r.serviceAccounts) != 1 {
		t.Fatalf("want one Deployment, Service, ServiceAccount and PodDisruptionBudget, got %v", r.kinds)
	}
	d, svc, pdb := r.deployments[0], r.services[0], r.pdbs[0]
	pod := d.Spec.Template
	if d.Spec.Selector == nil || !selects(d.Spec.Selector.MatchLabels, pod.Labels) {
		t.Errorf("the Deployment's selector does not match its pod labels")
	}
	if !selects(svc.Spec.Selector, pod.Labels) {
		t.Errorf("the Service does not select the pods")
	}
	if pdb.Spec.Selector == nil || !selects(pdb.Spec.Selector.MatchLabels, pod.Labels) {
		t.Errorf("the PodDisruptionBudget does not select the pods")
	}

	ps := pod.Spec.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("the pod must run as a non-root user")
	}
	if ps == nil || ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("the pod must use the RuntimeDefault seccomp profile")
	}
	if pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken {
		t.Errorf("the pod must not mount a service account token")
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 8080 || c.Ports[0].Name != "http" {
		t.Errorf("the container must expose one port, http 8080: %+v", c.Ports)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe must GET %s on port http: %+v", name, path, p)
		}
	}
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("readiness", c.ReadinessProbe, "/readyz")
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[res], c.Resources.Limits[res]
		if req.IsZero() || lim.IsZero() || req.Cmp(lim) > 0 {
			t.Errorf("%s: requests and limits must be set, requests <= limits (%s, %s)", res, req.String(), lim.String())
		}
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("the container must have a read-only root file system")
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("the container must not allow privilege escalation")
	}
	if sc == nil || sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || len(sc.Capabilities.Add) != 0 {
		t.Errorf("the container must drop ALL capabilities and add none")
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != "ownershipbot" {
		t.Errorf("the container must take its settings from the secret ownershipbot: %+v", c.EnvFrom)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
		if e.Value != "" && e.ValueFrom != nil {
			t.Errorf("env %s has both value and valueFrom", e.Name)
		}
		if strings.Contains(e.Name, "SECRET") || e.Name == "GITHUB_PRIVATE_KEY" {
			t.Errorf("env %s must come from a secret, not the manifest", e.Name)
		}
	}
	if env["GITHUB_PRIVATE_KEY_PATH"].Value == "" {
		t.Errorf("GITHUB_PRIVATE_KEY_PATH must point at the mounted private key")
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Spec.Volumes {
		volumes[v.Name] = v
	}
	for _, m := range c.VolumeMounts {
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("volume mount %s has no volume", m.Name)
		}
	}
	if len(c.VolumeMounts) != len(volumes) {
		t.Errorf("%d volumes for %d mounts: unused volumes", len(volumes), len(c.VolumeMounts))
	}
	if v := volumes["private-key"]; v.Secret == nil || !strings.HasPrefix(env["GITHUB_PRIVATE_KEY_PATH"].Value, "/etc/ownershipbot/") {
		t.Errorf("the private key must be a secret volume under /etc/ownershipbot")
	}

	svcPorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = true
		if p.TargetPort.String() != "http" {
			t.Errorf("service port %s must target the container port http", p.Name)
		}
	}
	checkOperator(t, r, svc, operator)
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		t.Errorf("the PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
	return d
}

// checkOperator checks the Prometheus Operator's objects: present, wired to
// the Service and holding the rules when the component is used, absent
// otherwise (a cluster without the operator's CRDs refuses them).
func checkOperator(t *testing.T, r rendered, svc *corev1.Service, operator bool) {
	t.Helper()
	if !operator {
		if len(r.serviceMonitors)+len(r.prometheusRules) != 0 {
			t.Errorf("without the prometheus-operator component there must be no ServiceMonitor or PrometheusRule: %v", r.kinds)
		}
		return
	}
	if len(r.serviceMonitors) != 1 || len(r.prometheusRules) != 1 {
		t.Fatalf("the prometheus-operator component adds one ServiceMonitor and one PrometheusRule, got %v", r.kinds)
	}
	sm := r.serviceMonitors[0]
	if !selects(sm.Spec.Selector.MatchLabels, svc.Labels) {
		t.Errorf("the ServiceMonitor does not select the Service")
	}
	svcPorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = true
	}
	for _, e := range sm.Spec.Endpoints {
		if !svcPorts[e.Port] || e.Path != "/metrics" {
			t.Errorf("ServiceMonitor endpoint %+v must scrape /metrics on a Service port", e)
		}
	}
	if sm.APIVersion != "monitoring.coreos.com/v1" || len(sm.Spec.Endpoints) == 0 {
		t.Errorf("ServiceMonitor must be monitoring.coreos.com/v1 with endpoints")
	}
	if len(r.prometheusRules[0].Spec.Groups) < 2 {
		t.Errorf("want one PrometheusRule with the recording and alert groups")
	}
}

func TestKubernetesVariants(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := decodeAll(t, render(t, v))
			d := checkCommon(t, r, v.operator)
			if len(r.secrets) != 0 {
				t.Errorf("the kustomization must not apply Secrets (it would overwrite real ones)")
			}
			if image := d.Spec.Template.Spec.Containers[0].Image; v.operator && image != ownImage {
				t.Errorf("the README's own kustomization sets the image %s, the Deployment runs %s", ownImage, image)
			}
			if strings.HasSuffix(v.dir, "postgres") {
				checkPostgres(t, r, d)
			} else {
				checkSQLite(t, r, d)
			}
		})
	}
}

func checkSQLite(t *testing.T, r rendered, d *appsv1.Deployment) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("SQLite allows one writer: replicas 1 with strategy Recreate")
	}
	c := d.Spec.Template.Spec.Containers[0]
	var dbURL string
	for _, e := range c.Env {
		if e.Name == "DATABASE_URL" {
			dbURL = e.Value
		}
	}
	if dbURL != "sqlite:/data/ownershipbot.db" {
		t.Errorf("DATABASE_URL = %q, want sqlite:/data/ownershipbot.db", dbURL)
	}
	var claim string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "data" && v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		mounted = mounted || (m.Name == "data" && m.MountPath == "/data" && !m.ReadOnly)
	}
	if len(r.pvcs) != 1 || r.pvcs[0].Name != claim || !mounted {
		t.Errorf("the SQLite file needs the PersistentVolumeClaim mounted read-write at /data")
	}
}

func checkPostgres(t *testing.T, r rendered, d *appsv1.Deployment) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 || d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("the PostgreSQL overlay runs several replicas with RollingUpdate")
	}
	if len(r.pvcs) != 0 {
		t.Errorf("the PostgreSQL overlay needs no PersistentVolumeClaim")
	}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			t.Errorf("volume %s still uses a claim", v.Name)
		}
	}
	found := false
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name != "DATABASE_URL" {
			continue
		}
		found = true
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "ownershipbot-postgres" {
			t.Errorf("DATABASE_URL must come from the secret ownershipbot-postgres: %+v", e)
		}
	}
	if !found {
		t.Errorf("the PostgreSQL overlay sets no DATABASE_URL")
	}
}

// TestBaseIsNoVariant keeps the shared base free of a store, so that each
// variant says which it uses and none has to undo another's.
func TestBaseIsNoVariant(t *testing.T) {
	r := decodeAll(t, build(t, "kubernetes/base", kustomizeProgram(t), "build"))
	for _, e := range r.deployments[0].Spec.Template.Spec.Containers[0].Env {
		if e.Name == "DATABASE_URL" {
			t.Errorf("the base sets DATABASE_URL; the variants do")
		}
	}
	if len(r.pvcs) != 0 || r.deployments[0].Spec.Replicas != nil {
		t.Errorf("the base holds a claim or a replica count; the variants do")
	}
}

// TestSecretExamplesHoldNoRealValues decodes the example secrets and checks
// that every value is a visible placeholder, not something that could be a
// real key, secret or password.
func TestSecretExamplesHoldNoRealValues(t *testing.T) {
	longToken := regexp.MustCompile(`[A-Za-z0-9+/=_-]{24,}`)
	for _, file := range []string{"kubernetes/secret.example.yaml", "kubernetes/overlays/postgres/secret.example.yaml"} {
		r := decodeAll(t, readDocuments(t, file))
		if len(r.secrets) == 0 || len(r.secrets) != len(r.kinds) {
			t.Fatalf("%s must hold Secrets only, got %v", file, r.kinds)
		}
		for _, s := range r.secrets {
			if len(s.Data) != 0 || len(s.StringData) == 0 {
				t.Errorf("%s: %s must use readable stringData placeholders", file, s.Name)
			}
			for k, v := range s.StringData {
				if !strings.Contains(v, "<") || !strings.Contains(v, ">") || longToken.MatchString(v) || strings.Contains(v, "BEGIN") {
					t.Errorf("%s: %s.%s = %q does not look like a placeholder", file, s.Name, k, v)
				}
			}
		}
	}
	// The names the Deployment reads exist in the examples.
	base := decodeAll(t, readDocuments(t, "kubernetes/secret.example.yaml"))
	keys := map[string]bool{}
	for _, s := range base.secrets {
		for k := range s.StringData {
			keys[s.Name+"/"+k] = true
		}
	}
	for _, want := range []string{"ownershipbot/GITHUB_APP_ID", "ownershipbot/GITHUB_WEBHOOK_SECRET", "ownershipbot-private-key/private-key.pem"} {
		if !keys[want] {
			t.Errorf("secret.example.yaml lacks %s", want)
		}
	}
}
