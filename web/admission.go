package web

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Requests on tenants' hosts work a few at a time, in the order they
// came (admission). Left to the Go scheduler, sixteen requests on two
// cores all advanced at once, and whichever the scheduler passed over
// waited several times the median: the ticket list page at 100,000
// tickets answered in 10–11 ms at the median and 37–40 ms at the 99th
// percentile; with two per CPU at work and the rest queued first come,
// first served, 26–28 ms, and a few more requests a second; ticket
// creation on PostgreSQL, 236 → 82 ms (docs/benchmarks.md, "Admission").
//
// A slot is for work, not for waiting on someone else:
//   - the start of the request's body (prereadLimit: the whole of most
//     forms and JSON bodies) is read before it queues, so a client that
//     sends slowly holds no slot; an upload (multipart) is not admitted
//     at all, its time being the client's;
//   - the first write of the answer gives the slot back, so a reader that
//     takes the answer slowly, or a download, holds none;
//   - a request that still holds its slot after admissionBudget (waiting
//     on an identity provider, say) gives it back and goes on unqueued,
//     so that a stalled dependency of one tenant cannot stop the others.
type admission struct {
	slots  chan struct{}
	budget time.Duration
	queued atomic.Int64 // requests waiting for a slot
}

// admissionSlotsPerCPU is how many requests work at once per CPU: more
// than one, so that a request waiting on the database (PostgreSQL, the
// search service) leaves its CPU to another (with one, PostgreSQL's list
// page served 15 % fewer requests a second).
const admissionSlotsPerCPU = 2

// admissionBudget is how long a request may hold its slot: far beyond
// what a page costs (a few milliseconds), short enough that requests
// stuck on a dependency cannot keep the others out.
const admissionBudget = 100 * time.Millisecond

// prereadLimit is how much of a body is read before the request queues,
// before any handler has looked at the request (so held in memory for
// anyone who sends it): a reply or a form of some pages of text. A larger
// body's rest is read by its handler, in its slot (a sender that is slow
// then gives the slot back after admissionBudget).
const prereadLimit = 64 << 10

// clientClosedRequest is the status logged for a request whose client
// went away while it queued (nginx's 499): nothing is written.
const clientClosedRequest = 499

func newAdmission(slots int, budget time.Duration) *admission {
	return &admission{slots: make(chan struct{}, slots), budget: budget}
}

// defaultAdmission sizes the slots by the CPUs the process may use.
func defaultAdmission() *admission {
	return newAdmission(admissionSlotsPerCPU*runtime.GOMAXPROCS(0), admissionBudget)
}

// admit is middleware: the request waits for a slot (first come, first
// served: a channel's blocked senders are woken in order) and holds it
// while it works.
func (a *admission) admit(c *gin.Context) {
	if IsMultipart(c) {
		c.Next()
		return
	}
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		body := c.Request.Body
		head, err := io.ReadAll(io.LimitReader(body, prereadLimit))
		if err != nil { // the client stopped sending (or timed out)
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		c.Request.Body = readCloser{io.MultiReader(bytes.NewReader(head), body), body}
	}
	a.queued.Add(1)
	select {
	case a.slots <- struct{}{}:
		a.queued.Add(-1)
	case <-c.Request.Context().Done():
		a.queued.Add(-1)
		c.AbortWithStatus(clientClosedRequest)
		return
	}
	var once sync.Once
	release := func() { once.Do(func() { <-a.slots }) }
	timer := time.AfterFunc(a.budget, release)
	defer func() {
		timer.Stop()
		release()
	}()
	c.Writer = &releasingWriter{ResponseWriter: c.Writer, release: release}
	c.Next()
}

// releasingWriter gives the request's slot back at the first write of
// its answer (writing waits on the client).
type releasingWriter struct {
	gin.ResponseWriter
	release func()
}

func (w *releasingWriter) Write(p []byte) (int, error) {
	w.release()
	return w.ResponseWriter.Write(p)
}

func (w *releasingWriter) WriteString(s string) (int, error) {
	w.release()
	return w.ResponseWriter.WriteString(s)
}

// Admission tells how many requests work (hold a slot) and how many wait
// for one, for the metrics.
func (s *Server) Admission() (working, queued int) {
	return len(s.admission.slots), int(s.admission.queued.Load())
}
