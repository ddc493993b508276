package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.ContactStore = (*Store)(nil)

type contactSite struct {
	bun.BaseModel `bun:"table:contact_sites"`
	ContactID     int64  `bun:"contact_id,pk"`
	SiteID        int64  `bun:"site_id,pk"`
	Role          string `bun:"role"`
}

// CreateContact implements svcportal.ContactStore.
func (s *Store) CreateContact(ctx context.Context, c *svcportal.Contact) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.insertContact(ctx, tx, tid, c)
	})
}

// insertContact inserts c of tenant tid with its memberships.
func (s *Store) insertContact(ctx context.Context, tx bun.IDB, tid int64, c *svcportal.Contact) error {
	now := s.now().UTC()
	c.TenantID, c.CreatedAt, c.UpdatedAt = tid, now, now
	if c.EmailVerifiedAt == nil {
		// Whoever creates a contact vouches for its address: an admin, an
		// import, single sign-on with a verified email.
		c.EmailVerifiedAt = &now
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return conflict("email", "error.email_taken", err)
		}
		return fmt.Errorf("insert contact: %w", err)
	}
	if err := insertMemberships(ctx, tx, tid, c.ID, c.Memberships); err != nil {
		return err
	}
	return s.loadMemberships(ctx, tx, c)
}

// Contact implements svcportal.ContactStore.
func (s *Store) Contact(ctx context.Context, id int64) (*svcportal.Contact, error) {
	return s.contactWhere(ctx, "id = ?", id)
}

// ContactByEmail implements svcportal.ContactStore.
func (s *Store) ContactByEmail(ctx context.Context, email string) (*svcportal.Contact, error) {
	return s.contactWhere(ctx, "email = ?", svcportal.NormalizeEmail(email))
}

func (s *Store) contactWhere(ctx context.Context, cond string, arg any) (*svcportal.Contact, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	c := new(svcportal.Contact)
	if err := s.db.NewSelect().Model(c).Where("tenant_id = ?", tid).Where(cond, arg).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return c, s.loadMemberships(ctx, s.db, c)
}

func (s *Store) loadMemberships(ctx context.Context, db bun.IDB, c *svcportal.Contact) error {
	c.Memberships = []svcportal.Membership{}
	return db.NewSelect().
		TableExpr("contact_sites AS cs").
		Join("JOIN sites AS s ON s.id = cs.site_id").
		ColumnExpr("cs.site_id, s.name AS site_name, cs.role").
		Where("cs.contact_id = ?", c.ID).
		OrderExpr("s.name").
		Scan(ctx, &c.Memberships)
}

// UpdateContact implements svcportal.ContactStore.
func (s *Store) UpdateContact(ctx context.Context, c *svcportal.Contact) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return updateContact(ctx, s.w, tid, s.now(), c)
}

// updateContact saves c's row (not its password or memberships).
func updateContact(ctx context.Context, db bun.IDB, tid int64, now time.Time, c *svcportal.Contact) error {
	c.UpdatedAt = now.UTC()
	res, err := db.NewUpdate().Model(c).
		Column("email", "first_name", "last_name", "job_title", "phone", "locale", "time_zone", "must_change_password", "disabled",
			"updated_at", "email_verified_at").
		Where("id = ? AND tenant_id = ?", c.ID, tid).Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return conflict("email", "error.email_taken", err)
		}
		return fmt.Errorf("update contact %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// SetPassword implements svcportal.ContactStore.
func (s *Store) SetPassword(ctx context.Context, kind string, id int64, hash, keepSessionID string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return setPassword(ctx, tx, tid, kind, id, hash, keepSessionID, s.now())
	})
}

