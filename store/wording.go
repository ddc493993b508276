package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.WordingStore = (*Store)(nil)

type messageOverride struct {
	bun.BaseModel `bun:"table:message_overrides"`
	TenantID      int64     `bun:"tenant_id,pk"`
	Locale        string    `bun:"locale,pk"`
	MessageID     string    `bun:"message_id,pk"`
	Text          string    `bun:"text,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

// MessageOverrides implements svcportal.WordingStore.
func (s *Store) MessageOverrides(ctx context.Context) (map[string]map[string]string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var rows []messageOverride
	if err := s.db.NewSelect().Model(&rows).Column("locale", "message_id", "text").
		Where("tenant_id = ?", tid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read wording overrides: %w", err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows {
		if out[r.Locale] == nil {
			out[r.Locale] = map[string]string{}
		}
		out[r.Locale][r.MessageID] = r.Text
	}
	return out, nil
}

// PutMessageOverrides implements svcportal.WordingStore. The tenant's
// messages version moves in the same transaction, so no instance keeps
// the old wording past its next request.
func (s *Store) PutMessageOverrides(ctx context.Context, locale string, texts map[string]string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for id, text := range texts {
			if text == "" {
				if _, err := tx.NewDelete().Model((*messageOverride)(nil)).
					Where("tenant_id = ? AND locale = ? AND message_id = ?", tid, locale, id).Exec(ctx); err != nil {
					return fmt.Errorf("remove override %s/%s: %w", locale, id, err)
				}
				continue
			}
			row := &messageOverride{TenantID: tid, Locale: locale, MessageID: id, Text: text, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id, locale, message_id) DO UPDATE").
				Set("text = EXCLUDED.text, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
				return fmt.Errorf("save override %s/%s: %w", locale, id, err)
			}
		}
		_, err := tx.NewUpdate().Table("tenants").Set("messages_version = messages_version + 1").Where("id = ?", tid).Exec(ctx)
		return err
	})
}
