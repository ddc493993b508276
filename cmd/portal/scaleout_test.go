package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestScaleOut_TwoInstances starts two real `portal serve` processes of
// one installation and one S3-compatible store — on PostgreSQL with the
// index inside it when the tests have PostgreSQL, else on one SQLite data
// dir with the embedded index — and checks that what one instance does
// the other sees: sessions, uploads, search (and what may no longer be
// found), password resets, mail sent once, one holder of the index that
// the other takes over.
func TestScaleOut_TwoInstances(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "portal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	shared := t.TempDir()
	env := map[string]string{
		"PORTAL_DATABASE_URL": testkit.DatabaseURL(t),
		"PORTAL_SECRET_KEY":   "scale-out-secret-key-0123456789abcdef",
		"PORTAL_BLOB_URL":     startS3(t, "attachments"),
		"PORTAL_MAIL_URL":     "file:" + filepath.Join(shared, "mail"),
		"PORTAL_DATA_DIR":     filepath.Join(shared, "a"),
	}
	dialect, _, _ := store.ParseURL(env["PORTAL_DATABASE_URL"])
	if dialect == store.Postgres {
		env["PORTAL_SEARCH_URL"] = "postgres"
	}
	envA, envB := clone(env), clone(env)
	envA["PORTAL_ADDR"], envB["PORTAL_ADDR"] = freeAddr(t), freeAddr(t)
	if dialect == store.Postgres {
		envB["PORTAL_DATA_DIR"] = filepath.Join(shared, "b") // a data dir of its own, as on another machine
	}
	a := startPortal(t, bin, envA, "demo")
	defer a.kill(t)
	b := startPortal(t, bin, envB, "serve")
	defer b.kill(t)
	onA, onB := "http://"+envA["PORTAL_ADDR"], "http://"+envB["PORTAL_ADDR"]

	t.Run("a session opened on A works on B", func(t *testing.T) {
		peter := signIn(t, onA, "/api/v1/auth/login", "peter@initech.test", demoPassword)
		var me struct{ Email string }
		if code := peter.on(onB).call(t, "GET", "/api/v1/me", nil, &me); code != 200 || me.Email != "peter@initech.test" {
			t.Errorf("GET /me on B: %d %+v", code, me)
		}
	})

	t.Run("a file uploaded on A downloads on B", func(t *testing.T) {
		peter := signIn(t, onA, "/api/v1/auth/login", "peter@initech.test", demoPassword)
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("title", "Printer jams")
		f, _ := w.CreateFormFile("files", "jam.txt")
		f.Write([]byte("paper jam log"))
		w.Close()
		var ticket struct {
			Attachments []struct{ ID int64 } `json:"attachments"`
		}
		if code := peter.send(t, "POST", "/api/v1/tickets", w.FormDataContentType(), &buf, &ticket); code != 201 || len(ticket.Attachments) != 1 {
			t.Fatalf("create ticket with a file on A: %d %+v", code, ticket)
		}
		body, code := peter.on(onB).raw(t, fmt.Sprintf("/api/v1/attachments/%d", ticket.Attachments[0].ID))
		if code != 200 || body != "paper jam log" {
			t.Errorf("download on B: %d %q", code, body)
		}
	})

	t.Run("search follows the database across instances", func(t *testing.T) {
		admin := signIn(t, onB, "/api/v1/admin/auth/login", "admin@acme.test", demoPassword)
		var sections struct {
			Sections []struct{ ID int64 } `json:"sections"`
		}
		admin.call(t, "GET", "/api/v1/admin/kb/sections", nil, &sections)
		if len(sections.Sections) == 0 {
			t.Fatal("no sections in the demo data")
		}
		var art struct{ ID int64 }
		code := admin.call(t, "POST", "/api/v1/admin/kb/articles", map[string]any{"section_id": sections.Sections[0].ID,
			"state": "published", "all_sites": true,
			"translations": map[string]any{"en": map[string]any{"title": "Quarantined mailbox", "body": "Release the quarantined mailbox."}}}, &art)
		if code != 201 {
			t.Fatalf("publish on B: %d", code)
		}
		peter := signIn(t, onA, "/api/v1/auth/login", "peter@initech.test", demoPassword)
		found := func(c *client) bool {
			var res searchHits
			c.call(t, "GET", "/api/v1/kb/search?q=quarantined", nil, &res)
			return len(res.Hits) == 1 && res.Hits[0].ID == art.ID
		}
		eventually(t, "the article published on B is found on A", func() bool { return found(peter) })
		if code := admin.on(onA).call(t, "POST", fmt.Sprintf("/api/v1/admin/kb/articles/%d/unpublish", art.ID), nil, nil); code != 200 {
			t.Fatalf("unpublish on A: %d", code)
		}
		// At once, whichever instance holds the index and however far it
		// got: hits are checked against the database.
		if found(peter.on(onB)) || found(peter) {
			t.Error("the unpublished article is still found")
		}
		// A rebuild while both serve: the holder applies it, the command
		// waits for it.
		cmd := exec.Command(bin, "reindex")
		for k, v := range envA {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "The running server rebuilt the search index.") {
			t.Errorf("reindex while serving: %v\n%s", err, out)
		}
		if found(peter) {
			t.Error("the unpublished article is found after the rebuild")
		}
	})

	t.Run("a reset code requested on A works on B, and is mailed once", func(t *testing.T) {
		anon := &client{base: onA, http: &http.Client{Timeout: 30 * time.Second}}
		if code := anon.call(t, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "milton@initech.test"}, nil); code != 202 {
			t.Fatalf("request on A: %d", code)
		}
		var mails []string
		eventually(t, "the reset code is mailed", func() bool {
			mails = mailsTo(t, filepath.Join(shared, "mail"), "milton@initech.test")
			return len(mails) > 0
		})
		code := regexp.MustCompile(`\b\d{8}\b`).FindString(mails[0])
		if code == "" {
			t.Fatalf("no code in %q", mails[0])
		}
		if status := anon.on(onB).call(t, "POST", "/api/v1/auth/password-reset/confirm",
			map[string]string{"email": "milton@initech.test", "code": code, "password": "a-new-long-password"}, nil); status != 204 {
			t.Errorf("confirm on B: %d, want 204", status)
		}
		signIn(t, onA, "/api/v1/auth/login", "milton@initech.test", "a-new-long-password")
		// Both instances deliver mail; each message is claimed by one.
		st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		eventually(t, "the outbox is delivered", func() bool {
			n, _, err := st.OutboxStats(context.Background())
			return err == nil && n == 0
		})
		if n := len(mailsTo(t, filepath.Join(shared, "mail"), "milton@initech.test")); n != 1 {
			t.Errorf("%d reset emails, want 1", n)
		}
	})

	t.Run("one instance holds the index; the other takes it over", func(t *testing.T) {
		st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		first, err := st.LeaseHolder(context.Background(), app.LeaseIndex)
		if err != nil || first == "" {
			t.Fatalf("index lease: %q, %v", first, err)
		}
		holder, otherBase := a, onB
		if !strings.Contains(first, fmt.Sprintf(":%d:", a.cmd.Process.Pid)) {
			holder, otherBase = b, onA
		}
		holder.cmd.Process.Signal(syscall.SIGTERM) // a graceful stop gives the lease up
		holder.cmd.Wait()
		eventually(t, "the other instance takes the index", func() bool {
			h, _ := st.LeaseHolder(context.Background(), app.LeaseIndex)
			return h != "" && h != first
		})
		admin := signIn(t, otherBase, "/api/v1/admin/auth/login", "admin@acme.test", demoPassword)
		var sections struct {
			Sections []struct{ ID int64 } `json:"sections"`
		}
		admin.call(t, "GET", "/api/v1/admin/kb/sections", nil, &sections)
		var art struct{ ID int64 }
		admin.call(t, "POST", "/api/v1/admin/kb/articles", map[string]any{"section_id": sections.Sections[0].ID,
			"state": "published", "all_sites": true,
			"translations": map[string]any{"en": map[string]any{"title": "Wireless presenter", "body": "Pair the presenter."}}}, &art)
		peter := signIn(t, otherBase, "/api/v1/auth/login", "peter@initech.test", demoPassword)
		var res searchHits
		peter.call(t, "GET", "/api/v1/kb/search?q=presentr", nil, &res) // a typo: the index answers, not a scan
		if len(res.Hits) != 1 || res.Hits[0].ID != art.ID {
			t.Errorf("search on the new holder: got %+v, want article %d", res, art.ID)
		}
	})
}

