package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Browser talks to an App as one browser on one host: it keeps that
// host's cookies (the way a real browser keeps host-only cookies apart)
// and can read the CSRF token off the last page.
type Browser struct {
	App    *App
	Host   string
	Header http.Header // sent with every request (Accept-Language…)
	// RemoteAddr is the client address the app sees ("" for httptest's).
	RemoteAddr string
	cookies    map[string]string
	// CSRF is the token to send with state-changing requests: taken from
	// the last page's csrf_token field or set by the test after an API login.
	CSRF string
}

// NewBrowser returns a browser with no cookies for host.
func (a *App) NewBrowser(host string) *Browser {
	return &Browser{App: a, Host: host, Header: http.Header{}, cookies: map[string]string{}}
}

// NewAPIClient returns a browser on host that signs every request with a
// new API token, named name, of the staff member email of ctx's tenant.
func (a *App) NewAPIClient(t testing.TB, ctx context.Context, host, email, name string) *Browser {
	t.Helper()
	token, err := a.Accounts.CreateAPIToken(ctx, email, name)
	if err != nil {
		t.Fatal(err)
	}
	b := a.NewBrowser(host)
	b.Header.Set("Authorization", "Bearer "+token)
	return b
}

// Cookie returns the value of a cookie the browser holds.
func (b *Browser) Cookie(name string) string { return b.cookies[name] }

// SetCookie plants a cookie, e.g. one stolen from another host.
func (b *Browser) SetCookie(name, value string) { b.cookies[name] = value }

// Do sends a request with the browser's cookies and remembers new ones.
func (b *Browser) Do(t testing.TB, method, path string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	h := b.Header.Clone()
	for k, v := range header {
		h[k] = v
	}
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	rec := b.App.RequestFrom(t, b.RemoteAddr, method, b.Host, path, body, h)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return rec
}

// Get fetches a page; Page also parses it.
func (b *Browser) Get(t testing.TB, path string) *httptest.ResponseRecorder {
	t.Helper()
	return b.Do(t, http.MethodGet, path, nil, nil)
}

// Page fetches and parses a page, remembering its CSRF token.
func (b *Browser) Page(t testing.TB, path string) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	rec := b.Get(t, path)
	doc := b.parse(t, rec)
	return rec, doc
}

func (b *Browser) parse(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	if v, ok := doc.Find(`input[name=csrf_token]`).First().Attr("value"); ok && v != "" {
		b.CSRF = v
	}
	return doc
}

// Submit posts a form the way a browser does (with the CSRF token it
// holds, unless values sets csrf_token itself).
func (b *Browser) Submit(t testing.TB, path string, values url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if _, set := values["csrf_token"]; !set && b.CSRF != "" {
		values.Set("csrf_token", b.CSRF)
	}
	return b.Do(t, http.MethodPost, path, strings.NewReader(values.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// SubmitPage is Submit that also parses the answer.
func (b *Browser) SubmitPage(t testing.TB, path string, values url.Values) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	rec := b.Submit(t, path, values)
	return rec, b.parse(t, rec)
}

// JSON sends body as JSON with the CSRF header (when the browser holds a
// token) and decodes the answer into out, if given.
func (b *Browser) JSON(t testing.TB, method, path string, body any, out any) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			r = strings.NewReader(s)
		} else {
			raw, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			r = bytes.NewReader(raw)
		}
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if b.CSRF != "" {
		h.Set("X-CSRF-Token", b.CSRF)
	}
	rec := b.Do(t, method, path, r, h)
	if out != nil && rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, rec.Body, err)
		}
	}
	return rec
}

// File is one file of a multipart request.
type File struct {
	Name    string
	Content []byte
}

// Multipart posts a multipart form with files under "files", with the
// browser's CSRF token as a field and a header.
func (b *Browser) Multipart(t testing.TB, path string, values url.Values, files []File) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if b.CSRF != "" && values.Get("csrf_token") == "" {
		w.WriteField("csrf_token", b.CSRF)
	}
	for k, vs := range values {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("files", f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.Content)
	}
	w.Close()
	h := http.Header{"Content-Type": {w.FormDataContentType()}}
	if b.CSRF != "" {
		h.Set("X-CSRF-Token", b.CSRF)
	}
	return b.Do(t, http.MethodPost, path, &body, h)
}
