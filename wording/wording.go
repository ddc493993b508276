// Package wording lets a tenant admin override any message of the
// product's catalogs per language, e.g. "request" instead of "ticket". It
// checks each override against the catalog and saves it; locales.Wordings
// serves the overrides to pages and emails.
package wording

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

var _ svcportal.WordingAdmin = (*Service)(nil)

// Service checks and saves wording overrides.
type Service struct {
	store svcportal.WordingStore
}

// New returns a Service.
func New(store svcportal.WordingStore) *Service { return &Service{store: store} }

func checkLocale(locale string) error {
	var v svcportal.Validation
	v.Check(svcportal.IsLocale(locale), "locale", "error.locale_unknown", map[string]any{"Locale": locale})
	return v.Err()
}

// Messages implements svcportal.WordingAdmin.
func (s *Service) Messages(ctx context.Context, locale string) ([]svcportal.MessageEntry, error) {
	if err := checkLocale(locale); err != nil {
		return nil, err
	}
	over, err := s.store.MessageOverrides(ctx)
	if err != nil {
		return nil, err
	}
	ids := locales.IDs()
	out := make([]svcportal.MessageEntry, len(ids))
	for i, id := range ids {
		text, _ := locales.Text(locale, id)
		out[i] = svcportal.MessageEntry{ID: id, Catalog: text}
		if o, ok := over[locale][id]; ok {
			out[i].Override = &o
		}
	}
	return out, nil
}

// PutMessages implements svcportal.WordingAdmin.
func (s *Service) PutMessages(ctx context.Context, locale string, texts map[string]string) error {
	if err := checkLocale(locale); err != nil {
		return err
	}
	var v svcportal.Validation
	clean := make(map[string]string, len(texts))
	for id, text := range texts {
		text = strings.TrimSpace(text)
		clean[id] = text
		if text == "" {
			continue // removing an override always may be done, even of a message the catalogs dropped
		}
		if utf8.RuneCountInString(text) > svcportal.MaxOverride {
			v.Add(id, "error.too_long", map[string]any{"Max": svcportal.MaxOverride})
			continue
		}
		var pe *locales.PlaceholderError
		switch err := locales.CheckOverride(locale, id, text); {
		case errors.Is(err, locales.ErrUnknownMessage):
			v.Add(id, "error.message_unknown", map[string]any{"ID": id})
		case errors.As(err, &pe) && len(pe.Want) == 0:
			v.Add(id, "error.override_no_placeholders", nil)
		case errors.As(err, &pe):
			want := make([]string, len(pe.Want))
			for i, p := range pe.Want {
				want[i] = "{{." + p + "}}"
			}
			v.Add(id, "error.override_placeholders", map[string]any{"Want": strings.Join(want, " ")})
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if len(clean) == 0 {
		return nil
	}
	return s.store.PutMessageOverrides(ctx, locale, clean)
}

// Loader reads a tenant's overrides for locales.Wordings.
func Loader(store svcportal.WordingStore) locales.OverrideLoader {
	return func(ctx context.Context, tenantID int64) (map[string]map[string]string, error) {
		return store.MessageOverrides(svcportal.WithTenant(ctx, &svcportal.Tenant{ID: tenantID}))
	}
}
