package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/web"
)

// A profile change that fails validation changes nothing, and says what is
// wrong per field, in the reader's language.
func TestProfileAPI_Validation(t *testing.T) {
	w := newWorld(t)
	b := w.app.NewBrowser("acme.localhost")
	apiLogin(t, b, "peter@initech.test", testkit.Password)
	var me svcportal.Contact
	if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"first_name": "Peter", "phone": "+33 1 23 45 67 89", "job_title": "Engineer"}, &me); rec.Code != http.StatusOK {
		t.Fatalf("a valid profile: %d %s", rec.Code, rec.Body)
	}
	for _, tt := range []struct {
		name  string
		body  map[string]string
		field string
		want  string
	}{
		{"a phone that is not one", map[string]string{"phone": "not a phone !!", "job_title": "Boss"}, "phone",
			"Enter a phone number such as +44 20 7946 0958: digits, spaces, dots, dashes or brackets, with + only at the start."},
		{"a phone of 16 digits", map[string]string{"phone": "+1234567890123456"}, "phone", ""},
		{"a + in the middle", map[string]string{"phone": "01 +23 45"}, "phone", ""},
		{"a blank first name", map[string]string{"first_name": "", "job_title": "Boss"}, "first_name", "This field is required."},
		{"spaces for a first name", map[string]string{"first_name": "   "}, "first_name", "This field is required."},
		{"a time zone that does not exist", map[string]string{"time_zone": "Mars/Olympus", "job_title": "Boss"}, "time_zone",
			"Unknown time zone: Mars/Olympus. Use a name such as Europe/Paris."},
		{"a time zone in the wrong case", map[string]string{"time_zone": "europe/paris"}, "time_zone", ""},
		{"the host's local zone", map[string]string{"time_zone": "Local"}, "time_zone", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var e web.APIError
			rec := b.JSON(t, "PATCH", "/api/v1/me", tt.body, &e)
			if rec.Code != http.StatusUnprocessableEntity || e.Error.Fields[tt.field] == "" || (tt.want != "" && e.Error.Fields[tt.field] != tt.want) {
				t.Fatalf("got %d %+v, want 422 on %s %q", rec.Code, e, tt.field, tt.want)
			}
			var now svcportal.Contact
			b.JSON(t, "GET", "/api/v1/me", nil, &now)
			if now.FirstName != "Peter" || now.Phone != "+33 1 23 45 67 89" || now.JobTitle != "Engineer" || now.TimeZone != "" {
				t.Errorf("a refused change changed the contact: %+v", now)
			}
		})
	}
	t.Run("messages in the reader's language", func(t *testing.T) {
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"locale": "de"}, nil); rec.Code != http.StatusOK {
			t.Fatalf("locale: %d %s", rec.Code, rec.Body)
		}
		defer b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"locale": "en"}, nil)
		var e web.APIError
		b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"phone": "not a phone !!", "first_name": ""}, &e)
		if got := e.Error.Fields["phone"]; got != "Geben Sie eine Telefonnummer wie +49 30 1234567 ein: Ziffern, Leerzeichen, Punkte, Bindestriche oder Klammern, mit + nur am Anfang." {
			t.Errorf("phone in German: %q", got)
		}
		if got := e.Error.Fields["first_name"]; got == "" || got == "This field is required." {
			t.Errorf("first name in German: %q", got)
		}
	})
	t.Run("phones as people write them", func(t *testing.T) {
		for _, phone := range []string{"(555) 010-1234", "+44 20 7946 0958 ext. 12", "030/123456", ""} {
			var got svcportal.Contact
			if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"phone": phone}, &got); rec.Code != http.StatusOK || got.Phone != phone {
				t.Errorf("%q: %d %s", phone, rec.Code, rec.Body)
			}
		}
	})
	t.Run("a first name left out of the body stays", func(t *testing.T) {
		var got svcportal.Contact
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"job_title": "Lead"}, &got); rec.Code != http.StatusOK || got.FirstName != "Peter" {
			t.Errorf("got %d %+v", rec.Code, got)
		}
	})
	t.Run("a phone saved before phones were checked does not block other changes", func(t *testing.T) {
		actx := svcportal.WithTenant(t.Context(), mustTenantOf(t, w.app, "acme"))
		c, err := w.app.Store.Contact(actx, w.peter.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.Phone = "call the desk"
		if err := w.app.Store.UpdateContact(actx, c); err != nil {
			t.Fatal(err)
		}
		var got svcportal.Contact
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"job_title": "Chief"}, &got); rec.Code != http.StatusOK || got.JobTitle != "Chief" {
			t.Errorf("another field: %d %s", rec.Code, rec.Body)
		}
		var e web.APIError
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"phone": "call me maybe"}, &e); rec.Code != http.StatusUnprocessableEntity || e.Error.Fields["phone"] == "" {
			t.Errorf("a new bad phone: %d %+v", rec.Code, e)
		}
	})
	t.Run("the time zone is saved and cleared", func(t *testing.T) {
		var got svcportal.Contact
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"time_zone": "America/New_York"}, &got); rec.Code != http.StatusOK || got.TimeZone != "America/New_York" {
			t.Fatalf("set: %d %s", rec.Code, rec.Body)
		}
		b.JSON(t, "GET", "/api/v1/me", nil, &got)
		if got.TimeZone != "America/New_York" {
			t.Errorf("GET /me after setting: %q", got.TimeZone)
		}
		if rec := b.JSON(t, "PATCH", "/api/v1/me", map[string]string{"time_zone": ""}, &got); rec.Code != http.StatusOK || got.TimeZone != "" {
			t.Errorf("clear: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestProfilePage_ValidationAndTimeZone(t *testing.T) {
	w := newWorld(t)
	actx := svcportal.WithTenant(t.Context(), mustTenantOf(t, w.app, "acme"))
	zone := "America/New_York"
	if _, err := w.app.Tenants.UpdateSettings(actx, svcportal.TenantSettings{TimeZone: &zone}); err != nil {
		t.Fatal(err)
	}
	cat := testkit.KBCategory(actx, t, w.app.Store, "Help")
	art := testkit.KBArticle(actx, t, w.app.Store, testkit.KBSection(actx, t, w.app.Store, cat, "Basics"), svcportal.KBPublished, "Dated", "Body")
	b := w.app.NewBrowser("acme.localhost")
	signIn(t, b, "peter@initech.test", testkit.Password)
	b.Page(t, "/settings") // the form's CSRF token
	if rec := b.Submit(t, "/settings", url.Values{"locale": {"fr"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", rec.Code)
	}
	form := url.Values{"first_name": {""}, "last_name": {"Gibbons"}, "job_title": {"Engineer"}, "email": {"peter@initech.test"},
		"phone": {"not a phone !!"}, "time_zone": {"Mars/Olympus"}}

	t.Run("errors beside their fields, in the reader's language, nothing saved", func(t *testing.T) {
		rec, doc := b.SubmitPage(t, "/profile", form)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("got %d", rec.Code)
		}
		for field, want := range map[string]string{
			"first_name": "Ce champ est obligatoire.",
			"phone":      "Saisissez un numéro de téléphone comme +33 1 23 45 67 89 : des chiffres, espaces, points, tirets ou parenthèses, avec le + seulement au début.",
			"time_zone":  "Fuseau horaire inconnu : Mars/Olympus. Utilisez un nom comme Europe/Paris.",
		} {
			if got := doc.Find("#f-" + field + "-error").Text(); got != want {
				t.Errorf("%s error: got %q, want %q", field, got, want)
			}
			if inv, _ := doc.Find("#f-" + field).Attr("aria-invalid"); inv != "true" {
				t.Errorf("%s is not marked invalid", field)
			}
		}
		if v, _ := doc.Find("#f-phone").Attr("value"); v != "not a phone !!" {
			t.Errorf("typed phone lost: %q", v)
		}
		if _, ok := doc.Find("#f-first_name").Attr("required"); !ok {
			t.Error("the first name is not marked required")
		}
		c, err := w.app.Store.Contact(actx, w.peter.ID)
		if err != nil || c.LastName != "" || c.JobTitle != "" || c.Phone != "" || c.TimeZone != "" {
			t.Errorf("a refused form changed the contact: %+v %v", c, err)
		}
	})

	// The article's creation date, as the page shows it on hover.
	created := func(t *testing.T) (string, time.Time) {
		t.Helper()
		_, doc := articlePage(t, b, art, "")
		el := doc.Find("[data-testid=kb-created] time")
		title, _ := el.Attr("title")
		dt, _ := el.Attr("datetime")
		at, err := time.Parse(time.RFC3339, dt)
		if err != nil {
			t.Fatalf("datetime %q: %v", dt, err)
		}
		return title, at
	}
	french := "02/01/2006 15:04"
	t.Run("dates in the tenant's zone by default", func(t *testing.T) {
		_, doc := b.Page(t, "/profile")
		if hint := doc.Find("#f-time_zone-hint").Text(); hint == "" || !containsAll(hint, "America/New_York") {
			t.Errorf("hint names not the portal's zone: %q", hint)
		}
		title, at := created(t)
		ny, _ := time.LoadLocation("America/New_York")
		if want := at.In(ny).Format(french); title != want {
			t.Errorf("got %q, want %q (New York)", title, want)
		}
	})
	t.Run("dates in the contact's own zone once chosen", func(t *testing.T) {
		ok := url.Values{"first_name": {"Peter"}, "last_name": {"Gibbons"}, "job_title": {""}, "email": {"peter@initech.test"},
			"phone": {"+33 1 23 45 67 89"}, "time_zone": {"Asia/Tokyo"}}
		if rec := b.Submit(t, "/profile", ok); rec.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", rec.Code, rec.Body)
		}
		_, doc := b.Page(t, "/profile")
		if v, _ := doc.Find("#f-time_zone").Attr("value"); v != "Asia/Tokyo" {
			t.Errorf("saved zone shown as %q", v)
		}
		title, at := created(t)
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		if want := at.In(tokyo).Format(french); title != want {
			t.Errorf("got %q, want %q (Tokyo)", title, want)
		}
		// An announcement's end, on the home page.
		ends, title := w.app.Clock.Now().Add(3*time.Hour), "Maintenance"
		if _, err := w.app.Announcements.CreateAnnouncement(actx, svcportal.AnnouncementChange{Title: &title,
			EndsAt: svcportal.Optional[time.Time]{Set: true, Value: &ends}}); err != nil {
			t.Fatal(err)
		}
		_, doc = b.Page(t, "/")
		if got, want := doc.Find(".announcement-until").Text(), ends.In(tokyo).Format("15:04"); !strings.Contains(got, want) {
			t.Errorf("announcement until %q, want Tokyo's %s", got, want)
		}
	})
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
