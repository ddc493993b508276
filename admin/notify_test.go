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
