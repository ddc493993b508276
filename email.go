package svcportal

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Statuses of an outbound email.
const (
	EmailPending = "pending" // waiting for its first or next delivery attempt
	EmailSent    = "sent"    // accepted by the transport
	EmailFailed  = "failed"  // given up on; kept in the table with its last error
)

// Kinds of email the platform sends. Each has a pair of templates in mail
// and catalog ids mail.KIND.*.
const (
	EmailWelcome   = "welcome"    // Data: Link (set-password URL), ExpiresHours
	EmailResetCode = "reset_code" // Data: Code (8 digits), Minutes
	// EmailResetUnknown answers a reset request for an address with no
	// active account: it tells its owner so, and carries no code.
	EmailResetUnknown = "reset_unknown" // Data: none
	// EmailResetSSO answers a reset request for an address of a site
	// whose provider requires single sign-on: it sends its owner there,
	// and carries no code.
	EmailResetSSO = "reset_sso" // Data: Provider (its label), Link (the portal's login page)

	// Emails to staff, about the admin console.
	EmailStaffWelcome       = "staff_welcome"        // Data: Link (set-password URL), ExpiresHours, Role
	EmailStaffResetCode     = "staff_reset_code"     // Data: Code (8 digits), Minutes
	EmailStaffTicketCreated = "staff_ticket_created" // Data: Kind, Number, Title, Link, Actor, Excerpt, Site
	EmailStaffTicketReplied = "staff_ticket_replied" // Data: Kind, Number, Title, Link, Actor, Excerpt, Site
	// EmailStaffTicketRefused tells the desk a client refused the
	// proposed solution, with their comment: the ticket is open again.
	EmailStaffTicketRefused = "staff_ticket_refused" // Data: Kind, Number, Title, Link, Actor, Excerpt
	// EmailWebhookDisabled tells the admins an endpoint was turned off
	// after repeated failures.
	EmailWebhookDisabled = "webhook_disabled" // Data: URL, Failures, Error, Link
)

// OutboundEmail is one message of the outbox: rendered in the recipient's
// language, written in the same transaction as the change that causes it,
// then delivered by the mail worker with retries. A message is never
// deleted by delivery: it ends as EmailSent or EmailFailed, with its
// headers kept and its bodies emptied (they may hold reset codes and
// set-password links); while pending, the bodies are stored sealed with
// the server key.
type OutboundEmail struct {
	ID       int64 `bun:"id,pk,autoincrement" json:"id"`
	TenantID int64 `bun:"tenant_id,notnull" json:"-"`
	// MessageID is the local part of the Message-ID header, chosen when
	// the row is written and the same on every delivery attempt, so a
	// receiver can drop a duplicate.
	MessageID string `bun:"message_id,notnull" json:"message_id"`
	Kind      string `bun:"kind,notnull" json:"kind"`
	ToAddress string `bun:"to_address,notnull" json:"to_address"`
	ToName    string `bun:"to_name,notnull" json:"to_name"`
	FromName  string `bun:"from_name,notnull" json:"from_name"` // the tenant's name
	Subject   string `bun:"subject,notnull" json:"subject"`
	// ReplyTo, when set, is the Reply-To address: a ticket notification's
	// carries the signed reply token of its ticket and recipient.
	ReplyTo string `bun:"reply_to,notnull" json:"reply_to,omitempty"`
	// References, when set, is the References header (message ids in
	// angle brackets) that a reply's mail client sends back.
	References    string    `bun:"refs,notnull" json:"references,omitempty"`
	TextBody      string    `bun:"text_body,notnull" json:"text_body"`
	HTMLBody      string    `bun:"html_body,notnull" json:"html_body"`
	Status        string    `bun:"status,notnull" json:"status"`
	Attempts      int       `bun:"attempts,notnull" json:"attempts"` // delivery attempts started (claims)
	NextAttemptAt time.Time `bun:"next_attempt_at,notnull" json:"next_attempt_at"`
	LeaseUntil    time.Time `bun:"lease_until,nullzero" json:"-"` // a worker holds the message until then
	LastError     string    `bun:"last_error,notnull" json:"last_error"`
	CreatedAt     time.Time `bun:"created_at,notnull" json:"created_at"`
	SentAt        time.Time `bun:"sent_at,nullzero" json:"sent_at"`
}

