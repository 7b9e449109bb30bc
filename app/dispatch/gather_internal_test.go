package dispatch

import (
	"fmt"
	"testing"
	"time"
)

func TestArrivalsSeeBurstsOnTheSameIssuesOnly(t *testing.T) {
	const period = 200 * time.Millisecond
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		keys []string // stored in the first period
		at   time.Duration
		want bool
	}{
		{"two deliveries to one issue", []string{"acme/web#1", "acme/web#1"}, period + time.Millisecond, true},
		{"a burst on one issue among quiet ones", []string{"acme/web#1", "acme/web#1", "acme/web#1", "acme/web#2"}, period + time.Millisecond, true},
		{"a bulk relabel: each issue once", []string{"acme/web#1", "acme/web#2", "acme/web#3"}, period + time.Millisecond, false},
		{"deliveries without an issue are lanes of their own", []string{"", "", ""}, period + time.Millisecond, false},
		{"the period under way does not count yet", []string{"acme/web#1", "acme/web#1"}, period / 2, false},
		{"a burst followed by a quiet period is over", []string{"acme/web#1", "acme/web#1"}, 2*period + time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := arrivals{period: period}
			for i, k := range tt.keys {
				a.add(k, t0.Add(time.Duration(i)*time.Millisecond))
			}
			if got := a.bursts(t0.Add(tt.at)); got != tt.want {
				t.Errorf("bursts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestArrivalsSeeNoBurstInAPeriodThatStoredNothing(t *testing.T) {
	const period = time.Second
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	a := arrivals{period: period}
	a.bursts(t0) // starts a period in which nothing is stored
	if a.bursts(t0.Add(period + time.Millisecond)) {
		t.Error("a period that stored nothing is a burst")
	}
}

func TestArrivalsForgetTheIssuesOfEndedPeriods(t *testing.T) {
	const period = time.Second
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	a := arrivals{period: period}
	a.add("acme/web#1", t0)
	a.add("acme/web#2", t0.Add(period)) // rolls the period over
	a.add("acme/web#2", t0.Add(period+time.Millisecond))
	if len(a.lanes) != 1 {
		t.Errorf("arrivals keeps %d issues after a period ended, want only the current period's 1", len(a.lanes))
	}
	if !a.bursts(t0.Add(2 * period)) {
		t.Error("two deliveries to one issue in the last period are not a burst")
	}
}

func TestArrivalsKeepNothingWhenGatheringIsOff(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var a arrivals // no period
	for i := range 1000 {
		a.add(fmt.Sprintf("acme/web#%d", i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if len(a.lanes) != 0 || a.bursts(t0.Add(time.Hour)) {
		t.Errorf("with gathering off, arrivals keeps %d issues, bursts %v; want none", len(a.lanes), a.bursts(t0.Add(time.Hour)))
	}
}
