package svcportal

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Tenant is one MSP: its identity, branding and portal settings. bun tags
// describe its row; Domains and the has-asset flags come from other tables.
type Tenant struct {
	ID             int64     `bun:"id,pk,autoincrement" json:"id"`
	Slug           string    `bun:"slug,notnull" json:"slug"`
	Name           string    `bun:"name,notnull" json:"name"`
	PrimaryColor   string    `bun:"primary_color,notnull" json:"primary_color"`
	AccentColor    string    `bun:"accent_color,notnull" json:"accent_color"`
	Footer         string    `bun:"footer,notnull" json:"footer"`
	DefaultLocale  string    `bun:"default_locale,notnull" json:"default_locale"`
	EnabledLocales []string  `bun:"enabled_locales,notnull,type:text" json:"enabled_locales"`
	TicketTypes    []string  `bun:"ticket_types,notnull,type:text" json:"ticket_types"`
	AutoCloseDays  int       `bun:"auto_close_days,notnull" json:"auto_close_days"`
	MaxUploadMB    int       `bun:"max_upload_mb,notnull" json:"max_upload_mb"`
	CreatedAt      time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at,notnull" json:"updated_at"`
	// DisabledAt is when the platform operator disabled the tenant (nil:
	// enabled): its hosts answer 404 and its jobs skip it.
	DisabledAt *time.Time `bun:"disabled_at" json:"-"`

	Domains []string `bun:"-" json:"domains"` // custom hostnames, lower case
	// WelcomeEmail is the tenant's own welcome text per locale (Markdown;
	// empty: the product's text).
	WelcomeEmail map[string]string `bun:"welcome_email,notnull,type:text" json:"welcome_email"`
	// KBPublic lets anonymous visitors read the articles enabled for all
	// sites.
	KBPublic bool `bun:"kb_public,notnull" json:"kb_public"`
	// TimeZone is the IANA zone of the service hours and of dates shown
	// to readers who chose none.
	TimeZone     string       `bun:"time_zone,notnull" json:"time_zone"`
	ServiceHours ServiceHours `bun:"service_hours,notnull,type:text" json:"service_hours"`
	// TicketTypeDescriptions say what each ticket type is for, per type
	// and locale, on the portal's new-ticket form.
	TicketTypeDescriptions map[string]map[string]string `bun:"ticket_type_descriptions,notnull,type:text" json:"ticket_type_descriptions"`
	// MessagesVersion moves whenever the tenant's wording overrides
	// change, so every instance knows its cached wording is stale.
	MessagesVersion int64 `bun:"messages_version,notnull" json:"-"`

	// CacheVersion, on the tenant of a request, is the tenant's cache
	// version when the request began (TenantVersions): what was cached at
	// that version is current for the request. 0 when unknown (jobs, the
	// CLI): caches then ask the database.
	CacheVersion int64 `bun:"-" json:"-"`
}

// TenantVersions tells each tenant's cache version: a number that moves,
// in the same transaction, with every change to what the portal caches
// of a tenant in memory (the tenant and its hosts, branding assets, single
// sign-on, field
// policies, ticket fields, contacts, memberships, staff, ended sessions),
// so that every instance sees the change at its next request.
type TenantVersions interface {
	// TenantCacheVersion returns the tenant's cache version, or
	// KindNotFound for a tenant that no longer exists.
	TenantCacheVersion(ctx context.Context, tenantID int64) (int64, error)
}

// Defaults of a new tenant.
const (
	DefaultPrimaryColor  = "#1d4ed8"
	DefaultAccentColor   = "#0f766e"
	DefaultAutoCloseDays = 7
	DefaultMaxUploadMB   = 25
	DefaultTimeZone      = "UTC"
	// MaxWelcomeEmail is the length of a tenant's welcome text.
	MaxWelcomeEmail = 10000
	// MaxTypeDescription is the length of a ticket type's description.
	MaxTypeDescription = 300
)

