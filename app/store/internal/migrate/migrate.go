// Package migrate reads the versioned schema migrations that the SQLite and
// PostgreSQL stores embed. Each store runs its own migrations in its own
// dialect; what they share is the numbering rule: files named
// NNNN_description.sql, versions starting at 1 with no gaps, each applied
// once, in its own transaction, and recorded in a schema_migrations table.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one schema change.
type Migration struct {
	Version int    // 1, 2, 3, ... in the order they apply
	Name    string // the file name, for error messages
	SQL     string // one or more statements
}

// Load returns the migrations in dir of fsys, sorted by version. It refuses
// files that are not named NNNN_description.sql, duplicate versions and
// gaps, so that a mistake in a new migration fails every test at once.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s is not named NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s does not start with a version number from 1", name)
		}
		text, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s has version %d, want %d (versions start at 1 with no gaps or duplicates)", m.Name, m.Version, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// Pending returns the migrations after version current. It refuses a
// database whose version is newer than the code knows, which happens when
// an older binary starts on a database that a newer one already migrated.
func Pending(ms []Migration, current int) ([]Migration, error) {
	if current > len(ms) {
		return nil, fmt.Errorf("the database schema is at version %d but this ownershipbot knows only up to %d; run a newer ownershipbot", current, len(ms))
	}
	return ms[current:], nil
}
