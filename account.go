package svcportal

import (
	"context"
)

// Principal is whoever a request is signed in as: a contact on the portal
// or a staff member in the admin console, with their session.
type Principal struct {
	Kind    string
	Contact *Contact // when Kind is PrincipalContact
	Staff   *Staff   // when Kind is PrincipalStaff
	Session *Session
}

// Locale is the principal's own language choice, or "".
func (p *Principal) Locale() string {
	switch {
	case p == nil:
		return ""
	case p.Contact != nil:
		return p.Contact.Locale
	case p.Staff != nil:
		return p.Staff.Locale
	}
	return ""
}

// DisplayName names the principal for people.
func (p *Principal) DisplayName() string {
	switch {
	case p.Contact != nil:
		return p.Contact.DisplayName()
	case p.Staff != nil && p.Staff.Name != "":
		return p.Staff.Name
	case p.Staff != nil:
		return p.Staff.Email
	}
	return ""
}

// Credentials are what a sign-in form or API call sends, with where from.
type Credentials struct {
	Kind      string // PrincipalContact or PrincipalStaff
	Email     string
	Password  string
	IP        string
	UserAgent string
}

// ProfileUpdate changes the fields that are set; nil leaves a field as is.
type ProfileUpdate struct {
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
	JobTitle  *string `json:"job_title"`
	Email     *string `json:"email"`
	Phone     *string `json:"phone"`
	Locale    *string `json:"locale"`
	// TimeZone is the IANA zone the contact reads dates in; "" follows
	// the tenant's.
	TimeZone *string `json:"time_zone"`
}

// AccountService signs principals in and out and lets contacts manage
// their own account. Every method works within the context tenant.
type AccountService interface {
	// Login checks credentials and opens a session, returning the token
	// for the cookie. An unknown email, a wrong password and a disabled
	// account all give the same KindUnauthorized error after the same
	// work; too many failures give KindTooManyRequests with RetryAfter.
	// A contact's address of a site whose provider requires single
	// sign-on is refused before any password is checked, known or not,
	// with ErrSSORequired (KindForbidden).
	Login(ctx context.Context, cr Credentials) (*Principal, string, error)
	// Authenticate returns the principal of a session token of that kind,
	// or KindUnauthorized.
	Authenticate(ctx context.Context, kind, token string) (*Principal, error)
	// Logout ends the session of token.
	Logout(ctx context.Context, p *Principal) error
	// UpdateProfile applies u to the contact: KindUnprocessable for invalid
	// values (a first name sent empty, a phone number ValidPhone refuses,
	// a time zone that is not an IANA name) or a language the tenant does
	// not offer, and then nothing changes. A new email is not
	// applied: a single-use link is sent to it (or, when another contact
	// uses it, a notice that someone tried), the current address is told,
	// and the returned contact has PendingEmail set, the same either way;
	// KindTooManyRequests after too many requests.
	UpdateProfile(ctx context.Context, p *Principal, u ProfileUpdate) (*Contact, error)
	// CheckEmailChangeLink reports whether the link token of an email
	// change is usable: nil, or ErrInvalidEmailLink.
	CheckEmailChangeLink(ctx context.Context, token string) error
	// ConfirmEmailChange follows the link once: the contact's email
	// becomes the new, verified address. ErrInvalidEmailLink for a wrong,
	// used or expired token; KindConflict when another contact has taken
	// the address since.
	ConfirmEmailChange(ctx context.Context, token, ip string) (*Contact, error)
	// AuthenticateBearer returns the staff principal of an admin API
	// token, or KindUnauthorized.
	AuthenticateBearer(ctx context.Context, token string) (*Principal, error)
	// ChangePassword needs the current password (KindUnprocessable on the
	// field current_password when wrong), clears must-change-password and
	// ends every other session of the principal.
	ChangePassword(ctx context.Context, p *Principal, current, next string) error
	// RequestPasswordReset emails a one-time code to the contact with that
	// email, from client address ip. It answers nil whether or not the
	// email is known, after the same work, and also when the request is
	// throttled (nothing is sent then). An address of a site whose
	// provider requires single sign-on gets no code but a message that
	// sends it to that provider, whether or not it is an account's.
	RequestPasswordReset(ctx context.Context, email, ip string) error
	// ConfirmPasswordReset sets the contact's new password with the code:
	// KindUnprocessable for a password that fails CheckPassword,
	// ErrInvalidCode (KindInvalid) for a wrong, expired or used code or an
	// unknown email or one whose site requires single sign-on,
	// KindTooManyRequests when ip failed too often. Every session of the
	// contact ends.
	ConfirmPasswordReset(ctx context.Context, req ResetConfirm, ip string) error
	// CheckPasswordLink reports whether a set-password link token is
	// usable: nil, or ErrInvalidLink.
	CheckPasswordLink(ctx context.Context, token string) error
	// SetPasswordWithLink uses the link once to set the contact's password
	// and returns the contact's email: ErrInvalidLink for a wrong, used or
	// expired token, KindUnprocessable for a password that fails
	// CheckPassword (the link stays usable then). Every session of the
	// contact ends.
	SetPasswordWithLink(ctx context.Context, token, password, ip string) (string, error)
}

