package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/portal"
	"github.com/svcportal/svcportal/testkit"
)

// The isolation matrix: every route of the engine × every kind of
// principal, on objects of the first tenant (acme) and, for routes about
// an object, on the other tenant's (globex). See TestIsolationMatrix.

// who is one kind of principal of the matrix.
type who struct {
	name    string
	b       *testkit.Browser
	contact string // acme contact: member, colleague, manager, othersite, multisite; "" otherwise
	staff   string // acme staff role; "" otherwise
}

// answer classes.
type class int

const (
	okClass    class = iota // 2xx, or 3xx that is not a redirect to the login page
	passes                  // authorised: anything but 401, 403, 404, a login redirect or 5xx (state may refuse it, e.g. 409, 422)
	anyClass                // a public route: anything but 5xx
	loginClass              // 401, or a redirect to the login page
	forbidden               // 403
	notFound                // 404
)

func (c class) String() string {
	return [...]string{"2xx/3xx", "authorised (not 401/403/404/5xx)", "not 5xx", "401 or login redirect", "403", "404"}[c]
}

// access is which principals a route serves at all.
type access int

const (
	public    access = iota // everyone, signed in or not
	contacts                // acme contacts (portal pages redirect others to /login, the API answers 401)
	kbReaders               // as contacts, but, once acme's knowledge base is public, anyone reads what is for every site
	staff                   // acme staff (401 for anyone else)
	admins                  // acme admins (401 for anyone else but staff, 403 for agents)
)

// routeCase says how to call one route and who may.
type routeCase struct {
	access access
	// params fills the path parameters with the first tenant's objects,
	// made afresh for each principal when the route changes them.
	params func(t *testing.T, m *matrix, w *who) map[string]string
	// foreign fills them with the other tenant's objects (nil: the
	// route is about no object).
	foreign func(m *matrix) map[string]string
	// body is the request's content type and body (nil: none).
	body func(m *matrix, w *who) (string, []byte)
	// query is appended to the path.
	query string
	// sees and may, for contact routes about a ticket or article: does
	// this contact see the object (else 404), may they do this (else 403)?
	sees, may func(w *who) bool
	// allowed is the class of an allowed call (default okClass).
	allowed class
	// last runs the route after every other, since it ends the session.
	last bool
}

// runsLast: routes that end a session, and public routes that change
// state (a failed sign-in forgets the session cookie), run after the
// others, so every principal keeps their session until then.
func (rc routeCase) runsLast(method string) bool {
	return rc.last || rc.access == public && method != http.MethodGet && method != http.MethodHead
}

// expect is the class of w's call, on the other tenant's object when
// foreign, while acme's knowledge base is public or not.
func (rc routeCase) expect(w *who, foreign, kbPublic bool) class {
	allowed := rc.allowed
	switch rc.access {
	case public:
		return anyClass
	case kbReaders:
		if w.contact != "" || !kbPublic {
			return routeCase{access: contacts, sees: rc.sees, allowed: rc.allowed}.expect(w, foreign, kbPublic)
		}
		// A visitor of a public knowledge base: the matrix's articles,
		// and so its category and section, are for Umbrella only.
		if foreign || rc.sees != nil {
			return notFound
		}
	case contacts:
		switch {
		case w.contact == "":
			return loginClass
		case foreign, rc.sees != nil && !rc.sees(w):
			return notFound
		case rc.may != nil && !rc.may(w):
			return forbidden
		}
	case staff, admins:
		switch {
		case w.staff == "":
			return loginClass
		case rc.access == admins && w.staff != svcportal.StaffAdmin:
			return forbidden
		case foreign:
			return notFound
		}
	}
	return allowed
}

// matrix holds the fixtures.
type matrix struct {
	d                   *desk
	admin               *testkit.Browser
	initech, umbrella   *svcportal.Site
	private             int64 // peter's ticket at Initech, not shared, with every field set and a file
	privateFile         int64
	article             *svcportal.KBArticle // published, for Umbrella only
	category            *svcportal.KBCategory
	section             *svcportal.KBSection
	freshSection        *svcportal.KBSection // of the articles for every site that routes make and change
	seq                 int
	gTicket             int64
	gSite, gContact     int64
	gArticle, gFile     int64
	gCategory, gSection int64
	gStaff              int64
	gWebhook            int64
	gImport             int64
	gIdentity           int64 // of gContact
	gAnnouncement       int64
}

func (m *matrix) next() int { m.seq++; return m.seq }

// ticket opens a fresh ticket by Peter at Initech, shared with the site,
// in state "" (open), "proposed" or "closed".
func (m *matrix) ticket(t *testing.T, state string) int64 {
	t.Helper()
	n := m.d.create(t, m.d.peter, map[string]any{"title": "Matrix", "shared_with_site": true}).Number
	path := fmt.Sprintf("/api/v1/admin/tickets/%d", n)
	switch state {
	case "proposed":
		if rec := m.d.agent.JSON(t, "POST", path+"/propose-solution", map[string]any{"body": "Try this"}, nil); rec.Code != http.StatusOK {
			t.Fatalf("propose: %d %s", rec.Code, rec.Body)
		}
	case "closed":
		if rec := m.d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"status": "closed"}}, nil); rec.Code != http.StatusOK {
			t.Fatalf("close: %d %s", rec.Code, rec.Body)
		}
	}
	return n
}

func (m *matrix) site(t *testing.T) int64 {
	t.Helper()
	return testkit.Site(m.d.actx, t, m.d.app.Store, fmt.Sprintf("Fresh site %d", m.next())).ID
}

func (m *matrix) contact(t *testing.T) int64 {
	t.Helper()
	return testkit.Contact(m.d.actx, t, m.d.app.Store, fmt.Sprintf("fresh%d@initech.test", m.next()), m.initech, svcportal.RoleMember).ID
}

