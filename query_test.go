package svcportal_test

import (
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestQueryOf(t *testing.T) {
	long := strings.Repeat("é", svcportal.MaxQueryLength+10)
	for _, tc := range []struct{ in, want string }{
		{"  vpn   password ", "vpn password"},
		{"one two three four five six seven eight nine ten eleven twelve thirteen fourteen", "one two three four five six seven eight nine ten eleven twelve"},
		{long, long[:2*svcportal.MaxQueryLength]},
		{"", ""},
	} {
		got := svcportal.QueryOf(tc.in)
		if got != tc.want {
			t.Errorf("QueryOf(%.30q) = %.30q, want %.30q", tc.in, got, tc.want)
		}
		if err := svcportal.CheckQuery("q", got); err != nil {
			t.Errorf("QueryOf(%.30q) is refused as a query: %v", tc.in, err)
		}
	}
}
