package tickets

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

// Option configures a Service.
type Option func(*Service)

// WithNotifications makes the service email the people of a ticket about
// its changes: renderer writes the messages, url gives a tenant's portal
// address for the links.
func WithNotifications(renderer svcportal.EmailRenderer, url func(*svcportal.Tenant) string) Option {
	return func(s *Service) { s.mailer, s.url = renderer, url }
}

// WithArticles lets GET /attachments/{id} serve knowledge-base files to
// the contacts who may read their article.
func WithArticles(r svcportal.ArticleReader) Option {
	return func(s *Service) { s.articles = r }
}

// WithReplyByEmail makes contacts' notifications answerable by email:
// their Reply-To address (<slug>+<token>@domain) and References carry the
// signed token of the ticket and the recipient, which the inbound email
// service checks. The tokens are computed from the key alone, so render
// still reads nothing.
func WithReplyByEmail(tokens *svcportal.ReplyTokens, domain string) Option {
	return func(s *Service) { s.replyTokens, s.replyDomain = tokens, domain }
}

// recipient is someone a ticket's notifications go to.
type recipient struct {
	email, name, locale, role string
	kind                      string // the email kind for them
	staff                     bool   // a staff member: the link goes to the console
	// requester: the ticket's requester, who answers what waits on the
	// client; the others are its CC list.
	requester bool
	// outsider: on the CC list, but not a contact who may see the ticket
	// on the portal (an address outside the tenant's contacts, or one of
	// another site): their emails have no link and cannot be answered.
	outsider bool
}

// ccKinds are the emails that ask the client for something, and what a CC
// recipient who may not do it is told instead: that the requester is
// asked.
var ccKinds = map[string]string{
	"ticket_solution": "ticket_solution_cc",
	"ticket_reminder": "ticket_reminder_cc",
}

// staffKinds maps what a client did to the email that tells the desk.
var staffKinds = map[string]string{
	"ticket_created": svcportal.EmailStaffTicketCreated,
	"ticket_replied": svcportal.EmailStaffTicketReplied,
}

// notify renders the emails that a change of kind to t causes, for the
// requester and the CC list, never for the author of the change. Each
// recipient's email is written for them: in their language, with what
// they may see (the number, the title, the public message of the change,
// and the status only to those whose role sees the status field) and what
// they may do: a link and a reply address of their own when they may see
// the ticket, a question (accept a solution, answer before the ticket
// closes) only to whom may answer it. A new ticket's requester gets a
// confirmation; the CC list is told who added them.
func (s *Service) notify(ctx context.Context, t *svcportal.Ticket, kind string, author *svcportal.Principal, excerpt string) ([]*svcportal.OutboundEmail, error) {
	list, err := s.audience(ctx, t, kind, author, excerpt != "")
	if err != nil {
		return nil, err
	}
	return s.render(ctx, t, author, excerpt, list)
}

// statusKinds are the emails that tell of the status flow. A recipient
// whose role does not see the status gets none of them; when the change
// came with a public message (a proposal, a closing comment) they are told
// of that message as a reply, the way their timeline shows it.
var statusKinds = map[string]bool{
	"ticket_status": true, "ticket_solution": true, "ticket_reminder": true, "ticket_auto_closed": true,
}

// audience reads who is told of a change of kind to t, and in which
// language and role; withMessage says the change carries a public message.
// It is the part of notify that reads the database, so it runs before the
// write transaction; render, which needs the ticket's number, runs inside
// it and reads nothing.
func (s *Service) audience(ctx context.Context, t *svcportal.Ticket, kind string, author *svcportal.Principal, withMessage bool) ([]recipient, error) {
	if s.mailer == nil {
		return nil, nil
	}
	tenant := svcportal.TenantFrom(ctx)
	authorEmail := ""
	if author != nil && author.Contact != nil {
		authorEmail = author.Contact.Email
	}
	var all []recipient
	if req, err := s.st.Contact(ctx, t.RequesterID); err == nil {
		// An erased requester's placeholder address is never written to.
		if req.ErasedAt == nil {
			all = append(all, recipient{email: req.Email, name: req.DisplayName(), locale: req.Locale,
				role: svcportal.ViewerOf(req).RoleFor(t), kind: kind, requester: true})
		}
	} else if svcportal.KindOf(err) != svcportal.KindNotFound {
		return nil, err
	}
	for _, cc := range t.CC {
		r := recipient{email: cc, locale: tenant.DefaultLocale, role: svcportal.RoleMember, kind: kind, outsider: true}
		if c, err := s.st.ContactByEmail(ctx, cc); err == nil {
			v := svcportal.ViewerOf(c)
			r.name, r.locale, r.role = c.DisplayName(), c.Locale, v.RoleFor(t)
			r.outsider = c.ErasedAt != nil || !v.CanSee(t)
		} else if svcportal.KindOf(err) != svcportal.KindNotFound {
			return nil, err
		}
		if kind == "ticket_created" {
			r.kind = "ticket_cc"
		}
		all = append(all, r)
	}
	var list []recipient
	seen := map[string]bool{}
	for _, r := range all {
		// The author hears nothing of their own change, except the
		// confirmation that their new ticket arrived.
		if r.email == authorEmail && r.kind != "ticket_created" || seen[r.email] {
			continue
		}
		seen[r.email] = true
		if statusKinds[r.kind] {
			modes, err := s.pol.Modes(ctx, r.role, t.SiteID, []string{svcportal.FieldKeyStatus})
			if err != nil {
				return nil, err
			}
			if !modes[svcportal.FieldKeyStatus].Visible() {
				if !withMessage {
					continue // the status is none of this reader's business
				}
				r.kind = "ticket_replied"
			}
		}
		if cc, ok := ccKinds[r.kind]; ok && !r.mayAnswer() {
			r.kind = cc
		}
		list = append(list, r)
	}
	if staffKind, ok := staffKinds[kind]; ok && author != nil && author.Contact != nil {
		desk, err := s.staffAudience(ctx, t, staffKind)
		if err != nil {
			return nil, err
		}
		for _, r := range desk {
			if !seen[r.email] {
				seen[r.email] = true
				list = append(list, r)
			}
		}
	}
	return list, nil
}