// identity links an account at a provider to contact c in ctx's tenant
// and answers the identity's id.
func (m *matrix) identity(t *testing.T, ctx context.Context, c int64) int64 {
	t.Helper()
	n := m.next()
	l := &svcportal.IdentityLink{ContactID: c, Identity: svcportal.ContactIdentity{
		IdentityKey: svcportal.IdentityKey{Issuer: "https://id.example", Subject: fmt.Sprintf("matrix-%d", n)}, Email: fmt.Sprintf("sso%d@example.test", n)}}
	if _, err := m.d.app.Store.LinkIdentity(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l.Identity.ID
}

func (m *matrix) staffMember(t *testing.T) int64 {
	t.Helper()
	st := &svcportal.Staff{Email: fmt.Sprintf("fresh%d@acme.test", m.next()), Role: svcportal.StaffAgent, PasswordHash: testkit.HashPassword(t)}
	if err := m.d.app.Store.CreateStaff(m.d.actx, st); err != nil {
		t.Fatal(err)
	}
	return st.ID
}

func (m *matrix) field(t *testing.T) string {
	t.Helper()
	f := svcportal.TicketField{Key: fmt.Sprintf("fresh_%d", m.next()), Type: svcportal.FieldText, Labels: map[string]string{"en": "Fresh"}}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := m.d.app.Store.CreateTicketField(m.d.actx, &f); err != nil {
		t.Fatal(err)
	}
	return f.Key
}

func (m *matrix) announcement(t *testing.T) int64 {
	t.Helper()
	title := fmt.Sprintf("Matrix notice %d", m.next())
	a, err := m.d.app.Announcements.CreateAnnouncement(m.d.actx, svcportal.AnnouncementChange{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (m *matrix) freshArticle(t *testing.T) *svcportal.KBArticle {
	t.Helper()
	return testkit.KBArticle(m.d.actx, t, m.d.app.Store, m.freshSection, svcportal.KBPublished, fmt.Sprintf("Fresh %d", m.next()), "Body")
}

// articleFile adds a file to article id through the admin API and
// returns its id.
func (m *matrix) articleFile(t *testing.T, b *testkit.Browser, id int64) int64 {
	t.Helper()
	rec := b.Multipart(t, fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments", id), url.Values{},
		[]testkit.File{{Name: "guide.txt", Content: []byte("guide")}})
	var res struct{ Attachments []svcportal.Attachment }
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != http.StatusCreated || len(res.Attachments) != 1 {
		t.Fatalf("add article file: %d %s", rec.Code, rec.Body)
	}
	return res.Attachments[0].ID
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func jsonBody(v any) func(*matrix, *who) (string, []byte) {
	return func(*matrix, *who) (string, []byte) {
		raw, _ := json.Marshal(v)
		return "application/json", raw
	}
}

func formBody(v url.Values) func(*matrix, *who) (string, []byte) {
	return func(*matrix, *who) (string, []byte) {
		return "application/x-www-form-urlencoded", []byte(v.Encode())
	}
}

func pngBody(*matrix, *who) (string, []byte) {
	return "image/png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
}

// Who sees Peter's private ticket, and the shared ones: the requester and
// the site manager; a colleague (and the multi-site contact, a member at
// Initech) only shared ones; the other site's contact none.
func seesPrivate(w *who) bool { return w.contact == "member" || w.contact == "manager" }
func seesShared(w *who) bool  { return w.contact != "othersite" }
func settles(w *who) bool     { return w.contact == "member" || w.contact == "manager" }
func requester(w *who) bool   { return w.contact == "member" }

// seesArticle: the article is for Umbrella only.
func seesArticle(w *who) bool { return w.contact == "othersite" || w.contact == "multisite" }

func noParams(*testing.T, *matrix, *who) map[string]string { return nil }

// routeCases is keyed by "METHOD /path/:param", as gin lists routes.
func routeCases() map[string]routeCase {
	private := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"number": id(m.private)}
	}
	fresh := func(state string) func(*testing.T, *matrix, *who) map[string]string {
		return func(t *testing.T, m *matrix, _ *who) map[string]string {
			return map[string]string{"number": id(m.ticket(t, state))}
		}
	}
	gTicket := func(m *matrix) map[string]string { return map[string]string{"number": id(m.gTicket)} }
	article := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.article.ID)}
	}
	gArticle := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gArticle)} }
	freshArticle := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.freshArticle(t).ID)}
	}
	site := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.initech.ID)}
	}
	freshSite := func(t *testing.T, m *matrix, _ *who) map[string]string { return map[string]string{"id": id(m.site(t))} }
	gSite := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gSite)} }
	contact := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.contact(t))}
	}
	gContact := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gContact)} }
	// linked is a fresh contact with a linked sign-in identity.
	linked := func(t *testing.T, m *matrix, _ *who) map[string]string {
		c := m.contact(t)
		return map[string]string{"id": id(c), "identity": id(m.identity(t, m.d.actx, c))}
	}
	gLinked := func(m *matrix) map[string]string {
		return map[string]string{"id": id(m.gContact), "identity": id(m.gIdentity)}
	}
	field := func(t *testing.T, m *matrix, _ *who) map[string]string { return map[string]string{"key": m.field(t)} }
	// tokenID makes an API token of the tenant's admin and answers its id.
	tokenID := func(ctx context.Context, m *matrix, email string) int64 {
		name := fmt.Sprintf("matrix %d", m.next())
		if _, err := m.d.app.Accounts.CreateAPIToken(ctx, email, name); err != nil {
			panic(err)
		}
		list, err := m.d.app.Accounts.APITokens(ctx)
		if err != nil {
			panic(err)
		}
		for _, tk := range list {
			if tk.Name == name {
				return tk.ID
			}
		}
		panic("the new token is not listed")
	}
	freshToken := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(tokenID(m.d.actx, m, "admin@acme.test"))}
	}
	gToken := func(m *matrix) map[string]string {
		return map[string]string{"id": id(tokenID(m.d.gctx, m, "admin@globex.test"))}
	}
	gField := func(*matrix) map[string]string { return map[string]string{"key": "globex_only"} }
	category := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.category.ID)}
	}
	freshCategory := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(testkit.KBCategory(m.d.actx, t, m.d.app.Store, fmt.Sprintf("Cat %d", m.next())).ID)}
	}
	gCategory := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gCategory)} }
	section := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.section.ID)}
	}
	freshSection := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(testkit.KBSection(m.d.actx, t, m.d.app.Store, m.category, fmt.Sprintf("Sec %d", m.next())).ID)}
	}
	gSection := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gSection)} }
	articleFile := func(t *testing.T, m *matrix, _ *who) map[string]string {
		a := m.freshArticle(t)
		return map[string]string{"id": id(a.ID), "file": id(m.articleFile(t, m.admin, a.ID))}
	}
	gArticleFile := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gArticle), "file": id(m.gFile)} }
	ticketAttachment := func(_ *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.privateFile)}
	}
	gTicketAttachment := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gFile)} }
	static := func(*testing.T, *matrix, *who) map[string]string { return map[string]string{"name": "/app.css"} }

	freshStaff := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.staffMember(t))}
	}
	invitedStaff := func(t *testing.T, m *matrix, _ *who) map[string]string {
		st := &svcportal.Staff{Email: fmt.Sprintf("invited%d@acme.test", m.next()), Role: svcportal.StaffAgent}
		if err := m.d.app.Store.CreateStaff(m.d.actx, st); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"id": id(st.ID)}
	}
	gStaff := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gStaff)} }
	freshAnnouncement := func(t *testing.T, m *matrix, _ *who) map[string]string {
		return map[string]string{"id": id(m.announcement(t))}
	}
	gAnnouncement := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gAnnouncement)} }
	logoForm := func(_ *matrix, w *who) (string, []byte) {
		var buf bytes.Buffer
		buf.WriteString("--matrix\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + w.b.CSRF + "\r\n")
		buf.WriteString("--matrix\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n")
		_, png := pngBody(nil, nil)
		buf.Write(png)
		buf.WriteString("\r\n--matrix--\r\n")
		return "multipart/form-data; boundary=matrix", buf.Bytes()
	}

	freshWebhook := func(t *testing.T, m *matrix, _ *who) map[string]string {
		e := &svcportal.WebhookEndpoint{URL: "https://hooks.invalid/x", Events: []string{"ticket.created"}, Enabled: true, Secret: "whsec_AAAA"}
		if err := m.d.app.Store.CreateWebhookEndpoint(m.d.actx, e); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"id": id(e.ID)}
	}
	gWebhook := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gWebhook)} }
	// anImport is an import of acme's: a finished one, or the one the
	// import route's case started and that still runs.
	anImport := func(t *testing.T, m *matrix, _ *who) map[string]string {
		imp := &svcportal.ContactImport{FileName: "matrix.csv"}
		err := m.d.app.Store.StartContactImport(m.d.actx, imp, m.d.app.Clock.Now())
		if svcportal.KindOf(err) == svcportal.KindConflict {
			if imp, err = m.d.app.Store.LatestContactImport(m.d.actx); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"id": id(imp.ID)}
		} else if err != nil {
			t.Fatal(err)
		}
		if err := m.d.app.Store.FinishContactImport(m.d.actx, imp.ID, svcportal.ImportDone, 0, &svcportal.ContactImportReport{}); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"id": id(imp.ID)}
	}
	gImport := func(m *matrix) map[string]string { return map[string]string{"id": id(m.gImport)} }

	sectionForm := func(m *matrix, w *who) (string, []byte) {
		return formBody(url.Values{"category_id": {id(m.category.ID)}, "names.en": {"Matrix section"}, "reach": {"all"}})(m, w)
	}
	articleForm := func(m *matrix, w *who) (string, []byte) {
		return formBody(url.Values{"section_id": {id(m.freshSection.ID)}, "translations.en.title": {"Matrix article"},
			"translations.en.body": {"Body"}, "reach": {"all"}, "action": {"save"}})(m, w)
	}

	pub := routeCase{access: public, params: noParams}
	contactPage := routeCase{access: contacts, params: noParams}
	kbPage := routeCase{access: kbReaders, params: noParams}
	staffRoute := routeCase{access: staff, params: noParams}

	with := func(rc routeCase, f func(*routeCase)) routeCase { f(&rc); return rc }

	return map[string]routeCase{
		// Operations and branding.
		"GET /healthz": pub,
		"GET /readyz":  pub,
		// Holds no tenant's data; answers loopback or its bearer token
		// only (401 here: the matrix calls from 192.0.2.1).
		"GET /metrics": pub,
		// Says whether a name is a tenant's, which any request to that
		// name tells too (app.TestTLSAsk).
		"GET /tls/ask": pub,
		// The same document on every tenant host: routes, not data.
		"GET /api/v1/openapi.json": pub,
		"GET /static/*name":        with(pub, func(rc *routeCase) { rc.params = static }),
		"HEAD /static/*name":       with(pub, func(rc *routeCase) { rc.params = static }),
		"GET /branding/theme.css":  pub,
		"GET /branding/logo":       pub,
		"GET /branding/favicon":    pub,

		// Portal pages before sign-in.
		"GET /":      pub,
		"GET /login": pub,
		"POST /login": with(pub, func(rc *routeCase) {
			rc.body = formBody(url.Values{"email": {"nobody@acme.test"}, "password": {"wrong-password"}})
		}),
		"POST /logout":            with(pub, func(rc *routeCase) { rc.last = true }),
		"GET /login/sso":          pub,
		"GET /login/sso/callback": pub,
		"GET /forgot-password":    pub,
		"POST /forgot-password":   with(pub, func(rc *routeCase) { rc.body = formBody(url.Values{"email": {"nobody@acme.test"}}) }),
		"GET /reset-password":     pub,
		"POST /reset-password": with(pub, func(rc *routeCase) {
			rc.body = formBody(url.Values{"email": {"nobody@acme.test"}, "code": {"12345678"}})
		}),
		"GET /confirm-email":  pub,
		"POST /confirm-email": with(pub, func(rc *routeCase) { rc.body = formBody(url.Values{"token": {"nope"}}) }),
		"POST /api/v1/auth/email-change/confirm": with(pub, func(rc *routeCase) {
			rc.body = jsonBody(map[string]string{"token": "nope"})
		}),
		"GET /set-password":  pub,
		"POST /set-password": with(pub, func(rc *routeCase) { rc.body = formBody(url.Values{"token": {"nope"}}) }),

		// Portal pages of a signed-in contact.
		"GET /profile":          contactPage,
		"POST /profile":         with(contactPage, func(rc *routeCase) { rc.body = formBody(url.Values{"first_name": {"Matrix"}}); rc.allowed = passes }),
		"GET /profile/password": contactPage,
		"POST /profile/password": with(contactPage, func(rc *routeCase) {
			rc.body = formBody(url.Values{"current_password": {"wrong"}})
			rc.allowed = passes
		}),
		"GET /settings":    contactPage,
		"POST /settings":   with(contactPage, func(rc *routeCase) { rc.body = formBody(url.Values{"locale": {"en"}}) }),
		"GET /tickets":     contactPage,
		"GET /tickets/new": contactPage,
		// The form's "Look for an answer first": the form again, with the
		// articles the reader may read that match its title.
		"POST /tickets/new": with(contactPage, func(rc *routeCase) { rc.body = formBody(url.Values{"title": {"matrix"}}) }),
		"POST /tickets": with(contactPage, func(rc *routeCase) {
			rc.body = func(m *matrix, w *who) (string, []byte) {
				v := url.Values{"title": {"From the page"}}
				if w.contact == "multisite" { // a contact of several sites picks one
					v.Set("site_id", id(m.initech.ID))
				}
				return formBody(v)(m, w)
			}
		}),
		"GET /tickets/:number": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = private, gTicket, seesPrivate
		}),
		"POST /tickets/:number/reply": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = fresh(""), gTicket, seesShared, formBody(url.Values{"body": {"Hello"}})
		}),
		"POST /tickets/:number/solution": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh("proposed"), gTicket, seesShared, settles, formBody(url.Values{"decision": {"accept"}})
		}),
		"POST /tickets/:number/close": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh(""), gTicket, seesShared, settles, formBody(url.Values{})
		}),
		"POST /tickets/:number/rating": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh("closed"), gTicket, seesShared, requester, formBody(url.Values{"satisfied": {"yes"}})
		}),
		"POST /tickets/:number/fields": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = fresh(""), gTicket, seesShared, formBody(url.Values{"field.asset_tag": {"AT-1"}})
		}),
		"GET /kb":        kbPage,
		"GET /kb/search": with(kbPage, func(rc *routeCase) { rc.query = "?q=matrix" }),
		"GET /kb/articles/:id": with(kbPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = article, gArticle, seesArticle
		}),
		"POST /kb/articles/:id/vote": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = article, gArticle, seesArticle, formBody(url.Values{"helpful": {"yes"}})
		}),
		// The matrix's category and section hold only the Umbrella article:
		// a reader who may not read it finds them empty, so not found.
		"GET /kb/categories/:id": with(kbPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = category, gCategory, seesArticle
		}),
		"GET /kb/sections/:id": with(kbPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = section, gSection, seesArticle
		}),

		// Portal API.
		"POST /api/v1/auth/login": with(pub, func(rc *routeCase) {
			rc.body = jsonBody(map[string]string{"email": "nobody@acme.test", "password": "wrong-password"})
		}),
		"POST /api/v1/auth/logout":         with(pub, func(rc *routeCase) { rc.last = true }),
		"POST /api/v1/auth/password-reset": with(pub, func(rc *routeCase) { rc.body = jsonBody(map[string]string{"email": "nobody@acme.test"}) }),
		"POST /api/v1/auth/password-reset/confirm": with(pub, func(rc *routeCase) {
			rc.body = jsonBody(map[string]string{"email": "nobody@acme.test", "code": "12345678", "password": "whatever-1234"})
		}),
		"GET /api/v1/me":   contactPage,
		"PATCH /api/v1/me": with(contactPage, func(rc *routeCase) { rc.body = jsonBody(map[string]string{"job_title": "Tester"}) }),
		"POST /api/v1/me/password": with(contactPage, func(rc *routeCase) {
			rc.body, rc.allowed = jsonBody(map[string]string{"current_password": "wrong", "password": "another-pass-1234"}), passes
		}),
		"GET /api/v1/ticket-fields": contactPage,
		"GET /api/v1/tickets":       with(contactPage, func(rc *routeCase) { rc.query = "?field.contract=premium&sort=-priority" }),
		"POST /api/v1/tickets": with(contactPage, func(rc *routeCase) {
			rc.body = func(m *matrix, w *who) (string, []byte) {
				v := map[string]any{"title": "From the API"}
				if w.contact == "multisite" {
					v["site_id"] = m.initech.ID
				}
				return jsonBody(v)(m, w)
			}
		}),
		"GET /api/v1/tickets/:number": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = private, gTicket, seesPrivate
		}),
		"PATCH /api/v1/tickets/:number": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = fresh(""), gTicket, seesShared, jsonBody(map[string]any{"fields": map[string]any{"asset_tag": "AT-2"}})
		}),
		"POST /api/v1/tickets/:number/replies": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = fresh(""), gTicket, seesShared, jsonBody(map[string]any{"body": "Hello"})
		}),
		"POST /api/v1/tickets/:number/solution": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh("proposed"), gTicket, seesShared, settles, jsonBody(map[string]any{"decision": "accept"})
		}),
		"POST /api/v1/tickets/:number/close": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh(""), gTicket, seesShared, settles, jsonBody(map[string]any{})
		}),
		"POST /api/v1/tickets/:number/rating": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.may, rc.body = fresh("closed"), gTicket, seesShared, requester, jsonBody(map[string]any{"satisfied": true})
		}),
		"GET /api/v1/attachments/:id": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = ticketAttachment, gTicketAttachment, seesPrivate
		}),
		"GET /api/v1/kb/categories": kbPage,
		"GET /api/v1/kb/search":     with(kbPage, func(rc *routeCase) { rc.query = "?q=matrix" }),
		"GET /api/v1/kb/articles/:id": with(kbPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees = article, gArticle, seesArticle
		}),
		"GET /api/v1/kb/files/:id": with(kbPage, func(rc *routeCase) {
			rc.params = func(t *testing.T, m *matrix, _ *who) map[string]string {
				return map[string]string{"id": id(m.articleFile(t, m.admin, m.article.ID))}
			}
			rc.foreign, rc.sees = gTicketAttachment, seesArticle
		}),
		"POST /api/v1/kb/articles/:id/vote": with(contactPage, func(rc *routeCase) {
			rc.params, rc.foreign, rc.sees, rc.body = article, gArticle, seesArticle, jsonBody(map[string]any{"helpful": true})
		}),

		// Inbound email: its own bearer token (the tenant's inbound
		// token), which no principal of the matrix carries: 401 for all.
		"POST /api/v1/inbound/email": with(pub, func(rc *routeCase) {
			rc.body = func(*matrix, *who) (string, []byte) {
				return "message/rfc822", []byte("From: peter@initech.test\r\nSubject: Matrix\r\n\r\nHello")
			}
		}),

		// Admin API: staff.
		"POST /api/v1/admin/auth/login": with(pub, func(rc *routeCase) {
			rc.body = jsonBody(map[string]string{"email": "nobody@acme.test", "password": "wrong-password"})
		}),
		"POST /api/v1/admin/auth/logout":            with(pub, func(rc *routeCase) { rc.last = true }),
		"GET /api/v1/admin/me":                      staffRoute,
		"GET /api/v1/admin/sites":                   staffRoute,
		"GET /api/v1/admin/sites/:id":               with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = site, gSite }),
		"GET /api/v1/admin/contacts":                staffRoute,
		"GET /api/v1/admin/contacts/:id":            with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = contact, gContact }),
		"GET /api/v1/admin/contacts/:id/identities": with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = linked, gContact }),
		"GET /api/v1/admin/ticket-fields":           staffRoute,
		"GET /api/v1/admin/ticket-fields/:key": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign = func(*testing.T, *matrix, *who) map[string]string { return map[string]string{"key": "internal_cost"} }, gField
		}),
		"GET /api/v1/admin/field-policies":  staffRoute,
		"GET /api/v1/admin/tickets":         staffRoute,
		"GET /api/v1/admin/tickets/:number": with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = private, gTicket }),
		"PATCH /api/v1/admin/tickets/:number": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, jsonBody(map[string]any{"fields": map[string]any{"priority": "high"}})
		}),
		"POST /api/v1/admin/tickets/:number/replies": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, jsonBody(map[string]any{"body": "From the desk"})
		}),
		"POST /api/v1/admin/tickets/:number/propose-solution": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, jsonBody(map[string]any{"body": "Try this"})
		}),
		"GET /api/v1/admin/attachments/:id":             with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = ticketAttachment, gTicketAttachment }),
		"GET /api/v1/admin/kb/categories":               staffRoute,
		"GET /api/v1/admin/kb/categories/:id":           with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = category, gCategory }),
		"GET /api/v1/admin/kb/sections":                 staffRoute,
		"GET /api/v1/admin/kb/sections/:id":             with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = section, gSection }),
		"GET /api/v1/admin/kb/articles":                 staffRoute,
		"GET /api/v1/admin/kb/articles/:id":             with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = article, gArticle }),
		"GET /api/v1/admin/kb/articles/:id/attachments": with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = article, gArticle }),

		// Console pages before sign-in.
		"GET /admin/login": pub,
		"POST /admin/login": with(pub, func(rc *routeCase) {
			rc.body = formBody(url.Values{"email": {"nobody@acme.test"}, "password": {"wrong-password"}})
		}),
		"POST /admin/logout":          with(pub, func(rc *routeCase) { rc.last = true }),
		"GET /admin/forgot-password":  pub,
		"POST /admin/forgot-password": with(pub, func(rc *routeCase) { rc.body = formBody(url.Values{"email": {"nobody@acme.test"}}) }),
		"GET /admin/reset-password":   pub,
		"POST /admin/reset-password": with(pub, func(rc *routeCase) {
			rc.body = formBody(url.Values{"email": {"nobody@acme.test"}, "code": {"12345678"}})
		}),
		"GET /admin/set-password":  pub,
		"POST /admin/set-password": with(pub, func(rc *routeCase) { rc.body = formBody(url.Values{"token": {"nope"}}) }),

		// Console pages: staff (the agent workspace, their profile).
		"GET /admin":         staffRoute,
		"GET /admin/profile": staffRoute,
		"POST /admin/profile": with(staffRoute, func(rc *routeCase) {
			rc.body = formBody(url.Values{"name": {"Matrix"}, "locale": {"en"}, "notify_tickets": {"on"}})
		}),
		"POST /admin/profile/password": with(staffRoute, func(rc *routeCase) {
			rc.body, rc.allowed = formBody(url.Values{"current_password": {"wrong"}, "password": {"another-pass-1234"}, "password_confirm": {"another-pass-1234"}}), passes
		}),
		"GET /admin/tickets":         with(staffRoute, func(rc *routeCase) { rc.query = "?status=open&assignee=me&unread=true&q=matrix" }),
		"GET /admin/tickets/:number": with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = private, gTicket }),
		"POST /admin/tickets/:number/reply": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, formBody(url.Values{"body": {"From the console"}, "internal": {"on"}})
		}),
		"POST /admin/tickets/:number/fields": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, formBody(url.Values{"field.priority": {"high"}})
		}),
		"POST /admin/tickets/:number/propose": with(staffRoute, func(rc *routeCase) {
			rc.params, rc.foreign, rc.body = fresh(""), gTicket, formBody(url.Values{"body": {"Try this"}})
		}),

		// Console pages: admins only.
		"GET /admin/staff": {access: admins, params: noParams},
		"POST /admin/staff": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"email": {fmt.Sprintf("invited%d@acme.test", m.next())}, "role": {"agent"}, "locale": {"en"}})(m, nil)
			}},
		"POST /admin/staff/:id":            {access: admins, params: freshStaff, foreign: gStaff, body: formBody(url.Values{"action": {"disable"}})},
		"POST /admin/staff/:id/invitation": {access: admins, params: invitedStaff, foreign: gStaff},
		"GET /admin/webhooks":              {access: admins, params: noParams},
		"POST /admin/webhooks": {access: admins, params: noParams,
			body: formBody(url.Values{"url": {"https://hooks.invalid/new"}, "events": {"ticket.created"}})},
		"GET /admin/webhooks/:id":         {access: admins, params: freshWebhook, foreign: gWebhook},
		"POST /admin/webhooks/:id":        {access: admins, params: freshWebhook, foreign: gWebhook, body: formBody(url.Values{"action": {"disable"}})},
		"POST /admin/webhooks/:id/delete": {access: admins, params: freshWebhook, foreign: gWebhook},

		// Console pages: sites, contacts and fields (staff read, admins write).
		"GET /admin/sites":     staffRoute,
		"GET /admin/sites/:id": with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = site, gSite }),
		"POST /admin/sites": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"name": {fmt.Sprintf("Page site %d", m.next())}, "kb_enabled": {"on"}})(m, nil)
			}},
		"POST /admin/sites/:id": {access: admins, params: freshSite, foreign: gSite,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"name": {fmt.Sprintf("Renamed site %d", m.next())}})(m, nil)
			}},
		"POST /admin/sites/:id/delete": {access: admins, params: freshSite, foreign: gSite},
		"POST /admin/sites/:id/sso": {access: admins, params: freshSite, foreign: gSite,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"action": {"save"}, "issuer": {"https://login.example.com/t"}, "client_id": {"portal"},
					"label": {"Site ID"}, "domains": {fmt.Sprintf("site%d.example", m.next())}})(m, nil)
			}},
		"GET /admin/contacts":        with(staffRoute, func(rc *routeCase) { rc.query = "?q=initech&page=1" }),
		"GET /admin/contacts/export": staffRoute,
		"GET /admin/contacts/:id":    with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = contact, gContact }),
		"POST /admin/contacts": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"email": {fmt.Sprintf("page%d@initech.test", m.next())}, "site_id": {id(m.initech.ID)}, "role": {"member"}})(m, nil)
			}},
		"POST /admin/contacts/:id": {access: admins, params: contact, foreign: gContact,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"email": {fmt.Sprintf("edited%d@initech.test", m.next())}, "first_name": {"Edited"},
					"role." + id(m.initech.ID): {"site_manager"}})(m, nil)
			}},
		"POST /admin/contacts/:id/state":                       {access: admins, params: contact, foreign: gContact, body: formBody(url.Values{"action": {"disable"}})},
		"POST /admin/contacts/:id/welcome":                     {access: admins, params: contact, foreign: gContact},
		"POST /admin/contacts/:id/identities/:identity/unlink": {access: admins, params: linked, foreign: gLinked},
		"GET /admin/contacts/:id/delete":                       {access: admins, params: contact, foreign: gContact},
		"POST /admin/contacts/:id/delete":                      {access: admins, params: contact, foreign: gContact},
		"GET /admin/contacts/import":                           {access: admins, params: noParams},
		"GET /admin/contacts/import/:id":                       {access: admins, params: anImport, foreign: gImport},
		// An import runs in the background, one per tenant: the next
		// admin's may find the last still running (409).
		"POST /admin/contacts/import": {access: admins, params: noParams, allowed: passes,
			body: func(m *matrix, _ *who) (string, []byte) {
				var buf bytes.Buffer
				fmt.Fprintf(&buf, "--matrix\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n"+
					"email;site\r\nimported%d@initech.test;Initech\r\n\r\n--matrix--\r\n", m.next())
				return "multipart/form-data; boundary=matrix", buf.Bytes()
			}},
		"GET /admin/fields":           with(staffRoute, func(rc *routeCase) { rc.query = "?preview_site=" }),
		"GET /admin/fields/new":       {access: admins, params: noParams},
		"GET /admin/fields/:key/edit": {access: admins, params: field, foreign: gField},
		"POST /admin/fields": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"key": {fmt.Sprintf("page_%d", m.next())}, "type": {"text"}, "label.en": {"From the page"},
					"mode.member": {"editable"}, "mode.site_manager": {"editable"}})(m, nil)
			}},
		"POST /admin/fields/:key":        {access: admins, params: field, foreign: gField, body: formBody(url.Values{"label.en": {"Renamed"}})},
		"POST /admin/fields/:key/delete": {access: admins, params: field, foreign: gField},
		"POST /admin/fields/:key/modes": {access: admins, params: field, foreign: gField,
			body: formBody(url.Values{"mode.member": {"hidden"}, "mode.site_manager": {"view-only"}})},
		"POST /admin/fields/:key/overrides": {access: admins, params: field, foreign: gField,
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"site_id": {id(m.umbrella.ID)}, "role": {"member"}, "mode": {"hidden"}})(m, nil)
			}},
		"POST /admin/fields/:key/overrides/delete": {access: admins, foreign: gField,
			params: func(t *testing.T, m *matrix, _ *who) map[string]string {
				key := m.field(t)
				rule := svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: m.umbrella.ID, Field: key, Mode: svcportal.FieldHidden}
				if err := m.d.app.Policies.SetMode(m.d.actx, rule); err != nil {
					t.Fatal(err)
				}
				return map[string]string{"key": key}
			},
			body: func(m *matrix, _ *who) (string, []byte) {
				return formBody(url.Values{"site_id": {id(m.umbrella.ID)}, "role": {"member"}})(m, nil)
			}},

		// Console pages: tokens and the audit log, admins only.
		"GET /admin/tokens":             {access: admins, params: noParams},
		"POST /admin/tokens":            {access: admins, params: noParams, body: formBody(url.Values{"name": {"Matrix"}, "expires_at": {""}})},
		"POST /admin/tokens/:id/revoke": {access: admins, params: freshToken, foreign: gToken},
		"GET /admin/audit":              {access: admins, params: noParams, query: "?action=login&email=acme&from=2020-01-01&to=2030-01-01"},
		"GET /api/v1/admin/audit":       {access: admins, params: noParams, query: "?action=login&per_page=5"},

		// Admin API: admins only.
		"GET /api/v1/admin/tokens":        {access: admins, params: noParams},
		"POST /api/v1/admin/tokens":       {access: admins, params: noParams, body: jsonBody(map[string]any{"name": "Matrix"})},
		"DELETE /api/v1/admin/tokens/:id": {access: admins, params: freshToken, foreign: gToken},
		"GET /api/v1/admin/staff":         {access: admins, params: noParams},
		"GET /api/v1/admin/webhooks":      {access: admins, params: noParams},
		"POST /api/v1/admin/webhooks": {access: admins, params: noParams,
			body: jsonBody(map[string]any{"url": "https://hooks.invalid/matrix", "events": []string{"ticket.created"}})},
		"PATCH /api/v1/admin/webhooks/:id": {access: admins, params: freshWebhook, foreign: gWebhook,
			body: jsonBody(map[string]any{"include_internal": true})},
		"DELETE /api/v1/admin/webhooks/:id":         {access: admins, params: freshWebhook, foreign: gWebhook},
		"GET /api/v1/admin/webhooks/:id/deliveries": {access: admins, params: freshWebhook, foreign: gWebhook},
		"POST /api/v1/admin/staff": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"email": fmt.Sprintf("invited%d@acme.test", m.next()), "role": "agent"})(m, nil)
			}},
		"PATCH /api/v1/admin/staff/:id":           {access: admins, params: freshStaff, foreign: gStaff, body: jsonBody(map[string]any{"name": "Renamed"})},
		"DELETE /api/v1/admin/staff/:id":          {access: admins, params: freshStaff, foreign: gStaff},
		"POST /api/v1/admin/staff/:id/invitation": {access: admins, params: invitedStaff, foreign: gStaff},
		"GET /api/v1/admin/settings":              {access: admins, params: noParams},
		"PATCH /api/v1/admin/settings":            {access: admins, params: noParams, body: jsonBody(map[string]any{"footer": "Matrix"})},
		"PUT /api/v1/admin/settings/logo":         {access: admins, params: noParams, body: pngBody, allowed: passes},
		"PUT /api/v1/admin/settings/favicon":      {access: admins, params: noParams, body: pngBody, allowed: passes},
		"GET /api/v1/admin/settings/oidc":         {access: admins, params: noParams},
		"GET /api/v1/admin/messages":              {access: admins, params: noParams, query: "?locale=fr"},
		"PUT /api/v1/admin/messages/:locale": {access: admins, params: func(*testing.T, *matrix, *who) map[string]string { return map[string]string{"locale": "fr"} },
			body: jsonBody(map[string]string{"tk.new": ""})},
		"GET /api/v1/admin/announcements": {access: admins, params: noParams},
		"POST /api/v1/admin/announcements": {access: admins, params: noParams,
			body: jsonBody(map[string]any{"title": "Matrix", "severity": "maintenance"})},
		"PATCH /api/v1/admin/announcements/:id": {access: admins, params: freshAnnouncement, foreign: gAnnouncement,
			body: jsonBody(map[string]any{"severity": "incident"})},
		"DELETE /api/v1/admin/announcements/:id": {access: admins, params: freshAnnouncement, foreign: gAnnouncement},
		"GET /admin/settings":                    {access: admins, params: noParams},
		"POST /admin/settings": {access: admins, params: noParams, allowed: passes,
			body: formBody(url.Values{"section": {"email"}, "welcome.en": {"Welcome to the matrix"}})},
		"GET /admin/settings/preview.css": {access: admins, params: noParams, query: "?primary_color=%23ffcc00"},
		"POST /admin/settings/logo":       {access: admins, params: noParams, body: logoForm, allowed: passes},
		"POST /admin/settings/favicon":    {access: admins, params: noParams, body: logoForm, allowed: passes},
		"POST /admin/settings/sso":        {access: admins, params: noParams, body: formBody(url.Values{"action": {"delete"}})},
		"GET /admin/settings/wording":     {access: admins, params: noParams, query: "?q=ticket&locale=de"},
		"POST /admin/settings/wording":    {access: admins, params: noParams, body: formBody(url.Values{"locale": {"de"}})},
		"GET /admin/announcements":        {access: admins, params: noParams},
		"POST /admin/announcements": {access: admins, params: noParams,
			body: formBody(url.Values{"severity": {"info"}, "reach": {"all"}, "title.en": {"Matrix"}})},
		"GET /admin/announcements/:id":  {access: admins, params: freshAnnouncement, foreign: gAnnouncement},
		"POST /admin/announcements/:id": {access: admins, params: freshAnnouncement, foreign: gAnnouncement, body: formBody(url.Values{"action": {"delete"}})},
		"PUT /api/v1/admin/settings/oidc": {access: admins, params: noParams, allowed: passes,
			body: jsonBody(map[string]any{"issuer": "https://idp.invalid", "client_id": "portal", "client_secret": "s3cret"})},
		"DELETE /api/v1/admin/settings/oidc": {access: admins, params: noParams, allowed: passes},
		"POST /api/v1/admin/sites": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"name": fmt.Sprintf("New site %d", m.next())})(m, nil)
			}},
		"PATCH /api/v1/admin/sites/:id":    {access: admins, params: freshSite, foreign: gSite, body: jsonBody(map[string]any{"kb_enabled": false})},
		"DELETE /api/v1/admin/sites/:id":   {access: admins, params: freshSite, foreign: gSite},
		"GET /api/v1/admin/sites/:id/oidc": {access: admins, params: site, foreign: gSite},
		"PUT /api/v1/admin/sites/:id/oidc": {access: admins, params: freshSite, foreign: gSite,
			body: jsonBody(map[string]any{"issuer": "https://login.example.com/t", "client_id": "portal", "label": "Initech", "domains": []string{"initech.example"}})},
		"DELETE /api/v1/admin/sites/:id/oidc": {access: admins, params: freshSite, foreign: gSite},
		"POST /api/v1/admin/contacts": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"email": fmt.Sprintf("new%d@initech.test", m.next()), "site_id": m.initech.ID, "role": "member"})(m, nil)
			}},
		"PATCH /api/v1/admin/contacts/:id":                       {access: admins, params: contact, foreign: gContact, body: jsonBody(map[string]any{"job_title": "Tester"})},
		"DELETE /api/v1/admin/contacts/:id":                      {access: admins, params: contact, foreign: gContact},
		"POST /api/v1/admin/contacts/:id/welcome":                {access: admins, params: contact, foreign: gContact},
		"GET /api/v1/admin/contacts/:id/export":                  {access: admins, params: contact, foreign: gContact},
		"POST /api/v1/admin/contacts/:id/erase":                  {access: admins, params: contact, foreign: gContact},
		"DELETE /api/v1/admin/contacts/:id/identities/:identity": {access: admins, params: linked, foreign: gLinked},
		"POST /api/v1/admin/ticket-fields": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"key": fmt.Sprintf("new_%d", m.next()), "type": "text", "labels": map[string]string{"en": "New"}})(m, nil)
			}},
		"PATCH /api/v1/admin/ticket-fields/:key":  {access: admins, params: field, foreign: gField, body: jsonBody(map[string]any{"position": 7})},
		"DELETE /api/v1/admin/ticket-fields/:key": {access: admins, params: field, foreign: gField},
		"PUT /api/v1/admin/field-policies": {access: admins, params: noParams,
			body: jsonBody(map[string]any{"role": "member", "field": "asset_tag", "mode": "editable"})},
		"DELETE /api/v1/admin/field-policies": {access: admins, params: func(t *testing.T, m *matrix, _ *who) map[string]string {
			// A rule of its own to delete: the member's mode of asset_tag at Umbrella.
			rule := svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: m.umbrella.ID, Field: "asset_tag", Mode: svcportal.FieldEditable}
			if err := m.d.app.Policies.SetMode(m.d.actx, rule); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"?": fmt.Sprintf("?role=member&site_id=%d&field=asset_tag", m.umbrella.ID)}
		}},
		"POST /api/v1/admin/kb/categories": {access: admins, params: noParams, body: jsonBody(map[string]any{"names": map[string]string{"en": "New"}})},
		"PATCH /api/v1/admin/kb/categories/:id": {access: admins, params: freshCategory, foreign: gCategory,
			body: jsonBody(map[string]any{"names": map[string]string{"en": "Renamed"}})},
		"DELETE /api/v1/admin/kb/categories/:id": {access: admins, params: freshCategory, foreign: gCategory},
		"POST /api/v1/admin/kb/sections": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"category_id": m.category.ID, "names": map[string]string{"en": "New"}})(m, nil)
			}},
		"PATCH /api/v1/admin/kb/sections/:id": {access: admins, params: freshSection, foreign: gSection,
			body: jsonBody(map[string]any{"names": map[string]string{"en": "Renamed"}})},
		"DELETE /api/v1/admin/kb/sections/:id": {access: admins, params: freshSection, foreign: gSection},
		"POST /api/v1/admin/kb/articles": {access: admins, params: noParams,
			body: func(m *matrix, _ *who) (string, []byte) {
				return jsonBody(map[string]any{"section_id": m.freshSection.ID, "translations": map[string]any{"en": map[string]string{"title": "New", "body": "Body"}}})(m, nil)
			}},
		"PATCH /api/v1/admin/kb/articles/:id": {access: admins, params: freshArticle, foreign: gArticle,
			body: jsonBody(map[string]any{"position": 3})},
		"POST /api/v1/admin/kb/articles/:id/publish":   {access: admins, params: freshArticle, foreign: gArticle},
		"POST /api/v1/admin/kb/articles/:id/unpublish": {access: admins, params: freshArticle, foreign: gArticle},
		"DELETE /api/v1/admin/kb/articles/:id":         {access: admins, params: freshArticle, foreign: gArticle},
		"POST /api/v1/admin/kb/articles/:id/attachments": {access: admins, params: freshArticle, foreign: gArticle,
			body: func(*matrix, *who) (string, []byte) {
				var buf bytes.Buffer
				buf.WriteString("--matrix\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--matrix--\r\n")
				return "multipart/form-data; boundary=matrix", buf.Bytes()
			}},
		"DELETE /api/v1/admin/kb/articles/:id/attachments/:file": {access: admins, params: articleFile, foreign: gArticleFile},
		"POST /api/v1/admin/kb/preview":                          {access: admins, params: noParams, body: jsonBody(map[string]string{"body": "**Matrix**"})},

		// Knowledge-base authoring pages: staff read, admins write.
		"GET /admin/kb":                        staffRoute,
		"GET /admin/kb/categories/:id":         with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = category, gCategory }),
		"GET /admin/kb/sections/:id":           with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = section, gSection }),
		"GET /admin/kb/articles/:id":           with(staffRoute, func(rc *routeCase) { rc.params, rc.foreign = article, gArticle }),
		"GET /admin/kb/categories/new":         {access: admins, params: noParams},
		"GET /admin/kb/sections/new":           {access: admins, params: noParams},
		"GET /admin/kb/articles/new":           {access: admins, params: noParams},
		"POST /admin/kb/categories":            {access: admins, params: noParams, body: formBody(url.Values{"names.en": {"Matrix"}, "reach": {"all"}})},
		"POST /admin/kb/categories/:id":        {access: admins, params: freshCategory, foreign: gCategory, body: formBody(url.Values{"names.en": {"Renamed"}, "reach": {"all"}})},
		"POST /admin/kb/categories/:id/delete": {access: admins, params: freshCategory, foreign: gCategory, body: formBody(url.Values{})},
		"POST /admin/kb/sections":              {access: admins, params: noParams, body: sectionForm},
		"POST /admin/kb/sections/:id":          {access: admins, params: freshSection, foreign: gSection, body: sectionForm},
		"POST /admin/kb/sections/:id/delete":   {access: admins, params: freshSection, foreign: gSection, body: formBody(url.Values{})},
		"POST /admin/kb/sections/:id/order":    {access: admins, params: freshSection, foreign: gSection, body: formBody(url.Values{})},
		"POST /admin/kb/order": {access: admins, params: noParams, body: func(m *matrix, w *who) (string, []byte) {
			return formBody(url.Values{fmt.Sprintf("category.%d", m.category.ID): {"1"}})(m, w)
		}},
		"POST /admin/kb/articles":                        {access: admins, params: noParams, body: articleForm},
		"POST /admin/kb/articles/:id":                    {access: admins, params: freshArticle, foreign: gArticle, body: articleForm},
		"POST /admin/kb/articles/:id/publish":            {access: admins, params: freshArticle, foreign: gArticle, body: formBody(url.Values{})},
		"POST /admin/kb/articles/:id/unpublish":          {access: admins, params: freshArticle, foreign: gArticle, body: formBody(url.Values{})},
		"POST /admin/kb/articles/:id/delete":             {access: admins, params: freshArticle, foreign: gArticle, body: formBody(url.Values{})},
		"POST /admin/kb/articles/:id/files/:file/delete": {access: admins, params: articleFile, foreign: gArticleFile, body: formBody(url.Values{})},
		"POST /admin/kb/articles/:id/files": {access: admins, params: freshArticle, foreign: gArticle,
			body: func(*matrix, *who) (string, []byte) {
				var buf bytes.Buffer
				buf.WriteString("--matrix\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--matrix--\r\n")
				return "multipart/form-data; boundary=matrix", buf.Bytes()
			}},
	}
}

