package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.InboundMessageStore = (*Store)(nil)

// inboundMessage is a Message-ID the tenant received, and what became of it.
type inboundMessage struct {
	bun.BaseModel `bun:"table:inbound_messages"`
	ID            int64     `bun:"id,pk,autoincrement"`
	TenantID      int64     `bun:"tenant_id,notnull"`
	MessageID     string    `bun:"message_id,notnull"`
	Sender        string    `bun:"sender,notnull"`
	Outcome       string    `bun:"outcome,notnull"`
	TicketNumber  int64     `bun:"ticket_number,notnull"`
	ReceivedAt    time.Time `bun:"received_at,notnull"`
}

// ClaimInboundMessage implements svcportal.InboundMessageStore. The unique
// (tenant, message id) key decides between two deliveries of one message
// at once: the second insert does nothing, and its caller gets false.
func (s *Store) ClaimInboundMessage(ctx context.Context, messageID, sender string) (bool, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	row := &inboundMessage{TenantID: tid, MessageID: messageID, Sender: sender, Outcome: "pending", ReceivedAt: s.now().UTC()}
	res, err := s.w.NewInsert().Model(row).On("CONFLICT (tenant_id, message_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim inbound message: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SettleInboundMessage implements svcportal.InboundMessageStore.
func (s *Store) SettleInboundMessage(ctx context.Context, messageID, outcome string, number int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().Model((*inboundMessage)(nil)).Set("outcome = ?, ticket_number = ?", outcome, number).
		Where("tenant_id = ? AND message_id = ?", tid, messageID).Exec(ctx)
	return err
}

// ReleaseInboundMessage implements svcportal.InboundMessageStore.
func (s *Store) ReleaseInboundMessage(ctx context.Context, messageID string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewDelete().Model((*inboundMessage)(nil)).Where("tenant_id = ? AND message_id = ?", tid, messageID).Exec(ctx)
	return err
}
