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
	// Source is "owner/repo/.github/ownership.yml" of the broken file when
	// Err is set, else of the most specific file applied (the repository's,
	// else the organisation's), or "" for the defaults alone.
	Source string
	// Err is the problem with a broken file (the repository's, else the
	// organisation's); Config then holds what applies without it.
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

// SourceRepo is the repository of Source, "owner/repo" in lower case (the
// org's "owner/.github" for its file), or "" for the defaults alone.
func (l Loaded) SourceRepo() string {
	repo, ok := strings.CutSuffix(l.Source, "/"+Path)
	if !ok {
		return ""
	}
	return strings.ToLower(repo)
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

	mu       sync.Mutex
	cache    map[string]cached          // key: installation + lower-case "owner/repo"
	tcache   map[string]cachedTemplates // the same key
	combined map[string]combination     // the same key: a repository's layers applied
	gen      uint64                     // counts fetches, to tell cache entries apart
}

// cached is one file as fetched: its text, or that it is missing or too large.
type cached struct {
	data     []byte
	found    bool
	tooLarge *Error
	fetched  time.Time
	gen      uint64
}

// combination is a repository's Loaded, built from the org's file and its
// own as fetched in the generations named.
type combination struct {
	org, repo uint64
	loaded    Loaded
}

// NewLoader returns a Loader that keeps files for ttl.
func NewLoader(fetch FetchFunc, ttl time.Duration) *Loader {
	return &Loader{fetch: fetch, ttl: ttl, now: time.Now, cache: make(map[string]cached),
		tcache: make(map[string]cachedTemplates), combined: make(map[string]combination)}
}

// Load returns the configuration of owner/repo: the defaults, overlaid by
// the organisation's file in owner/.github, overlaid by the repository's
// own file (see Layer: each file replaces the settings it names). Only a
// failure to reach GitHub is an error; a broken file is reported in
// Loaded.Err and not applied.
func (l *Loader) Load(ctx context.Context, installationID int64, owner, repo string) (Loaded, error) {
	org, err := l.file(ctx, installationID, owner, ".github")
	if err != nil {
		return Loaded{}, err
	}
	var own cached
	if !strings.EqualFold(repo, ".github") {
		if own, err = l.file(ctx, installationID, owner, repo); err != nil {
			return Loaded{}, err
		}
	}
	key := cacheKey(installationID, owner, repo)
	l.mu.Lock()
	c, ok := l.combined[key]
	l.mu.Unlock()
	if !ok || c.org != org.gen || c.repo != own.gen {
		c = combination{org: org.gen, repo: own.gen, loaded: combine(owner, repo, org, own)}
		l.mu.Lock()
		l.combined[key] = c
		l.mu.Unlock()
	}
	loaded := c.loaded
	templates, err := l.templates(ctx, installationID, owner, repo)
	if err != nil {
		return Loaded{}, err
	}
	loaded.templates = templates
	return loaded, nil
}

// combine lays the organisation's file, then the repository's, over the
// defaults.
func combine(owner, repo string, org, own cached) Loaded {
	loaded := Loaded{Config: Default()}
	for _, f := range []struct {
		file cached
		repo string
	}{{org, ".github"}, {own, repo}} {
		if !f.file.found {
			continue
		}
		source := owner + "/" + f.repo + "/" + Path
		cfg, err := Layer(loaded.Config, f.file.data)
		if f.file.tooLarge != nil {
			cfg, err = loaded.Config, f.file.tooLarge
		}
		loaded.Config = cfg
		switch {
		case err != nil:
			loaded.Source, loaded.Err = source, err
		case loaded.Err == nil:
			loaded.Source = source
		}
	}
	return loaded
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
	c = cached{data: data, found: found, tooLarge: tooLarge, fetched: l.now()}
	if found && l.OnBroken != nil {
		perr := error(tooLarge)
		if tooLarge == nil {
			_, perr = Parse(data)
		}
		if perr != nil {
			l.OnBroken(owner+"/"+repo+"/"+Path, perr)
		}
	}
	l.mu.Lock()
	l.gen++
	c.gen = l.gen
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
	delete(l.combined, cacheKey(installationID, owner, repo))
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
	for k := range l.combined {
		if strings.HasPrefix(k, prefix) {
			delete(l.combined, k)
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