// setPassword stores a principal's password hash, clears a contact's
// must-change-password flag and ends their sessions but keepSessionID.
func setPassword(ctx context.Context, tx bun.IDB, tid int64, kind string, id int64, hash, keepSessionID string, now time.Time) error {
	q := tx.NewUpdate().Set("password_hash = ?, updated_at = ?", hash, now.UTC()).
		Where("id = ? AND tenant_id = ?", id, tid)
	switch kind {
	case svcportal.PrincipalContact:
		q = q.Table("contacts").Set("must_change_password = ?", false)
	case svcportal.PrincipalStaff:
		q = q.Table("staff").Set("must_change_password = ?", false)
	default:
		return fmt.Errorf("set password: unknown principal kind %q", kind)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return deleteSessionsOf(ctx, tx, tid, kind, id, keepSessionID)
}

// insertMemberships adds memberships after checking that each site is the
// tenant's own: a foreign key alone would accept another tenant's site id.
func insertMemberships(ctx context.Context, tx bun.IDB, tid, contactID int64, ms []svcportal.Membership) error {
	for _, m := range ms {
		n, err := tx.NewSelect().Model((*svcportal.Site)(nil)).
			Where("id = ? AND tenant_id = ?", m.SiteID, tid).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return svcportal.FieldErr(svcportal.KindNotFound, "site_id", "error.site_not_found", nil)
		}
		if _, err := tx.NewInsert().Model(&contactSite{ContactID: contactID, SiteID: m.SiteID, Role: m.Role}).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return conflict("site_id", "error.membership_twice", err)
			}
			return fmt.Errorf("insert membership: %w", err)
		}
	}
	return nil
}

// SetMemberships implements svcportal.ContactStore.
func (s *Store) SetMemberships(ctx context.Context, contactID int64, ms []svcportal.Membership) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*svcportal.Contact)(nil)).Where("id = ? AND tenant_id = ?", contactID, tid).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return svcportal.ErrNotFound()
		}
		if _, err := tx.NewDelete().Model((*contactSite)(nil)).Where("contact_id = ?", contactID).Exec(ctx); err != nil {
			return err
		}
		return insertMemberships(ctx, tx, tid, contactID, ms)
	})
}

// Contacts implements svcportal.ContactStore.
func (s *Store) Contacts(ctx context.Context, f svcportal.ContactFilter) ([]svcportal.Contact, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	contacts := []svcportal.Contact{}
	q := s.db.NewSelect().Model(&contacts).Where("tenant_id = ?", tid)
	if f.SiteID != 0 {
		q = q.Where("id IN (SELECT contact_id FROM contact_sites WHERE site_id = ?)", f.SiteID)
	}
	if term := strings.ToLower(strings.TrimSpace(f.Query)); term != "" {
		like := "%" + escapeLike(term) + "%"
		q = q.Where("(email LIKE ? ESCAPE '\\' OR LOWER(first_name || ' ' || last_name) LIKE ? ESCAPE '\\')", like, like)
	}
	total, err := q.Order("email").Limit(int64(f.PerPage)).Offset(int64((f.Page - 1) * f.PerPage)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	for i := range contacts {
		if err := s.loadMemberships(ctx, s.db, &contacts[i]); err != nil {
			return nil, 0, err
		}
	}
	return contacts, int(total), nil
}

// escapeLike makes s match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// SaveContact implements svcportal.ContactStore.
func (s *Store) SaveContact(ctx context.Context, c *svcportal.Contact, ms []svcportal.Membership, endSessions bool) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.saveContact(ctx, tx, tid, c, ms, endSessions)
	})
}

// saveContact writes c's row, replaces its memberships when ms is not nil
// and ends its sessions when endSessions.
func (s *Store) saveContact(ctx context.Context, tx bun.IDB, tid int64, c *svcportal.Contact, ms []svcportal.Membership, endSessions bool) error {
	if err := updateContact(ctx, tx, tid, s.now(), c); err != nil {
		return err
	}
	if ms != nil {
		if _, err := tx.NewDelete().Model((*contactSite)(nil)).Where("contact_id = ?", c.ID).Exec(ctx); err != nil {
			return err
		}
		if err := insertMemberships(ctx, tx, tid, c.ID, ms); err != nil {
			return err
		}
	}
	if endSessions {
		if err := deleteSessionsOf(ctx, tx, tid, svcportal.PrincipalContact, c.ID, ""); err != nil {
			return err
		}
	}
	return s.loadMemberships(ctx, tx, c)
}

