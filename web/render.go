package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

//go:embed templates
var templateFS embed.FS

// Renderer holds every page template, each parsed once at start with the
// layout and its partials.
type Renderer struct {
	base  *template.Template
	pages map[string]*template.Template
	// fragments are fragments of pages as rendered, by their data (see
	// Fragment).
	fragments *memo[fragmentKey]
}

// fragmentKey is a fragment of a page (a template of its files) rendered
// with data.
type fragmentKey struct {
	page *template.Template
	name string
	data any
}

// fragmentsBytes bounds what a renderer keeps of fragments (a list row
// is some 700 bytes of HTML), fragmentMax one fragment: each weighs
// twice its HTML, which shows its data.
const (
	fragmentsBytes = 16 << 20
	fragmentMax    = 32 << 10
)

var funcs = template.FuncMap{
	"asset":    AssetURL,
	"markdown": Markdown,
	"args":     Args,
}

// Args is the data of a partial that reads the page (P) and a value (V):
// {{template "attachments" (args $ .Files)}}.
func Args(p, v any) map[string]any { return map[string]any{"P": p, "V": v} }

// NewRenderer parses the layout and web's own pages (errors).
func NewRenderer() *Renderer {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	r := &Renderer{base: base, pages: map[string]*template.Template{}, fragments: newMemo[fragmentKey](fragmentsBytes, fragmentMax)}
	for _, p := range []string{"error", "notfound", "nohost"} {
		r.MustAdd(p, templateFS, "templates/"+p+".html")
	}
	return r
}

// MustAdd parses the files of fsys under name, with the layout: the page
// file defines the blocks "title" and "content", and an area's partials
// (its "nav", say) come along. It panics on a template error: templates
// are embedded, so that is a bug caught by any test.
func (r *Renderer) MustAdd(name string, fsys fs.FS, files ...string) {
	if _, dup := r.pages[name]; dup {
		panic("web: page " + name + " added twice")
	}
	t := template.Must(r.base.Clone())
	r.pages[name] = template.Must(t.ParseFS(fsys, files...))
}

// mustAddWeb is MustAdd of web's own page file with an area's partials
// from the area's file system.
func (r *Renderer) mustAddWeb(name, file string, areaFS fs.FS, partials []string) {
	if _, dup := r.pages[name]; dup {
		panic("web: page " + name + " added twice")
	}
	t := template.Must(r.base.Clone())
	t = template.Must(t.ParseFS(templateFS, file))
	for _, p := range partials {
		src, err := fs.ReadFile(areaFS, p)
		if err != nil {
			panic(err)
		}
		t = template.Must(t.Parse(string(src)))
	}
	r.pages[name] = t
}

// renderer finds the server's renderer from a handler.
const keyRenderer = "web.renderer"

// Render writes page name with data and status. data is usually a pointer
// to a struct that embeds Page.
func Render(c *gin.Context, status int, name string, data any) error {
	r, t, err := lookupPage(c, name)
	if err != nil {
		return err
	}
	pd, ok := data.(interface{ page() *Page })
	if !ok {
		return fmt.Errorf("web: the data of page %s does not embed web.Page", name)
	}
	if err := pd.page().dress(r, t); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes()) // written out before it returns
	return nil
}

// lookupPage is the request's renderer and the template of page name.
func lookupPage(c *gin.Context, name string) (*Renderer, *template.Template, error) {
	r, _ := c.Get(keyRenderer)
	rr, ok := r.(*Renderer)
	if !ok {
		return nil, nil, fmt.Errorf("web: no renderer on the request")
	}
	t, ok := rr.pages[name]
	if !ok {
		return nil, nil, fmt.Errorf("web: no page %q", name)
	}
	return rr, t, nil
}

// Fragment is template name, defined in the files of page, rendered
// with data: what a page repeats (a list's rows, a conversation's
// messages) rendered once for the same data, then written out whole by
// the page, {{.Rows}} (see Fragments). html/template makes a call
// through reflection for each action and each value it escapes (a list
// row's dozen, 15 µs); a fragment seen before costs a lookup.
//
// data must hold everything the fragment shows, as plain values
// (strings, numbers, booleans, template.HTML; no pointer, slice or
// interface): equal data renders the same HTML, so the cache is never
// stale, whatever changed since, and two readers share a fragment only
// when they would see the same one. The fragment is escaped as HTML text
// (between elements, as a row in a table's body).
func Fragment[D comparable](c *gin.Context, page, name string, data D) (template.HTML, error) {
	r, t, err := lookupPage(c, page)
	if err != nil {
		return "", err
	}
	html, err := r.fragment(t, name, data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", page, err)
	}
	return html, nil
}

