// Command build writes ownershipbot's container image as an OCI image layout
// tarball, without a container daemon:
//
//	go run ./deploy/image/build -out ownershipbot-image.tar
//	docker load -i ownershipbot-image.tar   # or: podman load, skopeo copy oci-archive:ownershipbot-image.tar docker://...
//
// It compiles a static binary (CGO_ENABLED=0, -trimpath) unless -binary names
// one. Set SOURCE_DATE_EPOCH to stamp a release time; the same inputs always
// give the same image digest.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ownershipbot/ownershipbot/deploy/image"
)

func main() {
	out := flag.String("out", "ownershipbot-image.tar", "tarball to write")
	arch := flag.String("arch", "amd64", "target architecture (GOARCH)")
	tag := flag.String("tag", "ghcr.io/ownershipbot/ownershipbot:dev", "image reference stored in the tarball")
	binary := flag.String("binary", "", "prebuilt static linux ownershipbot binary (default: build one)")
	ca := flag.String("ca-bundle", image.CABundle, "PEM bundle of root certificates to include")
	version := flag.String("version", "", "version label")
	revision := flag.String("revision", "", "revision (commit) label")
	flag.Parse()
	if err := run(*out, *arch, *tag, *binary, *ca, *version, *revision); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n", err)
		os.Exit(1)
	}
}

func run(out, arch, tag, binary, ca, version, revision string) error {
	created, err := image.CreatedFromEnv()
	if err != nil {
		return err
	}
	if binary == "" {
		tmp, err := os.MkdirTemp("", "ownershipbot-image-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		binary = filepath.Join(tmp, "ownershipbot")
		if err := image.BuildBinary(context.Background(), ".", binary, arch); err != nil {
			return fmt.Errorf("%v (run from the repository root)", err)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	res, err := image.Write(f, image.Options{
		Binary: binary, CABundle: ca, Arch: arch, Tag: tag, Created: created, Version: version, Revision: revision,
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Printf("wrote %s: %s %s\n", out, tag, res.ManifestDigest)
	return nil
}
