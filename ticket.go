package svcportal

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Ticket statuses (SPEC.md, "Statuses").
const (
	StatusOpen             = "open"              // waiting on the MSP
	StatusInProgress       = "in_progress"       // the MSP works on it
	StatusAwaitingReply    = "awaiting_reply"    // waiting on the client
	StatusSolutionProposed = "solution_proposed" // the client must accept or refuse
	StatusClosed           = "closed"
)

// Statuses lists every status in workflow order.
var Statuses = []string{StatusOpen, StatusInProgress, StatusAwaitingReply, StatusSolutionProposed, StatusClosed}

// Values of the built-in priority and impact fields.
var (
	Priorities = []string{"low", "normal", "high", "urgent"}
	Impacts    = []string{"low", "medium", "high"}
)

// DefaultPriority is the priority of a ticket opened without one.
const DefaultPriority = "normal"

// Limits of a ticket's text.
const (
	MaxTitleLength       = 140
	MaxDescriptionLength = 50000
	MaxMessageLength     = 50000
	MaxCC                = 20
)

// Ticket is a client's request to the MSP. Number is the public id,
// sequential per tenant. Custom field values live in Fields by key.
type Ticket struct {
	ID             int64          `bun:"id,pk,autoincrement"`
	TenantID       int64          `bun:"tenant_id,notnull"`
	Number         int64          `bun:"number,notnull"`
	SiteID         int64          `bun:"site_id,notnull"`
	RequesterID    int64          `bun:"requester_id,notnull"` // a contact
	Title          string         `bun:"title,notnull"`
	Description    string         `bun:"description,notnull"`
	Status         string         `bun:"status,notnull"`
	Type           string         `bun:"type,notnull"`
	Priority       string         `bun:"priority,notnull"`
	Impact         string         `bun:"impact,notnull"`
	ProductFamily  string         `bun:"product_family,notnull"`
	AssigneeID     int64          `bun:"assignee_id,notnull"` // staff id, 0 for nobody
	Fields         map[string]any `bun:"fields,notnull,type:text"`
	SharedWithSite bool           `bun:"shared_with_site,notnull"`
	CreatedAt      time.Time      `bun:"created_at,notnull"`
	UpdatedAt      time.Time      `bun:"updated_at,notnull"`
	// StatusChangedAt is when the status last changed: the auto-close
	// delay counts from there for awaiting_reply and solution_proposed.
	StatusChangedAt time.Time  `bun:"status_changed_at,notnull"`
	ReminderSentAt  *time.Time `bun:"reminder_sent_at"`
	ClosedAt        *time.Time `bun:"closed_at"`
	RatingSatisfied *bool      `bun:"rating_satisfied"`
	RatingComment   string     `bun:"rating_comment,notnull"`
	// LastPublicAt is when the last public message (or the ticket itself)
	// was written, for read/unread.
	LastPublicAt time.Time `bun:"last_public_at,notnull"`
	// LastClientAt is when a contact last wrote on the ticket (or opened
	// it): staff read state follows it.
	LastClientAt time.Time `bun:"last_client_at,notnull"`
	// FirstResponseAt is when staff first wrote to the client (a public
	// message), nil until then: the dashboard's first-response time.
	FirstResponseAt *time.Time `bun:"first_response_at"`

	CC            []string `bun:"-"`
	SiteName      string   `bun:"-"`
	RequesterName string   `bun:"-"`
	RequesterMail string   `bun:"-"`
	AssigneeName  string   `bun:"-"`
	Unread        bool     `bun:"-"`

	// RequesterErased says the requester is an erased contact: the name
	// and address are empty.
	RequesterErased bool `bun:"-"`

	// Version is the ticket's version as the store read it: the
	// database moves it at every change of the ticket, its CC list and
	// its thread (TicketThread reads the thread at this version).
	Version int64 `bun:"-" json:"-"`

	// Loaded is the ticket as the store read it (TicketByNumber): an
	// update writes only what differs from it, so that what another
	// writer changed meanwhile is not put back (nil: every column).
	Loaded *Ticket `bun:"-" json:"-"`
}

