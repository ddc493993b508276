package svcportal

import "context"

// MaxOverride is the length of a wording override.
const MaxOverride = 2000

// MessageEntry is one message of the product's catalogs in one language,
// with the tenant's override of it (nil when it has none).
type MessageEntry struct {
	ID       string  `json:"id"`
	Catalog  string  `json:"catalog"`
	Override *string `json:"override"`
}

// WordingStore keeps the context tenant's wording overrides.
type WordingStore interface {
	// MessageOverrides returns every override: locale → message id → text.
	MessageOverrides(ctx context.Context) (map[string]map[string]string, error)
	// PutMessageOverrides sets the overrides of locale that have a text
	// and removes those whose text is empty, and moves the tenant's
	// messages version, in one transaction.
	PutMessageOverrides(ctx context.Context, locale string, texts map[string]string) error
}

// WordingAdmin is what the admin console does with wording overrides.
type WordingAdmin interface {
	// Messages lists every message id with its catalog text in locale
	// and the tenant's override: KindUnprocessable for a locale the
	// product does not have.
	Messages(ctx context.Context, locale string) ([]MessageEntry, error)
	// PutMessages sets (or, with an empty text, removes) overrides of
	// locale: KindUnprocessable, each refused id named as a field, for an
	// unknown id, a text too long, or placeholders that differ from the
	// catalog's. Nothing is saved unless every text is right.
	PutMessages(ctx context.Context, locale string, texts map[string]string) error
}
