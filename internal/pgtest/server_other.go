//go:build !linux

package pgtest

import (
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

// Server is a PostgreSQL server of a test's own; see the Linux version.
type Server struct{ URL string }

// StartServer is available on Linux only: elsewhere the test is skipped, or
// fails under CI=true.
func StartServer(t testing.TB) *Server {
	t.Helper()
	needs.Missing(t, "a PostgreSQL server of the test's own needs Linux (signals and /proc)", "run the test on Linux")
	return nil
}

// Freeze is a no-op outside Linux.
func (s *Server) Freeze() {}

// Thaw is a no-op outside Linux.
func (s *Server) Thaw() {}