type searchHits struct {
	Hits []struct{ ID int64 } `json:"hits"`
}

func clone(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// eventually waits for cond, up to a minute, for work another process
// does in the background (mail delivery, applying the search queue).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mailsTo reads the reset-code emails of the mail folder addressed to
// addr.
func mailsTo(t *testing.T, dir, addr string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && strings.Contains(string(b), "<"+addr+">") && strings.Contains(string(b), "password reset code") {
			out = append(out, string(b))
		}
	}
	return out
}

// client is a signed-in (or anonymous) API client of acme on one
// instance; on gives the same session on another.
type client struct {
	base, cookie, csrf string
	http               *http.Client
}

func signIn(t *testing.T, base, path, email, password string) *client {
	t.Helper()
	c := &client{base: base, http: &http.Client{Timeout: 30 * time.Second}}
	var ans struct {
		CSRF string `json:"csrf_token"`
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Host = "acme.localhost"
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("sign in %s on %s: %d %s", email, base, res.StatusCode, b)
	}
	json.NewDecoder(res.Body).Decode(&ans)
	for _, ck := range res.Cookies() {
		if ck.Name == "portal_session" || ck.Name == "portal_admin_session" {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	c.csrf = ans.CSRF
	return c
}

func (c *client) on(base string) *client {
	o := *c
	o.base = base
	return &o
}

func (c *client) do(t *testing.T, method, path, contentType string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "acme.localhost"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// call sends v as JSON (nil: no body) and decodes the answer into out.
func (c *client) call(t *testing.T, method, path string, v, out any) int {
	t.Helper()
	var body io.Reader
	ct := ""
	if v != nil {
		b, _ := json.Marshal(v)
		body, ct = bytes.NewReader(b), "application/json"
	}
	return c.send(t, method, path, ct, body, out)
}

func (c *client) send(t *testing.T, method, path, contentType string, body io.Reader, out any) int {
	t.Helper()
	res := c.do(t, method, path, contentType, body)
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

func (c *client) raw(t *testing.T, path string) (string, int) {
	t.Helper()
	res := c.do(t, "GET", path, "", nil)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b), res.StatusCode
}
