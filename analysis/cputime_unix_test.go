//go:build unix

package analysis

import "syscall"

// cpuNanos is the CPU time the process has used, user and system: on a
// machine shared with other work, per-core speed is bytes over this, not
// over the wall clock.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