// DefaultTicketTypes are offered on a new tenant's portal.
var DefaultTicketTypes = []string{"incident", "request", "question", "problem"}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)
	colorRE    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	hostnameRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$`)
)

// reservedSlugs would collide with hosts the platform may need itself.
var reservedSlugs = map[string]bool{"www": true, "admin": true, "api": true, "static": true, "mail": true}

// NewTenant returns a tenant with the platform defaults filled in.
func NewTenant(slug, name string) *Tenant {
	return &Tenant{
		Slug:                   strings.ToLower(strings.TrimSpace(slug)),
		Name:                   strings.TrimSpace(name),
		PrimaryColor:           DefaultPrimaryColor,
		AccentColor:            DefaultAccentColor,
		DefaultLocale:          "en",
		EnabledLocales:         append([]string(nil), Locales...),
		TicketTypes:            append([]string(nil), DefaultTicketTypes...),
		WelcomeEmail:           map[string]string{},
		AutoCloseDays:          DefaultAutoCloseDays,
		MaxUploadMB:            DefaultMaxUploadMB,
		TimeZone:               DefaultTimeZone,
		ServiceHours:           ServiceHours{Week: map[string][]Span{}, Holidays: []string{}, FirstResponse: map[string]int{}},
		TicketTypeDescriptions: map[string]map[string]string{},
	}
}

// Validate checks every field of t.
func (t *Tenant) Validate() error {
	var v Validation
	v.Check(slugRE.MatchString(t.Slug), "slug", "error.slug_format", nil)
	v.Check(!reservedSlugs[t.Slug], "slug", "error.slug_reserved", nil)
	v.Check(t.Name != "", "name", "error.required", nil)
	v.Check(utf8.RuneCountInString(t.Name) <= 100, "name", "error.too_long", map[string]any{"Max": 100})
	v.Check(colorRE.MatchString(t.PrimaryColor), "primary_color", "error.color_format", nil)
	v.Check(colorRE.MatchString(t.AccentColor), "accent_color", "error.color_format", nil)
	v.Check(utf8.RuneCountInString(t.Footer) <= 500, "footer", "error.too_long", map[string]any{"Max": 500})
	v.Check(len(t.EnabledLocales) > 0, "enabled_locales", "error.required", nil)
	for _, l := range t.EnabledLocales {
		v.Check(IsLocale(l), "enabled_locales", "error.locale_unknown", map[string]any{"Locale": l})
	}
	v.Check(IsLocale(t.DefaultLocale), "default_locale", "error.locale_unknown", map[string]any{"Locale": t.DefaultLocale})
	v.Check(t.LocaleEnabled(t.DefaultLocale), "default_locale", "error.default_locale_disabled", nil)
	v.Check(len(t.TicketTypes) > 0, "ticket_types", "error.required", nil)
	v.Check(t.AutoCloseDays >= 1 && t.AutoCloseDays <= 365, "auto_close_days", "error.range", map[string]any{"Min": 1, "Max": 365})
	v.Check(t.MaxUploadMB >= 1 && t.MaxUploadMB <= 1024, "max_upload_mb", "error.range", map[string]any{"Min": 1, "Max": 1024})
	for _, d := range t.Domains {
		v.Check(ValidHostname(d), "domains", "error.hostname_format", map[string]any{"Host": d})
	}
	for l, text := range t.WelcomeEmail {
		v.Check(IsLocale(l), "welcome_email", "error.locale_unknown", map[string]any{"Locale": l})
		v.Check(utf8.RuneCountInString(text) <= MaxWelcomeEmail, "welcome_email", "error.too_long", map[string]any{"Max": MaxWelcomeEmail})
	}
	v.Check(len(t.TicketTypes) <= 20, "ticket_types", "error.too_many", map[string]any{"Max": 20})
	for _, ty := range t.TicketTypes {
		v.Check(ValidFieldKey(ty), "ticket_types", "error.field_key_format", map[string]any{"Max": MaxFieldKeyLength})
	}
	v.Check(ValidTimeZone(t.TimeZone), "time_zone", "error.time_zone_unknown", map[string]any{"Zone": t.TimeZone})
	v.Merge(t.ServiceHours.Validate(), "")
	for ty, texts := range t.TicketTypeDescriptions {
		field := "ticket_type_descriptions." + ty
		v.Check(slices.Contains(t.TicketTypes, ty), field, "error.option_unknown", map[string]any{"Value": ty})
		for l, text := range texts {
			v.Check(IsLocale(l), field, "error.locale_unknown", map[string]any{"Locale": l})
			v.Check(utf8.RuneCountInString(text) <= MaxTypeDescription, field, "error.too_long", map[string]any{"Max": MaxTypeDescription})
		}
	}
	return v.Err()
}

// Location is the tenant's time zone (UTC when it names none).
func (t *Tenant) Location() *time.Location {
	if loc, err := time.LoadLocation(t.TimeZone); err == nil && t.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// TypeDescription is what ticket type ty is for, in lang, else in the
// tenant's default language, else "".
func (t *Tenant) TypeDescription(ty, lang string) string {
	texts := t.TicketTypeDescriptions[ty]
	if s := texts[lang]; s != "" {
		return s
	}
	return texts[t.DefaultLocale]
}

// LocaleEnabled reports whether the tenant's portal offers locale.
func (t *Tenant) LocaleEnabled(locale string) bool {
	for _, l := range t.EnabledLocales {
		if l == locale {
			return true
		}
	}
	return false
}

// ValidHostname reports whether h is a lower-case DNS name with a dot.
func ValidHostname(h string) bool {
	return len(h) <= 253 && hostnameRE.MatchString(h)
}

// Asset is a tenant's uploaded branding file (logo, favicon).
type Asset struct {
	TenantID    int64     `bun:"tenant_id,pk"`
	Kind        string    `bun:"kind,pk"` // AssetLogo or AssetFavicon
	ContentType string    `bun:"content_type,notnull"`
	Data        []byte    `bun:"data,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
}