// fill puts params into a gin route pattern.
func fill(pattern string, params map[string]string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			v, ok := params[p[1:]]
			if !ok {
				return ""
			}
			parts[i] = strings.TrimPrefix(v, "/")
		}
	}
	return strings.Join(parts, "/")
}

func classOf(rec *httptest.ResponseRecorder) (class, bool) {
	code := rec.Code
	loc := rec.Header().Get("Location")
	switch {
	case code >= 500:
		return 0, false
	case code == http.StatusUnauthorized, code >= 300 && code < 400 && (strings.HasPrefix(loc, "/login") || strings.HasPrefix(loc, "/admin/login")):
		return loginClass, true
	case code == http.StatusForbidden:
		return forbidden, true
	case code == http.StatusNotFound:
		return notFound, true
	case code < 400:
		return okClass, true
	}
	return passes, true
}

func matches(want class, rec *httptest.ResponseRecorder) bool {
	got, ok := classOf(rec)
	switch {
	case !ok:
		return false
	case want == anyClass:
		return true
	case want == passes:
		return got == okClass || got == passes
	}
	return got == want
}

// TestIsolationMatrix sends every route the engine has registered, as
// each kind of principal, about objects of the first tenant — and, for
// routes about an object, about the other tenant's object of the same
// kind — and checks the class of each answer: 2xx/3xx only where the
// principal is allowed; 404 for what they may not see and for another
// tenant's objects; 401, 403 or the login page for the wrong principal;
// never a 5xx; never the other tenant's data, nor, to a contact, a hidden
// field's value. A route without a case fails the test.
func TestIsolationMatrix(t *testing.T) {
	d := newDesk(t)
	m := &matrix{d: d}
	m.initech, m.umbrella = siteNamed(t, d.actx, d.app, "Initech"), siteNamed(t, d.actx, d.app, "Umbrella")
	m.admin = d.app.NewAPIClient(t, d.actx, "acme.localhost", "admin@acme.test", "matrix")

	// The first tenant's objects, every field mode set on the ticket.
	rec := d.peter.Multipart(t, "/api/v1/tickets", url.Values{"title": {"Private matrix ticket"}}, []testkit.File{{Name: "shot.txt", Content: []byte("shot")}})
	var pv svcportal.TicketView
	if err := json.Unmarshal(rec.Body.Bytes(), &pv); err != nil || rec.Code != http.StatusCreated || len(pv.Attachments) != 1 {
		t.Fatalf("private ticket: %d %s", rec.Code, rec.Body)
	}
	m.private, m.privateFile = pv.Number, pv.Attachments[0].ID
	if rec := d.agent.JSON(t, "PATCH", fmt.Sprintf("/api/v1/admin/tickets/%d", m.private),
		map[string]any{"fields": map[string]any{"internal_cost": 7770001, "contract": "premium", "asset_tag": "AT-0"}}, nil); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	m.category = testkit.KBCategory(d.actx, t, d.app.Store, "Matrix category")
	m.section = testkit.KBSection(d.actx, t, d.app.Store, m.category, "Matrix section")
	m.article = testkit.KBArticle(d.actx, t, d.app.Store, m.section, svcportal.KBPublished, "Umbrella matrix article", "Body", m.umbrella)
	m.freshSection = testkit.KBSection(d.actx, t, d.app.Store, testkit.KBCategory(d.actx, t, d.app.Store, "Fresh articles"), "Fresh section")

	// The other tenant's: a ticket whose number the first tenant never
	// reaches, a site, a contact, a field, knowledge-base objects and a
	// file, all marked.
	const mark = "GLOBEXMARK"
	hooli := siteNamed(t, d.gctx, d.app, "Hooli")
	gavin, err := d.app.Store.ContactByEmail(d.gctx, "gavin@hooli.test")
	if err != nil {
		t.Fatal(err)
	}
	m.gSite, m.gContact = hooli.ID, gavin.ID
	seed := make([]svcportal.Ticket, 2000)
	for i := range seed {
		seed[i] = svcportal.Ticket{SiteID: hooli.ID, RequesterID: gavin.ID, Title: mark + " ticket", Status: svcportal.StatusOpen, Type: "incident", Priority: "normal"}
	}
	if err := d.app.Store.SeedTickets(d.gctx, seed); err != nil {
		t.Fatal(err)
	}
	m.gTicket = seed[len(seed)-1].Number
	gf := svcportal.TicketField{Key: "globex_only", Type: svcportal.FieldText, Labels: map[string]string{"en": mark}}
	if err := d.app.Store.CreateTicketField(d.gctx, &gf); err != nil {
		t.Fatal(err)
	}
	gc := testkit.KBCategory(d.gctx, t, d.app.Store, mark+" category")
	gs := testkit.KBSection(d.gctx, t, d.app.Store, gc, mark+" section")
	ga := testkit.KBArticle(d.gctx, t, d.app.Store, gs, svcportal.KBPublished, mark+" article", mark)
	m.gCategory, m.gSection, m.gArticle = gc.ID, gs.ID, ga.ID
	gAdmin := d.app.NewAPIClient(t, d.gctx, "globex.localhost", "admin@globex.test", "matrix")
	m.gFile = m.articleFile(t, gAdmin, ga.ID)
	gStaff, err := d.app.Store.StaffByEmail(d.gctx, "admin@globex.test")
	if err != nil {
		t.Fatal(err)
	}
	m.gStaff = gStaff.ID
	gw := &svcportal.WebhookEndpoint{URL: "https://hooks.invalid/globex", Events: []string{"ticket.created"}, Enabled: true, Secret: "whsec_AAAA"}
	if err := d.app.Store.CreateWebhookEndpoint(d.gctx, gw); err != nil {
		t.Fatal(err)
	}
	m.gWebhook = gw.ID
	gi := &svcportal.ContactImport{FileName: "globex.csv"}
	if err := d.app.Store.StartContactImport(d.gctx, gi, d.app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := d.app.Store.FinishContactImport(d.gctx, gi.ID, svcportal.ImportDone, 0, &svcportal.ContactImportReport{}); err != nil {
		t.Fatal(err)
	}
	m.gImport = gi.ID
	m.gIdentity = m.identity(t, d.gctx, gavin.ID)
	gTitle := mark + " announcement"
	ga2, err := d.app.Announcements.CreateAnnouncement(d.gctx, svcportal.AnnouncementChange{Title: &gTitle})
	if err != nil {
		t.Fatal(err)
	}
	m.gAnnouncement = ga2.ID

	// The principals, on the first tenant's host.
	dana := multiSiteContact(t, d, "dana@multi.test",
		svcportal.Membership{SiteID: m.initech.ID, Role: svcportal.RoleMember}, svcportal.Membership{SiteID: m.umbrella.ID, Role: svcportal.RoleSiteManager})
	foreignContact := d.app.NewBrowser("acme.localhost")
	foreignContact.SetCookie(portal.SessionCookie, d.gavin.Cookie(portal.SessionCookie))
	foreignContact.CSRF = d.gavin.CSRF
	foreignAdmin := d.app.NewBrowser("acme.localhost")
	foreignAdmin.Header.Set("Authorization", gAdmin.Header.Get("Authorization")) // the other tenant's token
	whos := []*who{
		{name: "anonymous", b: d.app.NewBrowser("acme.localhost")},
		{name: "member", b: d.peter, contact: "member"},
		{name: "colleague", b: d.milton, contact: "colleague"},
		{name: "site manager", b: d.bill, contact: "manager"},
		{name: "contact of another site", b: d.alice, contact: "othersite"},
		{name: "multi-site contact", b: dana, contact: "multisite"},
		{name: "other tenant's contact", b: foreignContact},
		{name: "other tenant's admin", b: foreignAdmin},
		{name: "agent", b: d.agent, staff: svcportal.StaffAgent},
		{name: "admin", b: m.admin, staff: svcportal.StaffAdmin},
	}

	cases := routeCases()
	routes := d.app.Web.Engine.Routes()
	// Routes that end a session run last.
	slices.SortStableFunc(routes, func(a, b gin.RouteInfo) int {
		la, lb := cases[a.Method+" "+a.Path].runsLast(a.Method), cases[b.Method+" "+b.Path].runsLast(b.Method)
		switch {
		case la == lb:
			return 0
		case lb:
			return -1
		}
		return 1
	})
	seen := map[string]bool{}
	count := 0
	// run sends every route of routes as every principal, while acme's
	// knowledge base is public or not.
	run := func(routes []gin.RouteInfo, kbPublic bool) {
		for _, r := range routes {
			key := r.Method + " " + r.Path
			seen[key] = true
			rc, ok := cases[key]
			if !ok {
				t.Errorf("route %s has no case in routeCases (portal/isolation_matrix_test.go): add one saying who may call it and with which objects", key)
				continue
			}
			for _, w := range whos {
				for _, foreign := range []bool{false, true} {
					if foreign && rc.foreign == nil {
						continue
					}
					name := fmt.Sprintf("%s/%s", key, w.name)
					if foreign {
						name += "/other tenant's object"
					}
					if kbPublic {
						name += "/public knowledge base"
					}
					count++
					t.Run(name, func(t *testing.T) {
						params := rc.params(t, m, w)
						if foreign {
							params = rc.foreign(m)
						}
						path := fill(r.Path, params)
						if path == "" {
							t.Fatalf("the case of %s lacks a path parameter", key)
						}
						var body []byte
						h := http.Header{}
						if rc.body != nil {
							ct, b := rc.body(m, w)
							body = b
							h.Set("Content-Type", ct)
						}
						if w.b.CSRF != "" {
							h.Set("X-CSRF-Token", w.b.CSRF)
						}
						rec := w.b.Do(t, r.Method, path+rc.query+params["?"], bytes.NewReader(body), h)
						want := rc.expect(w, foreign, kbPublic)
						if !matches(want, rec) {
							t.Errorf("%s %s as %s: %d (Location %q), want %s\n%.300s", r.Method, path, w.name, rec.Code, rec.Header().Get("Location"), want, rec.Body)
						}
						text := rec.Body.String()
						if strings.Contains(text, mark) || strings.Contains(strings.ToLower(text), "hooli") {
							t.Errorf("%s %s as %s shows the other tenant's data", r.Method, path, w.name)
						}
						if w.contact != "" && (strings.Contains(text, "7770001") || strings.Contains(text, "internal_cost")) {
							t.Errorf("%s %s as %s shows a hidden field", r.Method, path, w.name)
						}
						if kbPublic && w.contact == "" && strings.Contains(text, "Umbrella matrix article") {
							t.Errorf("%s %s as %s shows an article of one site to a visitor", r.Method, path, w.name)
						}
					})
				}
			}
		}
	}
	setKBPublic := func(on bool) {
		t.Helper()
		if _, err := d.app.Tenants.UpdateSettings(d.actx, svcportal.TenantSettings{KBPublic: &on}); err != nil {
			t.Fatal(err)
		}
	}
	// Every route with acme's knowledge base private; then its reading
	// routes with it public; then the routes that end sessions.
	firstLast := slices.IndexFunc(routes, func(r gin.RouteInfo) bool { return cases[r.Method+" "+r.Path].runsLast(r.Method) })
	if firstLast < 0 {
		firstLast = len(routes)
	}
	run(routes[:firstLast], false)
	setKBPublic(true)
	run(slices.DeleteFunc(slices.Clone(routes[:firstLast]), func(r gin.RouteInfo) bool {
		return cases[r.Method+" "+r.Path].access != kbReaders
	}), true)
	setKBPublic(false)
	run(routes[firstLast:], false)
	for key := range cases {
		if !seen[key] {
			t.Errorf("routeCases has %s, which the engine does not register: remove it", key)
		}
	}
	t.Logf("%d routes, %d principals, %d requests", len(routes), len(whos), count)
}
