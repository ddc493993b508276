package main

import (
	"context"
	"fmt"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/tickets"
)

// demoTicket is a ticket of the demo and what happens to it after it is
// opened, so that the demo shows every status.
type demoTicket struct {
	requester, title, description string
	shared                        bool
	cc                            []string
	fields                        map[string]any
	reply                         string // the agent's public reply
	status                        string // where the agent leaves it
	solution                      string // proposed by the agent
	accept                        bool   // the requester accepts the solution
}

var demoTickets = map[string][]demoTicket{
	"acme": {
		{requester: "peter@initech.test", title: "Printer on floor 3 jams on every job",
			description: "Since Monday the **HP LaserJet** near the kitchen jams after one page.\n\n- Tray 2 is full\n- Error: *PC LOAD LETTER*",
			fields:      map[string]any{"priority": "high", "asset_tag": "PR-0042"}, reply: "Could you send a photo of the error panel?", status: svcportal.StatusAwaitingReply},
		{requester: "peter@initech.test", title: "New laptop for the intern", description: "Milton's replacement starts on the 1st.",
			fields: map[string]any{"type": "request"}, status: svcportal.StatusInProgress, reply: "Ordered; it will arrive on Thursday."},
		{requester: "milton@initech.test", title: "Where is my stapler?", description: "It was red. A Swingline.", shared: true,
			solution: "Facilities found it in the basement, storage room B.", accept: true},
		{requester: "bill@initech.test", title: "TPS report template is read-only", description: "Everyone at Initech needs to edit it.",
			shared: true, cc: []string{"peter@initech.test"}, solution: "The share now grants write access to the Initech group."},
		{requester: "alice@umbrella.test", title: "VPN drops every 10 minutes", description: "On the lab network only.",
			fields: map[string]any{"priority": "urgent", "impact": "high"}},
	},
	"globex": {
		{requester: "gavin@hooli.test", title: "Accès à la messagerie impossible", description: "Depuis ce matin, Outlook demande mon mot de passe en boucle.",
			fields: map[string]any{"priority": "high"}, reply: "Nous avons réinitialisé votre profil. Pouvez-vous réessayer ?", status: svcportal.StatusAwaitingReply},
		{requester: "gavin@hooli.test", title: "Nouvel écran pour la salle de réunion", description: "Un écran de 65 pouces si possible."},
	},
}

// ensureDemoTickets opens the demo tickets of every contact of d who has
// none yet, handled by the tenant's last staff member (the agent).
func ensureDemoTickets(ctx context.Context, st demoStore, tks *tickets.Service, d demoTenant, progress func(string)) error {
	m, err := st.StaffByEmail(ctx, d.staff[len(d.staff)-1].email)
	if err != nil {
		return err
	}
	agent := &svcportal.Principal{Kind: svcportal.PrincipalStaff, Staff: m}
	requesters := map[string]*svcportal.Principal{}
	for _, dt := range demoTickets[d.slug] {
		if _, seen := requesters[dt.requester]; seen {
			continue
		}
		c, err := st.ContactByEmail(ctx, dt.requester)
		if err != nil {
			return err
		}
		p := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c}
		if _, n, err := tks.List(ctx, p, svcportal.TicketFilter{Scope: "mine"}); err != nil {
			return err
		} else if n > 0 {
			p = nil // has tickets already: leave them be
		}
		requesters[dt.requester] = p
	}
	for _, dt := range demoTickets[d.slug] {
		if p := requesters[dt.requester]; p != nil {
			progress("ticket " + dt.title)
			if err := openDemoTicket(ctx, tks, p, agent, dt); err != nil {
				return err
			}
		}
	}
	return nil
}

// openDemoTicket creates one demo ticket and plays its story.
func openDemoTicket(ctx context.Context, tks *tickets.Service, requester, agent *svcportal.Principal, d demoTicket) error {
	v, err := tks.Create(ctx, requester, svcportal.NewTicket{Title: d.title, Description: d.description,
		SharedWithSite: d.shared, CC: d.cc, Fields: d.fields})
	if err != nil {
		return fmt.Errorf("demo ticket %q: %w", d.title, err)
	}
	if d.reply != "" {
		if _, err := tks.Reply(ctx, agent, v.Number, d.reply, false, nil); err != nil {
			return err
		}
	}
	if d.status != "" {
		if _, err := tks.UpdateFields(ctx, agent, v.Number, map[string]any{"status": d.status}); err != nil {
			return err
		}
	}
	if d.solution != "" {
		if _, err := tks.ProposeSolution(ctx, agent, v.Number, d.solution); err != nil {
			return err
		}
		if d.accept {
			if _, err := tks.Decide(ctx, requester, v.Number, true, ""); err != nil {
				return err
			}
		}
	}
	return nil
}
