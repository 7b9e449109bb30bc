// Package image assembles ownershipbot's container image without a
// container daemon: a static binary, a CA bundle and a non-root user in one
// layer, written as an OCI image layout tarball that `docker load`,
// `podman load` and `skopeo copy oci-archive:...` accept.
//
// The build is reproducible: file times, owners and order inside the layer
// are fixed, the gzip header carries no time or name, and the created time
// comes from SOURCE_DATE_EPOCH (0 when unset), so the same binary and CA
// bundle always give the same image digest.
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// Image settings shared with deploy/Dockerfile and deploy/kubernetes.
const (
	User       = "65532:65532" // distroless "nonroot"
	Port       = "8080/tcp"
	BinaryPath = "/ownershipbot"
	DataDir    = "/data"
	CABundle   = "/etc/ssl/certs/ca-certificates.crt"
)

// Entrypoint and Cmd run `/ownershipbot serve`; `docker run IMAGE demo` runs
// the demo instead.
var (
	Entrypoint = []string{BinaryPath}
	Cmd        = []string{"serve"}
)

// Media types of the OCI image spec.
const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// Options describe one image.
type Options struct {
	Binary    string    // static linux binary of ownershipbot
	CABundle  string    // PEM bundle of root CAs [/etc/ssl/certs/ca-certificates.crt]
	Arch      string    // GOARCH of Binary [amd64]
	Tag       string    // reference name [ghcr.io/ownershipbot/ownershipbot:dev]
	Created   time.Time // image creation time [SOURCE_DATE_EPOCH, or the Unix epoch]
	Version   string    // org.opencontainers.image.version label, if set
	Revision  string    // org.opencontainers.image.revision label, if set
	SourceURL string    // org.opencontainers.image.source label [https://github.com/ownershipbot/ownershipbot]
}

// Result names what Write produced.
type Result struct {
	ManifestDigest string // sha256:... of the image manifest: the image's digest
	ConfigDigest   string
	LayerDigest    string
}

// BuildBinary compiles a static, reproducible ownershipbot for linux/arch.
func BuildBinary(ctx context.Context, repoRoot, out, arch string) error {
	if arch == "" {
		arch = "amd64"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -buildid=", "-o", out, "./cmd/ownershipbot")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// CreatedFromEnv reads SOURCE_DATE_EPOCH (reproducible-builds.org), or
// returns the Unix epoch.
func CreatedFromEnv() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Write assembles the image and writes the OCI layout tarball to w.
func Write(w io.Writer, o Options) (Result, error) {
	if o.CABundle == "" {
		o.CABundle = CABundle
	}
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Tag == "" {
		o.Tag = "ghcr.io/ownershipbot/ownershipbot:dev"
	}
	if o.SourceURL == "" {
		o.SourceURL = "https://github.com/ownershipbot/ownershipbot"
	}
	o.Created = o.Created.UTC()
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return Result{}, fmt.Errorf("read the binary: %v", err)
	}
	ca, err := os.ReadFile(o.CABundle)
	if err != nil {
		return Result{}, fmt.Errorf("read the CA bundle: %v", err)
	}

	layerTar, err := rootFS(o.Created, bin, ca)
	if err != nil {
		return Result{}, err
	}
	var layerGz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&layerGz, gzip.BestCompression)
	zw.Write(layerTar)
	if err := zw.Close(); err != nil {
		return Result{}, err
	}

	labels := map[string]string{
		"org.opencontainers.image.title":       "ownershipbot",
		"org.opencontainers.image.description": "GitHub App that asks every issue and pull request for an owner and a rationale.",
		"org.opencontainers.image.source":      o.SourceURL,
	}
	if o.Version != "" {
		labels["org.opencontainers.image.version"] = o.Version
	}
	if o.Revision != "" {
		labels["org.opencontainers.image.revision"] = o.Revision
	}
	created := o.Created.Format(time.RFC3339)
	config := map[string]any{
		"created":      created,
		"architecture": o.Arch,
		"os":           "linux",
		"config": map[string]any{
			"User":         User,
			"Entrypoint":   Entrypoint,
			"Cmd":          Cmd,
			"ExposedPorts": map[string]any{Port: map[string]any{}},
			"Env": []string{
				"PATH=/",
				"SSL_CERT_FILE=" + CABundle,
				"LISTEN_ADDR=:8080",
				"DATABASE_URL=sqlite:" + DataDir + "/ownershipbot.db",
			},
			"WorkingDir": DataDir,
			"Volumes":    map[string]any{DataDir: map[string]any{}},
			"Labels":     labels,
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest(layerTar)}},
		"history": []map[string]any{{
			"created": created, "created_by": "go run ./deploy/image/build (static ownershipbot, CA bundle, user 65532)",
		}},
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return Result{}, err
	}
	manifest := map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaManifest,
		"config":        descriptor(mediaConfig, configJSON),
		"layers":        []any{descriptor(mediaLayer, layerGz.Bytes())},
		"annotations":   map[string]string{"org.opencontainers.image.created": created},
	}
	manifestJSON, err := json.Marshal(manifest)
	if err != nil {
		return Result{}, err
	}
	md := descriptor(mediaManifest, manifestJSON)
	md["annotations"] = map[string]string{"org.opencontainers.image.ref.name": o.Tag}
	md["platform"] = map[string]string{"architecture": o.Arch, "os": "linux"}
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": []any{md}})
	// Docker's own archive manifest, so `docker load` of older Dockers works too.
	dockerManifest, _ := json.Marshal([]map[string]any{{
		"Config":   "blobs/" + blobPath(configJSON),
		"RepoTags": []string{o.Tag},
		"Layers":   []string{"blobs/" + blobPath(layerGz.Bytes())},
	}})

	tw := newTar(w, o.Created)
	tw.dir("blobs/")
	tw.dir("blobs/sha256/")
	blobs := [][]byte{configJSON, manifestJSON, layerGz.Bytes()}
	sort.Slice(blobs, func(i, j int) bool { return digest(blobs[i]) < digest(blobs[j]) })
	for _, b := range blobs {
		tw.file("blobs/"+blobPath(b), 0o644, 0, b)
	}
	tw.file("index.json", 0o644, 0, index)
	tw.file("manifest.json", 0o644, 0, dockerManifest)
	tw.file("oci-layout", 0o644, 0, []byte(`{"imageLayoutVersion":"1.0.0"}`))
	if err := tw.close(); err != nil {
		return Result{}, err
	}
	return Result{ManifestDigest: digest(manifestJSON), ConfigDigest: digest(configJSON), LayerDigest: digest(layerGz.Bytes())}, nil
}

