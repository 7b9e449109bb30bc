//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) on the database file itself for as
// long as the store is open, so that a second process on the same database
// fails to open it instead of taking over the first one's leases. The lock
// belongs to the file, not its name: a symbolic or hard link to it is
// refused too. SQLite's own locks are fcntl(2) locks, which flock does not
// touch; the descriptor stays open until the store is closed, as closing
// one would drop SQLite's locks. The operating system drops the lock when
// the process dies, however it dies.
func lockFile(path string) (release func(), err error) {
	name := path
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the SQLite database %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the SQLite database %s is already open in another ownershipbot process; "+
				"a SQLite database serves one process (use PostgreSQL for several replicas)", path)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}
