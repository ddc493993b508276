// Package announcements keeps the notices a tenant admin posts to contacts
// (an incident, planned maintenance, news) and says which run for whom.
package announcements

import (
	"context"
	"time"

	"github.com/svcportal/svcportal"
)

var (
	_ svcportal.AnnouncementAdmin  = (*Service)(nil)
	_ svcportal.AnnouncementReader = (*Service)(nil)
)

// Service checks announcements and writes them; the store checks, in the
// same transaction, that their sites are the tenant's.
type Service struct {
	store svcportal.AnnouncementStore
	now   func() time.Time
}

// New returns a Service reading the time from now.
func New(store svcportal.AnnouncementStore, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Announcements implements svcportal.AnnouncementAdmin.
func (s *Service) Announcements(ctx context.Context) ([]svcportal.Announcement, error) {
	return s.store.Announcements(ctx)
}

// Announcement implements svcportal.AnnouncementAdmin.
func (s *Service) Announcement(ctx context.Context, id int64) (*svcportal.Announcement, error) {
	return s.store.Announcement(ctx, id)
}

// CreateAnnouncement implements svcportal.AnnouncementAdmin.
func (s *Service) CreateAnnouncement(ctx context.Context, c svcportal.AnnouncementChange) (*svcportal.Announcement, error) {
	a := &svcportal.Announcement{Severity: svcportal.SeverityInfo, AllSites: true}
	return a, s.save(ctx, a, c)
}

// UpdateAnnouncement implements svcportal.AnnouncementAdmin.
func (s *Service) UpdateAnnouncement(ctx context.Context, id int64, c svcportal.AnnouncementChange) (*svcportal.Announcement, error) {
	a, err := s.store.Announcement(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, s.save(ctx, a, c)
}

func (s *Service) save(ctx context.Context, a *svcportal.Announcement, c svcportal.AnnouncementChange) error {
	c.Apply(a, svcportal.TenantFrom(ctx).DefaultLocale)
	if err := a.Validate(); err != nil {
		return err
	}
	return s.store.SaveAnnouncement(ctx, a)
}

// DeleteAnnouncement implements svcportal.AnnouncementAdmin.
func (s *Service) DeleteAnnouncement(ctx context.Context, id int64) error {
	return s.store.DeleteAnnouncement(ctx, id)
}

// RunningFor implements svcportal.AnnouncementReader: a contact sees what
// runs for any site they belong to; no one else sees any.
func (s *Service) RunningFor(ctx context.Context, p *svcportal.Principal, lang string) ([]svcportal.ShownAnnouncement, error) {
	if p == nil || p.Contact == nil || len(p.Contact.Memberships) == 0 {
		return nil, nil
	}
	sites := make([]int64, len(p.Contact.Memberships))
	for i, m := range p.Contact.Memberships {
		sites[i] = m.SiteID
	}
	list, err := s.store.RunningAnnouncements(ctx, s.now(), sites)
	if err != nil {
		return nil, err
	}
	fallback := svcportal.TenantFrom(ctx).DefaultLocale
	out := make([]svcportal.ShownAnnouncement, 0, len(list))
	for _, a := range list {
		tx, l := a.Text(lang, fallback)
		out = append(out, svcportal.ShownAnnouncement{ID: a.ID, Severity: a.Severity, Title: tx.Title, Body: tx.Body, Lang: l, EndsAt: a.EndsAt})
	}
	return out, nil
}
