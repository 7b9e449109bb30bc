package ghclient

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// ReadFile reads a file of a repository at ref ("" for the default branch)
// through the contents API. found is false, with no error, when the file or
// the repository does not exist or path is a directory. A file larger than
// maxBytes is not read (GitHub serves none over 1 MB, marking it encoding
// "none"): data is nil, found true, and size says how large it is.
func ReadFile(ctx context.Context, client *github.Client, owner, repo, path, ref string, maxBytes int) (data []byte, size int, found bool, err error) {
	var opts *github.RepositoryContentGetOptions
	if ref != "" {
		opts = &github.RepositoryContentGetOptions{Ref: ref}
	}
	file, _, _, err := client.Repositories.GetContents(ctx, owner, repo, path, opts)
	if IsNotFound(err) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	if file == nil {
		return nil, 0, false, nil // a directory, not a file
	}
	if file.GetEncoding() == "none" || file.GetSize() > maxBytes {
		return nil, file.GetSize(), true, nil
	}
	text, err := file.GetContent()
	if err != nil {
		return nil, 0, false, fmt.Errorf("decode %s/%s/%s: %w", owner, repo, path, err)
	}
	return []byte(text), len(text), true, nil
}
