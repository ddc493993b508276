package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/web"
)

// The settings page, /admin/settings: one form per section (branding,
// portal, tickets, service hours, welcome email, single sign-on), each
// saved on its own so a mistake in one keeps the others; the logo and
// favicon uploads; and a live preview of the branding with the contrast
// of every text the colours make (preview.css draws it without script).

// settingsSections are the sections of the page, in its order.
var settingsSections = []string{"branding", "portal", "tickets", "hours", "email", "sso"}

// settingsForm is every field of the page as typed: from the tenant, or
// from the form just sent when it is shown again.
type settingsForm struct {
	Name, Primary, Accent, Footer string
	Domains                       string // one per line
	DefaultLocale                 string
	Enabled                       map[string]bool
	KBPublic                      bool
	TimeZone                      string
	Types                         string                       // one per line
	TypeDescs                     map[string]map[string]string // type → locale → text
	AutoClose, MaxUpload          string
	Hours                         map[string]string // weekday → "09:00-12:00, 14:00-18:00"
	Holidays                      string            // one per line
	FirstResponse                 map[string]string // priority → hours
	Welcome                       map[string]string // locale → text
}

func formOf(t *svcportal.Tenant) settingsForm {
	f := settingsForm{Name: t.Name, Primary: t.PrimaryColor, Accent: t.AccentColor, Footer: t.Footer,
		Domains: strings.Join(t.Domains, "\n"), DefaultLocale: t.DefaultLocale, Enabled: map[string]bool{},
		KBPublic: t.KBPublic, TimeZone: t.TimeZone, Types: strings.Join(t.TicketTypes, "\n"), TypeDescs: map[string]map[string]string{},
		AutoClose: strconv.Itoa(t.AutoCloseDays), MaxUpload: strconv.Itoa(t.MaxUploadMB), Hours: map[string]string{},
		Holidays: strings.Join(t.ServiceHours.Holidays, "\n"), FirstResponse: map[string]string{}, Welcome: map[string]string{}}
	for _, l := range t.EnabledLocales {
		f.Enabled[l] = true
	}
	for ty, texts := range t.TicketTypeDescriptions {
		f.TypeDescs[ty] = map[string]string{}
		for l, s := range texts {
			f.TypeDescs[ty][l] = s
		}
	}
	for day, spans := range t.ServiceHours.Week {
		parts := make([]string, len(spans))
		for i, s := range spans {
			parts[i] = s.From + "-" + s.To
		}
		f.Hours[day] = strings.Join(parts, ", ")
	}
	for p, mins := range t.ServiceHours.FirstResponse {
		f.FirstResponse[p] = strconv.FormatFloat(float64(mins)/60, 'f', -1, 64)
	}
	for l, s := range t.WelcomeEmail {
		f.Welcome[l] = s
	}
	return f
}

// typeRow is one ticket type with its descriptions, for the page.
type typeRow struct {
	Key   string
	Label string
}

// welcomePreview is a rendered welcome email shown on the page.
type welcomePreview struct {
	Locale, Subject, Text string
}

type settingsPage struct {
	page
	Form       settingsForm
	Section    string // the section the errors and notice belong to
	Locales    []string
	Enabled    []string // the tenant's languages, default first
	Weekdays   []string
	Priorities []string
	Types      []typeRow
	Zones      []string
	Contrast   []svcportal.ColorCheck
	ContrastOK bool
	PreviewCSS string // address of the preview's stylesheet
	Preview    *welcomePreview
	OIDC       oidcForm
	Sites      []svcportal.Site
	Themes     []string // of the preview: light and dark
	AssetKinds []string // uploads: logo and favicon
}

// oidcForm is the single sign-on section as typed.
type oidcForm struct {
	Configured, SecretSet, AllowCreate bool
	Issuer, ClientID, Label            string
	CreateSiteID                       int64
}

