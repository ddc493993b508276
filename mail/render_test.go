package mail_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/mail"
)

func newRenderer(t *testing.T) *mail.Renderer {
	t.Helper()
	r, err := mail.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tenant() *svcportal.Tenant {
	tn := svcportal.NewTenant("acme", "Acme <Managed> IT")
	tn.ID = 3
	tn.PrimaryColor = "#7c3aed"
	tn.Footer = "Acme Managed IT · 1 Main Street · Springfield"
	tn.DefaultLocale = "fr"
	return tn
}

// rawID finds a catalog id that was printed instead of its translation.
var rawID = regexp.MustCompile(`mail\.[a-z_]+(\.[a-z_]+)?`)

func TestRenderer_Kinds(t *testing.T) {
	r := newRenderer(t)
	kinds := r.Kinds()
	want := "email_change_confirm,email_change_notice,email_change_taken,reset_code,reset_sso,reset_unknown,staff_reset_code,staff_ticket_created,staff_ticket_refused,staff_ticket_replied,staff_welcome,ticket_auto_closed,ticket_cc,ticket_created,ticket_reminder,ticket_reminder_cc,ticket_replied,ticket_solution,ticket_solution_cc,ticket_status,webhook_disabled,welcome"
	if strings.Join(kinds, ",") != want {
		t.Errorf("got kinds %v, want %s", kinds, want)
	}
	for _, kind := range kinds {
		for _, lang := range locales.Tags {
			if !locales.For(lang).Has("mail." + kind + ".subject") {
				t.Errorf("%s: no mail.%s.subject", lang, kind)
			}
		}
	}
}

func TestRenderer_EveryLanguage(t *testing.T) {
	r := newRenderer(t)
	tn := tenant()
	requests := map[string]svcportal.EmailRequest{
		svcportal.EmailWelcome: {Kind: svcportal.EmailWelcome, To: "peter@initech.test", ToName: "Peter Gibbons",
			Data: map[string]any{"Link": "https://acme.portal.test/set-password?token=abc123", "ExpiresHours": 72}},
		svcportal.EmailResetCode: {Kind: svcportal.EmailResetCode, To: "peter@initech.test",
			Data: map[string]any{"Code": "04918273", "Minutes": 15}},
		svcportal.EmailResetUnknown: {Kind: svcportal.EmailResetUnknown, To: "nobody@initech.test", Data: map[string]any{}},
		svcportal.EmailResetSSO: {Kind: svcportal.EmailResetSSO, To: "ann@initech.test",
			Data: map[string]any{"Provider": "Initech Entra", "Link": "https://acme.portal.test/login"}},
		svcportal.EmailChangeConfirm: {Kind: svcportal.EmailChangeConfirm, To: "peter.g@initech.test",
			Data: map[string]any{"Link": "https://acme.portal.test/confirm-email?token=xyz789", "ExpiresHours": 24}},
		svcportal.EmailChangeNotice: {Kind: svcportal.EmailChangeNotice, To: "peter@initech.test",
			Data: map[string]any{"NewEmail": "peter.g@initech.test"}},
		svcportal.EmailChangeTaken: {Kind: svcportal.EmailChangeTaken, To: "bill@initech.test", Data: map[string]any{}},
		svcportal.EmailWebhookDisabled: {Kind: svcportal.EmailWebhookDisabled, To: "admin@acme.test", Staff: true,
			Data: map[string]any{"URL": "https://psa.example/hooks", "Failures": 15, "Error": "answered 500", "Link": "https://acme.portal.test/admin/webhooks"}},
	}
	wants := map[string][]string{
		svcportal.EmailResetUnknown:    {},
		svcportal.EmailResetSSO:        {"Initech Entra", "https://acme.portal.test/login"},
		svcportal.EmailChangeConfirm:   {"https://acme.portal.test/confirm-email?token=xyz789", "24"},
		svcportal.EmailChangeNotice:    {"peter.g@initech.test"},
		svcportal.EmailChangeTaken:     {},
		svcportal.EmailWelcome:         {"https://acme.portal.test/set-password?token=abc123", "72"},
		svcportal.EmailResetCode:       {"04918273", "15"},
		svcportal.EmailWebhookDisabled: {"https://psa.example/hooks", "answered 500", "15"},
	}
	requests[svcportal.EmailStaffWelcome] = svcportal.EmailRequest{Kind: svcportal.EmailStaffWelcome, To: "tom@acme.test", ToName: "Tom Tech", Staff: true,
		Data: map[string]any{"Link": "https://acme.portal.test/admin/set-password?token=abc123", "ExpiresHours": 72, "Role": "agent"}}
	wants[svcportal.EmailStaffWelcome] = []string{"https://acme.portal.test/admin/set-password?token=abc123", "72"}
	requests[svcportal.EmailStaffResetCode] = svcportal.EmailRequest{Kind: svcportal.EmailStaffResetCode, To: "tom@acme.test", Staff: true,
		Data: map[string]any{"Code": "04918273", "Minutes": 15}}
	wants[svcportal.EmailStaffResetCode] = []string{"04918273", "15"}
	for _, kind := range []string{"ticket_created", "ticket_cc", "ticket_replied", "ticket_status", "ticket_solution", "ticket_solution_cc", "ticket_reminder", "ticket_reminder_cc", "ticket_auto_closed",
		svcportal.EmailStaffTicketCreated, svcportal.EmailStaffTicketReplied, svcportal.EmailStaffTicketRefused} {
		requests[kind] = svcportal.EmailRequest{Kind: kind, To: "peter@initech.test", ToName: "Peter Gibbons", Data: map[string]any{
			"Kind": kind, "Number": 7, "Title": "Printer jams", "Link": "https://acme.portal.test/tickets/7",
			"Actor": "Tom Tech", "Excerpt": "Load letter paper", "Status": "Closed", "Count": 7}}
		wants[kind] = []string{"https://acme.portal.test/tickets/7", "#7", "Printer jams"}
	}
	for kind, req := range requests {
		subjects := map[string]string{}
		for _, lang := range locales.Tags {
			t.Run(kind+"/"+lang, func(t *testing.T) {
				req.Locale = lang
				m, err := r.RenderEmail(context.Background(), tn, req)
				if err != nil {
					t.Fatal(err)
				}
				if m.Status != svcportal.EmailPending || m.TenantID != tn.ID || m.FromName != tn.Name || m.ToAddress != req.To || m.Kind != kind {
					t.Errorf("got %+v, want a pending %s message from %q to %s", m, kind, tn.Name, req.To)
				}
				if prev, dup := subjects[m.Subject]; dup {
					t.Errorf("subject %q is the same in %s and %s", m.Subject, prev, lang)
				}
				subjects[m.Subject] = lang
				if !strings.Contains(kind, "ticket_") && !strings.Contains(m.Subject, tn.Name) {
					t.Errorf("subject %q lacks the tenant's name", m.Subject)
				}
				for part, body := range map[string]string{"text": m.TextBody, "html": m.HTMLBody} {
					if id := rawID.FindString(body); id != "" {
						t.Errorf("%s part shows the catalog id %s", part, id)
					}
					for _, bad := range []string{"<no value>", "ZgotmplZ", "%!"} {
						if strings.Contains(body, bad) {
							t.Errorf("%s part contains %q", part, bad)
						}
					}
					for _, want := range wants[kind] {
						if !strings.Contains(body, want) {
							t.Errorf("%s part lacks %q", part, want)
						}
					}
				}
				if !strings.Contains(m.TextBody, "Acme <Managed> IT") || !strings.Contains(m.TextBody, tn.Footer) {
					t.Errorf("text part lacks the tenant's name or footer:\n%s", m.TextBody)
				}

				doc, err := goquery.NewDocumentFromReader(strings.NewReader(m.HTMLBody))
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := doc.Find("html").Attr("lang"); got != lang {
					t.Errorf("html lang: got %q, want %q", got, lang)
				}
				if got := doc.Find("title").Text(); got != m.Subject {
					t.Errorf("title: got %q, want the subject %q", got, m.Subject)
				}
				header := doc.Find(`td[style*="background-color:#7c3aed"]`).First()
				if strings.TrimSpace(header.Text()) != tn.Name {
					t.Errorf("branded header: got %q, want the tenant's name on its primary colour", header.Text())
				}
				if !strings.Contains(doc.Text(), tn.Footer) {
					t.Error("html part lacks the tenant's footer")
				}
				if kind == svcportal.EmailWelcome {
					links := doc.Find("a[href]")
					if links.Length() != 2 {
						t.Fatalf("got %d links, want the button and the fallback address", links.Length())
					}
					links.Each(func(_ int, a *goquery.Selection) {
						if href, _ := a.Attr("href"); href != "https://acme.portal.test/set-password?token=abc123" {
							t.Errorf("link to %q, want the set-password link", href)
						}
					})
					if got := strings.TrimSpace(links.First().Text()); got != locales.For(lang).T("mail.welcome.action") {
						t.Errorf("button: got %q", got)
					}
				}
			})
		}
	}
}

func TestRenderer_Language(t *testing.T) {
	r := newRenderer(t)
	tn := tenant()
	tn.EnabledLocales = []string{"fr", "de", "en"}
	req := svcportal.EmailRequest{Kind: svcportal.EmailResetCode, To: "peter@initech.test", Data: map[string]any{"Code": "11223344", "Minutes": 15}}
	subject := func(lang string) string {
		return locales.For(lang).T("mail.reset_code.subject", map[string]any{"Tenant": tn.Name})
	}
	tests := []struct{ asked, want string }{
		{"de", "de"},
		{"", "fr"},   // no choice: the tenant's default
		{"it", "fr"}, // not offered by this tenant
		{"xx", "fr"}, // unknown
	}
	for _, tt := range tests {
		m, err := r.RenderEmail(context.Background(), tn, svcportal.EmailRequest{Kind: req.Kind, To: req.To, Locale: tt.asked, Data: req.Data})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != subject(tt.want) {
			t.Errorf("locale %q: got subject %q, want the %s one %q", tt.asked, m.Subject, tt.want, subject(tt.want))
		}
	}
}

func TestRenderer_Errors(t *testing.T) {
	r := newRenderer(t)
	tests := map[string]svcportal.EmailRequest{
		"unknown kind":          {Kind: "newsletter", To: "peter@initech.test"},
		"link missing":          {Kind: svcportal.EmailWelcome, To: "peter@initech.test", Data: map[string]any{"ExpiresHours": 72}},
		"expiry missing":        {Kind: svcportal.EmailWelcome, To: "peter@initech.test", Data: map[string]any{"Link": "https://acme.portal.test/x"}},
		"code missing, no data": {Kind: svcportal.EmailResetCode, To: "peter@initech.test"},
	}
	for name, req := range tests {
		if m, err := r.RenderEmail(context.Background(), tenant(), req); err == nil {
			t.Errorf("%s: got %+v, want an error", name, m)
		}
	}
}

func TestRenderer_BrandColours(t *testing.T) {
	r := newRenderer(t)
	tn := tenant()
	tn.PrimaryColor = "#fde047" // light yellow: white text would be unreadable
	m, err := r.RenderEmail(context.Background(), tn, svcportal.EmailRequest{Kind: svcportal.EmailResetCode, To: "peter@initech.test", Data: map[string]any{"Code": "11223344", "Minutes": 15}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTMLBody, "background-color:#fde047;color:#111827") {
		t.Errorf("want dark text on a light primary colour:\n%s", m.HTMLBody)
	}
}

func TestRenderer_TenantWelcomeText(t *testing.T) {
	r := newRenderer(t)
	tn := tenant()
	tn.WelcomeEmail = map[string]string{"fr": "Bienvenue chez Acme <b>!</b>"}
	req := svcportal.EmailRequest{Kind: svcportal.EmailWelcome, To: "p@i.test", Locale: "fr",
		Data: map[string]any{"Link": "https://acme.portal.test/set-password?token=t", "ExpiresHours": 72}}
	m, err := r.RenderEmail(context.Background(), tn, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.TextBody, "Bienvenue chez Acme <b>!</b>") || !strings.Contains(m.HTMLBody, "Bienvenue chez Acme &lt;b&gt;!&lt;/b&gt;") {
		t.Errorf("tenant's text missing or unescaped:\n%s", m.HTMLBody)
	}
	req.Locale = "en"
	if m, _ := r.RenderEmail(context.Background(), tn, req); strings.Contains(m.TextBody, "Bienvenue") {
		t.Error("the French text was used in English")
	}
}

// TestRenderer_TicketWithoutLink: a ticket email to someone in copy who
// may not open the ticket (an empty Link) says why they receive it and
// offers no link, in each language.
func TestRenderer_TicketWithoutLink(t *testing.T) {
	r := newRenderer(t)
	tn := tenant()
	for _, lang := range locales.Tags {
		m, err := r.RenderEmail(context.Background(), tn, svcportal.EmailRequest{Kind: "ticket_replied", To: "boss@external.test", Locale: lang,
			Data: map[string]any{"Kind": "ticket_replied", "Number": 7, "Title": "Printer jams", "Link": "", "Actor": "Tom Tech", "Excerpt": "Tray 2", "Count": 7}})
		if err != nil {
			t.Fatal(err)
		}
		tr := locales.For(lang)
		for part, body := range map[string]string{"text": m.TextBody, "html": m.HTMLBody} {
			if !strings.Contains(body, tr.T("mail.ticket.cc_only")) || strings.Contains(body, tr.T("mail.ticket.action")) || strings.Contains(body, "href=\"\"") {
				t.Errorf("%s %s part:\n%s", lang, part, body)
			}
		}
	}
}
