package svcportal

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Site is a client organisation of a tenant.
type Site struct {
	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID  int64     `bun:"tenant_id,notnull" json:"-"`
	Name      string    `bun:"name,notnull" json:"name"`
	KBEnabled bool      `bun:"kb_enabled,notnull" json:"kb_enabled"`
	CreatedAt time.Time `bun:"created_at,notnull" json:"created_at"`
}

// Validate trims and checks s.
func (s *Site) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	var v Validation
	v.Check(s.Name != "", "name", "error.required", nil)
	v.Check(utf8.RuneCountInString(s.Name) <= 200, "name", "error.too_long", map[string]any{"Max": 200})
	return v.Err()
}

// SiteStore keeps the sites of the context tenant.
type SiteStore interface {
	// CreateSite inserts s; KindConflict if the tenant has a site of that name.
	CreateSite(ctx context.Context, s *Site) error
	// Site returns KindNotFound for an id of another tenant.
	Site(ctx context.Context, id int64) (*Site, error)
	// SiteByName matches the name exactly, or returns KindNotFound.
	SiteByName(ctx context.Context, name string) (*Site, error)
	// Sites lists the tenant's sites by name.
	Sites(ctx context.Context) ([]Site, error)
	// UpdateSite saves s's name and knowledge-base flag; KindNotFound or
	// KindConflict.
	UpdateSite(ctx context.Context, s *Site) error
	// SiteImpact counts the site's tickets and contacts: KindNotFound.
	SiteImpact(ctx context.Context, id int64) (*SiteImpact, error)
	// DeleteSite removes a site and its memberships: KindNotFound;
	// KindConflict (error.site_has_tickets) while the site has tickets.
	DeleteSite(ctx context.Context, id int64) error
}

// SiteImpact is what deleting a site touches: its tickets (while there
// are any the site cannot be deleted) and its contacts' memberships of it
// (removed; the contacts stay).
type SiteImpact struct {
	Tickets  int `json:"tickets"`
	Contacts int `json:"contacts"`
}

// SiteChange is what an admin sets on a site; nil members stay as they
// are (a new site has the knowledge base enabled).
type SiteChange struct {
	Name      *string `json:"name"`
	KBEnabled *bool   `json:"kb_enabled"`
}

// Apply copies the change's set members onto s.
func (c SiteChange) Apply(s *Site) {
	if c.Name != nil {
		s.Name = *c.Name
	}
	if c.KBEnabled != nil {
		s.KBEnabled = *c.KBEnabled
	}
}

// SiteAdmin is what the admin console does with the tenant's sites.
type SiteAdmin interface {
	// Sites lists the tenant's sites by name.
	Sites(ctx context.Context) ([]Site, error)
	// Site is one site of the tenant, or KindNotFound.
	Site(ctx context.Context, id int64) (*Site, error)
	// CreateSite validates and saves a new site: KindUnprocessable,
	// KindConflict (name taken).
	CreateSite(ctx context.Context, c SiteChange) (*Site, error)
	// UpdateSite applies c to a site: KindNotFound, KindUnprocessable,
	// KindConflict.
	UpdateSite(ctx context.Context, id int64, c SiteChange) (*Site, error)
	// SiteImpact says what deleting the site would touch: KindNotFound.
	SiteImpact(ctx context.Context, id int64) (*SiteImpact, error)
	// DeleteSite removes a site and its memberships: KindNotFound;
	// KindConflict (error.site_has_tickets) while it has tickets.
	DeleteSite(ctx context.Context, id int64) error
}
