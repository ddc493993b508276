package portal_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestCaches_OtherInstancesSeeChanges: the tenant, the session, the field
// policies and the fields are cached in memory by each instance; a change
// made through one instance (or by any writer of the database) is seen by
// the other at its very next request, and a warm page asks the database
// only for the tenant's cache version.
func TestCaches_OtherInstancesSeeChanges(t *testing.T) {
	d := newDesk(t)
	other := d.app.Twin(t)
	// The same client, talking to the other instance.
	elsewhere := func(b *testkit.Browser) *testkit.Browser {
		t.Helper()
		c := other.NewBrowser(b.Host)
		c.SetCookie("portal_session", b.Cookie("portal_session"))
		c.CSRF = b.CSRF
		return c
	}
	peter := elsewhere(d.peter)
	fieldKeys := func() []string {
		t.Helper()
		var fs []svcportal.TicketFieldView
		if rec := peter.JSON(t, "GET", "/api/v1/ticket-fields", nil, &fs); rec.Code != http.StatusOK {
			t.Fatalf("fields: %d %s", rec.Code, rec.Body)
		}
		keys := []string{}
		for _, f := range fs {
			keys = append(keys, f.Key)
		}
		return keys
	}

	t.Run("a warm page reads only the tenant's version", func(t *testing.T) {
		// On SQLite not even that while nothing was committed (the
		// store's wal-index watch); on PostgreSQL one read.
		versionReads := 1
		if other.Store.Dialect() == store.SQLite {
			versionReads = 0
		}
		log := &testkit.QueryLog{}
		other.Store.AddQueryHook(log)
		other.Get(t, "acme.localhost", "/login", nil) // warm
		qs := log.During(func() { other.Get(t, "acme.localhost", "/login", nil) })
		if len(qs) != versionReads || versionReads == 1 && !strings.Contains(qs[0], "tenant_cache_versions") {
			t.Errorf("login page: %q, want %d read of the version alone", qs, versionReads)
		}
		peter.JSON(t, "GET", "/api/v1/me", nil, nil) // warm
		qs = log.During(func() { peter.JSON(t, "GET", "/api/v1/me", nil, nil) })
		if len(qs) != versionReads || versionReads == 1 && !strings.Contains(qs[0], "tenant_cache_versions") {
			t.Errorf("/me: %q, want %d read of the version alone", qs, versionReads)
		}
	})

	t.Run("tenant settings", func(t *testing.T) {
		heading := func() string {
			return testkit.HTML(t, other.Get(t, "acme.localhost", "/login", nil)).Find("h1").Text()
		}
		heading()
		tn, err := d.app.Store.TenantBySlug(d.actx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		tn.Name = "Acme Renamed"
		if err := d.app.Store.UpdateTenant(svcportal.WithTenant(d.actx, tn), tn); err != nil {
			t.Fatal(err)
		}
		if got := heading(); !strings.Contains(got, "Acme Renamed") {
			t.Errorf("heading on the other instance: %q", got)
		}
	})

	t.Run("a site's own provider", func(t *testing.T) {
		emailStep := func() int {
			return testkit.HTML(t, other.Get(t, "acme.localhost", "/login", nil)).Find("form[data-testid=email-step]").Length()
		}
		if emailStep() != 0 {
			t.Fatal("email step without a site provider")
		}
		sites, err := d.app.Store.Sites(d.actx)
		if err != nil {
			t.Fatal(err)
		}
		o := &svcportal.SiteOIDC{SiteID: sites[0].ID, Issuer: "https://id.initech.test", ClientID: "portal", Label: "Initech", Domains: []string{"initech.test"}}
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Store.PutSiteOIDC(d.actx, o); err != nil {
			t.Fatal(err)
		}
		if emailStep() != 1 {
			t.Error("the other instance's login page does not ask for the email first")
		}
		if err := d.app.Store.DeleteSiteOIDC(d.actx, o.SiteID); err != nil {
			t.Fatal(err)
		}
		if emailStep() != 0 {
			t.Error("the other instance's login page still asks for the email first")
		}
	})

	t.Run("field policies", func(t *testing.T) {
		if !slices.Contains(fieldKeys(), "asset_tag") {
			t.Fatal("asset_tag is not visible to begin with")
		}
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "asset_tag", Mode: svcportal.FieldHidden}); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(fieldKeys(), "asset_tag") {
			t.Error("a hidden field is still shown by the other instance")
		}
	})

	t.Run("ticket fields", func(t *testing.T) {
		f := svcportal.TicketField{Key: "zz_new", Type: svcportal.FieldText, Labels: map[string]string{"en": "New"}}
		if err := d.app.Store.CreateTicketField(d.actx, &f); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "zz_new", Mode: svcportal.FieldEditable}); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(fieldKeys(), "zz_new") {
			t.Error("a new field is missing on the other instance")
		}
	})

	t.Run("a site's knowledge base turned off and on", func(t *testing.T) {
		cat := testkit.KBCategory(d.actx, t, d.app.Store, "Everyone")
		a := testkit.KBArticle(d.actx, t, d.app.Store, testkit.KBSection(d.actx, t, d.app.Store, cat, "General"), svcportal.KBPublished, "Printer setup", "")
		article := fmt.Sprintf("/api/v1/kb/articles/%d", a.ID)
		site, err := d.app.Store.SiteByName(d.actx, "Initech")
		if err != nil {
			t.Fatal(err)
		}
		// The other instance reads the tenant's sites first while Initech's
		// knowledge base is off, then after each change.
		for _, on := range []bool{false, true, false} {
			site.KBEnabled = on
			if err := d.app.Store.UpdateSite(d.actx, site); err != nil {
				t.Fatal(err)
			}
			want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[on]
			if rec := peter.JSON(t, "GET", article, nil, nil); rec.Code != want {
				t.Errorf("the article on the other instance with the site's knowledge base on=%v: %d, want %d", on, rec.Code, want)
			}
		}
		site.KBEnabled = true
		if err := d.app.Store.UpdateSite(d.actx, site); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the contact", func(t *testing.T) {
		c, err := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
		if err != nil {
			t.Fatal(err)
		}
		c.FirstName = "Pierre"
		if err := d.app.Store.UpdateContact(d.actx, c); err != nil {
			t.Fatal(err)
		}
		var me svcportal.Contact
		peter.JSON(t, "GET", "/api/v1/me", nil, &me)
		if me.FirstName != "Pierre" {
			t.Errorf("first name on the other instance: %q", me.FirstName)
		}
	})

	t.Run("a session ended elsewhere", func(t *testing.T) {
		milton := elsewhere(d.milton)
		if rec := milton.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusOK {
			t.Fatalf("before: %d", rec.Code)
		}
		if rec := d.milton.JSON(t, "POST", "/api/v1/auth/logout", nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", rec.Code, rec.Body)
		}
		if rec := milton.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("after logging out through the first instance: %d on the other, want 401", rec.Code)
		}
	})

	t.Run("a contact disabled elsewhere", func(t *testing.T) {
		c, err := d.app.Store.ContactByEmail(d.actx, "peter@initech.test")
		if err != nil {
			t.Fatal(err)
		}
		c.Disabled = true
		if err := d.app.Store.UpdateContact(d.actx, c); err != nil {
			t.Fatal(err)
		}
		if rec := peter.JSON(t, "GET", "/api/v1/me", nil, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("a disabled contact's session on the other instance: %d, want 401", rec.Code)
		}
	})
}

