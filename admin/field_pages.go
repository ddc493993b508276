package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// The ticket fields: /admin/fields lists every built-in and custom field
// with its mode per portal role (a form per row) and its per-site
// overrides, and previews the portal's new-ticket form as a member and as
// a site manager of a chosen site; /admin/fields/new and
// /admin/fields/{key}/edit create and edit custom fields. Every change
// goes through svcportal.FieldAdmin, which checks it in its transaction;
// its complaints are shown beside the field concerned.

// fieldAdminRow is one field of the list.
type fieldAdminRow struct {
	Key, Label  string
	Type        svcportal.FieldType
	Builtin     bool
	Required    bool
	TicketTypes []string
	Modes       map[string]svcportal.FieldMode // all-sites mode per portal role
	Overrides   []svcportal.PolicyRule         // per-site rules
}

// previewForm is the portal's new-ticket form as one role sees it.
type previewForm struct {
	Role     string
	Inputs   []svcportal.TicketFieldView // editable: in the form
	ViewOnly []svcportal.TicketFieldView // shown on tickets, not in the form
	Hidden   int
}

type fieldsPage struct {
	page
	Rows        []fieldAdminRow
	Sites       []svcportal.Site
	SiteNames   map[int64]string
	Roles       []string
	Modes       []svcportal.FieldMode
	CanWrite    bool
	PreviewSite int64
	Previews    []previewForm
	// RowError says, by field key, what went wrong with a change of it.
	RowError map[string]string
}

func (h *handlers) newFieldsPage(c *gin.Context) (*fieldsPage, error) {
	ctx := c.Request.Context()
	custom, err := h.deps.Fields.Fields(ctx, false)
	if err != nil {
		return nil, err
	}
	rules, err := h.deps.Fields.Rules(ctx)
	if err != nil {
		return nil, err
	}
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return nil, err
	}
	pg := &fieldsPage{page: h.newPage(c), Sites: sites, SiteNames: map[int64]string{}, Roles: svcportal.PortalRoles,
		Modes: svcportal.FieldModes, CanWrite: h.may(c, write(policies.AreaFields)), RowError: map[string]string{}}
	for _, s := range sites {
		pg.SiteNames[s.ID] = s.Name
	}
	t := svcportal.TenantFrom(ctx)
	row := func(key string) fieldAdminRow {
		r := fieldAdminRow{Key: key, Modes: map[string]svcportal.FieldMode{}}
		for _, role := range svcportal.PortalRoles {
			r.Modes[role] = svcportal.FieldHidden
		}
		for _, rule := range rules {
			switch {
			case rule.Field != key:
			case rule.SiteID == 0:
				r.Modes[rule.Role] = rule.Mode
			default:
				r.Overrides = append(r.Overrides, rule)
			}
		}
		return r
	}
	for _, key := range svcportal.BuiltinFields {
		r := row(key)
		r.Builtin, r.Label = true, pg.T("field.builtin."+key)
		pg.Rows = append(pg.Rows, r)
	}
	for _, f := range custom {
		r := row(f.Key)
		r.Label, r.Type, r.Required, r.TicketTypes = f.Label(pg.Lang, t.DefaultLocale), f.Type, f.Required, f.TicketTypes
		pg.Rows = append(pg.Rows, r)
	}
	if id, ok := fieldNotices[c.Query("done")]; ok {
		pg.Notice = pg.T(id, "Field", c.Query("field"))
	}
	if err := h.preview(c, pg); err != nil {
		return nil, err
	}
	return pg, nil
}

// fieldNotices are the messages a redirect to /admin/fields may ask for.
var fieldNotices = map[string]string{
	"modes": "console.fields.modes_saved", "override": "console.fields.override_saved", "override_removed": "console.fields.override_removed",
	"created": "console.fields.created", "saved": "console.fields.saved", "deleted": "console.fields.deleted",
}

