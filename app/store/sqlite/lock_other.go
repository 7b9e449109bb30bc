//go:build !unix

package sqlite

// lockFile does nothing where flock(2) is missing: there, keeping to one
// process per database file is up to the operator.
func lockFile(path string) (release func(), err error) { return func() {}, nil }
