//go:build !unix

package analysis

// cpuNanos is unknown here; the benchmarks then report wall-clock speed only.
func cpuNanos() int64 { return 0 }
