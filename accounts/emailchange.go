package accounts

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/svcportal/svcportal"
)

// limitEmailChange bounds the requests of one contact, each of which
// mails two addresses.
var limitEmailChange = limit{5, time.Hour}

// takeEmailChange counts one email-change request of the contact, or says
// it is one too many.
func (s *Service) takeEmailChange(ctx context.Context, contactID int64) error {
	t := svcportal.TenantFrom(ctx)
	now := s.now()
	ok, retryAt, err := s.st.Take(ctx, []svcportal.ThrottleLimit{{Key: fmt.Sprintf("email-change:%d:%d", t.ID, contactID),
		Max: limitEmailChange.Max, Window: limitEmailChange.Window}}, now)
	if err != nil {
		return err
	}
	if !ok {
		return &svcportal.Error{Kind: svcportal.KindTooManyRequests, MessageID: "error.too_many_requests",
			RetryAfter: retryAt.Sub(now).Round(time.Second)}
	}
	return nil
}

// requestEmailChange stores a request to change c's address to newEmail
// and mails it: the link to the new address, or, when another contact of
// the tenant uses it, a notice that someone tried (with a token that is
// never sent); and a notice to the current address. Both cases write and
// send the same, and c comes back with PendingEmail set either way, so the
// answer does not tell which addresses are contacts.
func (s *Service) requestEmailChange(ctx context.Context, actor *svcportal.Principal, c *svcportal.Contact, newEmail string) error {
	t := svcportal.TenantFrom(ctx)
	if s.mailer == nil || s.url == nil {
		return errNotConfigured
	}
	other, err := s.st.ContactByEmail(ctx, newEmail)
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	taken := other != nil && other.ID != c.ID
	token := randomToken(32)
	req := svcportal.EmailRequest{Kind: svcportal.EmailChangeConfirm, To: newEmail, ToName: c.DisplayName(), Locale: c.Locale,
		Data: map[string]any{"Link": s.url(t) + "/confirm-email?token=" + url.QueryEscape(token),
			"ExpiresHours": int(svcportal.EmailChangeTTL / time.Hour)}}
	if taken {
		req = svcportal.EmailRequest{Kind: svcportal.EmailChangeTaken, To: newEmail, Locale: other.Locale, Data: map[string]any{}}
	}
	toNew, err := s.mailer.RenderEmail(ctx, t, req)
	if err != nil {
		return err
	}
	toOld, err := s.mailer.RenderEmail(ctx, t, svcportal.EmailRequest{Kind: svcportal.EmailChangeNotice, To: c.Email,
		ToName: c.DisplayName(), Locale: c.Locale, Data: map[string]any{"NewEmail": newEmail}})
	if err != nil {
		return err
	}
	ec := &svcportal.EmailChange{ContactID: c.ID, NewEmail: newEmail, TokenHash: HashToken(token),
		ExpiresAt: s.now().Add(svcportal.EmailChangeTTL)}
	if err := s.st.CreateEmailChange(ctx, ec, toNew, toOld); err != nil {
		return err
	}
	detail := "link sent"
	if taken {
		detail = "address used by another contact"
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: actor.Kind, ActorID: subjectID(actor), Action: svcportal.AuditEmailChangeAsked,
		Email: c.Email, IP: ipOf(actor), Detail: "to " + newEmail + ": " + detail})
	c.PendingEmail = newEmail
	return nil
}

// CheckEmailChangeLink implements svcportal.AccountService.
func (s *Service) CheckEmailChangeLink(ctx context.Context, token string) error {
	if token == "" {
		return svcportal.ErrInvalidEmailLink()
	}
	_, err := s.st.EmailChangeByToken(ctx, HashToken(token), s.now())
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return svcportal.ErrInvalidEmailLink()
	}
	return err
}

// ConfirmEmailChange implements svcportal.AccountService.
func (s *Service) ConfirmEmailChange(ctx context.Context, token, ip string) (*svcportal.Contact, error) {
	if token == "" {
		return nil, svcportal.ErrInvalidEmailLink()
	}
	c, err := s.st.ConfirmEmailChange(ctx, HashToken(token), s.now())
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return nil, svcportal.ErrInvalidEmailLink()
	} else if err != nil {
		return nil, err
	}
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: svcportal.PrincipalContact, ActorID: c.ID, Action: svcportal.AuditEmailChanged,
		Email: c.Email, IP: ip, Detail: "link followed"})
	return c, nil
}