// Kinds of tenant asset.
const (
	AssetLogo    = "logo"
	AssetFavicon = "favicon"
)

// TenantStore keeps tenants. Lookups by slug and domain take no tenant from
// the context: they are how a request finds its tenant.
type TenantStore interface {
	// CreateTenant inserts t, its domains and its first admin in one
	// transaction. KindConflict if the slug or a domain is taken.
	CreateTenant(ctx context.Context, t *Tenant, admin *Staff) error
	// TenantBySlug returns KindNotFound for an unknown slug.
	TenantBySlug(ctx context.Context, slug string) (*Tenant, error)
	// TenantByDomain returns the tenant owning a custom hostname, or KindNotFound.
	TenantByDomain(ctx context.Context, host string) (*Tenant, error)
	// UpdateTenant saves the context tenant's settings and replaces its
	// custom domains, in one transaction; KindConflict for a domain that
	// another tenant has.
	UpdateTenant(ctx context.Context, t *Tenant) error
	// Tenants lists every tenant, disabled ones included, by slug.
	Tenants(ctx context.Context) ([]Tenant, error)
	// SetTenantDisabled disables (at is the time) or enables (at nil) the
	// tenant with that slug: KindNotFound. An operator's act, outside any
	// tenant context.
	SetTenantDisabled(ctx context.Context, slug string, at *time.Time) error
	// TenantAsset returns the context tenant's asset of that kind, or KindNotFound.
	TenantAsset(ctx context.Context, kind string) (*Asset, error)
	// PutTenantAsset stores an asset for the context tenant.
	PutTenantAsset(ctx context.Context, a *Asset) error
}

// TenantSettings is what a tenant admin may change; nil or absent leaves
// a setting as it is.
type TenantSettings struct {
	Name           *string           `json:"name"`
	PrimaryColor   *string           `json:"primary_color"`
	AccentColor    *string           `json:"accent_color"`
	Footer         *string           `json:"footer"`
	Domains        []string          `json:"domains"`
	DefaultLocale  *string           `json:"default_locale"`
	EnabledLocales []string          `json:"enabled_locales"`
	TicketTypes    []string          `json:"ticket_types"`
	AutoCloseDays  *int              `json:"auto_close_days"`
	MaxUploadMB    *int              `json:"max_upload_mb"`
	WelcomeEmail   map[string]string `json:"welcome_email"`
	KBPublic       *bool             `json:"kb_public"`
	TimeZone       *string           `json:"time_zone"`
	ServiceHours   *ServiceHours     `json:"service_hours"`
	// TicketTypeDescriptions replaces every description: type → locale →
	// text (an empty text removes one).
	TicketTypeDescriptions map[string]map[string]string `json:"ticket_type_descriptions"`
}

// TenantAdmin is what the admin console does with its own tenant.
type TenantAdmin interface {
	// UpdateSettings applies s to the context tenant and returns it:
	// KindUnprocessable for invalid values, KindConflict for a domain of
	// another tenant.
	UpdateSettings(ctx context.Context, s TenantSettings) (*Tenant, error)
	// PutAsset stores the logo or favicon (an image of at most 1 MB;
	// KindUnprocessable otherwise).
	PutAsset(ctx context.Context, kind string, data []byte) error
	// PreviewWelcome renders the welcome email of locale (an enabled
	// language) as it would go out with text as the tenant's own words,
	// without saving anything: KindUnprocessable for a locale the portal
	// does not offer or a text too long.
	PreviewWelcome(ctx context.Context, by *Principal, locale, text string) (*OutboundEmail, error)
}
