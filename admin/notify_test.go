package admin_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

// staffMails lists "kind→address" of the staff emails written since the
// last call, and returns them.
type staffMails struct {
	d    *desk
	seen map[int64]bool
}

func (s *staffMails) next(t *testing.T) ([]string, []svcportal.OutboundEmail) {
	t.Helper()
	all, err := s.d.app.Store.Emails(s.d.actx, svcportal.EmailFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var fresh []svcportal.OutboundEmail
	for _, e := range all {
		if s.seen[e.ID] || !strings.HasPrefix(e.Kind, "staff_ticket_") {
			s.seen[e.ID] = true
			continue
		}
		s.seen[e.ID] = true
		got = append(got, e.Kind+"→"+e.ToAddress)
		fresh = append(fresh, e)
	}
	slices.Sort(got)
	return got, fresh
}

// TestStaffNotifications: a client's new ticket or reply mails the
// assignee, or every active staff member when nobody is assigned, in each
// one's language, with a link to the ticket in the console; staff who
// turned it off, disabled staff and the author hear nothing; staff
// replies and notes tell no staff.
func TestStaffNotifications(t *testing.T) {
	d := newDesk(t)
	mails := &staffMails{d: d, seen: map[int64]bool{}}
	mails.next(t)
	d.agent.Page(t, "/admin/profile")
	if rec := d.agent.Submit(t, "/admin/profile", url.Values{"name": {"Tom Tech"}, "locale": {"de"}, "notify_tickets": {"on"}}); rec.Code != 303 {
		t.Fatalf("profile: %d", rec.Code)
	}

	n := d.ticket(t, d.peter, "Printer jams", "Paper everywhere on floor 3")
	got, emails := mails.next(t)
	if want := []string{"staff_ticket_created→admin@acme.test", "staff_ticket_created→tech@acme.test"}; !slices.Equal(got, want) {
		t.Fatalf("new ticket, nobody assigned: %v, want %v", got, want)
	}
	link := fmt.Sprintf("http://acme.localhost/admin/tickets/%d", n)
	for _, e := range emails {
		if !strings.Contains(e.TextBody, link) || !strings.Contains(e.HTMLBody, link) || !strings.Contains(e.TextBody, "Paper everywhere") {
			t.Errorf("%s lacks the console link or the description:\n%s", e.ToAddress, e.TextBody)
		}
		switch e.ToAddress {
		case "tech@acme.test":
			if !strings.HasPrefix(e.Subject, fmt.Sprintf("[#%d] Neues Ticket von", n)) {
				t.Errorf("the agent's email is not in German: %q", e.Subject)
			}
		case "admin@acme.test":
			if !strings.HasPrefix(e.Subject, fmt.Sprintf("[#%d] New ticket from", n)) {
				t.Errorf("the admin's email: %q", e.Subject)
			}
		}
	}

	// The agent turns these emails off.
	if rec := d.agent.Submit(t, "/admin/profile", url.Values{"name": {"Tom Tech"}, "locale": {"de"}}); rec.Code != 303 {
		t.Fatalf("profile: %d", rec.Code)
	}
	_, doc := d.agent.Page(t, "/admin/profile")
	if doc.Find("#f-notify_tickets[checked]").Length() != 0 {
		t.Error("the opt-out did not stick")
	}
	d.peter.Submit(t, fmt.Sprintf("/tickets/%d/reply", n), url.Values{"body": {"Tray 2 as well"}})
	if got, _ := mails.next(t); !slices.Equal(got, []string{"staff_ticket_replied→admin@acme.test"}) {
		t.Errorf("client reply, agent opted out: %v", got)
	}

	// Assigned: only the assignee hears, even after opting in again elsewhere.
	d.agent.Submit(t, "/admin/profile", url.Values{"name": {"Tom Tech"}, "locale": {"de"}, "notify_tickets": {"on"}})
	d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", n), url.Values{"field.assignee": {fmt.Sprint(d.agentID)}, "field.status": {"open"}, "field.type": {"incident"}})
	d.peter.Submit(t, fmt.Sprintf("/tickets/%d/reply", n), url.Values{"body": {"Any news?"}})
	got, emails = mails.next(t)
	if !slices.Equal(got, []string{"staff_ticket_replied→tech@acme.test"}) {
		t.Fatalf("client reply, agent assigned: %v", got)
	}
	if !strings.Contains(emails[0].TextBody, "Any news?") || !strings.Contains(emails[0].Subject, "hat geantwortet") {
		t.Errorf("the reply email: %q\n%s", emails[0].Subject, emails[0].TextBody)
	}

	// Staff replies and notes tell no staff (the author least of all).
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/reply", n), url.Values{"body": {"On my way"}})
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/reply", n), url.Values{"body": {"Toner low"}, "internal": {"on"}})
	if got, _ := mails.next(t); len(got) != 0 {
		t.Errorf("staff writing told staff: %v", got)
	}

	// A disabled assignee: everyone active hears instead; disabled staff never.
	disabled := true
	if _, err := d.app.Accounts.UpdateStaff(d.actx, &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: &svcportal.Staff{ID: d.adminID}},
		d.agentID, svcportal.StaffUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	d.peter.Submit(t, fmt.Sprintf("/tickets/%d/reply", n), url.Values{"body": {"Hello?"}})
	if got, _ := mails.next(t); !slices.Equal(got, []string{"staff_ticket_replied→admin@acme.test"}) {
		t.Errorf("client reply, assignee disabled: %v", got)
	}
	// The client never gets a staff email.
	all, _ := d.app.Store.Emails(d.actx, svcportal.EmailFilter{ToAddress: "peter@initech.test", Limit: 100})
	for _, e := range all {
		if strings.HasPrefix(e.Kind, "staff_") {
			t.Errorf("the client got %s", e.Kind)
		}
	}
}

// TestStaffNotifications_SolutionDecided: refusing a proposed solution
// hands the ticket back to the MSP with the client's comment, which is a
// client reply (SPEC "Email": a client reply mails the assignee, or every
// agent when there is none): the desk is told, in each one's language,
// with the comment and a console link; opted-out staff hear nothing.
// Accepting closes the ticket: nothing for the desk to do, no email.
func TestStaffNotifications_SolutionDecided(t *testing.T) {
	d := newDesk(t)
	mails := &staffMails{d: d, seen: map[int64]bool{}}
	propose := func(n int64) {
		t.Helper()
		d.agent.Page(t, fmt.Sprintf("/admin/tickets/%d", n))
		if rec := d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/propose", n), url.Values{"body": {"Load tray 2 with letter paper"}}); rec.Code != 303 {
			t.Fatalf("propose: %d %s", rec.Code, rec.Body)
		}
	}
	decide := func(n int64, decision, comment string) {
		t.Helper()
		d.peter.Page(t, fmt.Sprintf("/tickets/%d", n))
		if rec := d.peter.Submit(t, fmt.Sprintf("/tickets/%d/solution", n), url.Values{"decision": {decision}, "comment": {comment}}); rec.Code != 303 {
			t.Fatalf("%s: %d %s", decision, rec.Code, rec.Body)
		}
	}
	d.agent.Submit(t, "/admin/profile", url.Values{"name": {"Tom Tech"}, "locale": {"de"}, "notify_tickets": {"on"}})

	n := d.ticket(t, d.peter, "Printer jams", "Paper everywhere on floor 3")
	propose(n)
	mails.next(t)
	decide(n, "refuse", "Still jams after the paper change")
	got, emails := mails.next(t)
	if want := []string{"staff_ticket_refused→admin@acme.test", "staff_ticket_refused→tech@acme.test"}; !slices.Equal(got, want) {
		t.Fatalf("refused, nobody assigned: %v, want %v", got, want)
	}
	for _, e := range emails {
		if !strings.Contains(e.TextBody, "Still jams after the paper change") || !strings.Contains(e.TextBody, fmt.Sprintf("/admin/tickets/%d", n)) {
			t.Errorf("%s: the comment or the console link is missing:\n%s", e.ToAddress, e.TextBody)
		}
		if e.ToAddress == "tech@acme.test" && !strings.Contains(e.Subject, "abgelehnt") {
			t.Errorf("the agent's email is not in German: %q", e.Subject)
		}
	}

	// Assigned: the assignee alone; and an assignee who opted out hears nothing.
	d.agent.Submit(t, fmt.Sprintf("/admin/tickets/%d/fields", n), url.Values{"field.assignee": {fmt.Sprint(d.agentID)}, "field.status": {"open"}, "field.type": {"incident"}})
	propose(n)
	mails.next(t)
	decide(n, "refuse", "Now it smokes")
	if got, _ := mails.next(t); !slices.Equal(got, []string{"staff_ticket_refused→tech@acme.test"}) {
		t.Errorf("refused, agent assigned: %v", got)
	}
	d.agent.Submit(t, "/admin/profile", url.Values{"name": {"Tom Tech"}, "locale": {"de"}})
	propose(n)
	mails.next(t)
	decide(n, "refuse", "Smoke again")
	if got, _ := mails.next(t); len(got) != 0 {
		t.Errorf("refused, the assignee opted out: %v", got)
	}

	// Accepting closes the ticket: the desk is not mailed.
	propose(n)
	mails.next(t)
	decide(n, "accept", "Works now, thanks")
	if got, _ := mails.next(t); len(got) != 0 {
		t.Errorf("accepted: %v", got)
	}
}
