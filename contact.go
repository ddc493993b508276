package svcportal

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Portal roles of a contact within one site.
const (
	RoleMember      = "member"
	RoleSiteManager = "site_manager"
)

// Contact is a client user of a tenant's portal.
type Contact struct {
	ID           int64  `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64  `bun:"tenant_id,notnull" json:"-"`
	Email        string `bun:"email,notnull" json:"email"`
	PasswordHash string `bun:"password_hash,notnull" json:"-"`
	FirstName    string `bun:"first_name,notnull" json:"first_name"`
	LastName     string `bun:"last_name,notnull" json:"last_name"`
	JobTitle     string `bun:"job_title,notnull" json:"job_title"`
	Phone        string `bun:"phone,notnull" json:"phone"`
	Locale       string `bun:"locale,notnull" json:"locale"`
	// TimeZone is the IANA zone the contact reads dates in ("": the
	// tenant's).
	TimeZone           string    `bun:"time_zone,notnull" json:"time_zone"`
	MustChangePassword bool      `bun:"must_change_password,notnull" json:"must_change_password"`
	Disabled           bool      `bun:"disabled,notnull" json:"disabled"`
	CreatedAt          time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt          time.Time `bun:"updated_at,notnull" json:"updated_at"`
	// EmailVerifiedAt is when the address was last vouched for: by whoever
	// created the contact (an admin, an import, single sign-on with a
	// verified email), an admin changing it, or the contact following a
	// link or using a code sent to it. Nil means unverified (changed
	// without a link by an earlier version): the CC list gives it nothing.
	EmailVerifiedAt *time.Time `bun:"email_verified_at" json:"-"`
	// ErasedAt is when an admin erased the contact (see EraseContact): the
	// row stays, since tickets and votes point to it, without a profile.
	ErasedAt *time.Time `bun:"erased_at" json:"erased_at,omitempty"`

	Memberships []Membership `bun:"-" json:"sites"`
	// PendingEmail is the address the contact asked to change to, shown
	// only in the answer to that request.
	PendingEmail string `bun:"-" json:"pending_email,omitempty"`
}

// Membership is a contact's role in one site.
type Membership struct {
	SiteID   int64  `json:"site_id"`
	SiteName string `json:"site_name"`
	Role     string `json:"role"`
}

// NormalizeEmail is the form in which emails are stored and compared.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidEmail reports whether s is a bare address such as a@b.example.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// Phone numbers hold MinPhoneDigits to MaxPhoneDigits digits (E.164 allows
// at most 15), besides an extension.
const (
	MinPhoneDigits = 3
	MaxPhoneDigits = 15
)

// phoneExtension is an extension written after a number: "ext. 12",
// "x12", "#12".
var phoneExtension = regexp.MustCompile(`(?i)\s*(?:ext\.?|x|#)\s*[0-9]{1,6}$`)

// ValidPhone reports whether s is a phone number as written nationally or
// internationally: "+33 1 23 45 67 89", "(555) 010-1234", "030/123456",
// "+44 20 7946 0958 ext. 12". A leading + is the only place for one;
// digits may be grouped by spaces, dots, hyphens, slashes and one pair of
// parentheses; MinPhoneDigits to MaxPhoneDigits digits.
func ValidPhone(s string) bool {
	s = phoneExtension.ReplaceAllString(strings.TrimSpace(s), "")
	s = strings.TrimPrefix(s, "+")
	digits, open, closed := 0, false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '/':
		case r == '(' && !open:
			open = true
		case r == ')' && open && !closed:
			closed = true
		default:
			return false
		}
	}
	return open == closed && digits >= MinPhoneDigits && digits <= MaxPhoneDigits
}

