package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.WebhookStore = (*Store)(nil)

// webhookSecretAAD binds a sealed secret to its endpoint's tenant.
func webhookSecretAAD(tenantID int64) string { return fmt.Sprintf("webhook\x00%d", tenantID) }

// WebhookEndpoints implements svcportal.WebhookStore.
func (s *Store) WebhookEndpoints(ctx context.Context) ([]svcportal.WebhookEndpoint, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.WebhookEndpoint{}
	err = s.db.NewSelect().Model(&out).Where("tenant_id = ?", tid).Order("id").Scan(ctx)
	return out, err
}

// WebhookEndpoint implements svcportal.WebhookStore.
func (s *Store) WebhookEndpoint(ctx context.Context, id int64) (*svcportal.WebhookEndpoint, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var out []svcportal.WebhookEndpoint
	if err := s.db.NewSelect().Model(&out).Where("tenant_id = ? AND id = ?", tid, id).Scan(ctx); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &out[0], nil
}

// CreateWebhookEndpoint implements svcportal.WebhookStore; e.Secret is
// stored sealed and left plain in e.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *svcportal.WebhookEndpoint) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	e.TenantID, e.CreatedAt, e.UpdatedAt = tid, now, now
	row := *e
	row.Secret = s.seal.Seal(e.Secret, webhookSecretAAD(tid))
	if _, err := s.w.NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	e.ID = row.ID
	return nil
}

// UpdateWebhookEndpoint implements svcportal.WebhookStore (not the secret).
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e *svcportal.WebhookEndpoint) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	e.UpdatedAt = s.now().UTC()
	res, err := s.w.NewUpdate().Model(e).Column("url", "events", "include_internal", "enabled", "failures", "disabled_reason", "updated_at").
		Where("tenant_id = ? AND id = ?", tid, e.ID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return svcportal.ErrNotFound()
	}
	return nil
}

// DeleteWebhookEndpoint implements svcportal.WebhookStore; its deliveries
// and their log go with it.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*svcportal.WebhookAttempt)(nil)).
			Where("delivery_id IN (SELECT id FROM webhook_deliveries WHERE tenant_id = ? AND endpoint_id = ?)", tid, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*svcportal.WebhookDelivery)(nil)).Where("tenant_id = ? AND endpoint_id = ?", tid, id).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*svcportal.WebhookEndpoint)(nil)).Where("tenant_id = ? AND id = ?", tid, id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return nil
	})
}

// WebhookDeliveries implements svcportal.WebhookStore.
func (s *Store) WebhookDeliveries(ctx context.Context, endpointID int64, limit int) ([]svcportal.WebhookDelivery, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.WebhookDelivery{}
	if err := s.db.NewSelect().Model(&out).Where("tenant_id = ? AND endpoint_id = ?", tid, endpointID).
		Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Log = []svcportal.WebhookAttempt{}
		if err := s.db.NewSelect().Model(&out[i].Log).Where("delivery_id = ?", out[i].ID).Order("id").Scan(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertWebhookDeliveries writes the webhook events of a change to t into
// the outbox, one row per event and endpoint that wants it, inside the
// change's transaction: the events exist exactly when the change does.
func (s *Store) insertWebhookDeliveries(ctx context.Context, tx bun.IDB, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	events := svcportal.WebhookEventsOf(t, c)
	if len(events) == 0 {
		return nil
	}
	var endpoints []svcportal.WebhookEndpoint
	p := s.params()
	if err := scanBound(ctx, tx, tx.NewSelect().Model(&endpoints).Where("tenant_id = ? AND enabled = ?", p.v(t.TenantID), p.v(true)).String(), p, &endpoints); err != nil {
		return fmt.Errorf("webhook endpoints: %w", err)
	}
	for _, ev := range events {
		for _, ep := range endpoints {
			if !ep.Wants(ev.Type) || ev.Internal && !ep.IncludeInternal {
				continue
			}
			payload, err := json.Marshal(map[string]any{"type": ev.Type, "timestamp": now.UTC(), "data": ev.Data})
			if err != nil {
				return err
			}
			d := &svcportal.WebhookDelivery{TenantID: t.TenantID, EndpointID: ep.ID, Event: ev.Type, MsgID: newWebhookID(),
				Payload: string(payload), Status: svcportal.WebhookPending, NextAttemptAt: now, CreatedAt: now}
			if err := s.insertRow(ctx, tx, d); err != nil {
				return fmt.Errorf("insert webhook delivery: %w", err)
			}
		}
	}
	return nil
}

func newWebhookID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("store: no randomness: %v", err))
	}
	return "msg_" + hex.EncodeToString(b)
}