// BuiltinValue returns the value of a built-in field, as the API shows it.
func (t *Ticket) BuiltinValue(key string) any {
	switch key {
	case FieldKeyStatus:
		return t.Status
	case FieldKeyType:
		return t.Type
	case FieldKeyPriority:
		return t.Priority
	case FieldKeyImpact:
		return t.Impact
	case FieldKeyProductFamily:
		return t.ProductFamily
	case FieldKeyAssignee:
		if t.AssigneeID == 0 {
			return nil
		}
		return t.AssigneeName
	}
	return nil
}

// TicketMessage is a reply on a ticket: public, or an internal staff note
// that the portal never shows.
type TicketMessage struct {
	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID   int64     `bun:"tenant_id,notnull" json:"-"`
	TicketID   int64     `bun:"ticket_id,notnull" json:"-"`
	AuthorKind string    `bun:"author_kind,notnull" json:"author_kind"` // PrincipalContact or PrincipalStaff
	AuthorID   int64     `bun:"author_id,notnull" json:"-"`
	AuthorName string    `bun:"author_name,notnull" json:"author_name"`
	Body       string    `bun:"body,notnull" json:"body"`
	Internal   bool      `bun:"internal,notnull" json:"internal,omitempty"`
	CreatedAt  time.Time `bun:"created_at,notnull" json:"created_at"`

	// AuthorErased says the author is an erased contact: AuthorName is
	// empty and pages show "Former contact" in the reader's language.
	AuthorErased bool `bun:"author_erased,notnull" json:"author_erased,omitempty"`
}

// TicketThread is what was written on a ticket: its messages, the events
// of its timeline, and its files (Attachment.Internal marks those of
// internal notes).
type TicketThread struct {
	Messages    []TicketMessage
	Events      []TicketEvent
	Attachments []Attachment
}

// Kinds of timeline event.
const (
	EventCreated          = "created"
	EventReplied          = "replied"
	EventNote             = "internal_note"
	EventStatusChanged    = "status_changed"
	EventFieldChanged     = "field_changed"
	EventSolutionProposed = "solution_proposed"
	EventSolutionAccepted = "solution_accepted"
	EventSolutionRefused  = "solution_refused"
	EventClosed           = "closed"
	EventAutoCloseWarning = "auto_close_reminder"
	EventAutoClosed       = "auto_closed"
	EventRated            = "rated"
)

// TicketEvent is one line of a ticket's timeline: who did what, when.
type TicketEvent struct {
	ID        int64     `bun:"id,pk,autoincrement" json:"-"`
	TenantID  int64     `bun:"tenant_id,notnull" json:"-"`
	TicketID  int64     `bun:"ticket_id,notnull" json:"-"`
	ActorKind string    `bun:"actor_kind,notnull" json:"actor_kind"` // "" for the system
	ActorID   int64     `bun:"actor_id,notnull" json:"-"`
	ActorName string    `bun:"actor_name,notnull" json:"actor_name"`
	Kind      string    `bun:"kind,notnull" json:"kind"`
	Field     string    `bun:"field,notnull" json:"field,omitempty"` // for field_changed and status_changed
	From      string    `bun:"from_value,notnull" json:"from,omitempty"`
	To        string    `bun:"to_value,notnull" json:"to,omitempty"`
	Comment   string    `bun:"comment,notnull" json:"comment,omitempty"`
	CreatedAt time.Time `bun:"created_at,notnull" json:"at"`

	// ActorErased says the actor is an erased contact (ActorName is empty).
	ActorErased bool `bun:"actor_erased,notnull" json:"actor_erased,omitempty"`
	// ActionID groups the events of one change (one action of a reader):
	// the others name the first of them, which keeps 0.
	ActionID int64 `bun:"action_id,notnull" json:"-"`
}

