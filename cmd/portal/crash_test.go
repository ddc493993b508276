package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrash_KillNine runs the real binary, kills it with SIGKILL while
// contacts create tickets, reply with files and vote, restarts it, and
// checks that every write it acknowledged is there exactly once (issue 9:
// an acknowledged write is never lost, never doubled).
func TestCrash_KillNine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "portal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := testEnv(t)
	env["PORTAL_ADDR"] = freeAddr(t)
	p := startPortal(t, bin, env, "demo")

	contacts := []string{"peter@initech.test", "milton@initech.test", "bill@initech.test", "alice@umbrella.test"}
	var (
		mu      sync.Mutex
		tickets = map[string]int64{} // acknowledged titles → numbers
		replies = map[string]int64{} // acknowledged reply bodies → ticket
		// contact → the votes the store may hold: the last acknowledged one,
		// and the one in flight when the server died (it may have landed)
		votes   = map[string]map[bool]bool{}
		article int64
	)
	for round := range 3 {
		var clients []*crashClient
		for _, email := range contacts {
			clients = append(clients, login(t, env["PORTAL_ADDR"], email))
		}
		if article == 0 {
			article = clients[0].firstArticle(t)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for ci, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					title := fmt.Sprintf("crash r%d c%d #%d", round, ci, i)
					n, ok := c.createTicket(title)
					if !ok {
						return // the server is gone
					}
					mu.Lock()
					tickets[title] = n
					mu.Unlock()
					body := "reply to " + title
					if !c.reply(n, body) {
						return
					}
					mu.Lock()
					replies[body] = n
					mu.Unlock()
					helpful := i%2 == 0
					mu.Lock()
					if votes[c.email] == nil {
						votes[c.email] = map[bool]bool{}
					}
					votes[c.email][helpful] = true
					mu.Unlock()
					if !c.vote(article, helpful) {
						return
					}
					mu.Lock()
					votes[c.email] = map[bool]bool{helpful: true}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(1500 * time.Millisecond) // let writes pile up; the kill lands mid-stream
		p.kill(t)
		close(stop)
		wg.Wait()
		p = startPortal(t, bin, env, "serve")
	}
	defer p.kill(t)

	mu.Lock()
	defer mu.Unlock()
	if len(tickets) < 10 || len(replies) < 10 {
		t.Fatalf("only %d tickets and %d replies acknowledged: the load did not run", len(tickets), len(replies))
	}
	checker := login(t, env["PORTAL_ADDR"], "bill@initech.test") // site manager of Initech
	alice := login(t, env["PORTAL_ADDR"], "alice@umbrella.test")
	for title, n := range tickets {
		c := checker
		if strings.Contains(title, " c3 ") {
			c = alice
		}
		tk := c.ticket(t, n)
		if tk.Title != title {
			t.Errorf("ticket %d: got title %q, want %q", n, tk.Title, title)
		}
		got := 0
		for _, m := range tk.Messages {
			if m.Body == "reply to "+title {
				got++
			}
		}
		if _, acked := replies["reply to "+title]; acked && got != 1 {
			t.Errorf("ticket %d: acknowledged reply present %d times, want once", n, got)
		}
		if got > 1 {
			t.Errorf("ticket %d: reply doubled (%d)", n, got)
		}
		if _, acked := replies["reply to "+title]; acked && len(tk.Attachments) != 1 {
			t.Errorf("ticket %d: got %d attachments, want the reply's file", n, len(tk.Attachments))
		}
	}
	// Titles are unique per write: a doubled ticket would show twice.
	for _, c := range []*crashClient{checker, alice} {
		seen := map[string]int{}
		for _, title := range c.allTitles(t) {
			seen[title]++
			if seen[title] > 1 {
				t.Errorf("ticket %q stored twice", title)
			}
		}
	}
	for email, allowed := range votes {
		c := login(t, env["PORTAL_ADDR"], email)
		if got := c.myVote(t, article); got == nil || !allowed[*got] {
			t.Errorf("%s: vote after restart %v, want one of %v", email, got, allowed)
		}
	}
}

// portalProcess is a running portal binary.
type portalProcess struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startPortal runs the binary with exactly env and waits until it answers.
func startPortal(t *testing.T, bin string, env map[string]string, command string) *portalProcess {
	t.Helper()
	return startPortalAs(t, bin, env, nil, command)
}

