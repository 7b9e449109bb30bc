//go:build unix

package analysis

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time the test process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPUThroughput adds the MB/s per core of CPU time the loop used
// (cpu-MB/s): on a machine shared with other work, wall time counts the
// waits for a core too, CPU time much less so.
func reportCPUThroughput(b *testing.B, start time.Duration, bytesPerOp int64) {
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
	}
}