func (h *handlers) newSettingsPage(c *gin.Context, f settingsForm) (*settingsPage, error) {
	ctx := c.Request.Context()
	t := svcportal.TenantFrom(ctx)
	pg := &settingsPage{page: h.newPage(c), Form: f, Locales: locales.Tags, Weekdays: svcportal.Weekdays,
		Priorities: svcportal.Priorities, Zones: svcportal.CommonTimeZones, Themes: []string{"light", "dark"},
		AssetKinds: []string{svcportal.AssetLogo, svcportal.AssetFavicon}}
	pg.Enabled = append([]string{t.DefaultLocale}, slices.DeleteFunc(slices.Clone(t.EnabledLocales), func(l string) bool { return l == t.DefaultLocale })...)
	for _, ty := range t.TicketTypes {
		pg.Types = append(pg.Types, typeRow{Key: ty, Label: typeLabel(pg.Page, ty)})
	}
	pg.setColors(f.Primary, f.Accent)
	o, err := h.deps.SSO.OIDC(ctx)
	if err != nil {
		return nil, err
	}
	if o != nil {
		pg.OIDC = oidcForm{Configured: true, SecretSet: o.ClientSecret != "", AllowCreate: o.AllowCreate,
			Issuer: o.Issuer, ClientID: o.ClientID, Label: o.Label, CreateSiteID: o.CreateSiteID}
	}
	if pg.Sites, err = h.deps.Sites.Sites(ctx); err != nil {
		return nil, err
	}
	if done := c.Query("done"); slices.Contains(settingsSections, done) || done == "logo" || done == "favicon" {
		pg.Section, pg.Notice = done, pg.T("console.settings.saved")
	}
	return pg, nil
}

// setColors computes the contrast checks and the preview of two colours,
// keeping the tenant's where one is not #rrggbb.
func (pg *settingsPage) setColors(primary, accent string) {
	t := pg.Tenant
	if _, err := svcportal.ParseColor(primary); err != nil {
		primary = t.PrimaryColor
	}
	if _, err := svcportal.ParseColor(accent); err != nil {
		accent = t.AccentColor
	}
	pg.Contrast = svcportal.BrandContrast(primary, accent)
	pg.ContrastOK = true
	for _, ch := range pg.Contrast {
		pg.ContrastOK = pg.ContrastOK && ch.OK
	}
	pg.PreviewCSS = "/admin/settings/preview.css?" + (urlValues{"primary_color": primary, "accent_color": accent}).encode()
}

// urlValues is a small ordered query string.
type urlValues map[string]string

func (u urlValues) encode() string {
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strings.ReplaceAll(u[k], "#", "%23")
	}
	return strings.Join(parts, "&")
}

// typeLabel is a ticket type's name in the page's language: the catalog's
// for the built-in ones, the key itself for a tenant's own.
func typeLabel(p web.Page, ty string) string {
	if id := "ticket.type." + ty; locales.For(p.Lang).Has(id) || locales.For("en").Has(id) {
		return p.T(id)
	}
	return ty
}

// Ratio shows a measured contrast ratio as "4.58:1" in the page's
// language.
func (pg *settingsPage) Ratio(r float64) string { return pg.ratio(strconv.FormatFloat(r, 'f', 2, 64)) }

// MinRatio is the ratio WCAG AA asks for, "4.5:1".
func (pg *settingsPage) MinRatio() string {
	return pg.ratio(strconv.FormatFloat(svcportal.MinContrast, 'f', -1, 64))
}

func (pg *settingsPage) ratio(s string) string {
	if pg.Lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + ":1"
}

func (h *handlers) settingsPageShow(c *gin.Context) error {
	pg, err := h.newSettingsPage(c, formOf(svcportal.TenantFrom(c.Request.Context())))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/settings", pg)
}