// fragment is Fragment of the page of template t; data must be
// comparable.
func (r *Renderer) fragment(t *template.Template, name string, data any) (template.HTML, error) {
	key := fragmentKey{page: t, name: name, data: data}
	if html, ok := r.fragments.get(key); ok {
		return html, nil
	}
	html, err := execute(t, name, data)
	if err != nil {
		return "", err
	}
	r.fragments.put(key, html, 2*len(html))
	return html, nil
}

// Fragments are the fragments of items (see Fragment), one after the
// other, one per line: what the page writes out with one action, not one
// for each item.
func Fragments[D comparable](c *gin.Context, page, name string, items []D) (template.HTML, error) {
	r, t, err := lookupPage(c, page)
	if err != nil {
		return "", err
	}
	html, err := joinFragments(r, t, name, items)
	if err != nil {
		return "", fmt.Errorf("%s: %w", page, err)
	}
	return html, nil
}

// joinFragments is Fragments of the page of template t.
func joinFragments[D comparable](r *Renderer, t *template.Template, name string, items []D) (template.HTML, error) {
	var b strings.Builder
	for _, item := range items {
		h, err := r.fragment(t, name, item)
		if err != nil {
			return "", err
		}
		b.WriteString(string(h))
		b.WriteByte('\n')
	}
	return template.HTML(b.String()), nil // fragments, each escaped by html/template
}

// Option is one choice of a select, written by the template "option"
// every page has.
type Option struct {
	Value, Label string
	Selected     bool
}

// Choices renders the options of a select of page as fragments (see
// Fragments): a select of a tenant's sites or staff has as many as it
// has of them.
func Choices(c *gin.Context, page string, opts []Option) (template.HTML, error) {
	return Fragments(c, page, "option", opts)
}

// Partial is template name, defined in the files of page, rendered with
// data, for a fragment's data (see Fragment): a part that its data
// cannot key, as a list of files.
func Partial(c *gin.Context, page, name string, data any) (template.HTML, error) {
	_, t, err := lookupPage(c, page)
	if err != nil {
		return "", err
	}
	html, err := execute(t, name, data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", page, err)
	}
	return html, nil
}

// execute renders template name of a page (t) with data, as HTML text.
func execute(t *template.Template, name string, data any) (template.HTML, error) {
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(b.String()), nil // escaped by html/template
}