// preview fills the page's preview of the portal's new-ticket form at the
// chosen site (preview_site; the first site by default), as each portal
// role sees it.
func (h *handlers) preview(c *gin.Context, pg *fieldsPage) error {
	site, _ := strconv.ParseInt(c.Query("preview_site"), 10, 64)
	if _, ok := pg.SiteNames[site]; !ok {
		site = 0
		if len(pg.Sites) > 0 {
			site = pg.Sites[0].ID
		}
	}
	pg.PreviewSite = site
	for _, role := range svcportal.PortalRoles {
		views, err := h.deps.Tickets.FieldsAs(c.Request.Context(), role, site, pg.Lang)
		if err != nil {
			return err
		}
		f := previewForm{Role: role, Hidden: len(pg.Rows) - len(views)}
		for _, v := range views {
			// The portal's form offers what the role may edit, but never
			// the status or the assignee (portal/ticket_pages.go).
			switch {
			case v.Mode == svcportal.FieldEditable && v.Key != "status" && v.Key != "assignee":
				f.Inputs = append(f.Inputs, v)
			default:
				f.ViewOnly = append(f.ViewOnly, v)
			}
		}
		pg.Previews = append(pg.Previews, f)
	}
	return nil
}

func (h *handlers) fieldsShow(c *gin.Context) error {
	pg, err := h.newFieldsPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/fields", pg)
}

// fieldsRedirect goes back to the list, keeping the previewed site.
func fieldsRedirect(c *gin.Context, done, key string) {
	v := url.Values{"done": {done}, "field": {key}}
	if s := c.PostForm("preview_site"); s != "" {
		v.Set("preview_site", s)
	}
	c.Redirect(http.StatusSeeOther, "/admin/fields?"+v.Encode()+"#field-"+key)
}

// fieldRowFailed shows the list again with err beside the row of key.
func (h *handlers) fieldRowFailed(c *gin.Context, key string, err error) error {
	if !web.Redisplays(err) && !(svcportal.KindOf(err) == svcportal.KindNotFound && len(web.FieldErrors(c, err)) > 0) {
		return err
	}
	pg, perr := h.newFieldsPage(c)
	if perr != nil {
		return perr
	}
	pg.Alert = web.ErrorMessage(c, err)
	msgs := web.FieldErrors(c, err)
	if len(msgs) == 0 {
		pg.RowError[key] = pg.Alert
	}
	for _, m := range msgs {
		pg.RowError[key] = m
	}
	pg.Summary = []fieldProblem{{Field: "row-" + key, Message: pg.RowError[key]}}
	return web.Render(c, formStatus(c, err), "admin/fields", pg)
}

// fieldExists answers KindNotFound for a key that is neither a built-in
// field nor a live custom field of the tenant: the path names no field.
func (h *handlers) fieldExists(c *gin.Context, key string) error {
	if svcportal.IsBuiltinField(key) {
		return nil
	}
	_, err := h.deps.Fields.Field(c.Request.Context(), key)
	return err
}

// fieldModesSubmit sets a field's mode for every portal role at every
// site (mode.member, mode.site_manager), all at once.
func (h *handlers) fieldModesSubmit(c *gin.Context) error {
	key := c.Param("key")
	if err := h.fieldExists(c, key); err != nil {
		return err
	}
	var rules []svcportal.PolicyRule
	for _, role := range svcportal.PortalRoles {
		if m := c.PostForm("mode." + role); m != "" {
			rules = append(rules, svcportal.PolicyRule{Role: role, Field: key, Mode: svcportal.FieldMode(m)})
		}
	}
	if err := h.deps.Fields.PutRules(c.Request.Context(), rules); err != nil {
		return h.fieldRowFailed(c, key, err)
	}
	fieldsRedirect(c, "modes", key)
	return nil
}

