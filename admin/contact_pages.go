package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// The tenant's contacts: /admin/contacts (search, pages, a form to add
// one, import and export), /admin/contacts/{id} (profile, memberships in
// several sites with a role each, disable or enable, the welcome email)
// and /admin/contacts/{id}/delete (what deleting does to their tickets,
// before it is confirmed). Agents read; admins change
// (svcportal.ContactAdmin).

// contactsPerPage is the length of a page of the contact list.
const contactsPerPage = 25

type contactsPage struct {
	page
	Contacts  template.HTML // the rows, rendered (contactRow)
	Total     int
	Query     string
	SiteID    int64 // of the filter, 0 for any
	sites     []svcportal.Site
	Languages []string
	Roles     []string
	CanWrite  bool
	New       svcportal.ContactCreate
	Prev      string
	Next      string
	PageNo    int
	Pages     int
}

func (h *handlers) newContactsPage(c *gin.Context) (*contactsPage, error) {
	ctx := c.Request.Context()
	f := svcportal.ContactFilter{Query: c.Query("q"), PerPage: contactsPerPage}
	if err := svcportal.CheckQuery("q", f.Query); err != nil {
		return nil, err
	}
	site, err := queryInt(c, "site")
	if err != nil {
		return nil, err
	}
	f.SiteID = int64(site)
	if f.Page, err = queryInt(c, "page"); err != nil {
		return nil, err
	}
	f.Page = max(f.Page, 1)
	list, total, err := h.deps.ContactAdmin.Contacts(ctx, f)
	if err != nil {
		return nil, err
	}
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return nil, err
	}
	pg := &contactsPage{page: h.newPage(c), Total: total, Query: f.Query, SiteID: f.SiteID, sites: sites,
		Languages: locales.Tags, Roles: svcportal.PortalRoles, CanWrite: h.may(c, write(policies.AreaContacts)),
		New: svcportal.ContactCreate{Role: svcportal.RoleMember, SendWelcome: true}, PageNo: f.Page,
		Pages: max(1, (total+contactsPerPage-1)/contactsPerPage)}
	if pg.Contacts, err = contactRows(c, &pg.Page, list); err != nil {
		return nil, err
	}
	link := func(p int) string {
		v := url.Values{}
		if pg.Query != "" {
			v.Set("q", pg.Query)
		}
		if pg.SiteID != 0 {
			v.Set("site", strconv.FormatInt(pg.SiteID, 10))
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/contacts?" + v.Encode()
	}
	if f.Page > 1 {
		pg.Prev = link(f.Page - 1)
	}
	if f.Page*contactsPerPage < total {
		pg.Next = link(f.Page + 1)
	}
	if c.Query("done") == "deleted" {
		pg.Notice = pg.T("console.contacts.deleted")
	}
	return pg, nil
}

// contactRow is a contact of the directory's list, its texts ready: all
// the row shows, so it is a web.Fragment.
type contactRow struct {
	ID       int64
	Name     string
	Email    string
	Disabled bool
	State    string
	Sites    template.HTML // its memberships, rendered (membership)
}

// membership is one of a contact's sites in the list, with their role.
type membership struct {
	Site, Role string
	Last       bool
}

// contactRows renders the list's rows for the reader of p.
func contactRows(c *gin.Context, p *web.Page, list []svcportal.Contact) (template.HTML, error) {
	rows := make([]contactRow, len(list))
	for i := range list {
		ct := &list[i]
		row := contactRow{ID: ct.ID, Name: ct.DisplayName(), Email: ct.Email, Disabled: ct.Disabled, State: p.T("console.staff.active")}
		if ct.Disabled {
			row.State = p.T("console.contacts.disabled")
		}
		ms := make([]membership, len(ct.Memberships))
		for j, m := range ct.Memberships {
			ms[j] = membership{Site: m.SiteName, Role: p.T("console.portal_role." + m.Role), Last: j == len(ct.Memberships)-1}
		}
		var err error
		if row.Sites, err = web.Fragments(c, "admin/contacts", "membership", ms); err != nil {
			return "", err
		}
		rows[i] = row
	}
	return web.Fragments(c, "admin/contacts", "contact_row", rows)
}

// SiteOptions are the options of a select of the tenant's sites, chosen
// selected.
func (p *contactsPage) SiteOptions(chosen int64) (template.HTML, error) {
	return p.Choices(siteOptions(p.sites, strconv.FormatInt(chosen, 10)))
}

func (h *handlers) contactsShow(c *gin.Context) error {
	pg, err := h.newContactsPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/contacts", pg)
}