// Action is the id of the change that wrote e: events with the same
// Action are one line of the history.
func (e *TicketEvent) Action() int64 {
	if e.ActionID != 0 {
		return e.ActionID
	}
	return e.ID
}

// Viewer is a contact as ticket visibility sees them: who they are and
// their role in each of their sites.
type Viewer struct {
	ContactID int64
	Email     string
	Roles     map[int64]string // site id → RoleMember or RoleSiteManager
}

// ViewerOf builds the Viewer of a contact from its memberships.
func ViewerOf(c *Contact) Viewer {
	v := Viewer{ContactID: c.ID, Roles: map[int64]string{}}
	// Only a verified address is matched against CC lists.
	if c.EmailVerifiedAt != nil {
		v.Email = c.Email
	}
	for _, m := range c.Memberships {
		v.Roles[m.SiteID] = m.Role
	}
	return v
}

// SitesWithRole lists the viewer's sites where they have role ("" for any).
func (v Viewer) SitesWithRole(role string) []int64 {
	var ids []int64
	for id, r := range v.Roles {
		if role == "" || r == role {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// CanSee applies SPEC.md's rule: the requester; contacts on the CC list who
// belong to the ticket's site; every contact of the site when the ticket is
// shared with it; every site manager of the site, always.
func (v Viewer) CanSee(t *Ticket) bool {
	role, inSite := v.Roles[t.SiteID]
	switch {
	case t.RequesterID == v.ContactID:
		return true
	case !inSite:
		return false
	case role == RoleSiteManager, t.SharedWithSite:
		return true
	}
	return slices.Contains(t.CC, v.Email)
}

// RoleFor is the viewer's role in the ticket's site; a requester who has
// since left the site counts as a member.
func (v Viewer) RoleFor(t *Ticket) string {
	if r, ok := v.Roles[t.SiteID]; ok {
		return r
	}
	return RoleMember
}

// TicketFilter selects tickets of a list.
type TicketFilter struct {
	Scope   string // "mine": requested by the viewer; "site": every ticket they may see (default)
	Status  []string
	Query   string // words, or a ticket number
	Unread  *bool
	Sites   []int64        // only tickets of these sites (empty: any)
	Fields  map[string]any // field key → normalised value that must match (a list field: contain)
	Sort    string         // "updated", "created", "number" or "priority", ascending; "-" before it: descending (default "-updated")
	Page    int
	PerPage int
	// After and Before, when set, are cursors (TicketCursor of a ticket
	// of the list): the page holds the tickets that follow, or precede,
	// that one in the list's order, read from an index however deep the
	// page, and Page only numbers it for display.
	After, Before string
	// Within, for a contact's list, maps each field key to the sites
	// where that contact sees the field: a filter or a sort on the field
	// acts only on tickets of those sites (a key without an entry: none),
	// so it cannot tell a value the contact may not see. Nil for staff,
	// who see every field everywhere. The ticket service fills it in.
	Within map[string][]int64
	// TicketSites, for a contact's list, are the sites of the tickets
	// they may see, as ContactTicketSites answers them (the service
	// fills it in with Within); nil: the store reads them.
	TicketSites []int64
	// NoTotal: the caller shows no total, so none is counted (the list
	// answers 0). The portal's home lists five tickets of each kind.
	NoTotal bool
}

// NormalizeCC trims, lower-cases and de-duplicates a CC list and checks it.
func NormalizeCC(v *Validation, cc []string) []string {
	out := []string{}
	for _, e := range cc {
		e = NormalizeEmail(e)
		if e == "" || slices.Contains(out, e) {
			continue
		}
		v.Check(ValidEmail(e), "cc", "error.email_format", nil)
		out = append(out, e)
	}
	v.Check(len(out) <= MaxCC, "cc", "error.cc_too_many", map[string]any{"Max": MaxCC})
	return out
}

// CheckTitle validates a ticket title.
func CheckTitle(v *Validation, title string) string {
	title = strings.TrimSpace(title)
	v.Check(title != "", "title", "error.required", nil)
	v.Check(utf8.RuneCountInString(title) <= MaxTitleLength, "title", "error.too_long", map[string]any{"Max": MaxTitleLength})
	return title
}

// TicketStore keeps the context tenant's tickets.
type TicketStore interface {
	// CreateTicket gives t the tenant's next number (no gaps, no
	// duplicates under concurrency) and inserts it with its CC list and
	// what change adds (the "created" event…), in one transaction.
	CreateTicket(ctx context.Context, t *Ticket, change TicketChange) error
	// TicketByNumber returns the ticket with its CC list and names, and
	// whether it holds something new for the reader (Unread; readerKind
	// "" for no reader), or KindNotFound. It does not check visibility:
	// callers do.
	TicketByNumber(ctx context.Context, number int64, readerKind string, readerID int64) (*Ticket, error)
	// ContactTickets lists the tickets v may see that match f, with the
	// total, read state filled in for v.
	ContactTickets(ctx context.Context, v Viewer, f TicketFilter) ([]Ticket, int, error)
	// ContactTicketSites lists the sites of the tickets v may see: their
	// memberships' and those of the tickets they requested.
	ContactTicketSites(ctx context.Context, v Viewer) ([]int64, error)
	// StaffTickets lists every ticket of the tenant that matches f.
	StaffTickets(ctx context.Context, staffID int64, f TicketFilter) ([]Ticket, int, error)
	// StaffTicketCounts counts the tickets of the tenant that match f but
	// its status, per status (every status has an entry).
	StaffTicketCounts(ctx context.Context, staffID int64, f TicketFilter) (map[string]int, error)
	// UpdateTicket saves t's mutable columns and CC list and appends what
	// change adds, in one transaction.
	UpdateTicket(ctx context.Context, t *Ticket, change TicketChange) error
	// TicketThread returns the messages, timeline and files of t as read
	// (t.Version), or newer, each oldest first; internal notes and their
	// files only when withInternal.
	TicketThread(ctx context.Context, t *Ticket, withInternal bool) (*TicketThread, error)
	// MarkTicketRead records that the reader has seen the ticket now;
	// it writes only when the ticket held something unread for them.
	MarkTicketRead(ctx context.Context, ticketID int64, readerKind string, readerID int64, at time.Time) error
	// TicketsAwaitingClient lists the tenant's tickets in awaiting_reply or
	// solution_proposed that the auto-close job has to handle: those whose
	// status has not changed since closeBefore, and those unchanged since
	// remindBefore that have had no reminder yet; oldest first, at most
	// limit. Handling a ticket takes it out of the list.
	TicketsAwaitingClient(ctx context.Context, remindBefore, closeBefore time.Time, limit int) ([]Ticket, error)
}

// TicketChange is what one action adds to a ticket besides its columns.
type TicketChange struct {
	Message *TicketMessage
	Events  []TicketEvent
	// Emails are the notifications the change causes, written to the
	// outbox in the same transaction.
	Emails []*OutboundEmail
	// Attachments belong to Message when there is one, else to the
	// ticket's description.
	Attachments []Attachment
	// Notify, when set, renders more emails once the ticket is saved in
	// the transaction (a new ticket's number exists only then). It must not
	// read the database: it runs while the transaction holds the writer,
	// and a read through the pool would wait for a connection that the
	// waiting writers hold.
	Notify func(t *Ticket) ([]*OutboundEmail, error)
	// StatusFrom, when set, makes the update conditional on the ticket
	// still having that status (a lost race is KindConflict), so two
	// instances never both auto-close or both accept.
	StatusFrom string
	// NoReminderYet makes the update conditional on no auto-close
	// reminder having been recorded, so a reminder goes out once.
	NoReminderYet bool
}

// TicketView is a ticket as one reader may see it: on the portal, only the
// fields the reader's role may see, public messages, and the timeline
// without internal notes or changes of hidden fields.
type TicketView struct {
	Number         int64                `json:"number"`
	Title          string               `json:"title"`
	Description    string               `json:"description"`
	Status         string               `json:"status,omitempty"` // absent when the status field is hidden
	SiteID         int64                `json:"site_id"`
	SiteName       string               `json:"site_name"`
	RequesterName  string               `json:"requester_name"`
	RequesterEmail string               `json:"requester_email"`
	SharedWithSite bool                 `json:"shared_with_site"`
	CC             []string             `json:"cc"`
	Fields         map[string]any       `json:"fields"`
	Unread         bool                 `json:"unread"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	ClosedAt       *time.Time           `json:"closed_at,omitempty"`
	Rating         *TicketRating        `json:"rating,omitempty"`
	Messages       []TicketMessage      `json:"messages,omitempty"`
	Attachments    []Attachment         `json:"attachments,omitempty"`
	Events         []TicketEvent        `json:"events,omitempty"`
	Actions        *TicketActions       `json:"actions,omitempty"`
	Modes          map[string]FieldMode `json:"-"`

	// RequesterErased: the requester was erased (name and address are
	// empty); pages show "Former contact" in the reader's language.
	RequesterErased bool `json:"requester_erased,omitempty"`
}

// TicketRating is the requester's verdict on a closed ticket.
type TicketRating struct {
	Satisfied bool   `json:"satisfied"`
	Comment   string `json:"comment,omitempty"`
}

// TicketActions says what the reader may do with the ticket now.
type TicketActions struct {
	Reply  bool `json:"reply"`
	Decide bool `json:"decide_solution"`
	Close  bool `json:"close"`
	Rate   bool `json:"rate"`
}

// TicketFieldView describes one ticket field to a reader: for a contact,
// only visible fields, with their mode.
type TicketFieldView struct {
	Key      string       `json:"key"`
	Label    string       `json:"label"`
	Type     FieldType    `json:"type"`
	Mode     FieldMode    `json:"mode"`
	Required bool         `json:"required"`
	Options  []OptionView `json:"options,omitempty"`
	Builtin  bool         `json:"builtin"`
	// Default is the value a new ticket gets when the field is left out
	// ("" for none).
	Default string `json:"default,omitempty"`
	// TicketTypes limits the field to tickets of these types (empty: all).
	TicketTypes []string `json:"ticket_types,omitempty"`
}

// OptionView is one choice of a dropdown or multi-select, labelled.
type OptionView struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// NewTicket is what a contact sends to open a ticket.
type NewTicket struct {
	SiteID         int64          `json:"site_id"`
	Title          string         `json:"title"`
	Description    string         `json:"description"`
	SharedWithSite bool           `json:"shared_with_site"`
	CC             []string       `json:"cc"`
	Fields         map[string]any `json:"fields"`
	Files          []Upload       `json:"-"` // already in the blob store
}

// TicketService is what the portal and the admin console do with tickets.
// Every method works within the context tenant. For contacts, a ticket
// they may not see is KindNotFound, a field they may not edit is
// KindForbidden naming the field.
type TicketService interface {
	// Fields describes the fields a contact sees at a site (0: their first).
	Fields(ctx context.Context, p *Principal, siteID int64, lang string) ([]TicketFieldView, error)
	// FieldsAs describes the fields a contact of a portal role sees at a
	// site (0: the all-sites rules), for an admin's preview of the portal:
	// KindUnprocessable for an unknown role.
	FieldsAs(ctx context.Context, role string, siteID int64, lang string) ([]TicketFieldView, error)
	Create(ctx context.Context, p *Principal, req NewTicket) (*TicketView, error)
	List(ctx context.Context, p *Principal, f TicketFilter) ([]TicketView, int, error)
	// Get returns the ticket with its messages and timeline, and marks it
	// read for the reader.
	Get(ctx context.Context, p *Principal, number int64) (*TicketView, error)
	// UpdateFields sets fields; staff may set any field, including status
	// and assignee (a staff id).
	UpdateFields(ctx context.Context, p *Principal, number int64, fields map[string]any) (*TicketView, error)
	// Reply adds a public message (or, for staff, an internal note), with
	// files.
	Reply(ctx context.Context, p *Principal, number int64, body string, internal bool, files []Upload) (*TicketView, error)
	// Attachment returns an attachment of a ticket the reader may see
	// (never of an internal note, for a contact), or KindNotFound.
	Attachment(ctx context.Context, p *Principal, id int64) (*Attachment, error)
	// Decide accepts (closes) or refuses (reopens, with the comment) a
	// proposed solution; KindConflict when none is proposed.
	Decide(ctx context.Context, p *Principal, number int64, accept bool, comment string) (*TicketView, error)
	// Close closes the ticket: its requester or a site manager.
	Close(ctx context.Context, p *Principal, number int64, comment string) (*TicketView, error)
	// Rate records the requester's rating of a closed ticket, once.
	Rate(ctx context.Context, p *Principal, number int64, satisfied bool, comment string) (*TicketView, error)
	// ProposeSolution (staff) posts the solution and asks the client to
	// accept or refuse it.
	ProposeSolution(ctx context.Context, p *Principal, number int64, body string) (*TicketView, error)
	// StatusCounts (staff) counts the tickets that match f but its status,
	// per status: the queue's tabs. KindForbidden for contacts.
	StatusCounts(ctx context.Context, p *Principal, f TicketFilter) (map[string]int, error)
}

// TicketCountCap is how far a list counts its tickets: a total above it
// is reported as TicketCountCap+1, read as "more than TicketCountCap"
// ("1,000+"). Counting stops there so that a request never counts a
// hundred thousand rows; nobody pages through more than a thousand
// tickets, and a list that long is narrowed with a filter, which has its
// own exact count again.
const TicketCountCap = 1000

// MaxListOffset is the deepest a list page may start by page number;
// deeper pages are read with a cursor (TicketFilter.After), which costs
// what the first page costs. A deeper page number is KindInvalid.
const MaxListOffset = 1000

// TotalCapped splits a list total for display: the number to show, and
// whether counting stopped at TicketCountCap (shown as "1,000+").
func TotalCapped(total int) (n int, capped bool) {
	if total > TicketCountCap {
		return TicketCountCap, true
	}
	return total, false
}

// cursorRE is the form of a list cursor: the sort key of a ticket (a
// time in microseconds since 1970, or its number), then its number.
var cursorRE = regexp.MustCompile(`^-?\d{1,20}_\d{1,19}$`)

// ValidTicketCursor reports whether c has the form of a cursor made by
// TicketCursor (what a list filter's after and before must hold).
func ValidTicketCursor(c string) bool { return cursorRE.MatchString(c) }

// TicketCursor is the position of v in a list sorted by sort, for the
// After and Before of a TicketFilter; "" for a sort that pages by number
// only (priority). The key is what the store orders by: the time v was
// updated as its reader sees it (UpdatedAt), or its number.
func TicketCursor(v *TicketView, sort string) string {
	switch strings.TrimPrefix(sort, "-") {
	case "", "updated":
		return strconv.FormatInt(v.UpdatedAt.UnixMicro(), 10) + "_" + strconv.FormatInt(v.Number, 10)
	case "created", "number":
		return strconv.FormatInt(v.Number, 10) + "_" + strconv.FormatInt(v.Number, 10)
	}
	return ""
}

// ParseTicketCursor reads a cursor made by TicketCursor: its sort key
// and ticket number.
func ParseTicketCursor(c string) (key, number int64, ok bool) {
	k, n, found := strings.Cut(c, "_")
	if !found {
		return 0, 0, false
	}
	key, err1 := strconv.ParseInt(k, 10, 64)
	number, err2 := strconv.ParseInt(n, 10, 64)
	return key, number, err1 == nil && err2 == nil
}
