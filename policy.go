package svcportal

import (
	"context"
	"slices"
)

// FieldMode is what contacts of a portal role may do with a ticket field.
type FieldMode string

// The field modes. A field without any rule for a role is hidden.
const (
	FieldEditable FieldMode = "editable"  // shown in forms and filters, and may be set
	FieldViewOnly FieldMode = "view-only" // shown, never accepted from the portal
	FieldHidden   FieldMode = "hidden"    // absent everywhere on the portal
)

// FieldModes lists every FieldMode, from most to least open.
var FieldModes = []FieldMode{FieldEditable, FieldViewOnly, FieldHidden}

// Known reports whether m is one of FieldModes.
func (m FieldMode) Known() bool { return slices.Contains(FieldModes, m) }

// Visible reports whether the portal shows the field: editable implies
// visible.
func (m FieldMode) Visible() bool { return m == FieldEditable || m == FieldViewOnly }

// Editable reports whether the portal accepts values of the field.
func (m FieldMode) Editable() bool { return m == FieldEditable }

// PortalRoles are the contact roles field policies are written for.
var PortalRoles = []string{RoleMember, RoleSiteManager}

// PolicyRule gives the mode of one ticket field (built-in or custom key)
// for one portal role, at one site of the tenant or, with SiteID 0, at
// every site. A site's rule beats the all-sites rule. Rows live in the
// field_policy_rules table.
type PolicyRule struct {
	TenantID int64     `bun:"tenant_id,pk" json:"-"`
	Role     string    `bun:"role,pk" json:"role"`       // RoleMember or RoleSiteManager
	SiteID   int64     `bun:"site_id,pk" json:"site_id"` // 0: every site
	Field    string    `bun:"field,pk" json:"field"`     // a field key
	Mode     FieldMode `bun:"mode,notnull" json:"mode"`
}

// Validate checks the role, mode, field key format and site id of r.
func (r *PolicyRule) Validate() error {
	var v Validation
	v.Check(slices.Contains(PortalRoles, r.Role), "role", "error.role_unknown", nil)
	v.Check(r.Mode.Known(), "mode", "error.field_mode_unknown", nil)
	v.Check(ValidFieldKey(r.Field), "field", "error.field_key_format", map[string]any{"Max": MaxFieldKeyLength})
	v.Check(r.SiteID >= 0, "site_id", "error.site_not_found", nil)
	return v.Err()
}

// PolicyStore keeps the field-visibility rules of the context tenant and a
// version number that grows with every change to them, so that every
// instance of the application notices a change with one cheap query.
type PolicyStore interface {
	// PolicyRules lists the tenant's rules by field, role, then site.
	PolicyRules(ctx context.Context) ([]PolicyRule, error)
	// ReplacePolicyRule inserts r, or replaces the mode of the tenant's
	// rule with the same role, site and field, and bumps the version.
	// KindNotFound if r.SiteID is not 0 and not a site of the tenant.
	ReplacePolicyRule(ctx context.Context, r PolicyRule) error
	// DeletePolicyRule removes one rule and bumps the version.
	// KindNotFound if the tenant has no such rule.
	DeletePolicyRule(ctx context.Context, role string, siteID int64, field string) error
	// PolicyVersion is the tenant's current version: 0 until its first
	// change, then larger after each one.
	PolicyVersion(ctx context.Context) (int64, error)
	// SeedPolicyRules inserts rules and bumps the version, in one
	// transaction, only if the tenant has no rule at all; it reports
	// whether it did. Concurrent calls seed once.
	SeedPolicyRules(ctx context.Context, rules []PolicyRule) (bool, error)
}

// PolicyAdmin is what the admin console does with field policies.
type PolicyAdmin interface {
	// Rules lists the tenant's rules.
	Rules(ctx context.Context) ([]PolicyRule, error)
	// SetMode saves a rule; it takes effect on the next request.
	SetMode(ctx context.Context, r PolicyRule) error
	// DeleteRule removes one rule; KindNotFound if there is none.
	DeleteRule(ctx context.Context, role string, siteID int64, field string) error
}

// RequiredStaysEditable checks that every required field in fields is
// editable for every portal role at every site under rules (so whoever
// opens a ticket can fill it in), and names the first that is not. An
// admin change that would break this is refused.
func RequiredStaysEditable(fields []TicketField, rules []PolicyRule) error {
	for _, f := range fields {
		if !f.Required || f.DeletedAt != nil {
			continue
		}
		for _, role := range PortalRoles {
			global := FieldHidden
			for _, r := range rules {
				if r.Role != role || r.Field != f.Key {
					continue
				}
				if r.SiteID == 0 {
					global = r.Mode
				} else if !r.Mode.Editable() {
					return requiredError(f.Key, role)
				}
			}
			if !global.Editable() {
				return requiredError(f.Key, role)
			}
		}
	}
	return nil
}