func (h *handlers) contactCreateSubmit(c *gin.Context) error {
	site, _ := strconv.ParseInt(c.PostForm("site_id"), 10, 64)
	req := svcportal.ContactCreate{Email: c.PostForm("email"), FirstName: c.PostForm("first_name"), LastName: c.PostForm("last_name"),
		JobTitle: c.PostForm("job_title"), Phone: c.PostForm("phone"), Locale: c.PostForm("locale"), SiteID: site,
		Role: c.PostForm("role"), SendWelcome: c.PostForm("send_welcome") == "on"}
	contact, err := h.deps.ContactAdmin.CreateContact(c.Request.Context(), web.Principal(c), req)
	if web.Redisplays(err) || svcportal.KindOf(err) == svcportal.KindNotFound {
		pg, perr := h.newContactsPage(c)
		if perr != nil {
			return perr
		}
		pg.New = req
		pg.fail(c, err, "email", "first_name", "last_name", "site_id", "role", "locale", "phone", "job_title")
		return web.Render(c, formStatus(c, err), "admin/contacts", pg)
	} else if err != nil {
		return err
	}
	done := "created"
	if req.SendWelcome {
		done = "created_welcomed"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/%d?done=%s", contact.ID, done))
	return nil
}

// membershipRow is one site of the membership form: the contact's role
// there, or "" when they are not a member.
type membershipRow struct {
	Site svcportal.Site
	Role string
}

type contactPage struct {
	page
	Contact   *svcportal.Contact
	Rows      []membershipRow
	Others    []svcportal.Site // sites the contact is not a member of
	Languages []string
	Roles     []string
	CanWrite  bool
	AddSite   string
	AddRole   string
	// Identities are the accounts at sign-in providers linked to the
	// contact.
	Identities []identityRow
}

// identityRow is a linked sign-in identity as the contact page shows it:
// Account names its key, shortened (Entra's directory and object, or the
// subject), Key is that key in full.
type identityRow struct {
	svcportal.ContactIdentity
	Account, Key string
}

func newIdentityRow(pg *page, id svcportal.ContactIdentity) identityRow {
	r := identityRow{ContactIdentity: id}
	if id.Entra() {
		r.Account = pg.T("console.contacts.identity_entra", "TID", shortID(id.TID), "OID", shortID(id.OID))
		r.Key = id.TID + " / " + id.OID
	} else {
		r.Account = pg.T("console.contacts.identity_subject", "Subject", shortID(id.Subject))
		r.Key = id.Subject
	}
	return r
}

// shortID keeps the start and the end of a long identifier, enough to
// tell two apart at a glance.
func shortID(s string) string {
	r := []rune(s)
	if len(r) <= 14 {
		return s
	}
	return string(r[:8]) + "…" + string(r[len(r)-4:])
}

func (h *handlers) newContactPage(c *gin.Context, id int64) (*contactPage, error) {
	ctx := c.Request.Context()
	contact, err := h.deps.ContactAdmin.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return nil, err
	}
	pg := &contactPage{page: h.newPage(c), Contact: contact, Languages: locales.Tags, Roles: svcportal.PortalRoles,
		CanWrite: h.may(c, write(policies.AreaContacts)), AddRole: svcportal.RoleMember}
	pg.setSites(sites)
	identities, err := h.deps.ContactAdmin.ContactIdentities(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, ident := range identities {
		pg.Identities = append(pg.Identities, newIdentityRow(&pg.page, ident))
	}
	if id, ok := contactNotices[c.Query("done")]; ok {
		pg.Notice = pg.T(id, "Email", contact.Email)
	}
	return pg, nil
}

// setSites splits the tenant's sites into the contact's and the others.
func (pg *contactPage) setSites(sites []svcportal.Site) {
	roles := map[int64]string{}
	for _, m := range pg.Contact.Memberships {
		roles[m.SiteID] = m.Role
	}
	pg.Rows, pg.Others = nil, nil
	for _, s := range sites {
		if r, ok := roles[s.ID]; ok {
			pg.Rows = append(pg.Rows, membershipRow{Site: s, Role: r})
		} else {
			pg.Others = append(pg.Others, s)
		}
	}
}

// contactNotices are the messages a redirect to a contact's page may ask for.
var contactNotices = map[string]string{
	"created": "console.contacts.created", "created_welcomed": "console.contacts.created_welcomed",
	"saved": "console.contacts.saved", "disabled": "console.contacts.now_disabled", "enabled": "console.contacts.now_enabled",
	"welcomed": "console.contacts.welcomed", "unlinked": "console.contacts.identity_unlinked",
}

func (h *handlers) contactShowPage(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	pg, err := h.newContactPage(c, id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/contact", pg)
}

// contactUpdateSubmit saves the profile and the memberships in one call:
// role.SITE is member, site_manager or "" (not a member) for each site
// the contact had, add_site and add_role add one.
func (h *handlers) contactUpdateSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	field := func(name string) *string { v := form.Get(name); return &v }
	u := svcportal.ContactUpdate{ProfileUpdate: svcportal.ProfileUpdate{FirstName: field("first_name"), LastName: field("last_name"),
		JobTitle: field("job_title"), Email: field("email"), Phone: field("phone"), Locale: field("locale")}}
	u.Sites = []svcportal.Membership{}
	for name, vals := range form {
		sid, ok := strings.CutPrefix(name, "role.")
		if !ok || vals[0] == "" {
			continue
		}
		site, perr := strconv.ParseInt(sid, 10, 64)
		if perr != nil {
			return svcportal.ErrNotFound()
		}
		u.Sites = append(u.Sites, svcportal.Membership{SiteID: site, Role: vals[0]})
	}
	if add := form.Get("add_site"); add != "" {
		site, perr := strconv.ParseInt(add, 10, 64)
		if perr != nil {
			return svcportal.ErrNotFound()
		}
		u.Sites = append(u.Sites, svcportal.Membership{SiteID: site, Role: form.Get("add_role")})
	}
	_, err = h.deps.ContactAdmin.UpdateContact(c.Request.Context(), web.Principal(c), id, u)
	if web.Redisplays(err) || svcportal.KindOf(err) == svcportal.KindNotFound && len(web.FieldErrors(c, err)) > 0 {
		pg, perr := h.newContactPage(c, id)
		if perr != nil {
			return perr
		}
		edited := *pg.Contact
		edited.FirstName, edited.LastName, edited.JobTitle = *u.FirstName, *u.LastName, *u.JobTitle
		edited.Email, edited.Phone, edited.Locale = *u.Email, *u.Phone, *u.Locale
		pg.Contact = &edited
		pg.AddSite, pg.AddRole = form.Get("add_site"), form.Get("add_role")
		pg.fail(c, err, "email", "first_name", "last_name", "job_title", "phone", "locale", "sites", "site_id")
		if msg, ok := pg.Errors["site_id"]; ok {
			pg.Errors["sites"] = msg // a site that is no longer the tenant's
		}
		return web.Render(c, formStatus(c, err), "admin/contact", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/%d?done=saved", id))
	return nil
}

// contactStateSubmit disables (ending their sessions) or enables a contact.
func (h *handlers) contactStateSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	action := c.PostForm("action")
	if action != "disable" && action != "enable" {
		return invalid("action", "error.required")
	}
	disabled := action == "disable"
	if _, err := h.deps.ContactAdmin.UpdateContact(c.Request.Context(), web.Principal(c), id, svcportal.ContactUpdate{Disabled: &disabled}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/%d?done=%sd", id, action))
	return nil
}

// contactWelcomeSubmit sends (again) the welcome email with a new
// set-password link; earlier links stop working.
func (h *handlers) contactWelcomeSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.ContactAdmin.SendWelcome(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/%d?done=welcomed", id))
	return nil
}

// contactIdentityUnlinkSubmit unlinks one of the contact's sign-in
// identities (ending the contact's sessions).
func (h *handlers) contactIdentityUnlinkSubmit(c *gin.Context) error {
	id, err := h.unlinkIdentity(c)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/%d?done=unlinked#identities", id))
	return nil
}

type contactDeletePage struct {
	page
	Contact *svcportal.Contact
	Impact  *svcportal.ContactImpact
}

// contactDeleteConfirm spells out what deleting the contact does to their
// tickets before the admin confirms.
func (h *handlers) contactDeleteConfirm(c *gin.Context) error {
	return h.renderContactDelete(c, http.StatusOK, nil)
}

func (h *handlers) renderContactDelete(c *gin.Context, status int, failure error) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	contact, err := h.deps.ContactAdmin.Contact(ctx, id)
	if err != nil {
		return err
	}
	impact, err := h.deps.ContactAdmin.ContactImpact(ctx, id)
	if err != nil {
		return err
	}
	pg := &contactDeletePage{page: h.newPage(c), Contact: contact, Impact: impact}
	if failure != nil {
		pg.Alert = web.ErrorMessage(c, failure)
	}
	return web.Render(c, status, "admin/contact_delete", pg)
}

func (h *handlers) contactDeleteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	err = h.deps.ContactAdmin.DeleteContact(c.Request.Context(), web.Principal(c), id)
	if web.Redisplays(err) {
		return h.renderContactDelete(c, web.ErrorStatus(c, err), err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/contacts?done=deleted")
	return nil
}

// contactsExport downloads every contact as a contacts CSV (the import's
// format), would-be formulas neutralised.
func (h *handlers) contactsExport(c *gin.Context) error {
	var buf bytes.Buffer
	if err := h.deps.ContactAdmin.ExportContacts(c.Request.Context(), &buf); err != nil {
		return err
	}
	t := svcportal.TenantFrom(c.Request.Context())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-contacts.csv"`, t.Slug))
	c.Header("Cache-Control", "private, no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

// importPage is the import's form: the file, the welcome choice, and
// the tenant's latest import (a link to its progress or report).
type importPage struct {
	page
	SendWelcome bool
	Columns     string
	Latest      *svcportal.ContactImport
}

func (h *handlers) newImportPage(c *gin.Context) (*importPage, error) {
	pg := &importPage{page: h.newPage(c), Columns: strings.Join(svcportal.ContactCSVColumns, ",")}
	latest, err := h.deps.Imports.LatestContactImport(c.Request.Context())
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return nil, err
	}
	pg.Latest = latest
	return pg, nil
}

func (h *handlers) contactsImportForm(c *gin.Context) error {
	pg, err := h.newImportPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/contacts_import", pg)
}

// contactsImportSubmit reads the uploaded file and starts its import in
// the background, then sends the admin to the import's page, which shows
// its progress and then its report. A file that cannot be read, or an
// import already running, is said beside the form.
func (h *handlers) contactsImportSubmit(c *gin.Context) error {
	pg, err := h.newImportPage(c)
	if err != nil {
		return err
	}
	form, err := web.MultipartForm(c)
	if err != nil {
		return err
	}
	var imp *svcportal.ContactImport
	if form == nil || len(form.File["file"]) == 0 || form.File["file"][0].Size == 0 {
		err = invalid("file", "error.csv_file_required")
	} else {
		pg.SendWelcome = len(form.Value["send_welcome"]) > 0 && form.Value["send_welcome"][0] == "on"
		fh := form.File["file"][0]
		f, oerr := fh.Open()
		if oerr != nil {
			return oerr
		}
		defer f.Close()
		imp, err = h.deps.Imports.StartContactImport(c.Request.Context(), web.Principal(c), f, truncateName(fh.Filename),
			svcportal.ContactImportOptions{SendWelcome: pg.SendWelcome})
	}
	if web.Redisplays(err) {
		pg.fail(c, err, "file")
		return web.Render(c, web.ErrorStatus(c, err), "admin/contacts_import", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/contacts/import/%d", imp.ID))
	return nil
}

// truncateName keeps a file's name short enough to show.
func truncateName(name string) string {
	name = strings.ToValidUTF8(filepath.Base(strings.ReplaceAll(name, "\\", "/")), "")
	if r := []rune(name); len(r) > 100 {
		return string(r[:100])
	}
	return name
}

// maxRefusalsShown bounds the refused rows the report page lists.
const maxRefusalsShown = 500

// importRunPage is an import's page: its progress while it runs (the
// page refreshes itself, and a script follows it without reloading), its
// report once done.
type importRunPage struct {
	page
	Import  *svcportal.ContactImport
	Refused []importRefusal
	Hidden  int    // refused rows not listed
	Ignored string // the file's columns that were not read
}

// importRefusal is a refused row as the report shows it.
type importRefusal struct {
	Line          int
	Email, Column string
	Reason        string
}

// Running says whether the import is still under way.
func (p *importRunPage) Running() bool { return p.Import.State == svcportal.ImportRunning }

func (h *handlers) contactsImportShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	imp, err := h.deps.Imports.ContactImport(c.Request.Context(), id)
	if err != nil {
		return err
	}
	pg := &importRunPage{page: h.newPage(c), Import: imp}
	if rep := imp.Report; rep != nil {
		pg.Ignored = strings.Join(rep.IgnoredColumns, ", ")
		tr := web.Translator(c)
		for i, r := range rep.Refused {
			if i == maxRefusalsShown {
				pg.Hidden = len(rep.Refused) - i
				break
			}
			pg.Refused = append(pg.Refused, importRefusal{Line: r.Line, Email: r.Email, Column: r.Field, Reason: tr.T(r.MessageID, r.Data)})
		}
	}
	c.Header("Cache-Control", "no-store")
	return web.Render(c, http.StatusOK, "admin/contacts_import_run", pg)
}

// formStatus is the status of a form shown again with err: a site of the
// form that is not the tenant's is the form's mistake (422), not a
// missing page.
func formStatus(c *gin.Context, err error) int {
	if s := web.ErrorStatus(c, err); s != http.StatusNotFound {
		return s
	}
	return http.StatusUnprocessableEntity
}