// UpsertContactByEmail implements svcportal.ContactStore.
func (s *Store) UpsertContactByEmail(ctx context.Context, create *svcportal.Contact, update func(*svcportal.Contact) (bool, error),
	link *svcportal.PasswordLink, msg *svcportal.OutboundEmail) (created, changed bool, err error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return false, false, err
	}
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		created, changed = false, false
		c := new(svcportal.Contact)
		q := tx.NewSelect().Model(c).Where("tenant_id = ? AND email = ?", tid, svcportal.NormalizeEmail(create.Email))
		if s.dialect == Postgres {
			q = q.For("UPDATE")
		}
		switch err := q.Scan(ctx); {
		case errors.Is(err, sql.ErrNoRows):
			if err := s.insertContact(ctx, tx, tid, create); err != nil {
				return err
			}
			created, changed = true, true
			if link != nil {
				link.ContactID = create.ID
				return s.insertPasswordLink(ctx, tx, tid, link, msg)
			}
			return nil
		case err != nil:
			return err
		}
		if err := s.loadMemberships(ctx, tx, c); err != nil {
			return err
		}
		before := slices.Clone(c.Memberships)
		ch, err := update(c)
		if err != nil || !ch {
			return err
		}
		changed = true
		var ms []svcportal.Membership
		if !slices.EqualFunc(before, c.Memberships, func(a, b svcportal.Membership) bool { return a.SiteID == b.SiteID && a.Role == b.Role }) {
			ms = c.Memberships
		}
		*create = *c
		return s.saveContact(ctx, tx, tid, create, ms, false)
	})
	return created, changed, err
}

// ContactImpact implements svcportal.ContactStore.
func (s *Store) ContactImpact(ctx context.Context, id int64) (*svcportal.ContactImpact, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if err := contactExists(ctx, s.db, tid, id); err != nil {
		return nil, err
	}
	im := new(svcportal.ContactImpact)
	if im.Tickets, err = requestedTickets(ctx, s.db, tid, id); err != nil {
		return nil, err
	}
	replies, err := s.db.NewSelect().TableExpr("ticket_messages AS m").
		Join("JOIN tickets AS t ON t.id = m.ticket_id").
		Where("m.tenant_id = ? AND m.author_kind = ? AND m.author_id = ? AND t.requester_id <> ?", tid, svcportal.PrincipalContact, id, id).
		Count(ctx)
	im.Replies = int(replies)
	return im, err
}

// requestedTickets counts the tickets a contact is the requester of.
func requestedTickets(ctx context.Context, db bun.IDB, tid, contactID int64) (int, error) {
	n, err := db.NewSelect().TableExpr("tickets").Where("tenant_id = ? AND requester_id = ?", tid, contactID).Count(ctx)
	return int(n), err
}

// DeleteContact implements svcportal.ContactStore.
func (s *Store) DeleteContact(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Counted inside the transaction, so a ticket opened meanwhile is
		// seen (and the foreign key would refuse the delete anyway).
		n, err := requestedTickets(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return &svcportal.Error{Kind: svcportal.KindConflict, MessageID: "error.contact_has_tickets", Data: map[string]any{"Count": n}}
		}
		// Their votes go with them (the foreign key cascades): the
		// articles they voted on count theirs again.
		var voted []int64
		if err := tx.NewSelect().TableExpr("kb_votes").Column("article_id").Where("contact_id = ?", id).Scan(ctx, &voted); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*svcportal.Contact)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		for _, article := range voted {
			if _, err := s.recountVotes(ctx, tx, tid, article); err != nil {
				return err
			}
		}
		return deleteSessionsOf(ctx, tx, tid, svcportal.PrincipalContact, id, "")
	})
}
