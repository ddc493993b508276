package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"sort"
	"strings"
	texttemplate "text/template"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var _ svcportal.EmailRenderer = (*Renderer)(nil)

// Renderer renders the kinds of email found in templates: a kind KIND is
// the pair KIND.html.tmpl and KIND.txt.tmpl, each defining "body" inside
// the branded layout, with catalog ids mail.KIND.subject and mail.KIND.*.
// Adding a kind takes nothing else.
type Renderer struct {
	html     map[string]*htmltemplate.Template
	text     map[string]*texttemplate.Template
	wordings *locales.Wordings
}

// RendererOption configures a Renderer.
type RendererOption func(*Renderer)

// WithWordings renders every email with its tenant's wording overrides,
// the same ones the pages show.
func WithWordings(w *locales.Wordings) RendererOption {
	return func(r *Renderer) { r.wordings = w }
}

// NewRenderer parses the embedded templates once.
func NewRenderer(opts ...RendererOption) (*Renderer, error) {
	r := &Renderer{html: map[string]*htmltemplate.Template{}, text: map[string]*texttemplate.Template{}}
	for _, o := range opts {
		o(r)
	}
	files, err := fs.Glob(templateFS, "templates/*.html.tmpl")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		kind := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html.tmpl")
		if kind == "layout" {
			continue
		}
		h, err := htmltemplate.New("layout.html.tmpl").Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.html.tmpl", f)
		if err != nil {
			return nil, fmt.Errorf("mail templates of %s: %w", kind, err)
		}
		t, err := texttemplate.New("layout.txt.tmpl").Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.txt.tmpl", "templates/"+kind+".txt.tmpl")
		if err != nil {
			return nil, fmt.Errorf("mail templates of %s: %w", kind, err)
		}
		r.html[kind], r.text[kind] = h, t
	}
	return r, nil
}

// Kinds lists the kinds of email the renderer knows, sorted.
func (r *Renderer) Kinds() []string {
	kinds := make([]string, 0, len(r.html))
	for k := range r.html {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// RenderEmail implements svcportal.EmailRenderer.
func (r *Renderer) RenderEmail(ctx context.Context, t *svcportal.Tenant, req svcportal.EmailRequest) (*svcportal.OutboundEmail, error) {
	h, ok := r.html[req.Kind]
	if !ok {
		return nil, fmt.Errorf("render email: unknown kind %q", req.Kind)
	}
	lang := pickLocale(t, req.Locale)
	if req.Staff && svcportal.IsLocale(req.Locale) {
		lang = req.Locale
	}
	v := &view{
		Lang:   lang,
		Tenant: t,
		ToName: req.ToName,
		Data:   req.Data,
		tr:     r.wordings.Translator(ctx, t.ID, t.MessagesVersion, lang),
		vars:   map[string]any{},
	}
	v.Color, v.OnColor = brandColors(t.PrimaryColor)
	for k, val := range req.Data {
		v.vars[k] = val
	}
	v.vars["Tenant"], v.vars["Name"] = t.Name, req.ToName
	if v.Data == nil {
		v.Data = map[string]any{}
	}

	subjectID := "mail." + req.Kind + ".subject"
	if !v.tr.Has(subjectID) {
		return nil, fmt.Errorf("render %s email: no %s in the %s catalog", req.Kind, subjectID, lang)
	}
	v.Subject = v.T(subjectID)
	var html, text bytes.Buffer
	if err := h.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("render %s email (html, %s): %w", req.Kind, lang, err)
	}
	if err := r.text[req.Kind].Execute(&text, v); err != nil {
		return nil, fmt.Errorf("render %s email (text, %s): %w", req.Kind, lang, err)
	}
	if v.err != nil {
		return nil, fmt.Errorf("render %s email (%s): %w", req.Kind, lang, v.err)
	}
	return &svcportal.OutboundEmail{
		TenantID:  t.ID,
		Kind:      req.Kind,
		ToAddress: req.To,
		ToName:    req.ToName,
		FromName:  t.Name,
		Subject:   v.Subject,
		TextBody:  text.String(),
		HTMLBody:  html.String(),
		Status:    svcportal.EmailPending,
	}, nil
}

// pickLocale is the recipient's language when the tenant offers it, else
// the tenant's default.
func pickLocale(t *svcportal.Tenant, want string) string {
	if svcportal.IsLocale(want) && t.LocaleEnabled(want) {
		return want
	}
	if svcportal.IsLocale(t.DefaultLocale) {
		return t.DefaultLocale
	}
	return locales.Tags[0]
}

// view is what the templates see. T translates with the tenant's name
// (Tenant), the recipient's (Name) and the request's data as placeholders.
type view struct {
	Lang    string
	Subject string
	Tenant  *svcportal.Tenant
	ToName  string
	Data    map[string]any
	Color   string // the tenant's primary colour
	OnColor string // text colour readable on Color

	tr   *locales.Translator
	vars map[string]any
	err  error
}

// T renders catalog message id. A placeholder without data renders as
// "<no value>" in go-i18n; that is recorded as an error, so a message
// missing its data is refused instead of sent half-written.
func (v *view) T(id string) string {
	s := v.tr.T(id, v.vars)
	if strings.Contains(s, "<no value>") && v.err == nil {
		v.err = fmt.Errorf("%s: a placeholder has no data", id)
	}
	return s
}

// brandColors returns the tenant's primary colour (the default one when it
// is malformed) and the text colour readable on it: white, or a near-black
// where black reads better.
func brandColors(primary string) (bg, fg string) {
	c, err := svcportal.ParseColor(primary)
	if err != nil {
		primary = svcportal.DefaultPrimaryColor
		c, _ = svcportal.ParseColor(primary)
	}
	if svcportal.OnColor(c) == (svcportal.RGB{R: 255, G: 255, B: 255}) {
		return primary, "#ffffff"
	}
	return primary, "#111827"
}