// ClaimDueWebhooks implements svcportal.WebhookStore, as ClaimDueEmails
// does: FOR UPDATE SKIP LOCKED on PostgreSQL, the writer's lock on SQLite.
func (s *Store) ClaimDueWebhooks(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]svcportal.WebhookClaim, error) {
	now = now.UTC()
	var out []svcportal.WebhookClaim
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		out = out[:0]
		var ids []int64
		q := tx.NewSelect().Model((*svcportal.WebhookDelivery)(nil)).Column("id").
			Where("status = ?", svcportal.WebhookPending).Where("next_attempt_at <= ?", now).
			Where("(lease_until IS NULL OR lease_until <= ?)", now).Order("next_attempt_at", "id").Limit(int64(limit))
		if s.dialect == Postgres {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return fmt.Errorf("select due webhooks: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*svcportal.WebhookDelivery)(nil)).Set("lease_until = ?", now.Add(lease)).
			Set("attempts = attempts + 1").Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return err
		}
		var ds []svcportal.WebhookDelivery
		if err := tx.NewSelect().Model(&ds).Where("id IN (?)", bun.In(ids)).Order("next_attempt_at", "id").Scan(ctx); err != nil {
			return err
		}
		for _, d := range ds {
			var c svcportal.WebhookClaim
			c.Delivery = d
			if err := tx.NewSelect().Model(&c.Endpoint).Where("id = ?", d.EndpointID).Scan(ctx); err != nil {
				return err
			}
			if err := tx.NewSelect().Model(&c.Tenant).Where("id = ?", d.TenantID).Scan(ctx); err != nil {
				return err
			}
			secret, err := s.seal.Open(c.Endpoint.Secret, webhookSecretAAD(d.TenantID))
			if err != nil || !c.Endpoint.Enabled {
				// Off, or a secret that no longer opens: never sent.
				reason := "endpoint disabled"
				if err != nil {
					reason = err.Error()
				}
				if _, err := tx.NewUpdate().Model((*svcportal.WebhookDelivery)(nil)).Set("status = ?, last_error = ?, lease_until = NULL", svcportal.WebhookFailed, reason).
					Where("id = ?", d.ID).Exec(ctx); err != nil {
					return err
				}
				continue
			}
			c.Endpoint.Secret = secret
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// RecordWebhookAttempt implements svcportal.WebhookStore.
func (s *Store) RecordWebhookAttempt(ctx context.Context, d *svcportal.WebhookDelivery, a svcportal.WebhookAttempt, status string, next time.Time) (int, error) {
	failures := 0
	err := s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a.TenantID, a.DeliveryID, a.At = d.TenantID, d.ID, a.At.UTC()
		if _, err := tx.NewInsert().Model(&a).Exec(ctx); err != nil {
			return err
		}
		q := tx.NewUpdate().Model((*svcportal.WebhookDelivery)(nil)).Set("status = ?, last_error = ?, lease_until = NULL", status, a.Error).Where("id = ?", d.ID)
		switch status {
		case svcportal.WebhookDelivered:
			q = q.Set("delivered_at = ?", a.At)
		case svcportal.WebhookPending:
			q = q.Set("next_attempt_at = ?", next.UTC())
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		u := tx.NewUpdate().Model((*svcportal.WebhookEndpoint)(nil)).Where("id = ?", d.EndpointID).Returning("failures")
		if status == svcportal.WebhookDelivered {
			u = u.Set("failures = 0")
		} else {
			u = u.Set("failures = failures + 1")
		}
		return u.Scan(ctx, &failures)
	})
	return failures, err
}

// DisableWebhookEndpoint implements svcportal.WebhookStore.
func (s *Store) DisableWebhookEndpoint(ctx context.Context, id int64, reason string, emails []*svcportal.OutboundEmail) (bool, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	off := false
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*svcportal.WebhookEndpoint)(nil)).Set("enabled = ?, disabled_reason = ?, updated_at = ?", false, reason, s.now().UTC()).
			Where("tenant_id = ? AND id = ? AND enabled = ?", tid, id, true).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		off = true
		return s.insertEmails(ctx, tx, s.now(), emails...)
	})
	return off, err
}
