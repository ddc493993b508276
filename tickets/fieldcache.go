package tickets

import (
	"context"

	"github.com/svcportal/svcportal"
)

// customFields returns the context tenant's live custom fields, read once
// per change of the tenant (tenantcache) instead of once per request.
// Callers must not change them.
func (s *Service) customFields(ctx context.Context) ([]svcportal.TicketField, error) {
	return s.fieldCache.Get(ctx, func(ctx context.Context) ([]svcportal.TicketField, error) {
		return s.st.TicketFields(ctx, false)
	})
}