// pageBuffers hold pages being rendered. A page grew its buffer from
// nothing through a dozen copies (a sixth of a ticket list's allocated
// bytes); a buffer is kept for the next page unless a page made it larger
// than maxPooledPage, so that one long page does not hold its memory for
// good.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledPage = 256 << 10

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledPage {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// Page is the part of every page's data that the layout reads.
type Page struct {
	Tenant    *svcportal.Tenant
	Lang      string
	Path      string
	RequestID string
	CSRFToken string
	// Viewer is the signed-in principal, or nil.
	Viewer *svcportal.Principal
	// Home is the address of the area's home page ("" for the portal's
	// "/"); the console sets "/admin".
	Home string
	// Chrome is the layout's head links, header and footer, rendered by
	// Render.
	Chrome Chrome
	// renderer and tmpl render the page's fragments (Page.Fragment);
	// set by Render.
	renderer *Renderer
	tmpl     *template.Template
	tr       *locales.Translator
	query    url.Values
	origin   string // scheme and host the reader used
	loc      *time.Location
	clock    func() time.Time
}

// Chrome is what the layout writes around every page: its links in the
// head, its header up to the area's navigation, and its footer. Each is a
// fragment (see Fragment) rendered with the texts it shows: the layout
// was half the CPU of the login page, its translations and escapes
// through reflection, and is the same for every reader of a tenant in a
// language, on a page of the same address.
type Chrome struct {
	Head, Top, Bottom template.HTML
}

// layoutHead, layoutTop and layoutBottom are the data of the layout's
// fragments (see Chrome).
type (
	layoutHead struct {
		AppCSS, UIJS string
		Tenant       bool
		Version      int64 // of the tenant's branding
	}
	layoutTop struct {
		Skip                             string
		Tenant                           bool
		Home, Name                       string
		Version                          int64
		LogoAlt, MainNav, Menu, HomeText string
		HomeCurrent                      bool
	}
	layoutBottom struct {
		Tenant                          bool
		Footer, Powered, LanguagesLabel string
		Languages                       template.HTML // links to the page in each language, for a reader not signed in
	}
)

// page is the Page of a page's data, for Render.
func (p *Page) page() *Page { return p }

// dress renders p's Chrome with the templates of its page, t.
func (p *Page) dress(r *Renderer, t *template.Template) error {
	p.renderer, p.tmpl = r, t
	head := layoutHead{AppCSS: AssetURL("app.css"), UIJS: AssetURL("ui.js")}
	top := layoutTop{Skip: p.T("layout.skip")}
	var bottom layoutBottom
	if tn := p.Tenant; tn != nil {
		version := tn.UpdatedAt.UnixMicro()
		head.Tenant, head.Version = true, version
		top = layoutTop{Skip: top.Skip, Tenant: true, Home: p.HomeURL(), Name: tn.Name, Version: version,
			LogoAlt: p.T("layout.logo_alt", "Name", tn.Name), MainNav: p.T("layout.main_nav"), Menu: p.T("ux.menu"),
			HomeText: p.T("layout.home"), HomeCurrent: p.Path == p.HomeURL()}
		bottom = layoutBottom{Tenant: true, Footer: tn.Footer, Powered: p.T("layout.powered", "Name", tn.Name)}
		if p.Viewer == nil && len(tn.EnabledLocales) > 1 {
			var err error
			if bottom.Languages, err = joinFragments(r, t, "language_link", p.Languages()); err != nil {
				return err
			}
			bottom.LanguagesLabel = p.T("ux.languages")
		}
	}
	var err error
	if p.Chrome.Head, err = r.fragment(t, "layout_head", head); err != nil {
		return err
	}
	if p.Chrome.Top, err = r.fragment(t, "layout_top", top); err != nil {
		return err
	}
	p.Chrome.Bottom, err = r.fragment(t, "layout_bottom", bottom)
	return err
}

// Fragment is the page's template name rendered with data as a
// fragment (see Fragment), for a template:
// {{$.Fragment "input" (.Input …)}} in place of {{template "input" …}}.
// Data that is not all plain values is rendered every time.
func (p Page) Fragment(name string, data any) (template.HTML, error) {
	if p.renderer == nil {
		return "", fmt.Errorf("web: fragment %s of a page not being rendered", name)
	}
	if !reflect.ValueOf(data).Comparable() {
		return execute(p.tmpl, name, data)
	}
	return p.renderer.fragment(p.tmpl, name, data)
}

// Choices is Choices of the page, for a page's method that a template
// calls: the options of a select whose choice the page's data holds.
func (p Page) Choices(opts []Option) (template.HTML, error) {
	if p.renderer == nil {
		return "", fmt.Errorf("web: choices of a page not being rendered")
	}
	return joinFragments(p.renderer, p.tmpl, "option", opts)
}

// HomeURL is where the brand and the first navigation link lead.
func (p Page) HomeURL() string {
	if p.Home == "" {
		return "/"
	}
	return p.Home
}

// NewPage fills the common page data from the request.
func NewPage(c *gin.Context) Page {
	tr := Translator(c)
	p := Page{
		Tenant:    svcportal.TenantFrom(c.Request.Context()),
		Lang:      tr.Lang(),
		Path:      c.Request.URL.Path,
		RequestID: RequestID(c),
		Viewer:    Principal(c),
		tr:        tr,
		query:     c.Request.URL.Query(),
		origin:    origin(c),
	}
	p.loc = readerLocation(p.Tenant, p.Viewer)
	if p.Viewer != nil && p.Viewer.Session != nil {
		p.CSRFToken = p.Viewer.Session.CSRFToken
	}
	return p
}

// AbsoluteURL is path on the host and scheme the reader used, for links
// that must be absolute (canonical and alternate addresses).
func (p Page) AbsoluteURL(path string) string { return p.origin + path }

// origin is the scheme and host of the request: https behind TLS or a
// proxy that says it terminated TLS.
func origin(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// T translates message id; args are pairs of template-data name and value:
// {{.T "home.lead" "Name" .Tenant.Name}}.
func (p Page) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return p.tr.T(id, data)
}

// N translates message id with plural forms for count (also .Count in
// the message): {{.N "ux.articles" 3}}.
func (p Page) N(id string, count int) string { return p.tr.N(id, count, nil) }

// LanguageNames lists the tenant's enabled languages by their own names.
func (p Page) LanguageNames() string {
	if p.Tenant == nil {
		return ""
	}
	names := make([]string, len(p.Tenant.EnabledLocales))
	for i, l := range p.Tenant.EnabledLocales {
		names[i] = p.tr.T("lang." + l)
	}
	return strings.Join(names, ", ")
}

// Input is the data of the "input" partial: one form field.
type Input struct {
	Name, Label, Type, Autocomplete, Value, Hint, Error string
	Required                                            bool
}

// Input builds a form field: name, label message id, input type,
// autocomplete token, current value, and the form's field errors.
func (p Page) Input(name, labelID, typ, autocomplete, value string, errs map[string]string) Input {
	return Input{Name: name, Label: p.tr.T(labelID), Type: typ, Autocomplete: autocomplete, Value: value, Error: errs[name]}
}

// AsRequired returns the field marked required.
func (i Input) AsRequired() Input {
	i.Required = true
	return i
}

// WithHint returns the field with a help text under its label.
func (i Input) WithHint(hint string) Input {
	i.Hint = hint
	return i
}