// startPortalAs is startPortal as the user of cred (nil: this process's).
func startPortalAs(t *testing.T, bin string, env map[string]string, cred *syscall.Credential, command string) *portalProcess {
	t.Helper()
	cmd := exec.Command(bin, command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Stdout = &stderr, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &portalProcess{cmd: cmd, stderr: &stderr}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + env["PORTAL_ADDR"] + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.kill(t)
	t.Fatalf("portal %s did not become ready:\n%s", command, stderr.String())
	return nil
}

// kill sends SIGKILL: no shutdown, no flush.
func (p *portalProcess) kill(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// crashClient is one contact's API session against the binary.
type crashClient struct {
	addr, email, cookie, csrf string
	http                      *http.Client
}

func login(t *testing.T, addr, email string) *crashClient {
	t.Helper()
	c := &crashClient{addr: addr, email: email, http: &http.Client{Timeout: 30 * time.Second}}
	var ans struct {
		CSRF string `json:"csrf_token"`
	}
	res, err := c.do(http.MethodPost, "/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, demoPassword)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("login %s: %d %s", email, res.StatusCode, b)
	}
	json.NewDecoder(res.Body).Decode(&ans)
	for _, ck := range res.Cookies() {
		if ck.Name == "portal_session" {
			c.cookie = ck.Value
		}
	}
	c.csrf = ans.CSRF
	return c
}

func (c *crashClient) do(method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, "http://"+c.addr+path, body)
	if err != nil {
		return nil, err
	}
	req.Host = "acme.localhost"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", "portal_session="+c.cookie)
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.http.Do(req)
}

// createTicket answers the new ticket's number, and false when the write
// was not acknowledged.
func (c *crashClient) createTicket(title string) (int64, bool) {
	res, err := c.do(http.MethodPost, "/api/v1/tickets", "application/json", strings.NewReader(fmt.Sprintf(`{"title":%q}`, title)))
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	var v struct {
		Number int64 `json:"number"`
	}
	if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&v) != nil {
		return 0, false
	}
	return v.Number, true
}

// reply posts a reply with one file.
func (c *crashClient) reply(number int64, body string) bool {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("body", body)
	f, _ := w.CreateFormFile("files", "log.txt")
	f.Write([]byte("log of " + body))
	w.Close()
	res, err := c.do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/replies", number), w.FormDataContentType(), &buf)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusCreated
}

func (c *crashClient) vote(article int64, helpful bool) bool {
	res, err := c.do(http.MethodPost, fmt.Sprintf("/api/v1/kb/articles/%d/vote", article), "application/json",
		strings.NewReader(fmt.Sprintf(`{"helpful":%t}`, helpful)))
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func (c *crashClient) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	res, err := c.do(http.MethodGet, path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

// firstArticle is the id of an article every demo contact may read.
func (c *crashClient) firstArticle(t *testing.T) int64 {
	t.Helper()
	var res struct {
		Hits []struct {
			ID int64 `json:"id"`
		} `json:"hits"`
	}
	c.getJSON(t, "/api/v1/kb/search?q=password", &res)
	if len(res.Hits) == 0 {
		t.Fatal("the demo has no article about passwords")
	}
	return res.Hits[0].ID
}

type crashTicket struct {
	Title    string `json:"title"`
	Messages []struct {
		Body string `json:"body"`
	} `json:"messages"`
	Attachments []json.RawMessage `json:"attachments"`
}

func (c *crashClient) ticket(t *testing.T, number int64) crashTicket {
	t.Helper()
	var v crashTicket
	c.getJSON(t, fmt.Sprintf("/api/v1/tickets/%d", number), &v)
	return v
}

// allTitles lists the titles of every ticket the contact may see.
func (c *crashClient) allTitles(t *testing.T) []string {
	t.Helper()
	var titles []string
	for page := 1; ; page++ {
		var res struct {
			Tickets []struct {
				Title string `json:"title"`
			} `json:"tickets"`
		}
		c.getJSON(t, fmt.Sprintf("/api/v1/tickets?scope=site&per_page=100&page=%d", page), &res)
		for _, tk := range res.Tickets {
			titles = append(titles, tk.Title)
		}
		if len(res.Tickets) < 100 {
			return titles
		}
	}
}

// myVote is the contact's vote on an article, nil when none.
func (c *crashClient) myVote(t *testing.T, article int64) *bool {
	t.Helper()
	var a struct {
		MyVote *bool `json:"my_vote"`
	}
	c.getJSON(t, fmt.Sprintf("/api/v1/kb/articles/%d", article), &a)
	return a.MyVote
}