// mayAnswer reports whether r may answer what a ticket asks of the
// client: its requester, or a site manager of its site who sees it.
func (r recipient) mayAnswer() bool {
	return r.requester || !r.outsider && r.role == svcportal.RoleSiteManager
}

// staffAudience is who at the MSP hears of a client's new ticket or reply:
// the assignee, or every active admin and agent when nobody (or a
// disabled member) is assigned; anyone who turned these emails off in
// their profile hears nothing. Staff write in their own language.
func (s *Service) staffAudience(ctx context.Context, t *svcportal.Ticket, kind string) ([]recipient, error) {
	staff, err := s.st.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	var assignee *svcportal.Staff
	for i := range staff {
		if staff[i].ID == t.AssigneeID && t.AssigneeID != 0 && !staff[i].Disabled {
			assignee = &staff[i]
		}
	}
	if assignee != nil {
		staff = []svcportal.Staff{*assignee}
	}
	var out []recipient
	for _, m := range staff {
		if m.Disabled || m.MuteTicketEmails {
			continue
		}
		out = append(out, recipient{email: m.Email, name: displayStaff(&m), locale: m.Locale, kind: kind, staff: true})
	}
	return out, nil
}

// render writes the emails of a change to t for the recipients list. It
// reads nothing from the database (see audience).
func (s *Service) render(ctx context.Context, t *svcportal.Ticket, author *svcportal.Principal, excerpt string, list []recipient) ([]*svcportal.OutboundEmail, error) {
	tenant := svcportal.TenantFrom(ctx)
	authorName := ""
	if author != nil {
		_, _, authorName = actor(author)
	}
	excerpt = shorten(excerpt)
	var out []*svcportal.OutboundEmail
	for _, r := range list {
		days := tenant.AutoCloseDays // the auto-close delay
		if r.kind == "ticket_reminder" || r.kind == "ticket_reminder_cc" {
			days -= days / 2 // what is left of it
		}
		data := map[string]any{
			"Kind": r.kind, "Number": t.Number, "Title": t.Title, "Actor": authorName,
			"Link": fmt.Sprintf("%s/tickets/%d", s.url(tenant), t.Number), "Excerpt": excerpt,
			// Count, the messages' plural count, is the days; Days was their
			// name before, which a tenant's wording saved then may still use.
			"Count": days, "Days": days,
		}
		if r.staff {
			data["Link"] = fmt.Sprintf("%s/admin/tickets/%d", s.url(tenant), t.Number)
			if r.kind == svcportal.EmailStaffTicketCreated {
				data["Excerpt"] = shorten(t.Description)
			}
		}
		if r.outsider {
			data["Link"] = "" // they could not open it
		}
		if authorName == "" {
			data["Actor"] = locales.For(r.locale).T("tk.system")
		}
		if r.kind == "ticket_status" {
			data["Status"] = locales.For(pickLang(tenant, r.locale)).T("ticket.status." + t.Status)
		}
		token := ""
		if s.replyTokens != nil && !r.staff && !r.outsider {
			token = s.replyTokens.Token(tenant.ID, t.Number, r.email)
			data["ReplyByEmail"] = true
		}
		m, err := s.mailer.RenderEmail(ctx, tenant, svcportal.EmailRequest{Kind: r.kind, To: r.email, ToName: r.name, Locale: r.locale, Data: data, Staff: r.staff})
		if err != nil {
			return nil, err
		}
		if token != "" {
			m.ReplyTo = tenant.Slug + "+" + token + "@" + s.replyDomain
			m.References = "<" + token + "." + tenant.Slug + "@" + s.replyDomain + ">"
		}
		out = append(out, m)
	}
	return out, nil
}

// shorten keeps the first 500 characters of an excerpt.
func shorten(excerpt string) string {
	if utf8.RuneCountInString(excerpt) > 500 {
		return string([]rune(excerpt)[:500]) + "…"
	}
	return excerpt
}

// pickLang is the language an email to someone with locale is written in.
func pickLang(t *svcportal.Tenant, locale string) string {
	if locale != "" && t.LocaleEnabled(locale) {
		return locale
	}
	return t.DefaultLocale
}