// Validate normalises and checks c.
func (c *Contact) Validate() error {
	c.Email = NormalizeEmail(c.Email)
	c.FirstName = strings.TrimSpace(c.FirstName)
	c.LastName = strings.TrimSpace(c.LastName)
	var v Validation
	v.Check(ValidEmail(c.Email), "email", "error.email_format", nil)
	for field, val := range map[string]string{"first_name": c.FirstName, "last_name": c.LastName, "job_title": c.JobTitle, "phone": c.Phone} {
		v.Check(utf8.RuneCountInString(val) <= 100, field, "error.too_long", map[string]any{"Max": 100})
	}
	v.Check(c.Phone == "" || ValidPhone(c.Phone), "phone", "error.phone_format", nil)
	v.Check(c.Locale == "" || IsLocale(c.Locale), "locale", "error.locale_unknown", map[string]any{"Locale": c.Locale})
	v.Check(c.TimeZone == "" || ValidTimeZone(c.TimeZone), "time_zone", "error.time_zone_unknown", map[string]any{"Zone": c.TimeZone})
	for _, m := range c.Memberships {
		v.Check(m.Role == RoleMember || m.Role == RoleSiteManager, "role", "error.role_unknown", nil)
	}
	return v.Err()
}

// MemberOf reports whether c has a membership of site id.
func (c *Contact) MemberOf(siteID int64) bool {
	for _, m := range c.Memberships {
		if m.SiteID == siteID {
			return true
		}
	}
	return false
}

// DisplayName is the contact's full name, or the email when there is none.
func (c *Contact) DisplayName() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Email
}

// ContactStore keeps the contacts of the context tenant.
type ContactStore interface {
	// CreateContact inserts c with its memberships; KindConflict if the
	// email is taken in the tenant, KindNotFound if a site is not the tenant's.
	CreateContact(ctx context.Context, c *Contact) error
	// Contact returns the contact with its memberships, or KindNotFound.
	Contact(ctx context.Context, id int64) (*Contact, error)
	// ContactByEmail matches case-insensitively, or returns KindNotFound.
	ContactByEmail(ctx context.Context, email string) (*Contact, error)
	// UpdateContact saves c's profile fields, email, locale and flags
	// (not its password or memberships); KindConflict if the email is
	// taken, KindNotFound if c is not the tenant's.
	UpdateContact(ctx context.Context, c *Contact) error
	// SetPassword stores a new password hash for a contact or staff member
	// (kind is PrincipalContact or PrincipalStaff), clears the contact's
	// must-change-password flag and ends every session of theirs except
	// keepSessionID, in one transaction.
	SetPassword(ctx context.Context, kind string, id int64, hash, keepSessionID string) error
	// Contacts lists contacts matching f by email, with the total count.
	Contacts(ctx context.Context, f ContactFilter) ([]Contact, int, error)
	// SetMemberships replaces the contact's site memberships;
	// KindNotFound if a site is not the tenant's.
	SetMemberships(ctx context.Context, contactID int64, ms []Membership) error
	// SaveContact saves, in one transaction, c's profile fields, email,
	// locale and flags, its memberships (when ms is not nil: they replace
	// the old ones) and, when endSessions, ends every session of the
	// contact. KindNotFound (the contact, or a site not the tenant's),
	// KindConflict (email taken).
	SaveContact(ctx context.Context, c *Contact, ms []Membership, endSessions bool) error
	// UpsertContactByEmail, in one transaction, finds the contact with
	// create.Email: when there is one, update is called with it (profile
	// and memberships loaded) and, if it reports a change, the profile
	// and memberships are saved; when there is none, create is inserted
	// with its memberships and, when link is not nil, that set-password
	// link and its email msg. It reports whether it created the contact
	// and whether it changed anything. Errors as CreateContact and
	// SaveContact, and update's.
	UpsertContactByEmail(ctx context.Context, create *Contact, update func(*Contact) (bool, error),
		link *PasswordLink, msg *OutboundEmail) (created, changed bool, err error)
	// ContactImpact counts the tickets the contact requested and their
	// messages on others' tickets: KindNotFound.
	ContactImpact(ctx context.Context, id int64) (*ContactImpact, error)
	// DeleteContact removes a contact and its sessions: KindNotFound;
	// KindConflict (error.contact_has_tickets) while the contact is the
	// requester of tickets.
	DeleteContact(ctx context.Context, id int64) error
}

// MinPasswordLength is the shortest password accepted for any account.
const MinPasswordLength = 10

// CheckPassword validates a new password for field.
func CheckPassword(v *Validation, field, pw string) {
	n := utf8.RuneCountInString(pw)
	v.Check(n >= MinPasswordLength, field, "error.password_short", map[string]any{"Min": MinPasswordLength})
	v.Check(n <= 256, field, "error.too_long", map[string]any{"Max": 256})
}
