package ticketapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
)

// FuzzParseFilter: any query string gives a filter or a
// KindInvalid/KindUnprocessable error, never a panic; an accepted filter
// has a known scope and statuses, positive paging, and stays within the
// bounds of one request's work.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"q=printer&status=open,closed&unread=true&page=2&per_page=10&field.asset_tag=PR-1&sort=-updated",
		"scope=mine", "scope=everyone", "status=open,,bogus", "page=0", "per_page=99999999999999999999",
		"q=" + strings.Repeat("w+", 20), "q=" + strings.Repeat("é", 201), "field.a=1&field.b=2", "unread=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		got, err := ticketapi.ParseFilter(q)
		if err != nil {
			if k := svcportal.KindOf(err); k != svcportal.KindInvalid && k != svcportal.KindUnprocessable {
				t.Fatalf("?%s: %v", raw, err)
			}
			return
		}
		if got.Scope != "" && got.Scope != "mine" && got.Scope != "site" {
			t.Fatalf("?%s: scope %q", raw, got.Scope)
		}
		for _, s := range got.Status {
			if !slices.Contains(svcportal.Statuses, s) {
				t.Fatalf("?%s: status %q", raw, s)
			}
		}
		if got.Page < 0 || got.PerPage < 0 {
			t.Fatalf("?%s: paging %d/%d", raw, got.Page, got.PerPage)
		}
		if utf8.RuneCountInString(got.Query) > svcportal.MaxQueryLength || len(strings.Fields(got.Query)) > svcportal.MaxQueryWords ||
			len(got.Fields) > svcportal.MaxFieldFilters {
			t.Fatalf("?%s: unbounded filter %+v", raw, got)
		}
	})
}
