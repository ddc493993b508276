package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

func TestKBArticleFiles(t *testing.T) {
	l := newLibrary(t)
	actx, _ := l.app.Tenants.Resolve(t.Context(), "acme.localhost")
	ctx := svcportal.WithTenant(t.Context(), actx)
	admin := l.app.NewAPIClient(t, ctx, "acme.localhost", "admin@acme.test", "t")
	attach := func(a *svcportal.KBArticle, name string) svcportal.Attachment {
		t.Helper()
		rec := admin.Multipart(t, fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments", a.ID), url.Values{},
			[]testkit.File{{Name: name, Content: []byte("%PDF-1.4 guide for " + name)}})
		var body struct{ Attachments []svcportal.Attachment }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusCreated || len(body.Attachments) != 1 {
			t.Fatalf("attach %s: %d %s", name, rec.Code, rec.Body)
		}
		return body.Attachments[0]
	}
	guide := attach(l.password, "reset-guide.pdf")
	umbrella := attach(l.umbrellaOnly, "umbrella.pdf")
	draft := attach(l.draft, "draft.pdf")

	_, doc := articlePage(t, l.peter, l.password, "")
	if got := doc.Find("[data-testid=attachments] a").Text(); got != "reset-guide.pdf" {
		t.Errorf("article page lists %q", got)
	}
	download := func(b *testkit.Browser, a svcportal.Attachment) int {
		return b.Get(t, fmt.Sprintf("/api/v1/attachments/%d", a.ID)).Code
	}
	for _, c := range []struct {
		who  string
		b    *testkit.Browser
		file svcportal.Attachment
		want int
	}{
		{"peter/guide", l.peter, guide, 200},
		{"alice/guide", l.alice, guide, 200},
		{"peter/umbrella-only", l.peter, umbrella, 404},
		{"alice/umbrella-only", l.alice, umbrella, 200},
		{"peter/draft", l.peter, draft, 404},
		{"kb disabled/guide", l.kbless, guide, 404},
		{"other tenant/guide", l.gavin, guide, 404},
	} {
		if got := download(c.b, c.file); got != c.want {
			t.Errorf("%s: %d, want %d", c.who, got, c.want)
		}
	}
	rec := l.peter.Get(t, fmt.Sprintf("/api/v1/attachments/%d", guide.ID))
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Content-Disposition") == "" {
		t.Errorf("download headers %v", rec.Header())
	}
	if rec := admin.JSON(t, "DELETE", fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments/%d", l.umbrellaOnly.ID, guide.ID), nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("deleting a file through another article: %d", rec.Code)
	}
	if rec := admin.JSON(t, "DELETE", fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments/%d", l.password.ID, guide.ID), nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
	if got := download(l.peter, guide); got != http.StatusNotFound {
		t.Errorf("a deleted file still downloads: %d", got)
	}
	if rec := admin.Multipart(t, fmt.Sprintf("/api/v1/admin/kb/articles/%d/attachments", l.globexArticle.ID), url.Values{},
		[]testkit.File{{Name: "x.pdf", Content: []byte("x")}}); rec.Code != http.StatusNotFound {
		t.Errorf("attaching to another tenant's article: %d", rec.Code)
	}
}