// settingsSubmit saves one section (the form's "section"), or, with
// action=preview, shows the page again with the colours or the welcome
// email as typed, saving nothing.
func (h *handlers) settingsSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	t := svcportal.TenantFrom(ctx)
	section := c.PostForm("section")
	f := formOf(t)
	in, perr := readSection(c, section, &f)
	switch action := c.PostForm("action"); {
	case action == "preview" && section == "branding":
		pg, err := h.newSettingsPage(c, f)
		if err != nil {
			return err
		}
		pg.Section = section
		return web.Render(c, http.StatusOK, "admin/settings", pg)
	case strings.HasPrefix(action, "preview:") && section == "email":
		locale := strings.TrimPrefix(action, "preview:")
		msg, err := h.deps.Tenant.PreviewWelcome(ctx, web.Principal(c), locale, f.Welcome[locale])
		if err != nil && !web.Redisplays(err) {
			return err
		}
		pg, perr2 := h.newSettingsPage(c, f)
		if perr2 != nil {
			return perr2
		}
		pg.Section = section
		if err != nil {
			pg.fail(c, err)
			return web.Render(c, web.ErrorStatus(c, err), "admin/settings", pg)
		}
		pg.Preview = &welcomePreview{Locale: locale, Subject: msg.Subject, Text: msg.TextBody}
		return web.Render(c, http.StatusOK, "admin/settings", pg)
	}
	err := perr
	if err == nil {
		_, err = h.deps.Tenant.UpdateSettings(ctx, in)
	}
	if web.Redisplays(err) {
		pg, perr := h.newSettingsPage(c, f)
		if perr != nil {
			return perr
		}
		pg.Section = section
		pg.fail(c, err, settingsFieldOrder...)
		return web.Render(c, web.ErrorStatus(c, err), "admin/settings", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/settings?done="+section+"#"+section)
	return nil
}

// settingsFieldOrder is the order of the page's fields, for the summary.
var settingsFieldOrder = []string{"name", "primary_color", "accent_color", "footer", "domains", "default_locale",
	"enabled_locales", "time_zone", "ticket_types", "auto_close_days", "max_upload_mb"}

// readSection copies a section's fields from the form into f and into the
// change they ask for. A value that cannot be read is refused here, under
// its field, with the others.
func readSection(c *gin.Context, section string, f *settingsForm) (svcportal.TenantSettings, error) {
	var in svcportal.TenantSettings
	var v svcportal.Validation
	str := func(name string) *string { s := c.PostForm(name); return &s }
	switch section {
	case "branding":
		in.Name, in.PrimaryColor, in.AccentColor, in.Footer = str("name"), str("primary_color"), str("accent_color"), str("footer")
		f.Name, f.Primary, f.Accent, f.Footer = *in.Name, *in.PrimaryColor, *in.AccentColor, *in.Footer
	case "portal":
		f.Domains = c.PostForm("domains")
		in.Domains = lines(f.Domains)
		in.DefaultLocale = str("default_locale")
		f.DefaultLocale = *in.DefaultLocale
		in.EnabledLocales = c.PostFormArray("enabled_locales")
		if in.EnabledLocales == nil {
			in.EnabledLocales = []string{}
		}
		f.Enabled = map[string]bool{}
		for _, l := range in.EnabledLocales {
			f.Enabled[l] = true
		}
		kb := c.PostForm("kb_public") == "on"
		in.KBPublic, f.KBPublic = &kb, kb
		in.TimeZone = str("time_zone")
		f.TimeZone = *in.TimeZone
	case "tickets":
		f.Types = c.PostForm("ticket_types")
		in.TicketTypes = lines(f.Types)
		if in.TicketTypes == nil {
			in.TicketTypes = []string{}
		}
		in.TicketTypeDescriptions = map[string]map[string]string{}
		f.TypeDescs = map[string]map[string]string{}
		for key, vals := range c.Request.PostForm {
			ty, l, ok := strings.Cut(strings.TrimPrefix(key, "desc."), ".")
			if !ok || !strings.HasPrefix(key, "desc.") || len(vals) == 0 || !slices.Contains(in.TicketTypes, ty) {
				continue // a type taken off the list in the same form goes with its descriptions
			}
			if in.TicketTypeDescriptions[ty] == nil {
				in.TicketTypeDescriptions[ty], f.TypeDescs[ty] = map[string]string{}, map[string]string{}
			}
			in.TicketTypeDescriptions[ty][l], f.TypeDescs[ty][l] = vals[0], vals[0]
		}
		f.AutoClose, f.MaxUpload = c.PostForm("auto_close_days"), c.PostForm("max_upload_mb")
		in.AutoCloseDays = formInt(&v, "auto_close_days", f.AutoClose)
		in.MaxUploadMB = formInt(&v, "max_upload_mb", f.MaxUpload)
	case "hours":
		hours := svcportal.ServiceHours{Week: map[string][]svcportal.Span{}, FirstResponse: map[string]int{}}
		for _, day := range svcportal.Weekdays {
			f.Hours[day] = c.PostForm("hours." + day)
			spans, ok := parseSpans(f.Hours[day])
			v.Check(ok, "service_hours.week."+day, "error.hours_format", nil)
			if len(spans) > 0 {
				hours.Week[day] = spans
			}
		}
		f.Holidays = c.PostForm("holidays")
		hours.Holidays = lines(f.Holidays)
		if hours.Holidays == nil {
			hours.Holidays = []string{}
		}
		for _, p := range svcportal.Priorities {
			f.FirstResponse[p] = c.PostForm("first_response." + p)
			if s := strings.TrimSpace(strings.Replace(f.FirstResponse[p], ",", ".", 1)); s != "" {
				h, err := strconv.ParseFloat(s, 64)
				field := "service_hours.first_response_minutes." + p
				v.Check(err == nil, field, "error.wrong_type", nil)
				if err == nil {
					hours.FirstResponse[p] = int(h*60 + 0.5)
				}
			}
		}
		in.ServiceHours = &hours
	case "email":
		in.WelcomeEmail = map[string]string{}
		for _, l := range locales.Tags {
			if text, ok := c.GetPostForm("welcome." + l); ok {
				in.WelcomeEmail[l], f.Welcome[l] = text, text
			}
		}
		for l, text := range svcportal.TenantFrom(c.Request.Context()).WelcomeEmail {
			if _, sent := in.WelcomeEmail[l]; !sent {
				in.WelcomeEmail[l] = text // a language the form did not show keeps its text
			}
		}
	default:
		v.Add("section", "error.invalid_request", nil)
	}
	if v.Err() != nil && in.ServiceHours != nil {
		v.Merge(in.ServiceHours.Validate(), "") // the hours that could be read have their own complaints
	}
	return in, v.Err()
}

// lines splits a textarea into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func formInt(v *svcportal.Validation, field, s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	v.Check(err == nil, field, "error.wrong_type", nil)
	return &n
}

