package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FetchFunc reads a file from a repository's default branch through an
// installation. It reports found=false, with no error, when the file or the
// repository does not exist, and an *Error from TooLarge for a file too
// large to read.
type FetchFunc func(ctx context.Context, installationID int64, owner, repo, path string) (data []byte, found bool, err error)

// Loaded is a repository's configuration and where it came from.
type Loaded struct {
	Config
	// Source is "owner/repo/.github/ownership.yml" of the file used, or "" for
	// the defaults.
	Source string
	// Err is the problem with the file, if it was broken; Config then holds
	// the defaults.
	Err error
}

// ProblemHash identifies a broken file's problems, so each is reported once.
func (l Loaded) ProblemHash() string {
	if l.Err == nil {
		return ""
	}
	sum := sha256.Sum256([]byte(l.Source + "\n" + l.Err.Error()))
	return hex.EncodeToString(sum[:8])
}

// Loader reads configurations and caches them per installation and
// repository for a short time. A push that changes a file invalidates it.
type Loader struct {
	fetch FetchFunc
	ttl   time.Duration
	now   func() time.Time
	// OnBroken, when set, is told once per fetch about a broken file, so it
	// is logged when read rather than on every event that uses it.
	OnBroken func(source string, err error)
	// List, when set, lists directories, so the repository's issue and pull
	// request templates are read too (see Config.RationaleOptions).
	List ListFunc

	mu     sync.Mutex
	cache  map[string]cached          // key: installation + lower-case "owner/repo"
	tcache map[string]cachedTemplates // the same key
}

type cached struct {
	loaded  Loaded
	found   bool
	fetched time.Time
}

// NewLoader returns a Loader that keeps files for ttl.
func NewLoader(fetch FetchFunc, ttl time.Duration) *Loader {
	return &Loader{fetch: fetch, ttl: ttl, now: time.Now, cache: make(map[string]cached), tcache: make(map[string]cachedTemplates)}
}

// Load returns the configuration of owner/repo: its own file, else the
// organisation's file in owner/.github, else the defaults. Only a failure to
// reach GitHub is an error; a broken file is reported in Loaded.Err.
func (l *Loader) Load(ctx context.Context, installationID int64, owner, repo string) (Loaded, error) {
	loaded := Loaded{Config: Default()}
	for _, r := range []string{repo, ".github"} {
		c, err := l.file(ctx, installationID, owner, r)
		if err != nil {
			return Loaded{}, err
		}
		if c.found {
			loaded = c.loaded
			break
		}
	}
	templates, err := l.templates(ctx, installationID, owner, repo)
	if err != nil {
		return Loaded{}, err
	}
	loaded.templates = templates
	return loaded, nil
}

func (l *Loader) file(ctx context.Context, installationID int64, owner, repo string) (cached, error) {
	key := cacheKey(installationID, owner, repo)
	l.mu.Lock()
	c, ok := l.cache[key]
	l.mu.Unlock()
	if ok && l.now().Sub(c.fetched) < l.ttl {
		return c, nil
	}
	data, found, err := l.fetch(ctx, installationID, owner, repo, Path)
	var tooLarge *Error
	if errors.As(err, &tooLarge) {
		data, found, err = nil, true, nil // reported as the file's problem
	}
	if err != nil {
		return cached{}, err
	}
	c = cached{found: found, fetched: l.now()}
	if found {
		cfg, perr := Parse(data)
		if tooLarge != nil {
			cfg, perr = Default(), tooLarge
		}
		c.loaded = Loaded{Config: cfg, Source: owner + "/" + repo + "/" + Path, Err: perr}
		if perr != nil && l.OnBroken != nil {
			l.OnBroken(c.loaded.Source, perr)
		}
	}
	l.mu.Lock()
	l.cache[key] = c
	l.mu.Unlock()
	return c, nil
}

// Invalidate forgets the cached file and templates of owner/repo; for
// owner/.github, it forgets every repository of that owner, since they may
// fall back to it.
func (l *Loader) Invalidate(installationID int64, owner, repo string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if repo == ".github" {
		prefix := cacheKey(installationID, owner, "")
		l.forgetPrefix(prefix)
		return
	}
	delete(l.cache, cacheKey(installationID, owner, repo))
	delete(l.tcache, cacheKey(installationID, owner, repo))
}

func (l *Loader) forgetPrefix(prefix string) {
	for k := range l.cache {
		if strings.HasPrefix(k, prefix) {
			delete(l.cache, k)
		}
	}
	for k := range l.tcache {
		if strings.HasPrefix(k, prefix) {
			delete(l.tcache, k)
		}
	}
}

// Forget drops everything cached for an installation.
func (l *Loader) Forget(installationID int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetPrefix(cacheKey(installationID, "", ""))
}

func cacheKey(installationID int64, owner, repo string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(owner))
	b.WriteByte('/')
	b.WriteString(strings.ToLower(repo))
	k := b.String()
	if owner == "" {
		k = ""
	}
	return strconv.FormatInt(installationID, 10) + ":" + k
}
