package admin_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

// TestSettingsPage: the admin opens /admin/settings and saves each
// section; the agent and a contact are refused; a mistake is shown beside
// its field and in the summary, and keeps what was typed.
func TestSettingsPage(t *testing.T) {
	d := newDesk(t)

	t.Run("refused to the agent and to a contact", func(t *testing.T) {
		for _, path := range []string{"/admin/settings", "/admin/settings/wording", "/admin/announcements"} {
			if rec := d.agent.Get(t, path); rec.Code != http.StatusForbidden {
				t.Errorf("agent on %s: %d, want 403", path, rec.Code)
			}
			if rec := d.peter.Get(t, path); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
				t.Errorf("contact on %s: %d %q", path, rec.Code, rec.Header().Get("Location"))
			}
		}
		if rec := d.agent.Submit(t, "/admin/settings", url.Values{"section": {"branding"}, "name": {"Hacked"}}); rec.Code != http.StatusForbidden {
			t.Errorf("agent saves: %d", rec.Code)
		}
	})

	t.Run("renders every section", func(t *testing.T) {
		rec, doc := d.admin.Page(t, "/admin/settings")
		if rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
		for _, sel := range []string{"[data-testid=branding-form] #f-name", "#f-primary_color[type=color]", "#f-accent_color",
			"[data-testid=portal-form] #f-domains", "#f-time_zone", "#f-kb_public", "[data-testid=tickets-form] #f-ticket_types",
			"#f-ticket_type_descriptions\\.incident input[name='desc.incident.en']", "[data-testid=hours-form] input[name='hours.mon']",
			"input[name='first_response.urgent']", "[data-testid=email-form] textarea[name='welcome.en']", "[data-testid=sso-form] #f-issuer",
			"[data-testid=logo-form] input[type=file]", "[data-testid=favicon-form]", "[data-testid=brand-preview-light]", "[data-testid=brand-preview-dark]",
			"[data-testid=contrast] tr[data-use=links_light]", "link[href^='/admin/settings/preview.css']", "nav.mainnav a[href='/admin/settings'][aria-current=page]"} {
			if doc.Find(sel).Length() == 0 {
				t.Errorf("no %s", sel)
			}
		}
		if doc.Find("[data-testid=contrast-warning][hidden]").Length() != 1 {
			t.Error("the default colours warn about contrast")
		}
		if n := doc.Find("form[method=post] input[name=csrf_token]").Length(); n < 8 {
			t.Errorf("%d forms carry the CSRF token", n)
		}
	})

	t.Run("branding preview without saving, with the contrast warning", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/settings", url.Values{"section": {"branding"}, "action": {"preview"},
			"name": {"Yellow IT"}, "primary_color": {"#ffeb3b"}, "accent_color": {"#0f766e"}, "footer": {"Call us"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("preview: %d", rec.Code)
		}
		if doc.Find("[data-testid=contrast-warning]:not([hidden])").Length() != 1 || doc.Find("tr[data-use=links_light].contrast-fails [data-ratio]").Text() != "1.59:1" {
			t.Errorf("warning %d, ratio %q", doc.Find("[data-testid=contrast-warning]:not([hidden])").Length(), doc.Find("tr[data-use=links_light] [data-ratio]").Text())
		}
		if got := doc.Find("[data-testid=brand-preview-light] [data-preview=name]").Text(); got != "Yellow IT" {
			t.Errorf("preview name %q", got)
		}
		href := doc.Find("link[href^='/admin/settings/preview.css']").AttrOr("href", "")
		css := d.admin.Get(t, href).Body.String()
		if !strings.Contains(css, ".brand-preview{--brand:#ffeb3b;--on-brand:#000000") || !strings.Contains(css, ".swatch-links-light{color:#d9c832;background:#f6f7f9}") {
			t.Errorf("preview.css %q", css)
		}
		if got := svcportal.TenantFrom(d.tenantCtx(t)).PrimaryColor; got == "#ffeb3b" {
			t.Error("the preview saved the colour")
		}
	})

	t.Run("each section saves", func(t *testing.T) {
		forms := []url.Values{
			{"section": {"branding"}, "name": {"Acme Support"}, "primary_color": {"#7c3aed"}, "accent_color": {"#0f766e"}, "footer": {"24/7"}},
			{"section": {"portal"}, "domains": {"help.acme.example\nSupport.Acme.Example"}, "default_locale": {"en"}, "enabled_locales": {"en", "fr"},
				"kb_public": {"on"}, "time_zone": {"Europe/Paris"}},
			{"section": {"tickets"}, "ticket_types": {"incident\nrequest\ndata_reports"}, "desc.data_reports.en": {"Wrong figures"},
				"desc.data_reports.fr": {"Chiffres faux"}, "auto_close_days": {"10"}, "max_upload_mb": {"30"}},
			{"section": {"hours"}, "hours.mon": {"9-12, 13:00–18:00"}, "hours.tue": {"09:00-18:00"}, "holidays": {"2026-12-25\n01-01"},
				"first_response.urgent": {"1"}, "first_response.normal": {"0,5"}},
			{"section": {"email"}, "welcome.en": {"Welcome aboard!"}, "welcome.fr": {"Bienvenue !"}},
		}
		for _, f := range forms {
			rec := d.admin.Submit(t, "/admin/settings", f)
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/settings?done="+f.Get("section")) {
				t.Fatalf("%s: %d %q %s", f.Get("section"), rec.Code, rec.Header().Get("Location"), rec.Body)
			}
		}
		tn := svcportal.TenantFrom(d.tenantCtx(t))
		sh := tn.ServiceHours
		if tn.Name != "Acme Support" || strings.Join(tn.Domains, ",") != "help.acme.example,support.acme.example" || !tn.KBPublic ||
			tn.TimeZone != "Europe/Paris" || tn.TicketTypeDescriptions["data_reports"]["fr"] != "Chiffres faux" || tn.AutoCloseDays != 10 ||
			len(sh.Week["mon"]) != 2 || sh.Week["mon"][0] != (svcportal.Span{From: "09:00", To: "12:00"}) || sh.Week["mon"][1].To != "18:00" ||
			sh.FirstResponse["urgent"] != 60 || sh.FirstResponse["normal"] != 30 || len(sh.Holidays) != 2 || tn.WelcomeEmail["fr"] != "Bienvenue !" {
			t.Errorf("saved: %+v", tn)
		}
		_, doc := d.admin.Page(t, "/admin/settings?done=hours")
		if doc.Find("[role=status]").Length() == 0 || doc.Find("input[name='hours.mon']").AttrOr("value", "") != "09:00-12:00, 13:00-18:00" ||
			doc.Find("input[name='first_response.normal']").AttrOr("value", "") != "0.5" {
			t.Errorf("after saving: notice %d, mon %q", doc.Find("[role=status]").Length(), doc.Find("input[name='hours.mon']").AttrOr("value", ""))
		}
	})

	t.Run("a mistake beside its field and in the summary", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/settings", url.Values{"section": {"hours"}, "hours.wed": {"18:00-09:00"}, "hours.thu": {"all day"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%d", rec.Code)
		}
		for _, f := range []string{"service_hours.week.wed", "service_hours.week.thu"} {
			if doc.Find("[data-testid=error-summary] a[href='#f-"+f+"']").Length() != 1 || doc.Find("#f-"+strings.ReplaceAll(f, ".", "\\.")+"-error").Length() != 1 {
				t.Errorf("no complaint on %s", f)
			}
		}
		if doc.Find("input[name='hours.thu']").AttrOr("value", "") != "all day" {
			t.Error("the typed hours are lost")
		}
		rec, doc = d.admin.SubmitPage(t, "/admin/settings", url.Values{"section": {"portal"}, "default_locale": {"de"}, "enabled_locales": {"en"}, "time_zone": {"Nowhere/Land"}})
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("[data-testid=error-summary] a[href='#f-time_zone']").Length() != 1 ||
			doc.Find("[data-testid=error-summary] a[href='#f-default_locale']").Length() != 1 {
			t.Errorf("portal mistakes: %d", rec.Code)
		}
	})

	t.Run("welcome email preview in the chosen language", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/settings", url.Values{"section": {"email"}, "action": {"preview:fr"}, "welcome.fr": {"Bonjour et bienvenue chez nous."}})
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if !strings.Contains(doc.Find("[data-testid=preview-text]").Text(), "Bonjour et bienvenue chez nous.") || doc.Find("[data-testid=preview-subject]").Text() == "" ||
			doc.Find("[data-testid=welcome-preview]").AttrOr("lang", "") != "fr" {
			t.Errorf("preview: %q", doc.Find("[data-testid=welcome-preview]").Text())
		}
		if svcportal.TenantFrom(d.tenantCtx(t)).WelcomeEmail["fr"] == "Bonjour et bienvenue chez nous." {
			t.Error("the preview saved the text")
		}
	})

	t.Run("logo upload", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", d.admin.CSRF)
		fw, _ := mw.CreateFormFile("file", "logo.png")
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{2}, 64)...)
		fw.Write(png)
		mw.Close()
		rec := d.admin.Do(t, http.MethodPost, "/admin/settings/logo", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		if got := d.app.Get(t, "acme.localhost", "/branding/logo", nil); !bytes.Equal(got.Body.Bytes(), png) {
			t.Error("the logo is not served")
		}
	})

	t.Run("single sign-on", func(t *testing.T) {
		rec, doc := d.admin.SubmitPage(t, "/admin/settings/sso", url.Values{"action": {"save"}, "issuer": {"ftp://idp"}, "label": {"Entra"}})
		if rec.Code != http.StatusUnprocessableEntity || doc.Find("[data-testid=error-summary] a[href='#f-issuer']").Length() != 1 ||
			doc.Find("#f-label").AttrOr("value", "") != "Entra" {
			t.Errorf("bad issuer: %d", rec.Code)
		}
		rec = d.admin.Submit(t, "/admin/settings/sso", url.Values{"action": {"save"}, "issuer": {"https://login.example.com"}, "client_id": {"portal"},
			"client_secret": {"s3cret"}, "label": {"Entra"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", rec.Code, rec.Body)
		}
		o, err := d.app.Accounts.OIDC(d.actx)
		if err != nil || o == nil || o.Label != "Entra" || o.ClientSecret != "s3cret" {
			t.Errorf("saved provider %+v %v", o, err)
		}
		if rec := d.admin.Submit(t, "/admin/settings/sso", url.Values{"action": {"delete"}}); rec.Code != http.StatusSeeOther {
			t.Errorf("delete: %d", rec.Code)
		}
		if o, _ := d.app.Accounts.OIDC(d.actx); o != nil {
			t.Error("single sign-on is still on")
		}
	})
}

// tenantCtx reads acme afresh, as the next request would.
func (d *desk) tenantCtx(t *testing.T) context.Context {
	t.Helper()
	tn, err := d.app.Store.TenantBySlug(d.actx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	return svcportal.WithTenant(d.actx, tn)
}
