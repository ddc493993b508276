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

// ticketSites answers the sites of the tickets the contact may see, as
// the store's ContactTicketSites does, cached per contact (tenantcache).
// The answer only changes with the contact's memberships, which move the
// tenant's cache version: a contact opens tickets in their own sites,
// which the answer already holds, and keeps those of a site they leave.
func (s *Service) ticketSites(ctx context.Context, v svcportal.Viewer) ([]int64, error) {
	return s.siteCache.Get(ctx, v.ContactID, func(ctx context.Context) ([]int64, error) {
		return s.st.ContactTicketSites(ctx, v)
	})
}
