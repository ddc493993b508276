package svcportal

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Severities of an announcement, mildest first.
const (
	SeverityInfo        = "info"
	SeverityMaintenance = "maintenance"
	SeverityIncident    = "incident"
)

// Severities lists them in that order.
var Severities = []string{SeverityInfo, SeverityMaintenance, SeverityIncident}

// Limits of an announcement's text.
const (
	MaxAnnouncementTitle = 140
	MaxAnnouncementBody  = 10000
)

// AnnouncementText is an announcement in one language: a title and a
// Markdown body, sanitised when rendered.
type AnnouncementText struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Optional is a JSON member that may be absent (leave as is), null
// (clear) or a value (set).
type Optional[T any] struct {
	Set   bool // the member was sent
	Value *T   // nil for null
}

// UnmarshalJSON records that the member was sent, and its value.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	o.Value = new(T)
	return json.Unmarshal(b, o.Value)
}

// Apply sets *dst when the member was sent.
func (o Optional[T]) Apply(dst **T) {
	if o.Set {
		*dst = o.Value
	}
}

// Announcement is a notice a tenant admin posts to contacts: on the
// portal's home page and above the new-ticket form, for the sites it
// reaches, while it runs (from StartsAt, when set, until EndsAt, when set).
type Announcement struct {
	ID       int64      `bun:"id,pk,autoincrement" json:"id"`
	TenantID int64      `bun:"tenant_id,notnull" json:"-"`
	Severity string     `bun:"severity,notnull" json:"severity"`
	StartsAt *time.Time `bun:"starts_at" json:"starts_at"`
	EndsAt   *time.Time `bun:"ends_at" json:"ends_at"`
	// AllSites reaches every contact of the tenant; otherwise SiteIDs.
	AllSites bool    `bun:"all_sites,notnull" json:"all_sites"`
	SiteIDs  []int64 `bun:"-" json:"site_ids"`
	// Texts is the announcement per locale.
	Texts     map[string]AnnouncementText `bun:"texts,notnull,type:text" json:"translations"`
	CreatedAt time.Time                   `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt time.Time                   `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate normalises and checks a: a known severity, an end after the
// start, chosen sites when not for all, and a title in at least one of
// the product's languages (a body without a title is refused).
func (a *Announcement) Validate() error {
	var v Validation
	v.Check(slices.Contains(Severities, a.Severity), "severity", "error.option_unknown", map[string]any{"Value": a.Severity})
	if a.StartsAt != nil && a.EndsAt != nil {
		v.Check(a.EndsAt.After(*a.StartsAt), "ends_at", "error.ends_before_start", nil)
	}
	v.Check(a.AllSites || len(a.SiteIDs) > 0, "site_ids", "error.required", nil)
	texts := map[string]AnnouncementText{}
	for l, tx := range a.Texts {
		tx.Title, tx.Body = strings.TrimSpace(tx.Title), strings.TrimSpace(tx.Body)
		if tx.Title == "" && tx.Body == "" {
			continue
		}
		field := "translations." + l
		v.Check(IsLocale(l), field, "error.locale_unknown", map[string]any{"Locale": l})
		v.Check(tx.Title != "", field+".title", "error.required", nil)
		v.Check(utf8.RuneCountInString(tx.Title) <= MaxAnnouncementTitle, field+".title", "error.too_long", map[string]any{"Max": MaxAnnouncementTitle})
		v.Check(utf8.RuneCountInString(tx.Body) <= MaxAnnouncementBody, field+".body", "error.too_long", map[string]any{"Max": MaxAnnouncementBody})
		texts[l] = tx
	}
	a.Texts = texts
	v.Check(len(texts) > 0, "title", "error.required", nil)
	if a.AllSites {
		a.SiteIDs = []int64{}
	}
	slices.Sort(a.SiteIDs)
	a.SiteIDs = slices.Compact(a.SiteIDs)
	return v.Err()
}

// RunningAt reports whether a is shown at t.
func (a *Announcement) RunningAt(t time.Time) bool {
	return (a.StartsAt == nil || !t.Before(*a.StartsAt)) && (a.EndsAt == nil || t.Before(*a.EndsAt))
}

// Text is the announcement in lang, else in fallback (the tenant's
// default), else in the first of the product's languages it has.
func (a *Announcement) Text(lang, fallback string) (AnnouncementText, string) {
	for _, l := range append([]string{lang, fallback}, Locales...) {
		if tx, ok := a.Texts[l]; ok {
			return tx, l
		}
	}
	return AnnouncementText{}, ""
}

// AnnouncementChange is what an admin sends: nil members stay as they are.
// Title and Body set the text of the tenant's default language;
// Translations set others (a language with an empty title and body is
// removed). A time sent as null is cleared.
type AnnouncementChange struct {
	Severity     *string                     `json:"severity"`
	Title        *string                     `json:"title"`
	Body         *string                     `json:"body"`
	StartsAt     Optional[time.Time]         `json:"starts_at"`
	EndsAt       Optional[time.Time]         `json:"ends_at"`
	AllSites     *bool                       `json:"all_sites"`
	SiteIDs      []int64                     `json:"site_ids"`
	Translations map[string]AnnouncementText `json:"translations"`
}

// Apply copies the change onto a; defaultLocale is where Title and Body go.
func (c AnnouncementChange) Apply(a *Announcement, defaultLocale string) {
	if c.Severity != nil {
		a.Severity = strings.TrimSpace(*c.Severity)
	}
	if a.Texts == nil {
		a.Texts = map[string]AnnouncementText{}
	}
	for l, tx := range c.Translations {
		a.Texts[l] = tx
	}
	if c.Title != nil || c.Body != nil {
		tx := a.Texts[defaultLocale]
		if c.Title != nil {
			tx.Title = *c.Title
		}
		if c.Body != nil {
			tx.Body = *c.Body
		}
		a.Texts[defaultLocale] = tx
	}
	c.StartsAt.Apply(&a.StartsAt)
	c.EndsAt.Apply(&a.EndsAt)
	if c.AllSites != nil {
		a.AllSites = *c.AllSites
	}
	if c.SiteIDs != nil {
		a.SiteIDs = c.SiteIDs
		if c.AllSites == nil {
			a.AllSites = len(c.SiteIDs) == 0
		}
	}
}

// AnnouncementStore keeps the context tenant's announcements.
type AnnouncementStore interface {
	// Announcements lists every announcement, newest start first.
	Announcements(ctx context.Context) ([]Announcement, error)
	// Announcement returns one, or KindNotFound.
	Announcement(ctx context.Context, id int64) (*Announcement, error)
	// SaveAnnouncement inserts (ID zero) or replaces a and its sites in
	// one transaction: KindNotFound for an unknown id or a site that is
	// not the tenant's.
	SaveAnnouncement(ctx context.Context, a *Announcement) error
	// DeleteAnnouncement removes one: KindNotFound.
	DeleteAnnouncement(ctx context.Context, id int64) error
	// RunningAnnouncements lists those running at now that reach any of
	// sites, most severe first, then newest.
	RunningAnnouncements(ctx context.Context, now time.Time, sites []int64) ([]Announcement, error)
}

// AnnouncementAdmin is what the admin console does with announcements.
type AnnouncementAdmin interface {
	Announcements(ctx context.Context) ([]Announcement, error)
	Announcement(ctx context.Context, id int64) (*Announcement, error)
	// CreateAnnouncement validates and saves a new one (severity info
	// when none is sent): KindUnprocessable, KindNotFound (a site).
	CreateAnnouncement(ctx context.Context, c AnnouncementChange) (*Announcement, error)
	// UpdateAnnouncement applies c: KindNotFound, KindUnprocessable.
	UpdateAnnouncement(ctx context.Context, id int64, c AnnouncementChange) (*Announcement, error)
	DeleteAnnouncement(ctx context.Context, id int64) error
}

// ShownAnnouncement is a running announcement in the reader's language.
type ShownAnnouncement struct {
	ID       int64
	Severity string
	Title    string
	Body     string // Markdown
	Lang     string // the language of Title and Body
	EndsAt   *time.Time
}

// AnnouncementReader shows contacts what runs for their sites.
type AnnouncementReader interface {
	// RunningFor lists the announcements running now for p's sites
	// (none for anyone but a contact), in lang where they have it.
	RunningFor(ctx context.Context, p *Principal, lang string) ([]ShownAnnouncement, error)
}
