package store

import (
	"testing"
	"time"
)

func TestOnlyAnOlderSnapshotIsRefused(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	stored := Thread{SnapshotAt: at}
	for _, c := range []struct {
		name    string
		thread  Thread
		updated time.Time
		want    bool
	}{
		{"newer", stored, at.Add(time.Second), true},
		{"the same second, taken in the order it comes", stored, at, true},
		{"older", stored, at.Add(-time.Second), false},
		{"stored before snapshots were kept", Thread{}, at.Add(-time.Hour), true},
	} {
		if got := c.thread.Newer(c.updated); got != c.want {
			t.Errorf("%s: Newer = %v, want %v", c.name, got, c.want)
		}
	}
}
