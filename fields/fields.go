// Package fields is the admin side of custom ticket fields and the field
// policies that say, per portal role and site, whether clients may edit,
// only view or not see each field. Each method checks and writes in one
// transaction (svcportal.FieldConfigStore), so two admins at once cannot
// leave a required field that some role cannot fill in. It implements
// svcportal.FieldAdmin; the console and the admin API only parse and
// render.
package fields

import (
	"context"
	"slices"
	"strings"

	"github.com/svcportal/svcportal"
)

// Store is what the service needs from the database.
type Store interface {
	svcportal.FieldConfigStore
	TicketField(ctx context.Context, key string) (*svcportal.TicketField, error)
	TicketFields(ctx context.Context, includeDeleted bool) ([]svcportal.TicketField, error)
	PolicyRules(ctx context.Context) ([]svcportal.PolicyRule, error)
}

// Service implements svcportal.FieldAdmin.
type Service struct {
	st Store
}

var _ svcportal.FieldAdmin = (*Service)(nil)

// New returns the service.
func New(st Store) *Service { return &Service{st: st} }

// Fields implements svcportal.FieldAdmin.
func (s *Service) Fields(ctx context.Context, includeDeleted bool) ([]svcportal.TicketField, error) {
	return s.st.TicketFields(ctx, includeDeleted)
}

// Field implements svcportal.FieldAdmin.
func (s *Service) Field(ctx context.Context, key string) (*svcportal.TicketField, error) {
	return s.st.TicketField(ctx, key)
}

// CreateField implements svcportal.FieldAdmin.
func (s *Service) CreateField(ctx context.Context, f *svcportal.TicketField, rules ...svcportal.PolicyRule) error {
	f.ID, f.TenantID, f.DeletedAt = 0, 0, nil
	var v svcportal.Validation
	v.Merge(f.Validate(), "")
	for i := range rules {
		rules[i].TenantID, rules[i].Field = 0, f.Key
		if ruleErr := rules[i].Validate(); ruleErr != nil && svcportal.ValidFieldKey(f.Key) {
			v.Merge(ruleErr, "")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{CreateField: f, PutRules: rules}, svcportal.RequiredStaysEditable)
}

// UpdateField implements svcportal.FieldAdmin.
func (s *Service) UpdateField(ctx context.Context, key string, p svcportal.FieldPatch) (*svcportal.TicketField, error) {
	f, err := s.st.TicketField(ctx, key)
	if err != nil {
		return nil, err
	}
	p.Apply(f)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{UpdateField: f}, svcportal.RequiredStaysEditable); err != nil {
		return nil, err
	}
	return f, nil
}

// DeleteField implements svcportal.FieldAdmin.
func (s *Service) DeleteField(ctx context.Context, key string) error {
	return s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{DeleteField: key}, nil)
}

// Rules implements svcportal.FieldAdmin.
func (s *Service) Rules(ctx context.Context) ([]svcportal.PolicyRule, error) {
	return s.st.PolicyRules(ctx)
}

// PutRule implements svcportal.FieldAdmin.
func (s *Service) PutRule(ctx context.Context, r svcportal.PolicyRule) error {
	r.TenantID = 0
	r.Field = strings.TrimSpace(r.Field)
	if err := r.Validate(); err != nil {
		return err
	}
	// The field must exist when the rule is written, not only when it was
	// asked for: checked in the change's transaction.
	check := func(fields []svcportal.TicketField, rules []svcportal.PolicyRule) error {
		if !svcportal.IsBuiltinField(r.Field) && !slices.ContainsFunc(fields, func(f svcportal.TicketField) bool { return f.Key == r.Field }) {
			return svcportal.FieldErr(svcportal.KindUnprocessable, "field", "error.field_unknown", nil)
		}
		return svcportal.RequiredStaysEditable(fields, rules)
	}
	return s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{PutRule: &r}, check)
}

// PutRules implements svcportal.FieldAdmin.
func (s *Service) PutRules(ctx context.Context, rules []svcportal.PolicyRule) error {
	if len(rules) == 0 {
		return nil
	}
	for i := range rules {
		rules[i].TenantID = 0
		rules[i].Field = strings.TrimSpace(rules[i].Field)
		if err := rules[i].Validate(); err != nil {
			return err
		}
	}
	check := func(fields []svcportal.TicketField, all []svcportal.PolicyRule) error {
		for _, r := range rules {
			if !svcportal.IsBuiltinField(r.Field) && !slices.ContainsFunc(fields, func(f svcportal.TicketField) bool { return f.Key == r.Field }) {
				return &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: "error.field_unknown",
					Fields: map[string]svcportal.FieldError{"field": {MessageID: "error.field_unknown"}}}
			}
		}
		return svcportal.RequiredStaysEditable(fields, all)
	}
	return s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{PutRules: rules}, check)
}

// DeleteRule implements svcportal.FieldAdmin.
func (s *Service) DeleteRule(ctx context.Context, role string, siteID int64, field string) error {
	return s.st.ChangeFieldConfig(ctx, svcportal.FieldConfigChange{
		DeleteRule: &svcportal.PolicyRule{Role: role, SiteID: siteID, Field: field}}, svcportal.RequiredStaysEditable)
}
