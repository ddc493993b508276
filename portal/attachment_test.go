package portal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

func TestAttachments(t *testing.T) {
	d := newDesk(t)
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
	rec := d.peter.Multipart(t, "/api/v1/tickets", url.Values{"title": {"Screenshots"}, "shared_with_site": {"true"},
		"fields": {`{"priority":"high"}`}},
		[]testkit.File{{Name: "../../etc/shot.png", Content: png}, {Name: "page.html", Content: html}})
	var v svcportal.TicketView
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("create with files: %d %s", rec.Code, rec.Body)
	}
	if len(v.Attachments) != 2 || v.Attachments[0].Filename != "shot.png" || v.Attachments[0].ContentType != "image/png" || v.Fields["priority"] != "high" {
		t.Fatalf("attachments %+v fields %v", v.Attachments, v.Fields)
	}
	page := v.Attachments[1]

	t.Run("download is never rendered", func(t *testing.T) {
		rec := d.milton.Get(t, fmt.Sprintf("/api/v1/attachments/%d", page.ID))
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), html) {
			t.Fatalf("got %d", rec.Code)
		}
		h := rec.Header()
		if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("X-Content-Type-Options") != "nosniff" ||
			strings.Contains(h.Get("Content-Type"), "html") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("headers %v", h)
		}
	})
	t.Run("same visibility as the ticket", func(t *testing.T) {
		for name, b := range map[string]*testkit.Browser{"alice": d.alice, "gavin": d.gavin} {
			if rec := b.Get(t, fmt.Sprintf("/api/v1/attachments/%d", page.ID)); rec.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", name, rec.Code)
			}
		}
		if rec := d.peter.Get(t, "/api/v1/attachments/999999"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown id: %d", rec.Code)
		}
	})
	t.Run("files of internal notes stay with the staff", func(t *testing.T) {
		d.agent.CSRF = ""
		rec := d.agent.Multipart(t, fmt.Sprintf("/api/v1/admin/tickets/%d/replies", v.Number), url.Values{"body": {"vendor quote"}, "internal": {"true"}},
			[]testkit.File{{Name: "quote.pdf", Content: []byte("%PDF-1.4 secret")}})
		var sv svcportal.TicketView
		json.Unmarshal(rec.Body.Bytes(), &sv)
		if rec.Code != http.StatusCreated || len(sv.Attachments) != 3 {
			t.Fatalf("note with file: %d %s", rec.Code, rec.Body)
		}
		quote := sv.Attachments[2]
		if rec := d.agent.Get(t, fmt.Sprintf("/api/v1/admin/attachments/%d", quote.ID)); rec.Code != http.StatusOK {
			t.Errorf("staff download: %d", rec.Code)
		}
		if rec := d.peter.Get(t, fmt.Sprintf("/api/v1/attachments/%d", quote.ID)); rec.Code != http.StatusNotFound {
			t.Errorf("contact downloads an internal note's file: %d", rec.Code)
		}
		var pv svcportal.TicketView
		d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", v.Number), nil, &pv)
		if len(pv.Attachments) != 2 || strings.Contains(fmt.Sprint(pv.Attachments), "quote.pdf") {
			t.Errorf("contact sees %+v", pv.Attachments)
		}
	})
	t.Run("limits", func(t *testing.T) {
		var files []testkit.File
		for i := range svcportal.MaxFilesPerMessage + 1 {
			files = append(files, testkit.File{Name: fmt.Sprint(i, ".txt"), Content: []byte("x")})
		}
		if rec := d.peter.Multipart(t, fmt.Sprintf("/api/v1/tickets/%d/replies", v.Number), url.Values{"body": {"many"}}, files); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("too many files: %d", rec.Code)
		}
		big := bytes.Repeat([]byte("a"), 25<<20+1) // the tenant's 25 MB, plus one byte
		rec := d.peter.Multipart(t, fmt.Sprintf("/api/v1/tickets/%d/replies", v.Number), url.Values{"body": {"big"}}, []testkit.File{{Name: "big.bin", Content: big}})
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "25 MB") {
			t.Errorf("oversized file: %d %s", rec.Code, rec.Body)
		}
		var after svcportal.TicketView
		d.peter.JSON(t, "GET", fmt.Sprintf("/api/v1/tickets/%d", v.Number), nil, &after)
		for _, m := range after.Messages {
			if m.Body == "many" || m.Body == "big" {
				t.Errorf("a refused reply was saved: %q", m.Body)
			}
		}
	})
	t.Run("page forms take files", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, "peter@initech.test", testkit.Password)
		b.Page(t, "/tickets/new")
		rec := b.Multipart(t, "/tickets", url.Values{"title": {"From the form"}}, []testkit.File{{Name: "log.txt", Content: []byte("error 42")}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("form create: %d %s", rec.Code, rec.Body)
		}
		_, doc := b.Page(t, rec.Header().Get("Location"))
		if link := doc.Find("[data-testid=attachments] a"); link.Text() != "log.txt" {
			t.Errorf("attachment link %q", link.Text())
		}
	})
}
