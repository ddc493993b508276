package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.AnnouncementStore = (*Store)(nil)

type announcementSite struct {
	bun.BaseModel  `bun:"table:announcement_sites"`
	AnnouncementID int64 `bun:"announcement_id,pk"`
	SiteID         int64 `bun:"site_id,pk"`
}

// Announcements implements svcportal.AnnouncementStore.
func (s *Store) Announcements(ctx context.Context) ([]svcportal.Announcement, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	list := []svcportal.Announcement{}
	if err := s.db.NewSelect().Model(&list).Where("tenant_id = ?", tid).
		OrderExpr("COALESCE(starts_at, created_at) DESC, id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list announcements: %w", err)
	}
	return list, loadAnnouncementSites(ctx, s.db, list)
}

// loadAnnouncementSites fills SiteIDs of each announcement of list.
func loadAnnouncementSites(ctx context.Context, db bun.IDB, list []svcportal.Announcement) error {
	ids := make([]int64, 0, len(list))
	for i := range list {
		list[i].SiteIDs = []int64{}
		if !list[i].AllSites {
			ids = append(ids, list[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []announcementSite
	if err := db.NewSelect().Model(&rows).Where("announcement_id IN (?)", bun.In(ids)).
		Order("announcement_id", "site_id").Scan(ctx); err != nil {
		return fmt.Errorf("announcement sites: %w", err)
	}
	for _, r := range rows {
		for i := range list {
			if list[i].ID == r.AnnouncementID {
				list[i].SiteIDs = append(list[i].SiteIDs, r.SiteID)
			}
		}
	}
	return nil
}

// Announcement implements svcportal.AnnouncementStore.
func (s *Store) Announcement(ctx context.Context, id int64) (*svcportal.Announcement, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return announcement(ctx, s.db, tid, id)
}

func announcement(ctx context.Context, db bun.IDB, tid, id int64) (*svcportal.Announcement, error) {
	list := []svcportal.Announcement{}
	if err := db.NewSelect().Model(&list).Where("tenant_id = ? AND id = ?", tid, id).Scan(ctx); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &list[0], loadAnnouncementSites(ctx, db, list)
}

// SaveAnnouncement implements svcportal.AnnouncementStore.
func (s *Store) SaveAnnouncement(ctx context.Context, a *svcportal.Announcement) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a.TenantID, a.UpdatedAt = tid, now
	for _, t := range []*time.Time{a.StartsAt, a.EndsAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if a.ID == 0 {
			a.CreatedAt = now
			if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
				return fmt.Errorf("insert announcement: %w", err)
			}
		} else {
			res, err := tx.NewUpdate().Model(a).Column("severity", "starts_at", "ends_at", "all_sites", "texts", "updated_at").
				Where("id = ? AND tenant_id = ?", a.ID, tid).Exec(ctx)
			if err != nil {
				return fmt.Errorf("update announcement %d: %w", a.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return svcportal.ErrNotFound()
			}
			if _, err := tx.NewDelete().Model((*announcementSite)(nil)).Where("announcement_id = ?", a.ID).Exec(ctx); err != nil {
				return err
			}
		}
		if a.AllSites {
			return nil
		}
		for _, sid := range a.SiteIDs {
			// site_id's foreign key would take another tenant's site.
			n, err := tx.NewSelect().Model((*svcportal.Site)(nil)).Where("id = ? AND tenant_id = ?", sid, tid).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return &svcportal.Error{Kind: svcportal.KindNotFound, MessageID: "error.site_not_found",
					Fields: map[string]svcportal.FieldError{"site_ids": {MessageID: "error.site_not_found"}}}
			}
			if _, err := tx.NewInsert().Model(&announcementSite{AnnouncementID: a.ID, SiteID: sid}).Exec(ctx); err != nil {
				return fmt.Errorf("announcement site: %w", err)
			}
		}
		return nil
	})
}

// DeleteAnnouncement implements svcportal.AnnouncementStore.
func (s *Store) DeleteAnnouncement(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	// Its sites go with it (ON DELETE CASCADE).
	res, err := s.w.NewDelete().Model((*svcportal.Announcement)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete announcement %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// RunningAnnouncements implements svcportal.AnnouncementStore.
func (s *Store) RunningAnnouncements(ctx context.Context, now time.Time, sites []int64) ([]svcportal.Announcement, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	list := []svcportal.Announcement{}
	q := s.db.NewSelect().Model(&list).Where("tenant_id = ?", tid).
		Where("starts_at IS NULL OR starts_at <= ?", now).
		Where("ends_at IS NULL OR ends_at > ?", now)
	if len(sites) > 0 {
		q = q.Where("all_sites = ? OR id IN (SELECT announcement_id FROM announcement_sites WHERE site_id IN (?))", true, bun.In(sites))
	} else {
		q = q.Where("all_sites = ?", true)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("running announcements: %w", err)
	}
	rank := func(a svcportal.Announcement) int { return -slices.Index(svcportal.Severities, a.Severity) }
	slices.SortStableFunc(list, func(a, b svcportal.Announcement) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return list, loadAnnouncementSites(ctx, s.db, list)
}
