package portal_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
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
		if e.ToAddress == "boss@external.test" {
			// In copy, but no contact who could open the ticket or answer
			// by email: no link, no reply address, and why they are told.
			if strings.Contains(e.TextBody, link) || strings.Contains(e.HTMLBody, link) || e.ReplyTo != "" ||
				!strings.Contains(e.TextBody, "because you are in copy of this ticket") {
				t.Errorf("%s to %s offers what they cannot do (Reply-To %q):\n%s", e.Kind, e.ToAddress, e.ReplyTo, e.TextBody)
			}
			continue
		}
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

// TestTicketNotifications_TailoredToEachRecipient: a proposed solution
// asks the requester (and a site manager in copy, who may decide too) for
// an answer; the others in copy are told of it, in their own language,
// with their own link and reply address when they may see the ticket.
func TestTicketNotifications_TailoredToEachRecipient(t *testing.T) {
	d := newDesk(t)
	for email, lang := range map[string]string{"milton@initech.test": "de", "bill@initech.test": "fr"} {
		c, _ := d.app.Store.ContactByEmail(d.actx, email)
		c.Locale = lang
		if err := d.app.Store.UpdateContact(d.actx, c); err != nil {
			t.Fatal(err)
		}
	}
	o := &outbox{d: d}
	v := d.create(t, d.peter, map[string]any{"title": "Printer jams", "cc": []string{"milton@initech.test", "bill@initech.test", "boss@external.test"}})
	o.next(t)
	d.agent.JSON(t, "POST", fmt.Sprintf("/api/v1/admin/tickets/%d/propose-solution", v.Number), map[string]any{"body": "Use tray 1"}, nil)
	got, emails := o.next(t)
	want := "ticket_solution_cc→boss@external.test ticket_solution_cc→milton@initech.test ticket_solution→bill@initech.test ticket_solution→peter@initech.test"
	if strings.Join(got, " ") != want {
		t.Fatalf("on a proposal: %v, want %s", got, want)
	}
	tokens := svcportal.NewReplyTokens([]byte(testkit.SecretKey))
	tenant := svcportal.TenantFrom(d.actx)
	subjects := map[string]string{
		"peter@initech.test":  "A solution is waiting for your answer",
		"bill@initech.test":   "Une solution attend votre réponse",
		"milton@initech.test": "Eine Lösung wurde vorgeschlagen",
		"boss@external.test":  "A solution was proposed",
	}
	for _, e := range emails {
		if !strings.Contains(e.Subject, subjects[e.ToAddress]) || !strings.Contains(e.TextBody, "Use tray 1") {
			t.Errorf("to %s: %q\n%s", e.ToAddress, e.Subject, e.TextBody)
		}
		if e.ToAddress != "peter@initech.test" && (strings.Contains(e.TextBody, "your answer") || strings.Contains(e.TextBody, "votre réponse") && e.ToAddress != "bill@initech.test") {
			t.Errorf("%s, in copy, is asked for an answer:\n%s", e.ToAddress, e.TextBody)
		}
		wantReplyTo := ""
		if e.ToAddress != "boss@external.test" {
			wantReplyTo = "acme+" + tokens.Token(tenant.ID, v.Number, e.ToAddress) + "@localhost"
		}
		if e.ReplyTo != wantReplyTo {
			t.Errorf("to %s: Reply-To %q, want %q", e.ToAddress, e.ReplyTo, wantReplyTo)
		}
	}

	// The reminder before auto-close, likewise.
	d.app.Clock.Advance(time.Duration(tenant.AutoCloseDays) * 24 * time.Hour * 6 / 10)
	if reminded, _, err := d.app.Tickets.AutoClose(context.Background(), d.app.Store); err != nil || reminded != 1 {
		t.Fatalf("auto-close: %d reminded, %v", reminded, err)
	}
	got, _ = o.next(t)
	want = "ticket_reminder_cc→boss@external.test ticket_reminder_cc→milton@initech.test ticket_reminder→bill@initech.test ticket_reminder→peter@initech.test"
	if strings.Join(got, " ") != want {
		t.Errorf("reminders: %v, want %s", got, want)
	}
}
