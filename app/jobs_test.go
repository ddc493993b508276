package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestJobs_MergeWordIndex: the server's jobs merge the word index that
// ticket writes leave unmerged, from their first round.
func TestJobs_MergeWordIndex(t *testing.T) {
	a := testkit.NewApp(t)
	ctx, _ := testkit.Tenant(t, a.Store, "acme")
	site := testkit.Site(ctx, t, a.Store, "Initech")
	peter := testkit.Contact(ctx, t, a.Store, "peter@initech.test", site, svcportal.RoleMember)
	for i := range 40 {
		tk := &svcportal.Ticket{SiteID: site.ID, RequesterID: peter.ID, Title: fmt.Sprintf("Scanner %d", i),
			Status: svcportal.StatusOpen, Type: "incident", Priority: "normal"}
		if err := a.Store.CreateTicket(ctx, tk, svcportal.TicketChange{}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { a.RunJobs(jobs); close(done) }()
	round := `portal_job_runs_total{job="word index merge",result="ok"}`
	for give := time.Now().Add(time.Minute); ; {
		if time.Now().After(give) {
			t.Fatal("no round of the word index merge within a minute: is the job started?")
		}
		rec := a.RequestFrom(t, "127.0.0.1:5000", http.MethodGet, "localhost", "/metrics", nil, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("metrics: %d", rec.Code)
		}
		if strings.Contains(rec.Body.String(), round) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if more, err := a.Store.MergeWordIndex(ctx); more || err != nil {
		t.Errorf("after the jobs' first round: merge work left %v (%v)", more, err)
	}
}
