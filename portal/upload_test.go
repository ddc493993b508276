package portal_test

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/svcportal/svcportal/testkit"
)

// countingReader tells how much of a request body the server read.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// multipartBody builds a form with values and one file under "files". The
// CSRF token comes first, as a browser sends the portal's forms (fields in
// the order of the page, the token's hidden field first).
func multipartBody(t *testing.T, values url.Values, name string, content []byte) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if tok := values.Get("csrf_token"); tok != "" {
		w.WriteField("csrf_token", tok)
		values = maps.Clone(values)
		values.Del("csrf_token")
	}
	for k, vs := range values {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, err := w.CreateFormFile("files", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// multipartTempFiles counts Go's spooled multipart parts in dir.
func multipartTempFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "multipart-*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestUploads_NoTempFileOutlivesRequest is the disk-fill finding of issue
// 9: a multipart body must be read only after authentication and
// authorisation, and no spooled part may stay on disk after its request,
// whatever the answer.
func TestUploads_NoTempFileOutlivesRequest(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // mime/multipart spools into os.TempDir()
	d := newDesk(t)
	ticket := d.create(t, d.peter, map[string]any{"title": "Logs"})
	// Over the part of a form kept in memory, so Go spools it to a file.
	spooled := bytes.Repeat([]byte("x"), 9<<20)

	send := func(t *testing.T, b *testkit.Browser, path string, values url.Values, content []byte) (*countingReader, int) {
		t.Helper()
		if b.CSRF != "" {
			values.Set("csrf_token", b.CSRF)
		}
		body, ct := multipartBody(t, values, "big.log", content)
		r := &countingReader{r: bytes.NewReader(body)}
		h := http.Header{"Content-Type": {ct}}
		if b.CSRF != "" && path[:5] == "/api/" {
			h.Set("X-CSRF-Token", b.CSRF)
		}
		rec := b.Do(t, http.MethodPost, path, r, h)
		if left := multipartTempFiles(t, tmp); len(left) > 0 {
			t.Errorf("%s answered %d and left %d temporary files: %v", path, rec.Code, len(left), left)
			for _, f := range left {
				os.Remove(f)
			}
		}
		return r, rec.Code
	}

	anonymous := []struct{ name, path string }{
		{"page login", "/login"},
		{"API login", "/api/v1/auth/login"},
		{"forgot password", "/forgot-password"},
		{"API password reset", "/api/v1/auth/password-reset"},
	}
	for _, tc := range anonymous {
		t.Run("anonymous "+tc.name+" is refused unread", func(t *testing.T) {
			b := d.app.NewBrowser("acme.localhost")
			r, code := send(t, b, tc.path, url.Values{"email": {"peter@initech.test"}, "password": {testkit.Password}}, spooled)
			if code != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", code)
			}
			if r.n.Load() != 0 {
				t.Errorf("the server read %d bytes of an anonymous upload", r.n.Load())
			}
		})
	}

	t.Run("a reader who may not see the ticket is refused unread", func(t *testing.T) {
		r, code := send(t, d.alice, fmt.Sprintf("/api/v1/tickets/%d/replies", ticket.Number), url.Values{"body": {"hi"}}, spooled)
		if code != http.StatusNotFound {
			t.Errorf("got %d, want 404", code)
		}
		if r.n.Load() != 0 {
			t.Errorf("the server read %d bytes before deciding", r.n.Load())
		}
	})
	t.Run("a route that takes no files refuses them unread", func(t *testing.T) {
		r, code := send(t, d.peter, "/api/v1/me/password", url.Values{"current_password": {testkit.Password}}, spooled)
		if code != http.StatusBadRequest {
			t.Errorf("got %d, want 400", code)
		}
		if r.n.Load() != 0 {
			t.Errorf("the server read %d bytes", r.n.Load())
		}
	})
	t.Run("a normal attachment", func(t *testing.T) {
		if _, code := send(t, d.peter, fmt.Sprintf("/api/v1/tickets/%d/replies", ticket.Number), url.Values{"body": {"the log"}}, spooled); code != http.StatusCreated {
			t.Errorf("got %d, want 201", code)
		}
	})
	t.Run("a file over the tenant's limit", func(t *testing.T) {
		big := bytes.Repeat([]byte("y"), 25<<20+1)
		if _, code := send(t, d.peter, fmt.Sprintf("/api/v1/tickets/%d/replies", ticket.Number), url.Values{"body": {"big"}}, big); code != http.StatusRequestEntityTooLarge {
			t.Errorf("got %d, want 413", code)
		}
	})
	t.Run("a page form with a file", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, "peter@initech.test", testkit.Password)
		b.Page(t, fmt.Sprintf("/tickets/%d", ticket.Number))
		if _, code := send(t, b, fmt.Sprintf("/tickets/%d/reply", ticket.Number), url.Values{"body": {"from the page"}}, spooled); code != http.StatusSeeOther {
			t.Errorf("got %d, want 303", code)
		}
	})
	t.Run("a page form to a ticket the reader may not see is refused with only its token read", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, "alice@umbrella.test", testkit.Password)
		b.Page(t, "/tickets")
		r, code := send(t, b, fmt.Sprintf("/tickets/%d/reply", ticket.Number), url.Values{"body": {"not mine"}}, spooled)
		if code != http.StatusNotFound {
			t.Errorf("got %d, want 404", code)
		}
		if n := r.n.Load(); n > 64<<10 {
			t.Errorf("the server read %d bytes before deciding; only the token part may be read", n)
		}
	})
	t.Run("a page form whose token is wrong is refused with only its token read", func(t *testing.T) {
		b := d.app.NewBrowser("acme.localhost")
		signIn(t, b, "peter@initech.test", testkit.Password)
		b.Page(t, "/tickets")
		b.CSRF = "forged"
		r, code := send(t, b, fmt.Sprintf("/tickets/%d/reply", ticket.Number), url.Values{"body": {"forged"}}, spooled)
		if code != http.StatusForbidden {
			t.Errorf("got %d, want 403", code)
		}
		if n := r.n.Load(); n > 64<<10 {
			t.Errorf("the server read %d bytes of a forged form", n)
		}
	})
}