var spanRE = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?$`)

// parseSpans reads "9-12, 14:00–18:30" as spans of HH:MM (the domain
// checks their order); "" is a closed day.
func parseSpans(s string) ([]svcportal.Span, bool) {
	var out []svcportal.Span
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := spanRE.FindStringSubmatch(part)
		if m == nil {
			return nil, false
		}
		clock := func(h, mm string) string {
			if mm == "" {
				mm = "00"
			}
			n, _ := strconv.Atoi(h)
			return fmt.Sprintf("%02d:%s", n, mm)
		}
		out = append(out, svcportal.Span{From: clock(m[1], m[2]), To: clock(m[3], m[4])})
	}
	return out, true
}

// settingsUpload stores the logo or favicon sent from the page's form.
func (h *handlers) settingsUpload(kind string) web.HandlerFunc {
	return func(c *gin.Context) error {
		form, err := web.MultipartForm(c)
		var data []byte
		if err == nil {
			if form == nil || len(form.File["file"]) != 1 {
				err = invalid(kind, "error.required")
			} else if fh := form.File["file"][0]; fh.Size > 1<<20 {
				err = &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: "error.file_too_large",
					Fields: map[string]svcportal.FieldError{kind: {MessageID: "error.file_too_large", Data: map[string]any{"MaxMB": 1}}}}
			} else if r, oerr := fh.Open(); oerr != nil {
				err = oerr
			} else {
				data, err = io.ReadAll(io.LimitReader(r, 1<<20+1))
				r.Close()
			}
		}
		if err == nil {
			err = h.deps.Tenant.PutAsset(c.Request.Context(), kind, data)
			var e *svcportal.Error
			if svcportal.KindOf(err) == svcportal.KindUnprocessable && errors.As(err, &e) {
				// The service names the field "file"; the page has one per kind.
				if fe, ok := e.Fields["file"]; ok {
					err = &svcportal.Error{Kind: e.Kind, MessageID: e.MessageID, Fields: map[string]svcportal.FieldError{kind: fe}}
				}
			}
		}
		if web.Redisplays(err) {
			pg, perr := h.newSettingsPage(c, formOf(svcportal.TenantFrom(c.Request.Context())))
			if perr != nil {
				return perr
			}
			pg.Section = "branding"
			pg.fail(c, err)
			return web.Render(c, web.ErrorStatus(c, err), "admin/settings", pg)
		} else if err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/admin/settings?done="+kind+"#branding")
		return nil
	}
}

// settingsSSO saves (action save) or removes (action delete) the single
// sign-on provider.
func (h *handlers) settingsSSO(c *gin.Context) error {
	ctx := c.Request.Context()
	var err error
	typed := oidcForm{Issuer: c.PostForm("issuer"), ClientID: c.PostForm("client_id"), Label: c.PostForm("label"),
		AllowCreate: c.PostForm("allow_create") == "on"}
	typed.CreateSiteID, _ = strconv.ParseInt(c.PostForm("create_site_id"), 10, 64)
	if c.PostForm("action") == "delete" {
		err = h.deps.SSO.DeleteOIDC(ctx)
	} else {
		in := svcportal.OIDCChange{Issuer: typed.Issuer, ClientID: typed.ClientID, Label: typed.Label,
			AllowCreate: typed.AllowCreate, CreateSiteID: typed.CreateSiteID}
		in.ClientSecret = secretChange(c)
		_, err = h.deps.SSO.PutOIDC(ctx, in)
	}
	if web.Redisplays(err) {
		pg, perr := h.newSettingsPage(c, formOf(svcportal.TenantFrom(ctx)))
		if perr != nil {
			return perr
		}
		typed.Configured, typed.SecretSet = pg.OIDC.Configured, pg.OIDC.SecretSet
		pg.OIDC, pg.Section = typed, "sso"
		pg.fail(c, err, "issuer", "client_id", "client_secret", "label", "create_site_id")
		return web.Render(c, web.ErrorStatus(c, err), "admin/settings", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/settings?done=sso#sso")
	return nil
}

// secretChange is the client secret a provider form sends: nil (keep the
// stored one) when the field is left empty, "" when clear_secret is ticked.
func secretChange(c *gin.Context) *string {
	if s := c.PostForm("client_secret"); s != "" || c.PostForm("clear_secret") == "on" {
		return &s
	}
	return nil
}

// settingsPreviewCSS is the stylesheet of the branding preview: the
// colours of the query (the tenant's where one is not #rrggbb), scoped to
// the preview, so the page shows them without inline styles or script.
func (h *handlers) settingsPreviewCSS(c *gin.Context) error {
	t := *svcportal.TenantFrom(c.Request.Context())
	if p := c.Query("primary_color"); svcportal.ValidColor(p) {
		t.PrimaryColor = p
	}
	if a := c.Query("accent_color"); svcportal.ValidColor(a) {
		t.AccentColor = a
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, "text/css; charset=utf-8", tenants.PreviewCSS(&t))
	return nil
}