// ContactCreate is what an admin sends to create a contact.
type ContactCreate struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	JobTitle  string `json:"job_title"`
	Phone     string `json:"phone"`
	Locale    string `json:"locale"`
	SiteID    int64  `json:"site_id"`
	Role      string `json:"role"`
	// Password, when set, is a first password the contact must change at
	// first login.
	Password    string `json:"password"`
	SendWelcome bool   `json:"send_welcome"`
}

// ContactUpdate is what an admin may change on a contact; nil leaves a
// field as is.
type ContactUpdate struct {
	ProfileUpdate
	Disabled *bool        `json:"disabled"`
	Sites    []Membership `json:"sites"`
}

// ContactAdmin is the admin console's management of contacts.
type ContactAdmin interface {
	// CreateContact validates req and creates the contact with its first
	// membership: KindUnprocessable, KindConflict (email taken),
	// KindNotFound (site not the tenant's).
	CreateContact(ctx context.Context, by *Principal, req ContactCreate) (*Contact, error)
	// UpdateContact applies u; disabling a contact ends its sessions.
	UpdateContact(ctx context.Context, by *Principal, id int64, u ContactUpdate) (*Contact, error)
	// SendWelcome emails the contact a new set-password link, voiding the
	// earlier ones: KindNotFound.
	SendWelcome(ctx context.Context, by *Principal, id int64) error
	// Contacts pages through the tenant's contacts and counts them all.
	Contacts(ctx context.Context, f ContactFilter) ([]Contact, int, error)
	// Contact is one contact of the tenant, or KindNotFound.
	Contact(ctx context.Context, id int64) (*Contact, error)
	// ContactImpact says what deleting the contact would do to tickets:
	// KindNotFound.
	ContactImpact(ctx context.Context, id int64) (*ContactImpact, error)
	// DeleteContact removes a contact, its memberships and sessions, and
	// records who did it: KindNotFound; KindConflict
	// (error.contact_has_tickets) while they are the requester of tickets,
	// which would lose their requester (disable the contact instead).
	DeleteContact(ctx context.Context, by *Principal, id int64) error
	// ExportContact gathers everything the tenant keeps about a contact,
	// its texts safe for spreadsheets, and records who asked:
	// KindNotFound.
	ExportContact(ctx context.Context, by *Principal, id int64) (*ContactExport, error)
	// EraseContact removes the contact's profile, ends its sessions and
	// memberships and keeps its messages as a "Former contact"'s, in one
	// transaction with its audit entry: KindNotFound.
	EraseContact(ctx context.Context, by *Principal, id int64) error
	ContactImporter
	ContactIdentityAdmin
}

// ContactImpact is what deleting a contact touches: the tickets they
// requested (while there are any the contact cannot be deleted) and the
// messages they wrote on other people's tickets (kept, under their name).
type ContactImpact struct {
	Tickets int `json:"tickets"`
	Replies int `json:"replies"`
}
