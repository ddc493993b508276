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

// applyFieldConfig makes the changes c describes, in its order.
func applyFieldConfig(ctx context.Context, tx bun.Tx, tid int64, c svcportal.FieldConfigChange, now time.Time) error {
	var steps []func() error
	if c.CreateField != nil {
		steps = append(steps, func() error { return createTicketField(ctx, tx, tid, c.CreateField, now) })
	}
	if c.UpdateField != nil {
		steps = append(steps, func() error { return updateTicketField(ctx, tx, tid, c.UpdateField, now) })
	}
	if c.DeleteField != "" {
		steps = append(steps, func() error { return deleteTicketField(ctx, tx, tid, c.DeleteField, now) })
	}
	rules := c.PutRules
	if c.PutRule != nil {
		rules = append([]svcportal.PolicyRule{*c.PutRule}, rules...)
	}
	for _, r := range rules {
		steps = append(steps, func() error { return putPolicyRule(ctx, tx, tid, r) })
	}
	if r := c.DeleteRule; r != nil {
		steps = append(steps, func() error { return deletePolicyRule(ctx, tx, tid, r.Role, r.SiteID, r.Field) })
	}
	if len(steps) == 0 {
		return fmt.Errorf("store: empty field configuration change")
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
