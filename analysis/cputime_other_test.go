//go:build !unix

package analysis

import (
	"testing"
	"time"
)

func processCPU() time.Duration { return 0 }

func reportCPUThroughput(*testing.B, time.Duration, int64) {}
