package portal_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal/testkit"
)

// admin is a bearer-token client of acme's admin API.
func (d *desk) admin(t *testing.T) *testkit.Browser {
	t.Helper()
	b := d.app.NewAPIClient(t, d.actx, "acme.localhost", "admin@acme.test", "notices")
	return b
}

func (d *desk) siteID(t *testing.T, name string) int64 {
	t.Helper()
	s, err := d.app.Store.SiteByName(d.actx, name)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// shown lists the titles of the announcements of a page, with their role.
func shown(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=announcements] .announcement").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("role", "")+":"+strings.TrimSpace(s.Find(".announcement-title").Text()))
	})
	return out
}

// TestAnnouncements_OnThePortal: contacts see the announcements running
// for their sites, on the home page and above the new-ticket form, in
// their language where it has one; an incident is an alert, anything else
// a status; scheduled and ended ones stay hidden; nobody else sees any.
func TestAnnouncements_OnThePortal(t *testing.T) {
	d := newDesk(t)
	admin := d.admin(t)
	now := d.app.Clock.Now()
	post := func(body map[string]any) {
		t.Helper()
		if rec := admin.JSON(t, "POST", "/api/v1/admin/announcements", body, nil); rec.Code != http.StatusCreated {
			t.Fatalf("post: %d %s", rec.Code, rec.Body)
		}
	}
	post(map[string]any{"title": "New phone numbers", "body": "Call **0800**.", "severity": "info",
		"translations": map[string]any{"fr": map[string]string{"title": "Nouveaux numéros", "body": "Appelez le **0800**."}}})
	post(map[string]any{"title": "Umbrella VPN down", "severity": "incident", "site_ids": []int64{d.siteID(t, "Umbrella")}})
	post(map[string]any{"title": "Mail migration", "severity": "maintenance", "starts_at": now.Add(24 * time.Hour), "ends_at": now.Add(48 * time.Hour)})
	post(map[string]any{"title": "Last week's outage", "severity": "incident", "starts_at": now.Add(-72 * time.Hour), "ends_at": now.Add(-time.Hour)})

	t.Run("each contact their sites' running ones", func(t *testing.T) {
		for _, c := range []struct {
			name string
			b    *testkit.Browser
			want string
		}{
			{"Initech", d.peter, "status:New phone numbers"},
			{"Umbrella", d.alice, "alert:Umbrella VPN down,status:New phone numbers"},
		} {
			for _, path := range []string{"/", "/tickets/new"} {
				_, doc := c.b.Page(t, path)
				if got := strings.Join(shown(doc), ","); got != c.want {
					t.Errorf("%s on %s: %q, want %q", c.name, path, got, c.want)
				}
			}
		}
		_, doc := d.peter.Page(t, "/")
		if got := doc.Find(".announcement strong").Text(); got != "0800" {
			t.Errorf("Markdown body: %q", got)
		}
		_, doc = d.peter.Page(t, "/tickets/new")
		if doc.Find("[data-testid=announcements] ~ form[action='/tickets']").Length() != 1 {
			t.Error("the announcements are not right above the new-ticket form")
		}
	})

	t.Run("nobody signed in sees none", func(t *testing.T) {
		doc := testkit.HTML(t, d.app.Get(t, "acme.localhost", "/", nil))
		if n := doc.Find("[data-testid=announcements]").Length(); n != 0 {
			t.Errorf("anonymous home shows %d announcement lists", n)
		}
	})

	t.Run("in the reader's language, else the default", func(t *testing.T) {
		if rec := d.alice.JSON(t, "PATCH", "/api/v1/me", map[string]string{"locale": "fr"}, nil); rec.Code != http.StatusOK {
			t.Fatalf("locale: %d", rec.Code)
		}
		_, doc := d.alice.Page(t, "/")
		if got := strings.Join(shown(doc), ","); got != "alert:Umbrella VPN down,status:Nouveaux numéros" {
			t.Errorf("in French: %q", got)
		}
		if doc.Find(".announcement[data-severity=incident]").AttrOr("lang", "") != "en" || doc.Find(".announcement[data-severity=info]").AttrOr("lang", "") != "fr" {
			t.Error("the lang attributes do not say which language each one is in")
		}
		if got := doc.Find(".announcement[data-severity=incident] .announcement-kind").Text(); got != "Incident en cours" {
			t.Errorf("severity label %q", got)
		}
	})

	t.Run("a scheduled one starts, an ended one stays gone", func(t *testing.T) {
		d.app.Clock.Advance(25 * time.Hour)
		_, doc := d.peter.Page(t, "/")
		if got := strings.Join(shown(doc), ","); got != "status:Mail migration,status:New phone numbers" {
			t.Errorf("a day later: %q", got)
		}
		if !strings.Contains(doc.Find(".announcement[data-severity=maintenance] .announcement-until").Text(), "tomorrow at 09:00") {
			t.Errorf("until %q", doc.Find(".announcement-until").Text())
		}
	})

	t.Run("another tenant's contact sees none of them", func(t *testing.T) {
		_, doc := d.gavin.Page(t, "/")
		if n := len(shown(doc)); n != 0 {
			t.Errorf("gavin sees %d", n)
		}
	})
}

