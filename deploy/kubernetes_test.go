package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// This file renders deploy/kubernetes offline with a deliberately small
// kustomize: `resources` (files and directories with a kustomization.yaml)
// and `patches` by path, applied as strategic merge patches (maps merge,
// null deletes a key, lists of objects with a `name` merge by name, an entry
// or a document with `$patch: delete` is removed). A kustomization using any
// other field fails the test, so the manifests cannot rely on something this
// renderer would silently ignore. Every rendered document is then decoded
// into the k8s.io/api types with unknown fields refused.

type object = map[string]any

func renderKustomization(t *testing.T, dir string) []object {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
		Patches    []struct {
			Path string `json:"path"`
		} `json:"patches"`
	}
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		t.Fatalf("%s/kustomization.yaml uses something this test's renderer does not support: %v", dir, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("%s/kustomization.yaml: apiVersion/kind %s/%s", dir, k.APIVersion, k.Kind)
	}
	var objs []object
	for _, r := range k.Resources {
		path := filepath.Join(dir, r)
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			objs = append(objs, renderKustomization(t, path)...)
			continue
		}
		objs = append(objs, readDocuments(t, path)...)
	}
	for _, p := range k.Patches {
		for _, patch := range readDocuments(t, filepath.Join(dir, p.Path)) {
			objs = applyPatch(t, objs, patch, p.Path)
		}
	}
	return objs
}

func readDocuments(t *testing.T, path string) []object {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objs []object
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func identity(o object) string {
	md, _ := o["metadata"].(object)
	return fmt.Sprintf("%v/%v", o["kind"], md["name"])
}

func applyPatch(t *testing.T, objs []object, patch object, file string) []object {
	t.Helper()
	id := identity(patch)
	for i, o := range objs {
		if identity(o) != id {
			continue
		}
		if patch["$patch"] == "delete" {
			return append(objs[:i:i], objs[i+1:]...)
		}
		objs[i] = mergeMap(o, patch)
		return objs
	}
	t.Fatalf("patch %s targets %s, which the resources do not define", file, id)
	return nil
}

func mergeMap(base, patch object) object {
	out := object{}
	for k, v := range base {
		out[k] = v
	}
	for k, pv := range patch {
		if k == "$patch" {
			continue
		}
		if pv == nil {
			delete(out, k)
			continue
		}
		switch pv := pv.(type) {
		case object:
			if bv, ok := out[k].(object); ok {
				out[k] = mergeMap(bv, pv)
				continue
			}
		case []any:
			if bv, ok := out[k].([]any); ok && namedList(bv) && namedList(pv) {
				out[k] = mergeNamedList(bv, pv)
				continue
			}
		}
		out[k] = pv
	}
	return out
}

func namedList(l []any) bool {
	for _, e := range l {
		m, ok := e.(object)
		if !ok || m["name"] == nil {
			return false
		}
	}
	return len(l) > 0
}

func mergeNamedList(base, patch []any) []any {
	out := append([]any(nil), base...)
	for _, pe := range patch {
		pm := pe.(object)
		found := false
		for i, be := range out {
			if be.(object)["name"] == pm["name"] {
				found = true
				if pm["$patch"] == "delete" {
					out = append(out[:i:i], out[i+1:]...)
				} else {
					out[i] = mergeMap(be.(object), pm)
				}
				break
			}
		}
		if !found && pm["$patch"] != "delete" {
			out = append(out, pm)
		}
	}
	return out
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
func checkCommon(t *testing.T, r rendered) *appsv1.Deployment {
	t.Helper()
	if len(r.deployments) != 1 || len(r.services) != 1 || len(r.pdbs) != 1 || len(r.serviceMonitors) != 1 {
		t.Fatalf("want one Deployment, Service, PodDisruptionBudget and ServiceMonitor, got %v", r.kinds)
	}
	d, svc, pdb, sm := r.deployments[0], r.services[0], r.pdbs[0], r.serviceMonitors[0]
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
	if !selects(sm.Spec.Selector.MatchLabels, svc.Labels) {
		t.Errorf("the ServiceMonitor does not select the Service")
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
	for _, e := range sm.Spec.Endpoints {
		if !svcPorts[e.Port] || e.Path != "/metrics" {
			t.Errorf("ServiceMonitor endpoint %+v must scrape /metrics on a Service port", e)
		}
	}
	if sm.APIVersion != "monitoring.coreos.com/v1" || len(sm.Spec.Endpoints) == 0 {
		t.Errorf("ServiceMonitor must be monitoring.coreos.com/v1 with endpoints")
	}
	if len(r.prometheusRules) != 1 || len(r.prometheusRules[0].Spec.Groups) < 2 {
		t.Errorf("want one PrometheusRule with the recording and alert groups")
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		t.Errorf("the PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
	return d
}

func TestKubernetesBaseSQLite(t *testing.T) {
	r := decodeAll(t, renderKustomization(t, "kubernetes"))
	d := checkCommon(t, r)
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
	if len(r.secrets) != 0 {
		t.Errorf("the kustomization must not apply Secrets (it would overwrite real ones)")
	}
}

func TestKubernetesPostgresOverlay(t *testing.T) {
	r := decodeAll(t, renderKustomization(t, "kubernetes/overlays/postgres"))
	d := checkCommon(t, r)
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
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "DATABASE_URL" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != "ownershipbot-postgres") {
			t.Errorf("DATABASE_URL must come from the secret ownershipbot-postgres: %+v", e)
		}
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