// TestCaches_HelpCenterHome: the help center home's categories and counts
// are cached per tenant and scope, and an edit of the knowledge base
// through one instance is on the other's next page; the most read, which
// readings change without moving the cache version, are counted again
// after a minute.
func TestCaches_HelpCenterHome(t *testing.T) {
	d := newDesk(t)
	other := d.app.Twin(t)
	peter := other.NewBrowser(d.peter.Host)
	peter.SetCookie("portal_session", d.peter.Cookie("portal_session"))
	peter.CSRF = d.peter.CSRF
	home := func() (cats, popular []string) {
		t.Helper()
		_, doc := peter.Page(t, "/")
		doc.Find("[data-testid=home-categories] li").Each(func(_ int, s *goquery.Selection) { cats = append(cats, s.Text()) })
		doc.Find("[data-testid=home-popular] a").Each(func(_ int, s *goquery.Selection) { popular = append(popular, s.Text()) })
		return cats, popular
	}
	section := func(name string) *svcportal.KBSection {
		c := &svcportal.KBCategory{Names: map[string]string{"en": name}, AllSites: true}
		if err := d.app.KB.CreateCategory(d.actx, c); err != nil {
			t.Fatal(err)
		}
		s := &svcportal.KBSection{CategoryID: c.ID, Names: map[string]string{"en": name + " section"}, AllSites: true}
		if err := d.app.KB.CreateSection(d.actx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	article := func(sec *svcportal.KBSection, title string) *svcportal.KBArticle {
		a := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: true,
			Translations: map[string]svcportal.KBTranslation{"en": {Title: title, Body: "Text of " + title + "."}}}
		if err := d.app.KB.CreateArticle(d.actx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	printers := section("Printers")
	jams := article(printers, "Paper jams")
	article(printers, "Toner")
	cats, popular := home()
	if len(cats) != 1 || !strings.Contains(cats[0], "Printers") || !strings.Contains(cats[0], "2") || len(popular) != 2 {
		t.Fatalf("before: categories %q, most read %q", cats, popular)
	}

	t.Run("an article and a category added elsewhere", func(t *testing.T) {
		article(section("Network"), "VPN")
		article(printers, "Drivers")
		cats, popular := home()
		if len(cats) != 2 || !strings.Contains(cats[0], "3") || !strings.Contains(cats[1], "Network") {
			t.Errorf("categories on the other instance: %q", cats)
		}
		if len(popular) != 4 {
			t.Errorf("most read on the other instance: %q", popular)
		}
	})
	t.Run("an article unpublished elsewhere", func(t *testing.T) {
		jams.State = svcportal.KBDraft
		if err := d.app.KB.UpdateArticle(d.actx, jams); err != nil {
			t.Fatal(err)
		}
		cats, popular := home()
		if !strings.Contains(cats[0], "2") || slices.Contains(popular, "Paper jams") {
			t.Errorf("after unpublishing: categories %q, most read %q", cats, popular)
		}
	})
	t.Run("the most read, a minute late", func(t *testing.T) {
		_, before := home()
		last := before[len(before)-1]
		var read *svcportal.KBArticle
		as, err := d.app.Store.KBArticles(d.actx, svcportal.KBArticleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Translations["en"].Title == last {
				read = &a
			}
		}
		for range 3 {
			if rec, _ := articlePage(t, peter, read, ""); rec.Code != http.StatusOK {
				t.Fatalf("reading %q: %d", last, rec.Code)
			}
		}
		if _, popular := home(); !slices.Equal(popular, before) {
			t.Errorf("the most read changed before a minute: %q, then %q", before, popular)
		}
		d.app.Clock.Advance(time.Minute)
		if _, popular := home(); len(popular) == 0 || popular[0] != last {
			t.Errorf("a minute later, the most read: %q, want %q first", popular, last)
		}
	})
}