func requiredError(field, role string) error {
	return FieldErr(KindUnprocessable, "required", "error.required_not_editable", map[string]any{"Field": field, "Role": role})
}

// FieldConfigChange is one change of a tenant's field configuration:
// the members that are set are applied in this order, together.
type FieldConfigChange struct {
	CreateField *TicketField // a validated new field
	UpdateField *TicketField // the new state of the live field with its key
	DeleteField string       // the key of a live field to delete
	PutRule     *PolicyRule  // a validated rule to insert or replace
	PutRules    []PolicyRule // validated rules to insert or replace
	DeleteRule  *PolicyRule  // the rule with its role, site and field to remove
}

// FieldConfigCheck is an invariant over a tenant's live fields and policy
// rules, such as RequiredStaysEditable.
type FieldConfigCheck func(fields []TicketField, rules []PolicyRule) error

// FieldConfigStore changes a tenant's fields and policy rules atomically.
type FieldConfigStore interface {
	// ChangeFieldConfig applies c for the context tenant and bumps its
	// policy version; in the same transaction, after the change, it calls
	// check (when not nil) with the live fields and rules as they would be
	// committed, and an error from check undoes the change. Concurrent
	// changes of one tenant are serialised, so each check sees the others.
	// Errors: those of the change (KindConflict for a taken field key,
	// KindNotFound for a missing field, rule or site) and check's.
	ChangeFieldConfig(ctx context.Context, c FieldConfigChange, check FieldConfigCheck) error
}

// FieldPatch is what an admin may change on a field: not its key or type,
// since tickets keep values under the key. Nil members stay as they are.
type FieldPatch struct {
	Labels      map[string]string `json:"labels"`
	Options     []FieldOption     `json:"options"`
	Position    *int              `json:"position"`
	Required    *bool             `json:"required"`
	TicketTypes []string          `json:"ticket_types"`
}

// Apply copies the patch's set members onto f.
func (p FieldPatch) Apply(f *TicketField) {
	if p.Labels != nil {
		f.Labels = p.Labels
	}
	if p.Options != nil {
		f.Options = p.Options
	}
	if p.Position != nil {
		f.Position = *p.Position
	}
	if p.Required != nil {
		f.Required = *p.Required
	}
	if p.TicketTypes != nil {
		f.TicketTypes = p.TicketTypes
	}
}

// FieldAdmin is what the admin console does with custom fields and their
// policy rules. Every change is checked and written in one transaction,
// and no change may leave a required field that some portal role cannot
// edit (KindUnprocessable error.required_not_editable naming field and
// role).
type FieldAdmin interface {
	// Fields lists the tenant's fields; with includeDeleted, deleted ones
	// too.
	Fields(ctx context.Context, includeDeleted bool) ([]TicketField, error)
	// Field is a live field, or KindNotFound.
	Field(ctx context.Context, key string) (*TicketField, error)
	// CreateField validates and saves f, with rules (their Field is set
	// to f.Key) in the same transaction, so a new required field can be
	// created editable. KindUnprocessable for an invalid field or rule,
	// KindConflict for a key the tenant has used, KindNotFound for a
	// rule's site that is not the tenant's.
	CreateField(ctx context.Context, f *TicketField, rules ...PolicyRule) error
	// UpdateField applies p to the live field key and returns it.
	// KindNotFound, KindUnprocessable.
	UpdateField(ctx context.Context, key string, p FieldPatch) (*TicketField, error)
	// DeleteField hides a field from now on; tickets keep their values.
	// KindNotFound.
	DeleteField(ctx context.Context, key string) error
	// Rules lists the tenant's policy rules.
	Rules(ctx context.Context) ([]PolicyRule, error)
	// PutRule sets the mode of one field for one role at every site
	// (SiteID 0) or one site. KindUnprocessable for an unknown field, role
	// or mode; KindNotFound for a site that is not the tenant's.
	PutRule(ctx context.Context, r PolicyRule) error
	// PutRules sets several modes at once, in one transaction: all or
	// none. Errors as PutRule.
	PutRules(ctx context.Context, rules []PolicyRule) error
	// DeleteRule removes one rule. KindNotFound if there is none.
	DeleteRule(ctx context.Context, role string, siteID int64, field string) error
}