// Validate normalises e and checks what delivery needs: a kind, one bare
// recipient address, a subject and a text body. Control characters in the
// names and the subject become spaces, so no header can be smuggled in
// through a contact's name.
func (e *OutboundEmail) Validate() error {
	e.ToAddress = strings.TrimSpace(e.ToAddress)
	e.ToName = oneLine(e.ToName)
	e.FromName = oneLine(e.FromName)
	e.Subject = oneLine(e.Subject)
	e.ReplyTo = oneLine(e.ReplyTo)
	e.References = oneLine(e.References)
	var v Validation
	v.Check(e.Kind != "", "kind", "error.required", nil)
	v.Check(ValidEmail(e.ToAddress), "to_address", "error.email_format", nil)
	v.Check(e.Subject != "", "subject", "error.required", nil)
	v.Check(e.ReplyTo == "" || bareAddress(e.ReplyTo), "reply_to", "error.email_format", nil)
	v.Check(strings.TrimSpace(e.TextBody) != "", "text_body", "error.required", nil)
	return v.Err()
}

// bareAddress reports whether s is one address without a name (its
// domain may be dotless: the platform's base domain in development is
// localhost).
func bareAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// oneLine replaces control characters (CR and LF included) with spaces and
// trims the result.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// EmailRequest asks for one message of a kind to one recipient. Data holds
// what the kind's templates need (a link, a code…).
type EmailRequest struct {
	Kind   string
	To     string // address
	ToName string
	Locale string // the recipient's language; "" for the tenant's default
	Data   map[string]any
	// Staff says the recipient is a staff member, whose own language
	// counts even when the tenant's portal does not offer it.
	Staff bool
}

// EmailRenderer turns a request into a finished message.
type EmailRenderer interface {
	// RenderEmail renders the subject, plain-text and HTML bodies of req in
	// req.Locale (the tenant's default when that is empty or not offered),
	// in t's branding and sender name, and returns a pending message ready
	// to be stored. An unknown kind or missing template data is an
	// internal error: it is a bug of the caller.
	RenderEmail(ctx context.Context, t *Tenant, req EmailRequest) (*OutboundEmail, error)
}

// EmailFilter selects messages of the context tenant, newest first.
type EmailFilter struct {
	Status    string // "" for any
	Kind      string // "" for any
	ToAddress string // "" for any; matched exactly
	Limit     int    // 50 when zero or out of 1..500
}

// OutboxStore keeps outbound emails. EnqueueEmail and Emails work on the
// context tenant; the delivery methods serve the mail worker across all
// tenants and address messages by id.
type OutboxStore interface {
	// EnqueueEmail stores e as a pending message of the context tenant, due
	// now, in its own transaction. KindUnprocessable if e fails Validate.
	// (Changes that cause an email write it in their own transaction.)
	EnqueueEmail(ctx context.Context, e *OutboundEmail) error
	// ClaimDueEmails leases up to limit pending messages of any tenant
	// that are due at now and not leased by another worker, counts one
	// attempt on each, and returns them oldest due first. Until the lease
	// ends no other claim returns them, even from another process.
	ClaimDueEmails(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboundEmail, error)
	// MarkEmailSent records delivery at the given time and empties the
	// bodies. KindNotFound if there is no pending message with that id.
	MarkEmailSent(ctx context.Context, id int64, at time.Time) error
	// MarkEmailRetry records a failed attempt and makes the message due
	// again at next, releasing its lease. KindNotFound if there is no
	// pending message with that id.
	MarkEmailRetry(ctx context.Context, id int64, errText string, next time.Time) error
	// MarkEmailFailed gives up on the message, keeping its headers with
	// errText and emptying its bodies. KindNotFound if there is no pending
	// message with that id.
	MarkEmailFailed(ctx context.Context, id int64, errText string) error
	// Emails lists the context tenant's messages matching f, newest first.
	Emails(ctx context.Context, f EmailFilter) ([]OutboundEmail, error)
}
