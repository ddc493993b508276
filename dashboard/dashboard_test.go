package dashboard_test

import (
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/dashboard"
)

func TestMedian(t *testing.T) {
	b := func(sec int64, n int) svcportal.ResponseBucket {
		return svcportal.ResponseBucket{Seconds: sec, Tickets: n}
	}
	for _, c := range []struct {
		name string
		in   []svcportal.ResponseBucket
		want time.Duration
	}{
		{"none", nil, 0},
		{"one", []svcportal.ResponseBucket{b(600, 1)}, 10 * time.Minute},
		{"odd count, unsorted buckets", []svcportal.ResponseBucket{b(7200, 1), b(60, 1), b(1800, 1)}, 30 * time.Minute},
		{"even count: mean of the middle two", []svcportal.ResponseBucket{b(1800, 1), b(7200, 1)}, 75 * time.Minute},
		{"middle inside a heavy bucket", []svcportal.ResponseBucket{b(60, 2), b(600, 5), b(86400, 2)}, 10 * time.Minute},
		{"middle two across buckets", []svcportal.ResponseBucket{b(60, 2), b(120, 2)}, 90 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := dashboard.Median(c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestFirstResponseBucket(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want int64
	}{
		{-time.Second, 0}, {59 * time.Second, 0}, {90 * time.Second, 60}, {119*time.Minute + 59*time.Second, 119 * 60},
		{2*time.Hour + 4*time.Minute, 7200}, {2*time.Hour + 7*time.Minute, 7500}, {30 * time.Hour, 30 * 3600},
		{8*24*time.Hour + 5*time.Hour, 8 * 86400}, {400 * 24 * time.Hour, 90 * 86400},
	} {
		if got := svcportal.FirstResponseBucket(c.in); got != c.want {
			t.Errorf("FirstResponseBucket(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}
