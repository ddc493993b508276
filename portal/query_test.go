package portal_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal/web"
)

// TestHostileQueries is the unbounded-search finding of issue 9: a ticket
// query of a thousand words or fifty thousand characters, or a KB search
// of five thousand, is a localised 422 naming the parameter, decided
// before any query runs, while a query within the limits still works.
func TestHostileQueries(t *testing.T) {
	d := newDesk(t)
	d.create(t, d.peter, map[string]any{"title": "Printer jams on floor three"})
	l := newLibrary(t)

	manyWords := strings.TrimSpace(strings.Repeat("printer ", 1000))
	longWord := strings.Repeat("p", 50000)
	cases := []struct {
		name, path, field string
		get               func(t *testing.T, path string) (int, []byte)
	}{
		{"ticket query of 1,000 words", "/api/v1/tickets?q=" + url.QueryEscape(manyWords), "q", nil},
		{"ticket query of 50,000 characters", "/api/v1/tickets?q=" + longWord, "q", nil},
		{"staff ticket query of 1,000 words", "/api/v1/admin/tickets?q=" + url.QueryEscape(manyWords), "q", nil},
		{"KB search of 5,000 characters", "/api/v1/kb/search?q=" + strings.Repeat("passw", 1000), "q", nil},
		{"KB search of 1,000 words", "/api/v1/kb/search?q=" + url.QueryEscape(strings.Repeat("reset ", 1000)), "q", nil},
		{"too many field filters", "/api/v1/tickets?" + manyFieldFilters(100), "field", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := d.peter
			switch {
			case strings.HasPrefix(tc.path, "/api/v1/admin/"):
				b = d.agent
			case strings.HasPrefix(tc.path, "/api/v1/kb/"):
				b = l.peter
			}
			rec := b.Get(t, tc.path)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("got %d %.200s, want 422", rec.Code, rec.Body)
			}
			var a struct {
				Error web.APIErrorDetail `json:"error"`
			}
			json.Unmarshal(rec.Body.Bytes(), &a)
			if a.Error.Fields[tc.field] == "" {
				t.Errorf("parameter %q not named: %+v", tc.field, a.Error)
			}
		})
	}

	t.Run("in the reader's language", func(t *testing.T) {
		var a struct {
			Error web.APIErrorDetail `json:"error"`
		}
		if rec := d.milton.JSON(t, "PATCH", "/api/v1/me", map[string]any{"locale": "fr"}, nil); rec.Code != http.StatusOK {
			t.Fatalf("choose French: %d %s", rec.Code, rec.Body)
		}
		r := d.milton.Get(t, "/api/v1/tickets?q="+longWord)
		json.Unmarshal(r.Body.Bytes(), &a)
		want := "Recherchez avec au plus 200 caractères."
		if a.Error.Fields["q"] != want {
			t.Errorf("got %+v, want %q", a.Error, want)
		}
	})

	t.Run("within the limits", func(t *testing.T) {
		var list struct {
			Total int `json:"total"`
		}
		q := url.QueryEscape("printer jams floor three")
		if rec := d.peter.JSON(t, "GET", "/api/v1/tickets?q="+q, nil, &list); rec.Code != http.StatusOK || list.Total != 1 {
			t.Errorf("got %d total %d", rec.Code, list.Total)
		}
		if rec := l.peter.Get(t, "/api/v1/kb/search?q=password"); rec.Code != http.StatusOK {
			t.Errorf("KB search: got %d", rec.Code)
		}
		if rec := d.peter.Get(t, "/tickets?q="+longWord); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("ticket list page: got %d, want 422", rec.Code)
		}
	})
}

func manyFieldFilters(n int) string {
	v := url.Values{}
	for i := range n {
		v.Set("field.f"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)), "1")
	}
	return v.Encode()
}