// rootFS is the image's only layer, as an uncompressed tar.
func rootFS(created time.Time, bin, ca []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := newTar(&buf, created)
	const nonroot = 65532
	tw.dir("data/", 0o755, nonroot)
	tw.dir("etc/")
	tw.file("etc/group", 0o644, 0, []byte("root:x:0:\nnonroot:x:65532:\n"))
	tw.file("etc/passwd", 0o644, 0, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"))
	tw.dir("etc/ssl/")
	tw.dir("etc/ssl/certs/")
	tw.file("etc/ssl/certs/ca-certificates.crt", 0o644, 0, ca)
	tw.dir("home/")
	tw.dir("home/nonroot/", 0o700, nonroot)
	tw.file("ownershipbot", 0o755, 0, bin)
	tw.dir("tmp/", 0o1777, 0)
	if err := tw.close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type tarWriter struct {
	tw      *tar.Writer
	modTime time.Time
	err     error
}

func newTar(w io.Writer, modTime time.Time) *tarWriter {
	return &tarWriter{tw: tar.NewWriter(w), modTime: modTime}
}

func (t *tarWriter) header(h *tar.Header) {
	if t.err != nil {
		return
	}
	h.ModTime, h.Format = t.modTime, tar.FormatPAX
	h.Uname, h.Gname = "", ""
	t.err = t.tw.WriteHeader(h)
}

// dir adds a directory; optional mode and owner default to 0755 and root.
func (t *tarWriter) dir(name string, modeOwner ...int64) {
	mode, owner := int64(0o755), int64(0)
	if len(modeOwner) == 2 {
		mode, owner = modeOwner[0], modeOwner[1]
	}
	t.header(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: int(owner), Gid: int(owner)})
}

func (t *tarWriter) file(name string, mode int64, owner int, data []byte) {
	t.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Uid: owner, Gid: owner, Size: int64(len(data))})
	if t.err == nil {
		_, t.err = t.tw.Write(data)
	}
}

func (t *tarWriter) close() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Close()
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func blobPath(b []byte) string {
	sum := sha256.Sum256(b)
	return filepath.ToSlash(filepath.Join("sha256", hex.EncodeToString(sum[:])))
}

func descriptor(mediaType string, b []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": digest(b), "size": len(b)}
}
