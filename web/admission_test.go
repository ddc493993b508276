package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// admissionServer serves, behind a, handlers by path: /hold/NAME enters
// (reported on entered) and waits for proceed; /write/NAME writes a
// byte, then waits likewise; /echo answers its body; anything else
// answers "ok".
type admissionServer struct {
	*httptest.Server
	a       *admission
	entered chan string
	proceed chan struct{}
}

func newAdmissionServer(t *testing.T, slots int, budget time.Duration) *admissionServer {
	t.Helper()
	s := &admissionServer{a: newAdmission(slots, budget), entered: make(chan string, 16), proceed: make(chan struct{})}
	e := gin.New()
	e.Use(s.a.admit)
	e.Any("/*path", func(c *gin.Context) {
		path := c.Param("path")
		switch {
		case strings.HasPrefix(path, "/hold/"):
			s.entered <- path
			<-s.proceed
			c.String(http.StatusOK, "held")
		case strings.HasPrefix(path, "/write/"):
			c.String(http.StatusOK, "x")
			c.Writer.Flush()
			s.entered <- path
			<-s.proceed
		case path == "/echo":
			body, err := io.ReadAll(c.Request.Body)
			if err != nil {
				c.String(http.StatusBadRequest, err.Error())
				return
			}
			c.Data(http.StatusOK, "text/plain", body)
		default:
			s.entered <- path
			c.String(http.StatusOK, "ok")
		}
	})
	s.Server = httptest.NewServer(e)
	t.Cleanup(func() {
		close(s.proceed)
		s.Close()
		if n := len(s.a.slots); n != 0 {
			t.Errorf("%d slot(s) still taken after every request ended", n)
		}
	})
	return s
}

// get requests path in the background; the answer's body, or the
// error, arrives on the returned channel.
func (s *admissionServer) get(ctx context.Context, path string) <-chan string {
	out := make(chan string, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		out <- string(body)
	}()
	return out
}

// waitEntered waits for the handler of path to start.
func (s *admissionServer) waitEntered(t *testing.T, path string) {
	t.Helper()
	select {
	case got := <-s.entered:
		if got != path {
			t.Fatalf("entered: got %s, want %s", got, path)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never started", path)
	}
}

// notEntered checks that no handler starts for a while.
func (s *admissionServer) notEntered(t *testing.T, why string) {
	t.Helper()
	select {
	case got := <-s.entered:
		t.Fatalf("%s started: %s", got, why)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestAdmission(t *testing.T) {
	ctx := context.Background()

	t.Run("at most slots requests work at once", func(t *testing.T) {
		s := newAdmissionServer(t, 2, time.Hour)
		s.get(ctx, "/hold/1")
		s.waitEntered(t, "/hold/1")
		s.get(ctx, "/hold/2")
		s.waitEntered(t, "/hold/2")
		third := s.get(ctx, "/third")
		s.notEntered(t, "both slots are taken")
		if n := s.a.queued.Load(); n != 1 {
			t.Errorf("queued: got %d, want 1", n)
		}
		s.proceed <- struct{}{}
		s.waitEntered(t, "/third")
		if got := <-third; got != "ok" {
			t.Errorf("third: got %q", got)
		}
		s.proceed <- struct{}{}
	})

	t.Run("a body is read before the request queues", func(t *testing.T) {
		s := newAdmissionServer(t, 1, time.Hour)
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) }) // before the server closes
		echoed := make(chan string, 1)
		go func() {
			res, err := http.Post(s.URL+"/echo", "application/json", pr)
			if err != nil {
				echoed <- "error: " + err.Error()
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			echoed <- string(body)
		}()
		if _, err := pw.Write([]byte(`{"half": `)); err != nil {
			t.Fatal(err)
		}
		// The slow sender holds no slot: another request is served.
		s.get(ctx, "/other")
		s.waitEntered(t, "/other")
		if _, err := pw.Write([]byte(`"done"}`)); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		if got := <-echoed; got != `{"half": "done"}` {
			t.Errorf("echo: got %q", got)
		}
	})

	t.Run("a body over the preread is whole for the handler", func(t *testing.T) {
		s := newAdmissionServer(t, 1, time.Hour)
		big := bytes.Repeat([]byte("a"), prereadLimit+1000)
		res, err := http.Post(s.URL+"/echo", "text/plain", bytes.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if len(body) != len(big) {
			t.Errorf("echo: got %d bytes, want %d", len(body), len(big))
		}
	})

	// A request that writes its answer, or that outlasts its budget,
	// lets the next one in while it goes on.
	for _, tt := range []struct {
		name   string
		budget time.Duration
		path   string
	}{
		{"the first write gives the slot back", time.Hour, "/write/slow-reader"},
		{"a request past its budget gives the slot back", 50 * time.Millisecond, "/hold/stuck"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newAdmissionServer(t, 1, tt.budget)
			s.get(ctx, tt.path)
			s.waitEntered(t, tt.path)
			s.get(ctx, "/other")
			s.waitEntered(t, "/other")
			s.proceed <- struct{}{}
		})
	}

	t.Run("a request whose client leaves while it queues is not served", func(t *testing.T) {
		s := newAdmissionServer(t, 1, time.Hour)
		s.get(ctx, "/hold/1")
		s.waitEntered(t, "/hold/1")
		gone, cancel := context.WithCancel(ctx)
		answer := s.get(gone, "/gone")
		s.notEntered(t, "the slot is taken")
		cancel()
		if got := <-answer; !strings.HasPrefix(got, "error:") {
			t.Errorf("gone: got %q, want an error", got)
		}
		time.Sleep(200 * time.Millisecond) // for the server to read the connection's end
		s.proceed <- struct{}{}
		s.get(ctx, "/next")
		s.waitEntered(t, "/next") // not /gone
	})

	t.Run("an upload is not queued", func(t *testing.T) {
		s := newAdmissionServer(t, 1, time.Hour)
		s.get(ctx, "/hold/1")
		s.waitEntered(t, "/hold/1")
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		mw.WriteField("title", "Printer")
		mw.Close()
		go func() {
			if res, err := http.Post(s.URL+"/upload", mw.FormDataContentType(), &form); err == nil {
				res.Body.Close()
			}
		}()
		s.waitEntered(t, "/upload")
		s.proceed <- struct{}{}
	})
}
