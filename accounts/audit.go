package accounts

import (
	"context"
	"slices"

	"github.com/svcportal/svcportal"
)

// AuditEntries implements svcportal.AuditLog.
func (s *Service) AuditEntries(ctx context.Context, f svcportal.AuditFilter) ([]svcportal.AuditEntry, int, error) {
	var v svcportal.Validation
	v.Check(f.Action == "" || slices.Contains(svcportal.AuditActions, f.Action), "action", "error.audit_action_unknown", nil)
	v.Check(f.From == nil || f.To == nil || !f.To.Before(*f.From), "to", "error.date_range", nil)
	v.Check(len(f.Email) <= 254, "email", "error.too_long", map[string]any{"Max": 254})
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	return s.st.AuditEntries(ctx, f)
}
