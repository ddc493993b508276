package portal_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

func TestHome(t *testing.T) {
	app := testkit.NewApp(t)
	ctx := context.Background()
	acme := svcportal.NewTenant("acme", "Acme Managed IT")
	acme.PrimaryColor, acme.Footer = "#0b5cad", "Acme footer line"
	acme.Domains = []string{"support.acme.example"}
	globex := svcportal.NewTenant("globex", "Globex Services")
	globex.DefaultLocale, globex.EnabledLocales, globex.Footer = "fr", []string{"fr", "en"}, "Globex pied de page"
	for _, tn := range []*svcportal.Tenant{acme, globex} {
		if err := app.Store.CreateTenant(ctx, tn, nil); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name, host, acceptLanguage  string
		wantBrand, wantLang, wantH1 string
		wantFooter, notWant         string
	}{
		{"subdomain, tenant default", "acme.localhost:8080", "", "Acme Managed IT", "en", "How can we help you today?", "Acme footer line", "Globex"},
		{"custom domain", "support.acme.example", "", "Acme Managed IT", "en", "How can we help you today?", "Acme footer line", "Globex"},
		{"Accept-Language picks an enabled language", "acme.localhost", "es-ES,es;q=0.9", "Acme Managed IT", "es", "¿Cómo podemos ayudarle hoy?", "Acme footer line", "Globex"},
		{"other tenant, French default", "globex.localhost", "", "Globex Services", "fr", "Comment pouvons-nous vous aider aujourd’hui ?", "Globex pied de page", "Acme"},
		{"language not enabled falls back to the default", "globex.localhost", "de", "Globex Services", "fr", "Comment pouvons-nous vous aider aujourd’hui ?", "Globex pied de page", "Acme"},
		{"enabled second language", "globex.localhost", "en-GB", "Globex Services", "en", "How can we help you today?", "Globex pied de page", "Acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.acceptLanguage != "" {
				h.Set("Accept-Language", tt.acceptLanguage)
			}
			rec := app.Get(t, tt.host, "/", h)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d, want 200", rec.Code)
			}
			body := rec.Body.String()
			doc := testkit.HTML(t, rec)
			if got := doc.Find(".brand-name").Text(); got != tt.wantBrand {
				t.Errorf("brand: got %q, want %q", got, tt.wantBrand)
			}
			if got, _ := doc.Find("html").Attr("lang"); got != tt.wantLang {
				t.Errorf("lang: got %q, want %q", got, tt.wantLang)
			}
			if got := doc.Find("h1").Text(); got != tt.wantH1 {
				t.Errorf("h1: got %q, want %q", got, tt.wantH1)
			}
			if got := doc.Find(".footer-text").Text(); got != tt.wantFooter {
				t.Errorf("footer: got %q, want %q", got, tt.wantFooter)
			}
			if strings.Contains(body, tt.notWant) {
				t.Errorf("page shows the other tenant's %q", tt.notWant)
			}
			if doc.Find(`link[href^="/branding/theme.css"]`).Length() != 1 || doc.Find(`img.brand-logo[src^="/branding/logo"]`).Length() != 1 {
				t.Error("theme stylesheet or logo missing")
			}
			if alt, _ := doc.Find("img.brand-logo").Attr("alt"); !strings.Contains(alt, tt.wantBrand) {
				t.Errorf("logo alt %q does not name the tenant", alt)
			}
		})
	}

	t.Run("languages offered are the tenant's", func(t *testing.T) {
		doc := testkit.HTML(t, app.Get(t, "globex.localhost", "/", nil))
		var got []string
		doc.Find("[data-testid=languages] a").Each(func(_ int, a *goquery.Selection) {
			got = append(got, a.Text()+" "+a.AttrOr("href", "")+" "+a.AttrOr("lang", ""))
		})
		if want := []string{"Français /?lang=fr fr", "English /?lang=en en"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
