package accounts

import (
	"context"
	"fmt"

	"github.com/svcportal/svcportal"
)

// ExportContact implements svcportal.ContactAdmin. The texts are made
// safe for spreadsheets, since exports are often turned into CSV.
func (s *Service) ExportContact(ctx context.Context, by *svcportal.Principal, id int64) (*svcportal.ContactExport, error) {
	e, err := s.st.ContactExport(ctx, id)
	if err != nil {
		return nil, err
	}
	e.Neutralize()
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditContactExported,
		Email: e.Profile.Email, IP: ipOf(by), Detail: fmt.Sprintf("contact %d", id)})
	return e, nil
}

// EraseContact implements svcportal.ContactAdmin: the erasure and its
// audit entry are one transaction, so no erasure goes unrecorded; the
// entry names the contact by its placeholder address only.
func (s *Service) EraseContact(ctx context.Context, by *svcportal.Principal, id int64) error {
	return s.st.EraseContact(ctx, id, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by),
		Action: svcportal.AuditContactErased, IP: ipOf(by), Detail: fmt.Sprintf("contact %d", id)})
}

// notErased refuses to change or invite an erased contact: erasure is
// final, its row only keeps the place of its tickets and messages.
func notErased(c *svcportal.Contact) error {
	if c.ErasedAt != nil {
		return svcportal.NewError(svcportal.KindConflict, "error.contact_erased")
	}
	return nil
}
