package web

import (
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

// TestFragment: a fragment is its template rendered with its data,
// escaped as html/template escapes it; data that differs in any field
// renders anew (never another's fragment), the same data is kept, and a
// fragment too large to keep still renders.
func TestFragment(t *testing.T) {
	r := NewRenderer()
	r.MustAdd("test/rows", fstest.MapFS{"rows.html": {Data: []byte(
		`{{define "content"}}{{end}}{{define "row"}}<tr><td title="{{.Title}}">{{.Title}}</td>{{if .Mark}}<td>{{.Mark}}</td>{{end}}</tr>{{end}}`)}}, "rows.html")
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Set(keyRenderer, r)
	type row struct {
		Title string
		Mark  template.HTML
	}
	render := func(d row) template.HTML {
		t.Helper()
		h, err := Fragment(c, "test/rows", "row", d)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	plain := row{Title: `<script>"x"</script>`}
	marked := row{Title: plain.Title, Mark: "<b>new</b>"}
	for _, tt := range []struct {
		data row
		want template.HTML
	}{
		{plain, `<tr><td title="&lt;script&gt;&#34;x&#34;&lt;/script&gt;">&lt;script&gt;&#34;x&#34;&lt;/script&gt;</td></tr>`},
		{marked, `<tr><td title="&lt;script&gt;&#34;x&#34;&lt;/script&gt;">&lt;script&gt;&#34;x&#34;&lt;/script&gt;</td><td><b>new</b></td></tr>`},
		{plain, `<tr><td title="&lt;script&gt;&#34;x&#34;&lt;/script&gt;">&lt;script&gt;&#34;x&#34;&lt;/script&gt;</td></tr>`},
	} {
		if got := render(tt.data); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.data, got, tt.want)
		}
	}
	if _, kept := r.fragments.get(fragmentKey{page: r.pages["test/rows"], name: "row", data: marked}); !kept {
		t.Error("a rendered fragment was not kept")
	}

	long := row{Title: strings.Repeat("a", fragmentMax)}
	if got := render(long); !strings.Contains(string(got), long.Title) {
		t.Errorf("a long fragment rendered %.40q", got)
	}
	if _, kept := r.fragments.get(fragmentKey{page: r.pages["test/rows"], name: "row", data: long}); kept {
		t.Error("a fragment over fragmentMax was kept")
	}

	if _, err := Fragment(c, "test/rows", "nothing", plain); err == nil {
		t.Error("a template the page does not define rendered")
	}
	if _, err := Fragment(c, "test/none", "row", plain); err == nil {
		t.Error("a page never added rendered")
	}
}

// TestPage_Fragment: a template renders a partial of its page through the
// page as a fragment, kept when its data is plain values, rendered every
// time otherwise; outside Render there is no page to render from.
func TestPage_Fragment(t *testing.T) {
	r := NewRenderer()
	r.MustAdd("test/field", fstest.MapFS{"field.html": {Data: []byte(
		`{{define "content"}}{{end}}{{define "field"}}<b>{{.Label}}</b>{{end}}`)}}, "field.html")
	var p Page
	if _, err := p.Fragment("field", Input{Label: "x"}); err == nil {
		t.Error("a page not being rendered rendered a fragment")
	}
	p.renderer, p.tmpl = r, r.pages["test/field"]
	for _, data := range []any{Input{Label: "<x>"}, map[string]string{"Label": "<x>"}} {
		got, err := p.Fragment("field", data)
		if err != nil || got != "<b>&lt;x&gt;</b>" {
			t.Errorf("%T: got %q, %v", data, got, err)
		}
	}
	if _, kept := r.fragments.get(fragmentKey{page: p.tmpl, name: "field", data: Input{Label: "<x>"}}); !kept {
		t.Error("a fragment of plain values was not kept")
	}
	if n := len(r.fragments.m); n != 1 {
		t.Errorf("%d fragments kept, want 1 (a map is no key)", n)
	}
}