// fieldOverrideSubmit sets a field's mode for one role at one site.
func (h *handlers) fieldOverrideSubmit(c *gin.Context) error {
	key := c.Param("key")
	if err := h.fieldExists(c, key); err != nil {
		return err
	}
	site, _ := strconv.ParseInt(c.PostForm("site_id"), 10, 64)
	var err error
	if site < 1 {
		err = invalid("site_id", "error.site_required_override")
	} else {
		err = h.deps.Fields.PutRule(c.Request.Context(), svcportal.PolicyRule{Role: c.PostForm("role"), SiteID: site, Field: key,
			Mode: svcportal.FieldMode(c.PostForm("mode"))})
	}
	if err != nil {
		return h.fieldRowFailed(c, key, err)
	}
	fieldsRedirect(c, "override", key)
	return nil
}

// fieldOverrideDelete removes a per-site rule: the all-sites mode applies
// there again.
func (h *handlers) fieldOverrideDelete(c *gin.Context) error {
	key := c.Param("key")
	if err := h.fieldExists(c, key); err != nil {
		return err
	}
	site, err := strconv.ParseInt(c.PostForm("site_id"), 10, 64)
	if err != nil || site < 1 {
		return svcportal.ErrNotFound()
	}
	if err := h.deps.Fields.DeleteRule(c.Request.Context(), c.PostForm("role"), site, key); err != nil {
		return h.fieldRowFailed(c, key, err)
	}
	fieldsRedirect(c, "override_removed", key)
	return nil
}

// optionRow is one option line of the field form.
type optionRow struct {
	Index, N int // position in the form, from 0, and as people count, from 1
	Value    string
	Labels   map[string]string
}

type fieldFormPage struct {
	page
	New         bool
	Field       svcportal.TicketField
	Options     []optionRow
	Types       []svcportal.FieldType
	TicketTypes []string
	Locales     []string
	Roles       []string
	Modes       []svcportal.FieldMode
	// Initial are a new field's first modes per portal role.
	Initial map[string]svcportal.FieldMode
}

// extraOptionRows is how many empty option lines the form offers for
// adding options without JavaScript.
const extraOptionRows = 3

func (h *handlers) newFieldFormPage(c *gin.Context, f svcportal.TicketField, isNew bool) *fieldFormPage {
	t := svcportal.TenantFrom(c.Request.Context())
	pg := &fieldFormPage{page: h.newPage(c), New: isNew, Field: f, Types: svcportal.FieldTypes, TicketTypes: t.TicketTypes,
		Locales: svcportal.Locales, Roles: svcportal.PortalRoles, Modes: svcportal.FieldModes,
		Initial: map[string]svcportal.FieldMode{svcportal.RoleMember: svcportal.FieldEditable, svcportal.RoleSiteManager: svcportal.FieldEditable}}
	if pg.Field.Labels == nil {
		pg.Field.Labels = map[string]string{}
	}
	for _, o := range f.Options {
		pg.Options = append(pg.Options, optionRow{Value: o.Value, Labels: o.Labels})
	}
	for range extraOptionRows {
		pg.Options = append(pg.Options, optionRow{Labels: map[string]string{}})
	}
	for i := range pg.Options {
		pg.Options[i].Index, pg.Options[i].N = i, i+1
	}
	return pg
}

// HasType reports whether the field applies to ticket type ty.
func (p *fieldFormPage) HasType(ty string) bool { return slices.Contains(p.Field.TicketTypes, ty) }

func (h *handlers) fieldNewForm(c *gin.Context) error {
	pg := h.newFieldFormPage(c, svcportal.TicketField{Type: svcportal.FieldText}, true)
	return web.Render(c, http.StatusOK, "admin/field", pg)
}

func (h *handlers) fieldEditForm(c *gin.Context) error {
	f, err := h.deps.Fields.Field(c.Request.Context(), c.Param("key"))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/field", h.newFieldFormPage(c, *f, false))
}

