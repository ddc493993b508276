package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TicketFieldStore = (*Store)(nil)

// CreateTicketField implements svcportal.TicketFieldStore.
func (s *Store) CreateTicketField(ctx context.Context, f *svcportal.TicketField) error {
	return s.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{CreateField: f}, nil)
}

// UpdateTicketField implements svcportal.TicketFieldStore.
func (s *Store) UpdateTicketField(ctx context.Context, f *svcportal.TicketField) error {
	return s.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{UpdateField: f}, nil)
}

// DeleteTicketField implements svcportal.TicketFieldStore.
func (s *Store) DeleteTicketField(ctx context.Context, key string) error {
	return s.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{DeleteField: key}, nil)
}

func createTicketField(ctx context.Context, tx bun.IDB, tid int64, f *svcportal.TicketField, now time.Time) error {
	f.ID, f.TenantID, f.CreatedAt, f.UpdatedAt, f.DeletedAt = 0, tid, now, now, nil
	fillFieldCollections(f)
	if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return conflict("key", "error.field_key_taken", err)
		}
		return fmt.Errorf("insert ticket field %s: %w", f.Key, err)
	}
	return nil
}

func updateTicketField(ctx context.Context, tx bun.IDB, tid int64, f *svcportal.TicketField, now time.Time) error {
	fillFieldCollections(f)
	f.UpdatedAt = now
	res, err := tx.NewUpdate().Model(f).
		Column("labels", "options", "position", "required", "ticket_types", "updated_at").
		Where("tenant_id = ? AND key = ? AND deleted_at IS NULL", tid, f.Key).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update ticket field %s: %w", f.Key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	// The caller's ID, type and creation time are not trusted: reload.
	if err := tx.NewSelect().Model(f).Where("tenant_id = ? AND key = ?", tid, f.Key).Scan(ctx); err != nil {
		return err
	}
	fillFieldCollections(f)
	return nil
}

func deleteTicketField(ctx context.Context, tx bun.IDB, tid int64, key string, now time.Time) error {
	res, err := tx.NewUpdate().Model((*svcportal.TicketField)(nil)).
		Set("deleted_at = ?, updated_at = ?", now, now).
		Where("tenant_id = ? AND key = ? AND deleted_at IS NULL", tid, key).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete ticket field %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// TicketField implements svcportal.TicketFieldStore.
func (s *Store) TicketField(ctx context.Context, key string) (*svcportal.TicketField, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	f := new(svcportal.TicketField)
	if err := s.db.NewSelect().Model(f).
		Where("tenant_id = ? AND key = ? AND deleted_at IS NULL", tid, key).
		Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	fillFieldCollections(f)
	return f, nil
}

// TicketFields implements svcportal.TicketFieldStore.
func (s *Store) TicketFields(ctx context.Context, includeDeleted bool) ([]svcportal.TicketField, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return ticketFields(ctx, s.db, tid, includeDeleted)
}

func ticketFields(ctx context.Context, db bun.IDB, tid int64, includeDeleted bool) ([]svcportal.TicketField, error) {
	fields := []svcportal.TicketField{}
	q := db.NewSelect().Model(&fields).Where("tenant_id = ?", tid).Order("position", "key")
	if !includeDeleted {
		q = q.Where("deleted_at IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list ticket fields: %w", err)
	}
	for i := range fields {
		fillFieldCollections(&fields[i])
	}
	return fields, nil
}

// fillFieldCollections turns nil collections into empty ones: the columns
// are NOT NULL JSON, and callers range over them without nil checks.
func fillFieldCollections(f *svcportal.TicketField) {
	if f.Labels == nil {
		f.Labels = map[string]string{}
	}
	if f.Options == nil {
		f.Options = []svcportal.FieldOption{}
	}
	for i := range f.Options {
		if f.Options[i].Labels == nil {
			f.Options[i].Labels = map[string]string{}
		}
	}
	if f.TicketTypes == nil {
		f.TicketTypes = []string{}
	}
}
