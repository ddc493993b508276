// Package webhooks holds the tenant's webhook endpoints (SPEC
// "Webhooks"): the admin service that registers them, and the worker that
// delivers the outbox the ticket changes fill, signed as the Standard
// Webhooks specification says, with retries, a log of every attempt and
// the endpoint turned off (and the admins told) after repeated failure.
// Endpoints that resolve to private, loopback, link-local or unspecified
// addresses are refused on every connection, redirects included, unless
// the installation allows them.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/svcportal/svcportal"
)

// Service implements svcportal.WebhookAdmin.
type Service struct {
	st           svcportal.WebhookStore
	allowPrivate bool
}

var _ svcportal.WebhookAdmin = (*Service)(nil)

// New returns the admin service; allowPrivate also accepts plain http
// URLs (PORTAL_WEBHOOK_ALLOW_PRIVATE).
func New(st svcportal.WebhookStore, allowPrivate bool) *Service {
	return &Service{st: st, allowPrivate: allowPrivate}
}

// Webhooks implements svcportal.WebhookAdmin.
func (s *Service) Webhooks(ctx context.Context) ([]svcportal.WebhookEndpoint, error) {
	return s.st.WebhookEndpoints(ctx)
}

// NewSecret returns a new "whsec_" secret of 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the OS is broken
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// CreateWebhook implements svcportal.WebhookAdmin.
func (s *Service) CreateWebhook(ctx context.Context, in svcportal.WebhookInput) (*svcportal.WebhookEndpoint, string, error) {
	var v svcportal.Validation
	e := &svcportal.WebhookEndpoint{Enabled: true}
	if in.URL == nil {
		v.Add("url", "error.required", nil)
	} else {
		e.URL = svcportal.CheckWebhookURL(&v, *in.URL, s.allowPrivate)
	}
	if in.Events == nil {
		in.Events = &svcportal.WebhookEventTypes
	}
	e.Events = svcportal.CheckWebhookEvents(&v, *in.Events)
	if in.IncludeInternal != nil {
		e.IncludeInternal = *in.IncludeInternal
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	e.Secret = secret
	if err := s.st.CreateWebhookEndpoint(ctx, e); err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// UpdateWebhook implements svcportal.WebhookAdmin.
func (s *Service) UpdateWebhook(ctx context.Context, id int64, in svcportal.WebhookInput) (*svcportal.WebhookEndpoint, error) {
	e, err := s.st.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	var v svcportal.Validation
	if in.URL != nil {
		e.URL = svcportal.CheckWebhookURL(&v, *in.URL, s.allowPrivate)
	}
	if in.Events != nil {
		e.Events = svcportal.CheckWebhookEvents(&v, *in.Events)
	}
	if in.IncludeInternal != nil {
		e.IncludeInternal = *in.IncludeInternal
	}
	if in.Enabled != nil {
		if *in.Enabled && !e.Enabled {
			e.Failures, e.DisabledReason = 0, ""
		}
		e.Enabled = *in.Enabled
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.st.UpdateWebhookEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteWebhook implements svcportal.WebhookAdmin.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	return s.st.DeleteWebhookEndpoint(ctx, id)
}

// WebhookDeliveries implements svcportal.WebhookAdmin.
func (s *Service) WebhookDeliveries(ctx context.Context, id int64) ([]svcportal.WebhookDelivery, error) {
	if _, err := s.st.WebhookEndpoint(ctx, id); err != nil {
		return nil, err
	}
	return s.st.WebhookDeliveries(ctx, id, 50)
}
