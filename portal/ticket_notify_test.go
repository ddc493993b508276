package portal_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

// sent lists "kind→address" of the outbox, oldest first, and forgets them
// for the next call by remembering how many it has seen.
type outbox struct {
	d    *desk
	seen int
}

func (o *outbox) next(t *testing.T) ([]string, []svcportal.OutboundEmail) {
	t.Helper()
	all, err := o.d.app.Store.Emails(o.d.actx, svcportal.EmailFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// newest first → oldest first
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	fresh := all[o.seen:]
	o.seen = len(all)
	var got []string
	for _, e := range fresh {
		got = append(got, e.Kind+"→"+e.ToAddress)
	}
	sort.Strings(got)
	return got, fresh
}

func TestTicketNotifications(t *testing.T) {
	d := newDesk(t)
	milton, _ := d.app.Store.ContactByEmail(d.actx, "milton@initech.test")
	milton.Locale = "de"
	d.app.Store.UpdateContact(d.actx, milton)
	o := &outbox{d: d}
	o.next(t)

	v := d.create(t, d.peter, map[string]any{"title": "Printer jams", "cc": []string{"milton@initech.test", "boss@external.test"}})
	got, emails := o.next(t)
	// The desk hears of it too: nobody is assigned, so every staff member
	// (TestStaffNotifications in admin covers who and how).
	want := []string{"staff_ticket_created→admin@acme.test", "staff_ticket_created→tech@acme.test",
		"ticket_cc→boss@external.test", "ticket_cc→milton@initech.test", "ticket_created→peter@initech.test"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("on creation: %v, want %v", got, want)
	}
	for _, e := range emails {
		if strings.HasPrefix(e.Kind, "staff_") {
			continue
		}
		link := fmt.Sprintf("http://acme.localhost/tickets/%d", v.Number)
		if !strings.Contains(e.TextBody, link) || !strings.Contains(e.HTMLBody, link) {
			t.Errorf("%s to %s lacks the link %s", e.Kind, e.ToAddress, link)
		}
		if e.ToAddress == "milton@initech.test" && !strings.Contains(e.Subject, "hat Sie zu einem Ticket hinzugefügt") {
			t.Errorf("milton's email is not in German: %q", e.Subject)
		}
		if e.Kind == "ticket_cc" && !strings.Contains(e.TextBody, "peter@initech.test opened") && e.ToAddress == "boss@external.test" {
			t.Errorf("the CC email does not say who opened the ticket:\n%s", e.TextBody)
		}
	}

	path := fmt.Sprintf("/api/v1/admin/tickets/%d", v.Number)
	d.agent.JSON(t, "POST", path+"/replies", map[string]any{"body": "Which tray?"}, nil)
	got, emails = o.next(t)
	if strings.Join(got, " ") != "ticket_replied→boss@external.test ticket_replied→milton@initech.test ticket_replied→peter@initech.test" {
		t.Errorf("on an agent reply: %v", got)
	}
	if !strings.Contains(emails[0].TextBody, "Which tray?") {
		t.Errorf("the reply is not quoted:\n%s", emails[0].TextBody)
	}

	d.peter.JSON(t, "POST", fmt.Sprintf("/api/v1/tickets/%d/replies", v.Number), map[string]any{"body": "Tray 2"}, nil)
	if got, _ = o.next(t); strings.Join(got, " ") != "staff_ticket_replied→admin@acme.test staff_ticket_replied→tech@acme.test "+
		"ticket_replied→boss@external.test ticket_replied→milton@initech.test" {
		t.Errorf("on peter's reply: %v (the author must not be told)", got)
	}

	d.agent.JSON(t, "POST", path+"/replies", map[string]any{"body": "vendor case 77", "internal": true}, nil)
	d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"internal_cost": 31337}}, nil)
	if got, _ = o.next(t); len(got) != 0 {
		t.Errorf("an internal note or a hidden field sent emails: %v", got)
	}

	d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"status": "in_progress"}}, nil)
	got, emails = o.next(t)
	if len(got) != 3 {
		t.Errorf("on a status change: %v", got)
	}
	for _, e := range emails {
		if strings.Contains(e.TextBody, "31337") || strings.Contains(e.HTMLBody, "31337") || strings.Contains(e.TextBody, "vendor case") {
			t.Errorf("an email shows a hidden value or an internal note")
		}
	}

	if err := d.app.Policies.SetMode(d.actx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "status", Mode: svcportal.FieldHidden}); err != nil {
		t.Fatal(err)
	}
	// A proposal is a status; readers who do not see the status are told
	// of its message as a reply, the way their timeline shows it.
	d.agent.JSON(t, "POST", path+"/propose-solution", map[string]any{"body": "Use tray 1"}, nil)
	got, emails = o.next(t)
	if strings.Join(got, " ") != "ticket_replied→boss@external.test ticket_replied→milton@initech.test ticket_replied→peter@initech.test" {
		t.Errorf("on a proposal, with the status hidden: %v", got)
	}
	for _, e := range emails {
		if !strings.Contains(e.TextBody, "Use tray 1") || strings.Contains(strings.ToLower(e.Subject+e.TextBody), "solution") || strings.Contains(e.TextBody, "Lösung") {
			t.Errorf("%s: the proposal's email tells of a solution or lacks its text:\n%s\n%s", e.ToAddress, e.Subject, e.TextBody)
		}
	}
	d.agent.JSON(t, "PATCH", path, map[string]any{"fields": map[string]any{"status": "in_progress"}}, nil)
	if got, _ = o.next(t); len(got) != 0 {
		t.Errorf("members whose status field is hidden got status emails: %v", got)
	}
	d.peter.JSON(t, "POST", fmt.Sprintf("/api/v1/tickets/%d/close", v.Number), map[string]any{"comment": "Fixed it myself"}, nil)
	if got, _ = o.next(t); strings.Join(got, " ") != "ticket_replied→boss@external.test ticket_replied→milton@initech.test" {
		t.Errorf("on closing with a comment, with the status hidden: %v", got)
	}
}