// readFieldForm reads the field form: label.LOC, option.N.value and
// option.N.label.LOC (lines with nothing typed are skipped), required,
// position, ticket_type (several).
func readFieldForm(form url.Values, f *svcportal.TicketField) {
	f.Labels = map[string]string{}
	for _, loc := range svcportal.Locales {
		if l := strings.TrimSpace(form.Get("label." + loc)); l != "" {
			f.Labels[loc] = l
		}
	}
	f.Options = []svcportal.FieldOption{}
	for i := 0; i < svcportal.MaxFieldOptions+extraOptionRows; i++ {
		p := fmt.Sprintf("option.%d.", i)
		if _, ok := form[p+"value"]; !ok {
			break
		}
		o := svcportal.FieldOption{Value: strings.TrimSpace(form.Get(p + "value")), Labels: map[string]string{}}
		for _, loc := range svcportal.Locales {
			if l := strings.TrimSpace(form.Get(p + "label." + loc)); l != "" {
				o.Labels[loc] = l
			}
		}
		if o.Value == "" && len(o.Labels) == 0 {
			continue
		}
		f.Options = append(f.Options, o)
	}
	f.Required = form.Get("required") == "on"
	f.Position, _ = strconv.Atoi(form.Get("position"))
	f.TicketTypes = append([]string{}, form["ticket_type"]...)
}

func (h *handlers) fieldCreateSubmit(c *gin.Context) error {
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	f := svcportal.TicketField{Key: strings.TrimSpace(form.Get("key")), Type: svcportal.FieldType(form.Get("type"))}
	readFieldForm(form, &f)
	initial := map[string]svcportal.FieldMode{}
	var rules []svcportal.PolicyRule
	for _, role := range svcportal.PortalRoles {
		m := svcportal.FieldMode(form.Get("mode." + role))
		initial[role] = m
		rules = append(rules, svcportal.PolicyRule{Role: role, Mode: m})
	}
	err = h.deps.Fields.CreateField(c.Request.Context(), &f, rules...)
	if web.Redisplays(err) {
		pg := h.newFieldFormPage(c, f, true)
		pg.Initial = initial
		pg.fail(c, err, "key", "type", "labels", "options", "required", "position", "ticket_types", "mode")
		return web.Render(c, web.ErrorStatus(c, err), "admin/field", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/fields?"+url.Values{"done": {"created"}, "field": {f.Key}}.Encode()+"#field-"+f.Key)
	return nil
}

func (h *handlers) fieldUpdateSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	key := c.Param("key")
	old, err := h.deps.Fields.Field(ctx, key)
	if err != nil {
		return err
	}
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	edited := *old
	readFieldForm(form, &edited)
	_, err = h.deps.Fields.UpdateField(ctx, key, svcportal.FieldPatch{Labels: edited.Labels, Options: edited.Options,
		Position: &edited.Position, Required: &edited.Required, TicketTypes: edited.TicketTypes})
	if web.Redisplays(err) {
		pg := h.newFieldFormPage(c, edited, false)
		pg.fail(c, err, "labels", "options", "required", "position", "ticket_types")
		return web.Render(c, web.ErrorStatus(c, err), "admin/field", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/fields?"+url.Values{"done": {"saved"}, "field": {key}}.Encode()+"#field-"+key)
	return nil
}

// fieldDeleteSubmit deletes a custom field: offered nowhere from now on,
// tickets keep their values.
func (h *handlers) fieldDeleteSubmit(c *gin.Context) error {
	key := c.Param("key")
	if err := h.deps.Fields.DeleteField(c.Request.Context(), key); err != nil {
		return h.fieldRowFailed(c, key, err)
	}
	c.Redirect(http.StatusSeeOther, "/admin/fields?"+url.Values{"done": {"deleted"}, "field": {key}}.Encode())
	return nil
}

// Types lists the ticket types the field is limited to.
func (r fieldAdminRow) Types() string { return strings.Join(r.TicketTypes, ", ") }

// TypeLabel is a ticket type as the reader reads it.
func (p *fieldFormPage) TypeLabel(ty string) string {
	if id := "ticket.type." + ty; locales.For(p.Lang).Has(id) {
		return p.T(id)
	}
	return ty
}
