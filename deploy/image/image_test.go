package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

// readTar returns the regular files and headers of a tar stream.
func readTar(t *testing.T, r io.Reader) (map[string][]byte, map[string]*tar.Header, []string) {
	t.Helper()
	files, headers := map[string][]byte{}, map[string]*tar.Header{}
	var order []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name], headers[h.Name] = b, h
		order = append(order, h.Name)
	}
	return files, headers, order
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int               `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    map[string]string `json:"platform"`
}

// built is the image every test here inspects: the binary is compiled once
// per test binary (a cold build takes minutes) and shared.
type built struct {
	dir        string
	img1, img2 []byte // the images of one binary at two paths
	r1, r2     Result
	err        error
}

var (
	buildOnce sync.Once
	theImage  built
)

// testImage builds ownershipbot once and writes two images of it, from two
// paths: go build -trimpath -buildid= is reproducible for a given tree, so
// a second build would prove only that the tree did not change meanwhile.
func testImage(t *testing.T) *built {
	t.Helper()
	needs.File(t, CABundle, "install it with `apt-get install ca-certificates` (Debian)")
	buildOnce.Do(func() {
		b := &theImage
		root, _ := filepath.Abs("../..")
		dir, err := os.MkdirTemp("", "ownershipbot-image-test-")
		if err != nil {
			b.err = err
			return
		}
		b.dir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		bin1, bin2 := filepath.Join(dir, "a", "ownershipbot"), filepath.Join(dir, "b", "ownershipbot")
		if b.err = BuildBinary(ctx, root, bin1, runtime.GOARCH); b.err != nil {
			return
		}
		bin, err := os.ReadFile(bin1)
		if err == nil {
			os.MkdirAll(filepath.Dir(bin2), 0o755)
			err = os.WriteFile(bin2, bin, 0o700)
		}
		if err != nil {
			b.err = err
			return
		}
		var img1, img2 bytes.Buffer
		if b.r1, b.err = Write(&img1, Options{Binary: bin1, Arch: runtime.GOARCH, Created: created, Tag: "ownershipbot:test"}); b.err != nil {
			return
		}
		if b.r2, b.err = Write(&img2, Options{Binary: bin2, Arch: runtime.GOARCH, Created: created, Tag: "ownershipbot:test"}); b.err != nil {
			return
		}
		b.img1, b.img2 = img1.Bytes(), img2.Bytes()
	})
	if theImage.err != nil {
		t.Fatal(theImage.err)
	}
	return &theImage
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theImage.dir != "" {
		os.RemoveAll(theImage.dir)
	}
	os.Exit(code)
}

var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestImageOfOneBinaryIsReproducible(t *testing.T) {
	b := testImage(t)
	if b.r1.ManifestDigest != b.r2.ManifestDigest || !bytes.Equal(b.img1, b.img2) {
		t.Errorf("two images of the same binary differ: %s vs %s", b.r1.ManifestDigest, b.r2.ManifestDigest)
	}
	t.Logf("image %s, %d bytes", b.r1.ManifestDigest, len(b.img1))
}

func TestImageTarballIsStaticAndNonRoot(t *testing.T) {
	b := testImage(t)
	r1, dir := b.r1, t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	files, _, _ := readTar(t, bytes.NewReader(b.img1))
	blob := func(d string) []byte {
		t.Helper()
		b, ok := files["blobs/"+strings.Replace(d, ":", "/", 1)]
		if !ok {
			t.Fatalf("blob %s missing", d)
		}
		sum := sha256.Sum256(b)
		if "sha256:"+hex.EncodeToString(sum[:]) != d {
			t.Fatalf("blob %s does not match its digest", d)
		}
		return b
	}
	if string(files["oci-layout"]) != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", files["oci-layout"])
	}
	var index struct {
		SchemaVersion int             `json:"schemaVersion"`
		Manifests     []ociDescriptor `json:"manifests"`
	}
	if err := json.Unmarshal(files["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	md := index.Manifests[0]
	if md.Digest != r1.ManifestDigest || md.Annotations["org.opencontainers.image.ref.name"] != "ownershipbot:test" || md.Platform["os"] != "linux" {
		t.Errorf("index entry %+v", md)
	}
	var manifest struct {
		MediaType string          `json:"mediaType"`
		Config    ociDescriptor   `json:"config"`
		Layers    []ociDescriptor `json:"layers"`
	}
	if err := json.Unmarshal(blob(md.Digest), &manifest); err != nil || len(manifest.Layers) != 1 {
		t.Fatalf("manifest: %v", err)
	}
	if manifest.MediaType != mediaManifest || manifest.Config.MediaType != mediaConfig || manifest.Layers[0].MediaType != mediaLayer {
		t.Errorf("media types %+v", manifest)
	}
	var cfg struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Created      string `json:"created"`
		Config       struct {
			User         string              `json:"User"`
			Entrypoint   []string            `json:"Entrypoint"`
			Cmd          []string            `json:"Cmd"`
			ExposedPorts map[string]struct{} `json:"ExposedPorts"`
			Env          []string            `json:"Env"`
			Volumes      map[string]struct{} `json:"Volumes"`
		} `json:"config"`
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(blob(manifest.Config.Digest), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532 (non-root)", cfg.Config.User)
	}
	if got := append(append([]string{}, cfg.Config.Entrypoint...), cfg.Config.Cmd...); !reflect.DeepEqual(got, []string{"/ownershipbot", "serve"}) {
		t.Errorf("runs %v, want /ownershipbot serve", got)
	}
	if len(cfg.Config.ExposedPorts) != 1 || !hasKey(cfg.Config.ExposedPorts, "8080/tcp") {
		t.Errorf("exposed ports %v, want only 8080/tcp", cfg.Config.ExposedPorts)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH || cfg.Created != "2026-01-02T03:04:05Z" {
		t.Errorf("platform/created %s/%s %s", cfg.OS, cfg.Architecture, cfg.Created)
	}

	gz := blob(manifest.Layers[0].Digest)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	layer, _ := io.ReadAll(zr)
	sum := sha256.Sum256(layer)
	if len(cfg.RootFS.DiffIDs) != 1 || cfg.RootFS.DiffIDs[0] != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("diff_ids %v do not match the uncompressed layer", cfg.RootFS.DiffIDs)
	}
	lf, lh, order := readTar(t, bytes.NewReader(layer))
	for _, name := range order {
		h := lh[name]
		if !h.ModTime.Equal(created) {
			t.Errorf("%s has time %v, want the fixed %v", name, h.ModTime, created)
		}
		if strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
			t.Errorf("unsafe path %q in the layer", name)
		}
	}
	if h := lh["ownershipbot"]; h == nil || h.Mode != 0o755 || h.Uid != 0 {
		t.Fatalf("/ownershipbot missing or not a root-owned 0755 file: %+v", h)
	}
	if !strings.Contains(string(lf["etc/passwd"]), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user")
	}
	if h := lh["data/"]; h == nil || h.Uid != 65532 {
		t.Errorf("/data must belong to the non-root user")
	}
	if h := lh["tmp/"]; h == nil || h.Mode != 0o1777 {
		t.Errorf("/tmp must be a sticky world-writable directory")
	}
	if !bytes.Contains(lf["etc/ssl/certs/ca-certificates.crt"], []byte("BEGIN CERTIFICATE")) {
		t.Errorf("no CA bundle: ownershipbot could not verify api.github.com")
	}

	// The binary is static and runs.
	exe := filepath.Join(dir, "extracted")
	if err := os.WriteFile(exe, lf["ownershipbot"], 0o755); err != nil {
		t.Fatal(err)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary asks for a dynamic loader: it is not static")
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary links %v", libs)
	}
	ef.Close()
	out, err := exec.CommandContext(ctx, exe, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ownershipbot ") {
		t.Errorf("ownershipbot version from the image: %v\n%s", err, out)
	}

	// docker load's own manifest points at the same blobs.
	var dm []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(files["manifest.json"], &dm); err != nil || len(dm) != 1 {
		t.Fatalf("manifest.json: %v", err)
	}
	if dm[0].Config != "blobs/"+strings.Replace(manifest.Config.Digest, ":", "/", 1) || len(dm[0].Layers) != 1 ||
		dm[0].Layers[0] != "blobs/"+strings.Replace(manifest.Layers[0].Digest, ":", "/", 1) || dm[0].RepoTags[0] != "ownershipbot:test" {
		t.Errorf("manifest.json %+v does not match the OCI manifest", dm[0])
	}
}

func hasKey(m map[string]struct{}, k string) bool { _, ok := m[k]; return ok }