// TestServiceHours_OnTheNewTicketForm: the form says when an answer can be
// expected, in the reader's language and the tenant's time zone, for the
// default priority and for each; the home page shows the week.
func TestServiceHours_OnTheNewTicketForm(t *testing.T) {
	d := newDesk(t)
	admin := d.admin(t)
	day := []map[string]string{{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}}
	settings := map[string]any{"time_zone": "Europe/Paris", "service_hours": map[string]any{
		"week":                   map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		"holidays":               []string{"2026-03-06"},
		"first_response_minutes": map[string]int{"urgent": 60, "normal": 480, "low": 1440},
	}}
	if rec := admin.JSON(t, "PATCH", "/api/v1/admin/settings", settings, nil); rec.Code != http.StatusOK {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	// The clock: Monday 2 March 2026, 09:00 UTC, 10:00 in Paris.
	_, doc := d.peter.Page(t, "/tickets/new")
	if got := doc.Find("[data-testid=answer-by]").Text(); got != "You can expect a first answer by tomorrow at 10:00." {
		t.Errorf("normal priority: %q", got)
	}
	var by []string
	doc.Find("[data-testid=answer-by-priority] li").Each(func(_ int, s *goquery.Selection) { by = append(by, s.Text()) })
	if got := strings.Join(by, " | "); got != "Low: Thursday 5 March at 10:00 | Normal: tomorrow at 10:00 | Urgent: today at 11:00" {
		t.Errorf("by priority: %q", got)
	}
	if got := doc.Find("[data-testid=open-now]").Text(); got != "Our service desk is open now." {
		t.Errorf("open now: %q", got)
	}

	t.Run("late on Thursday, before a holiday Friday", func(t *testing.T) {
		d.app.Clock.Advance(3*24*time.Hour + 8*time.Hour) // Thursday 17:00 UTC, 18:00 in Paris
		if rec := d.peter.JSON(t, "PATCH", "/api/v1/me", map[string]string{"locale": "fr"}, nil); rec.Code != http.StatusOK {
			t.Fatal(rec.Code)
		}
		_, doc := d.peter.Page(t, "/tickets/new")
		if got := doc.Find("[data-testid=answer-by]").Text(); got != "Vous pouvez attendre une première réponse d’ici lundi 9 mars à 18:00." {
			t.Errorf("in French: %q", got)
		}
		if got := doc.Find("[data-testid=open-now]").Text(); got != "Notre support est fermé en ce moment ; il rouvre lundi 9 mars à 09:00." {
			t.Errorf("closed: %q", got)
		}
		_, home := d.peter.Page(t, "/")
		var week []string
		home.Find("[data-testid=hours-week] tr").Each(func(_ int, s *goquery.Selection) {
			week = append(week, s.Find("th").Text()+" "+s.Find("td").Text())
		})
		if len(week) != 7 || week[0] != "lundi 09:00–12:00, 13:00–18:00" || week[6] != "dimanche Fermé" {
			t.Errorf("week on the home page: %q", week)
		}
	})
}

// TestTypeDescriptions_OnTheNewTicketForm: the form says what each type
// it offers is for, in the reader's language, else the tenant's default.
func TestTypeDescriptions_OnTheNewTicketForm(t *testing.T) {
	d := newDesk(t)
	_, doc := d.peter.Page(t, "/tickets/new")
	if doc.Find("[data-testid=type-descriptions]").Length() != 0 {
		t.Error("descriptions shown before any is written")
	}
	admin := d.admin(t)
	if rec := admin.JSON(t, "PATCH", "/api/v1/admin/settings", map[string]any{"ticket_type_descriptions": map[string]any{
		"incident": map[string]string{"en": "Something stopped working", "fr": "Quelque chose ne fonctionne plus"},
		"question": map[string]string{"en": "How do I…?"},
	}}, nil); rec.Code != http.StatusOK {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	read := func(b *testkit.Browser) string {
		_, doc := b.Page(t, "/tickets/new")
		var out []string
		doc.Find("[data-testid=type-descriptions] [data-type]").Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-type", "")+"="+s.Find("dt").Text()+":"+s.Find("dd").Text())
		})
		if doc.Find("#type-desc-incident").Length() != 1 || doc.Find("select#ff-type").Length() != 1 {
			t.Error("the descriptions cannot be tied to the type's choice")
		}
		return strings.Join(out, "|")
	}
	if got := read(d.peter); got != "incident=Incident:Something stopped working|question=Question:How do I…?" {
		t.Errorf("in English: %q", got)
	}
	if rec := d.peter.JSON(t, "PATCH", "/api/v1/me", map[string]string{"locale": "fr"}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
	if got := read(d.peter); !strings.Contains(got, "incident=") || !strings.Contains(got, ":Quelque chose ne fonctionne plus|question=") || !strings.HasSuffix(got, ":How do I…?") {
		t.Errorf("in French: %q", got)
	}
}
