package accounts

import (
	"context"
	"fmt"

	"github.com/svcportal/svcportal"
)

var _ svcportal.ContactIdentityAdmin = (*Service)(nil)

// ContactIdentities implements svcportal.ContactIdentityAdmin. An
// identity's provider is named while it is still configured with the
// identity's issuer.
func (s *Service) ContactIdentities(ctx context.Context, contactID int64) ([]svcportal.ContactIdentity, error) {
	if _, err := s.st.Contact(ctx, contactID); err != nil {
		return nil, err
	}
	list, err := s.st.ContactIdentities(ctx, contactID)
	if err != nil {
		return nil, err
	}
	providers := map[int64]*ssoProvider{} // by site, 0 the tenant's; nil when none
	for i := range list {
		id := &list[i]
		p, ok := providers[id.SiteID]
		if !ok {
			p, err = s.loadProvider(ctx, id.SiteID)
			if svcportal.KindOf(err) == svcportal.KindNotFound {
				p = nil
			} else if err != nil {
				return nil, err
			}
			providers[id.SiteID] = p
		}
		if p != nil && p.Issuer == id.Issuer {
			id.Provider = p.Label
		}
	}
	return list, nil
}

// UnlinkIdentity implements svcportal.ContactIdentityAdmin.
func (s *Service) UnlinkIdentity(ctx context.Context, by *svcportal.Principal, contactID, id int64) error {
	list, err := s.ContactIdentities(ctx, contactID)
	if err != nil {
		return err
	}
	for _, ident := range list {
		if ident.ID != id {
			continue
		}
		key := "sub " + ident.Subject
		if ident.Entra() {
			key = fmt.Sprintf("tid %s, oid %s", ident.TID, ident.OID)
		}
		return s.st.UnlinkIdentity(ctx, contactID, id, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by),
			Action: svcportal.AuditSSOUnlinked, IP: ipOf(by), Detail: truncate(fmt.Sprintf("%s (%s)", ident.Issuer, key), 300)})
	}
	return svcportal.ErrNotFound()
}
