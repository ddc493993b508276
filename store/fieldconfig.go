package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.FieldConfigStore = (*Store)(nil)

// ChangeFieldConfig implements svcportal.FieldConfigStore. Every change of
// fields and policy rules runs here: the transaction first bumps the
// tenant's policy version, which locks that row, so two admins' changes
// of one tenant queue instead of each checking a state the other is about
// to change; then it applies the change, and check sees the live fields
// and rules as they will be committed.
func (s *Store) ChangeFieldConfig(ctx context.Context, c svcportal.FieldConfigChange, check svcportal.FieldConfigCheck) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := bumpPolicyVersion(ctx, tx, tid); err != nil {
			return err
		}
		if err := applyFieldConfig(ctx, tx, tid, c, now); err != nil {
			return err
		}
		if check == nil {
			return nil
		}
		fields, err := ticketFields(ctx, tx, tid, false)
		if err != nil {
			return err
		}
		rules, err := policyRules(ctx, tx, tid)
		if err != nil {
			return err
		}
		return check(fields, rules)
	})
}

// applyFieldConfig makes the one change c describes.
func applyFieldConfig(ctx context.Context, tx bun.Tx, tid int64, c svcportal.FieldConfigChange, now time.Time) error {
	switch {
	case c.CreateField != nil:
		return createTicketField(ctx, tx, tid, c.CreateField, now)
	case c.UpdateField != nil:
		return updateTicketField(ctx, tx, tid, c.UpdateField, now)
	case c.DeleteField != "":
		return deleteTicketField(ctx, tx, tid, c.DeleteField, now)
	case c.PutRule != nil:
		return putPolicyRule(ctx, tx, tid, *c.PutRule)
	case c.DeleteRule != nil:
		r := c.DeleteRule
		return deletePolicyRule(ctx, tx, tid, r.Role, r.SiteID, r.Field)
	}
	return fmt.Errorf("store: empty field configuration change")
}
