package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// TestHostileText is the 500-on-hostile-input finding of issue 9: a NUL
// byte or bytes that are not UTF-8 in any text a client sends (form,
// JSON, multipart, query) is a localised 400 naming the field, and
// nothing is saved. PostgreSQL refuses such text, so this is most telling
// there; SQLite must answer the same.
func TestHostileText(t *testing.T) {
	d := newDesk(t)
	ticket := d.create(t, d.peter, map[string]any{"title": "Printer"})

	type answer struct {
		Error web.APIErrorDetail `json:"error"`
	}
	checkAPI := func(t *testing.T, rec *httptest.ResponseRecorder, field string) {
		t.Helper()
		body := rec.Body.Bytes()
		if code := rec.Code; code != http.StatusBadRequest {
			t.Fatalf("got %d %s, want 400", code, body)
		}
		var a answer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		if a.Error.Code != "invalid_text" || a.Error.Message == "" {
			t.Errorf("got %+v", a.Error)
		}
		if field != "" && a.Error.Fields[field] == "" {
			t.Errorf("field %q not named: %+v", field, a.Error.Fields)
		}
	}

	jsonCases := []struct {
		name, method, path, body, field string
		b                               *testkit.Browser
	}{
		{"API login email", "POST", "/api/v1/auth/login", `{"email":"peter\u0000@initech.test","password":"x"}`, "email", d.app.NewBrowser("acme.localhost")},
		{"password reset email", "POST", "/api/v1/auth/password-reset", `{"email":"a\u0000@b.test"}`, "email", d.app.NewBrowser("acme.localhost")},
		{"ticket title", "POST", "/api/v1/tickets", `{"title":"Printer\u0000jams"}`, "title", d.peter},
		{"custom field value", "POST", "/api/v1/tickets", `{"title":"Printer","fields":{"asset_tag":"PR\u0000"}}`, "fields.asset_tag", d.peter},
		{"CC address", "POST", "/api/v1/tickets", `{"title":"Printer","cc":["a\u0000@b.test"]}`, "cc", d.peter},
		{"title not UTF-8", "POST", "/api/v1/tickets", "{\"title\":\"Printer \xff\xfe\"}", "", d.peter},
		{"profile", "PATCH", "/api/v1/me", `{"first_name":"Pe\u0000ter"}`, "first_name", d.peter},
		{"reply", "POST", fmt.Sprintf("/api/v1/tickets/%d/replies", ticket.Number), `{"body":"\u0000"}`, "body", d.peter},
		{"field update", "PATCH", fmt.Sprintf("/api/v1/tickets/%d", ticket.Number), `{"fields":{"asset_tag":"\u0000"}}`, "fields.asset_tag", d.peter},
		{"staff reply", "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/replies", ticket.Number), `{"body":"x\u0000"}`, "body", d.agent},
	}
	for _, tc := range jsonCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.b.JSON(t, tc.method, tc.path, tc.body, nil)
			checkAPI(t, rec, tc.field)
		})
	}

	queryCases := []struct{ name, path, field string }{
		{"query words", "/api/v1/tickets?q=a%00b", "q"},
		{"field filter", "/api/v1/tickets?field.asset_tag=%00", "field.asset_tag"},
		{"query not UTF-8", "/api/v1/tickets?q=%ff%fe", "q"},
		{"KB search", "/api/v1/kb/search?q=%00", "q"},
		{"path", "/api/v1/tickets/%00", ""},
	}
	for _, tc := range queryCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := d.peter.Get(t, tc.path)
			checkAPI(t, rec, tc.field)
		})
	}

	t.Run("multipart ticket", func(t *testing.T) {
		rec := d.peter.Multipart(t, "/api/v1/tickets", url.Values{"title": {"x\x00y"}}, []testkit.File{{Name: "a.txt", Content: []byte("a")}})
		checkAPI(t, rec, "title")
	})

	t.Run("in the reader's language", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		b.Header.Set("Accept-Language", "de")
		rec := b.JSON(t, "POST", "/api/v1/auth/login", `{"email":"\u0000","password":"x"}`, nil)
		var a answer
		json.Unmarshal(rec.Body.Bytes(), &a)
		if rec.Code != http.StatusBadRequest || a.Error.Message != "Dieser Text enthält unzulässige Zeichen." {
			t.Errorf("got %d %+v", rec.Code, a.Error)
		}
	})

	t.Run("pages", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		b.Page(t, "/login")
		if rec := b.Submit(t, "/login", url.Values{"email": {"peter\x00@initech.test"}, "password": {testkit.Password}}); rec.Code != http.StatusBadRequest {
			t.Errorf("login form: got %d, want 400", rec.Code)
		}
		signIn(t, b, "peter@initech.test", testkit.Password)
		b.Page(t, "/profile")
		if rec := b.Submit(t, "/profile", url.Values{"first_name": {"Pe\x00ter"}, "last_name": {"P"}, "email": {"peter@initech.test"}}); rec.Code != http.StatusBadRequest {
			t.Errorf("profile form: got %d, want 400", rec.Code)
		}
		if rec := b.Get(t, "/tickets?q=%00"); rec.Code != http.StatusBadRequest {
			t.Errorf("ticket filter page: got %d, want 400", rec.Code)
		}
		doc := testkit.HTML(t, b.Get(t, "/tickets?q=%00"))
		if got := strings.TrimSpace(doc.Find("[data-testid=error-message]").Text()); got != "This text contains characters that are not allowed." {
			t.Errorf("error page says %q", got)
		}
	})

	t.Run("nothing was saved", func(t *testing.T) {
		var list struct {
			Tickets []svcportal.TicketView `json:"tickets"`
			Total   int                    `json:"total"`
		}
		d.peter.JSON(t, "GET", "/api/v1/tickets", nil, &list)
		if list.Total != 1 {
			t.Errorf("got %d tickets, want 1", list.Total)
		}
		var v svcportal.TicketView
		d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", ticket.Number), nil, &v)
		if len(v.Messages) != 0 || v.Fields["asset_tag"] != nil {
			t.Errorf("got messages %+v fields %v", v.Messages, v.Fields)
		}
	})
}
