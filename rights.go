package svcportal

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ErasedEmail is the address an erased contact keeps in place of its own:
// unique in its tenant (it holds the contact's id, nothing else of it),
// in the reserved .invalid domain, so no email is ever sent to it.
func ErasedEmail(contactID int64) string {
	return fmt.Sprintf("erased-%d@erased.invalid", contactID)
}

// FormerContact is the message id of the name every page and email shows
// for an erased contact.
const FormerContact = "contact.former"

// ContactExport is everything a tenant keeps about one contact, as an
// admin hands it to them (a data access request).
type ContactExport struct {
	ExportedAt  time.Time         `json:"exported_at"`
	Profile     *Contact          `json:"profile"`
	Memberships []Membership      `json:"memberships"`
	Tickets     []ExportedTicket  `json:"tickets"`
	Messages    []ExportedMessage `json:"messages"`
	Votes       []ExportedVote    `json:"votes"`
	// Identities are the contact's accounts at sign-in providers.
	Identities []ContactIdentity `json:"identities"`
	Audit      []AuditEntry      `json:"audit"`
}

// ExportedTicket is a ticket the contact requested, with its built-in
// fields (the MSP's own custom fields are its data, not the contact's).
type ExportedTicket struct {
	Number          int64      `bun:"number" json:"number"`
	SiteName        string     `bun:"site_name" json:"site_name"`
	Title           string     `bun:"title" json:"title"`
	Description     string     `bun:"description" json:"description"`
	Status          string     `bun:"status" json:"status"`
	Type            string     `bun:"type" json:"type"`
	Priority        string     `bun:"priority" json:"priority"`
	Impact          string     `bun:"impact" json:"impact"`
	ProductFamily   string     `bun:"product_family" json:"product_family"`
	SharedWithSite  bool       `bun:"shared_with_site" json:"shared_with_site"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`
	ClosedAt        *time.Time `bun:"closed_at" json:"closed_at,omitempty"`
	RatingSatisfied *bool      `bun:"rating_satisfied" json:"rating_satisfied,omitempty"`
	RatingComment   string     `bun:"rating_comment" json:"rating_comment,omitempty"`
}

// ExportedMessage is a message the contact wrote, on any ticket.
type ExportedMessage struct {
	TicketNumber int64     `bun:"ticket_number" json:"ticket_number"`
	Body         string    `bun:"body" json:"body"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
}

// ExportedVote is the contact's verdict on a knowledge-base article.
type ExportedVote struct {
	ArticleID int64     `bun:"article_id" json:"article_id"`
	Helpful   bool      `bun:"helpful" json:"helpful"`
	VotedAt   time.Time `bun:"voted_at" json:"voted_at"`
}

// Neutralize makes every text of the export safe to open in spreadsheet
// software (see SpreadsheetSafe): exports are often turned into CSV.
func (e *ContactExport) Neutralize() {
	if p := e.Profile; p != nil {
		for _, s := range []*string{&p.Email, &p.FirstName, &p.LastName, &p.JobTitle, &p.Phone} {
			*s = SpreadsheetSafe(*s)
		}
	}
	for i := range e.Memberships {
		e.Memberships[i].SiteName = SpreadsheetSafe(e.Memberships[i].SiteName)
	}
	if e.Profile != nil {
		e.Profile.Memberships = e.Memberships
	}
	for i := range e.Tickets {
		t := &e.Tickets[i]
		for _, s := range []*string{&t.SiteName, &t.Title, &t.Description, &t.Type, &t.Priority, &t.Impact, &t.ProductFamily, &t.RatingComment} {
			*s = SpreadsheetSafe(*s)
		}
	}
	for i := range e.Messages {
		e.Messages[i].Body = SpreadsheetSafe(e.Messages[i].Body)
	}
	for i := range e.Audit {
		a := &e.Audit[i]
		a.Email, a.Detail = SpreadsheetSafe(a.Email), SpreadsheetSafe(a.Detail)
	}
}

// SpreadsheetSafe returns s so that spreadsheet software reads it as text
// rather than a formula: a value starting with =, +, -, @, a tab or a
// carriage return (OWASP's list for CSV injection, e.g. `=cmd|' /C
// calc'!A0`) gets a leading apostrophe. Everything else is unchanged.
func SpreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ContactRightsStore reads and erases everything of one contact of the
// context tenant.
type ContactRightsStore interface {
	// ContactExport gathers the contact's profile, memberships, the
	// tickets they requested, their messages, votes and the audit entries
	// about them: KindNotFound.
	ContactExport(ctx context.Context, id int64) (*ContactExport, error)
	// EraseContact, in one transaction, replaces the contact's email with
	// ErasedEmail(id) and clears the rest of its profile and password,
	// disables it and sets erased_at; removes its memberships, sessions,
	// sign-in links, codes, pending email changes, single sign-on links,
	// its address from CC lists and the emails addressed to it; keeps its
	// messages and timeline events without its name; puts the placeholder
	// in place of its address in the audit log and the inbound log; and
	// appends e to the audit log: KindNotFound.
	EraseContact(ctx context.Context, id int64, e *AuditEntry) error
}
