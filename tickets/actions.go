package tickets

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
)

// Create implements svcportal.TicketService.
func (s *Service) Create(ctx context.Context, p *svcportal.Principal, req svcportal.NewTicket) (*svcportal.TicketView, error) {
	if p.Contact == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	tenant := svcportal.TenantFrom(ctx)
	viewer := svcportal.ViewerOf(p.Contact)
	if req.SiteID == 0 && len(p.Contact.Memberships) == 1 {
		req.SiteID = p.Contact.Memberships[0].SiteID
	}
	var v svcportal.Validation
	title := svcportal.CheckTitle(&v, req.Title)
	desc := strings.TrimSpace(req.Description)
	v.Check(utf8.RuneCountInString(desc) <= svcportal.MaxDescriptionLength, "description", "error.too_long", map[string]any{"Max": svcportal.MaxDescriptionLength})
	cc := svcportal.NormalizeCC(&v, req.CC)
	role, member := viewer.Roles[req.SiteID]
	if req.SiteID == 0 {
		v.Add("site_id", "error.site_required", nil)
	} else if !member {
		v.Add("site_id", "error.site_not_found", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := &svcportal.Ticket{
		SiteID: req.SiteID, RequesterID: p.Contact.ID, Title: title, Description: desc,
		Status: svcportal.StatusOpen, Type: builtinDefault(tenant, svcportal.FieldKeyType), Priority: builtinDefault(tenant, svcportal.FieldKeyPriority),
		SharedWithSite: req.SharedWithSite, CC: cc, Fields: map[string]any{},
	}
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	values := map[string]any{}
	for k, val := range req.Fields {
		values[k] = val
	}
	if _, err := s.applyFields(ctx, p, t, role, fs, values); err != nil {
		return nil, err
	}
	// Required custom fields of this type must be filled, when the
	// creating role may fill them (the admin API keeps required fields
	// editable; a field the role cannot edit cannot be demanded of it).
	modes, err := s.modes(ctx, p, role, t.SiteID, fs)
	if err != nil {
		return nil, err
	}
	for _, f := range fs.list {
		if f.Required && !svcportal.IsBuiltinField(f.Key) && f.AppliesTo(t.Type) && modes[f.Key].Editable() && t.Fields[f.Key] == nil {
			v.Add("fields."+f.Key, "error.required", nil)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	files, err := attachments(p, req.Files)
	if err != nil {
		return nil, err
	}
	if err := s.throttleCC(ctx, p, cc); err != nil {
		return nil, err
	}
	// Who is told is read now; the emails are written in the transaction,
	// once the ticket has its number (Notify must not read the database).
	audience, err := s.audience(ctx, t, "ticket_created", p, false)
	if err != nil {
		return nil, err
	}
	change := svcportal.TicketChange{Events: []svcportal.TicketEvent{event(p, svcportal.EventCreated)}, Attachments: files,
		Notify: func(t *svcportal.Ticket) ([]*svcportal.OutboundEmail, error) {
			return s.render(ctx, t, p, "", audience)
		}}
	if err := s.st.CreateTicket(ctx, t, change); err != nil {
		return nil, err
	}
	return s.result(ctx, p, t.Number)
}

// UpdateFields implements svcportal.TicketService.
func (s *Service) UpdateFields(ctx context.Context, p *svcportal.Principal, number int64, values map[string]any) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, svcportal.FieldErr(svcportal.KindUnprocessable, "fields", "error.required", nil)
	}
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	from := t.Status
	events, err := s.applyFields(ctx, p, t, role, fs, values)
	if err != nil {
		return nil, err
	}
	if len(events) > 0 {
		change := svcportal.TicketChange{Events: events, StatusFrom: from}
		if t.Status != from {
			if change.Emails, err = s.notify(ctx, t, "ticket_status", p, ""); err != nil {
				return nil, err
			}
		}
		if err := s.st.UpdateTicket(ctx, t, change); err != nil {
			return nil, err
		}
	}
	return s.result(ctx, p, number)
}

// Reply implements svcportal.TicketService. A client's reply on a ticket
// awaiting their reply hands it back to the MSP (open).
//
// A reply whose write finds the ticket changed since it was read (two
// replies at the same instant: each may move the status) is made again
// on the ticket as it now is, at most replyTries times: unlike a decision
// on a proposal, it means the same whatever landed first. Nothing of a
// refused write was kept.
func (s *Service) Reply(ctx context.Context, p *svcportal.Principal, number int64, body string, internal bool, files []svcportal.Upload) (*svcportal.TicketView, error) {
	for try := 1; ; try++ {
		v, err := s.reply(ctx, p, number, body, internal, files)
		var e *svcportal.Error
		if try == replyTries || !errors.As(err, &e) || e.MessageID != "error.ticket_changed" {
			return v, err
		}
	}
}

const replyTries = 3

func (s *Service) reply(ctx context.Context, p *svcportal.Principal, number int64, body string, internal bool, files []svcportal.Upload) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	var v svcportal.Validation
	body = checkBody(&v, "body", body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if p.Contact != nil && internal {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	reopen := false
	if p.Contact != nil && t.Status == svcportal.StatusClosed {
		shown, err := s.statusShown(ctx, p, role, t.SiteID)
		if err != nil {
			return nil, err
		}
		if shown {
			return nil, svcportal.NewError(svcportal.KindConflict, "error.ticket_closed")
		}
		// A contact who may not see the status cannot know the ticket
		// is closed: their reply is taken, and reopens it.
		reopen = true
	}
	kind, id, name := actor(p)
	msg := &svcportal.TicketMessage{AuthorKind: kind, AuthorID: id, AuthorName: name, Body: body, Internal: internal}
	ev := event(p, svcportal.EventReplied)
	if internal {
		ev.Kind = svcportal.EventNote
	}
	atts, err := attachments(p, files)
	if err != nil {
		return nil, err
	}
	change := svcportal.TicketChange{Message: msg, Events: []svcportal.TicketEvent{ev}, StatusFrom: t.Status, Attachments: atts}
	if p.Contact != nil && (t.Status == svcportal.StatusAwaitingReply || reopen) {
		change.Events = append(change.Events, s.setStatus(p, t, svcportal.StatusOpen))
	}
	if !internal {
		if change.Emails, err = s.notify(ctx, t, "ticket_replied", p, body); err != nil {
			return nil, err
		}
	}
	if err := s.st.UpdateTicket(ctx, t, change); err != nil {
		return nil, err
	}
	return s.result(ctx, p, number)
}

// setStatus moves t to status and returns the event that says so.
func (s *Service) setStatus(p *svcportal.Principal, t *svcportal.Ticket, status string) svcportal.TicketEvent {
	e := event(p, svcportal.EventStatusChanged)
	e.Field, e.From, e.To = svcportal.FieldKeyStatus, t.Status, status
	t.Status, t.StatusChangedAt, t.ReminderSentAt = status, s.now(), nil
	if status == svcportal.StatusClosed {
		now := s.now()
		t.ClosedAt = &now
	} else {
		t.ClosedAt = nil
	}
	return e
}

// Decide implements svcportal.TicketService.
func (s *Service) Decide(ctx context.Context, p *svcportal.Principal, number int64, accept bool, comment string) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	if p.Contact == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	if !maySettle(p, t, role) {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.decide_not_allowed")
	}
	shown, err := s.statusShown(ctx, p, role, t.SiteID)
	if err != nil {
		return nil, err
	}
	// Without the status, nothing is offered for decision: the same
	// answer whatever the status, so the answer does not tell it.
	if !shown || t.Status != svcportal.StatusSolutionProposed {
		return nil, svcportal.NewError(svcportal.KindConflict, "error.no_solution_proposed")
	}
	var v svcportal.Validation
	comment = strings.TrimSpace(comment)
	v.Check(utf8.RuneCountInString(comment) <= svcportal.MaxMessageLength, "comment", "error.too_long", map[string]any{"Max": svcportal.MaxMessageLength})
	if !accept {
		// Refusing says why: the comment reopens the conversation.
		comment = checkBody(&v, "comment", comment)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	from := t.Status
	decision, next := event(p, svcportal.EventSolutionAccepted), svcportal.StatusClosed
	if !accept {
		decision, next = event(p, svcportal.EventSolutionRefused), svcportal.StatusOpen
	}
	decision.Comment = comment
	change := svcportal.TicketChange{StatusFrom: from, Events: []svcportal.TicketEvent{decision, s.setStatus(p, t, next)}}
	if change.Emails, err = s.notify(ctx, t, "ticket_status", p, comment); err != nil {
		return nil, err
	}
	if !accept {
		// The ticket is the MSP's again, with the client's comment: the
		// desk hears of it as of a reply (accepting closes it: nothing to do).
		desk, err := s.notifyDesk(ctx, t, svcportal.EmailStaffTicketRefused, p, comment, change.Emails)
		if err != nil {
			return nil, err
		}
		change.Emails = append(change.Emails, desk...)
	}
	if comment != "" {
		kind, id, name := actor(p)
		change.Message = &svcportal.TicketMessage{AuthorKind: kind, AuthorID: id, AuthorName: name, Body: comment}
	}
	if err := s.st.UpdateTicket(ctx, t, change); err != nil {
		return nil, err
	}
	return s.result(ctx, p, number)
}

// Close implements svcportal.TicketService.
func (s *Service) Close(ctx context.Context, p *svcportal.Principal, number int64, comment string) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	if !maySettle(p, t, role) {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.close_not_allowed")
	}
	var v svcportal.Validation
	comment = strings.TrimSpace(comment)
	v.Check(utf8.RuneCountInString(comment) <= svcportal.MaxMessageLength, "comment", "error.too_long", map[string]any{"Max": svcportal.MaxMessageLength})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if t.Status == svcportal.StatusClosed {
		shown, err := s.statusShown(ctx, p, role, t.SiteID)
		if err != nil {
			return nil, err
		}
		if shown {
			return nil, svcportal.NewError(svcportal.KindConflict, "error.ticket_closed")
		}
		// A contact who may not see the status closes a closed ticket
		// as they would an open one: it stays closed, and their comment
		// is kept as a reply.
		return s.closedAlready(ctx, p, t, comment)
	}
	closed := event(p, svcportal.EventClosed)
	closed.Comment = comment
	from := t.Status // read before setStatus changes it
	change := svcportal.TicketChange{StatusFrom: from, Events: []svcportal.TicketEvent{closed, s.setStatus(p, t, svcportal.StatusClosed)}}
	if change.Emails, err = s.notify(ctx, t, "ticket_status", p, comment); err != nil {
		return nil, err
	}
	if comment != "" {
		kind, id, name := actor(p)
		change.Message = &svcportal.TicketMessage{AuthorKind: kind, AuthorID: id, AuthorName: name, Body: comment}
	}
	if err := s.st.UpdateTicket(ctx, t, change); err != nil {
		return nil, err
	}
	return s.result(ctx, p, number)
}

// closedAlready answers a contact who closes a ticket that is closed
// without their knowing: the comment, if any, becomes a reply.
func (s *Service) closedAlready(ctx context.Context, p *svcportal.Principal, t *svcportal.Ticket, comment string) (*svcportal.TicketView, error) {
	if comment != "" {
		kind, id, name := actor(p)
		change := svcportal.TicketChange{StatusFrom: svcportal.StatusClosed,
			Message: &svcportal.TicketMessage{AuthorKind: kind, AuthorID: id, AuthorName: name, Body: comment},
			Events:  []svcportal.TicketEvent{event(p, svcportal.EventReplied)}}
		var err error
		if change.Emails, err = s.notify(ctx, t, "ticket_replied", p, comment); err != nil {
			return nil, err
		}
		if err := s.st.UpdateTicket(ctx, t, change); err != nil {
			return nil, err
		}
	}
	return s.result(ctx, p, t.Number)
}

// Rate implements svcportal.TicketService.
func (s *Service) Rate(ctx context.Context, p *svcportal.Principal, number int64, satisfied bool, comment string) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	if p.Contact == nil || t.RequesterID != p.Contact.ID {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.rate_not_allowed")
	}
	// Rating is offered on closed tickets only: without the status, not at
	// all, so the answer does not tell whether it is closed.
	if shown, err := s.statusShown(ctx, p, role, t.SiteID); err != nil {
		return nil, err
	} else if !shown {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.rate_unavailable")
	}
	switch {
	case t.Status != svcportal.StatusClosed:
		return nil, svcportal.NewError(svcportal.KindConflict, "error.rate_not_closed")
	case t.RatingSatisfied != nil:
		return nil, svcportal.NewError(svcportal.KindConflict, "error.rate_once")
	}
	var v svcportal.Validation
	comment = strings.TrimSpace(comment)
	v.Check(utf8.RuneCountInString(comment) <= 2000, "comment", "error.too_long", map[string]any{"Max": 2000})
	if err := v.Err(); err != nil {
		return nil, err
	}
	t.RatingSatisfied, t.RatingComment = &satisfied, comment
	rated := event(p, svcportal.EventRated)
	rated.To, rated.Comment = map[bool]string{true: "satisfied", false: "not_satisfied"}[satisfied], comment
	// Conditional on the status: a ticket reopened meanwhile is not rated.
	if err := s.st.UpdateTicket(ctx, t, svcportal.TicketChange{StatusFrom: svcportal.StatusClosed, Events: []svcportal.TicketEvent{rated}}); err != nil {
		return nil, err
	}
	return s.result(ctx, p, number)
}

// ProposeSolution implements svcportal.TicketService.
func (s *Service) ProposeSolution(ctx context.Context, p *svcportal.Principal, number int64, body string) (*svcportal.TicketView, error) {
	if p.Staff == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	t, _, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	var v svcportal.Validation
	body = checkBody(&v, "body", body)
	if err := v.Err(); err != nil {
		return nil, err
	}
	kind, id, name := actor(p)
	from := t.Status // read before setStatus changes it
	change := svcportal.TicketChange{StatusFrom: from,
		Message: &svcportal.TicketMessage{AuthorKind: kind, AuthorID: id, AuthorName: name, Body: body},
		Events:  []svcportal.TicketEvent{event(p, svcportal.EventSolutionProposed), s.setStatus(p, t, svcportal.StatusSolutionProposed)}}
	if change.Emails, err = s.notify(ctx, t, "ticket_solution", p, body); err != nil {
		return nil, err
	}
	if err := s.st.UpdateTicket(ctx, t, change); err != nil {
		return nil, err
	}
	return s.result(ctx, p, number)
}
