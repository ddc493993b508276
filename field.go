package svcportal

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldType is the kind of value a custom ticket field holds.
type FieldType string

// The types of custom ticket field.
const (
	FieldText        FieldType = "text"         // one line, at most MaxTextLength characters
	FieldLongText    FieldType = "long_text"    // several lines, at most MaxLongTextLength characters
	FieldNumber      FieldType = "number"       // a finite float64
	FieldDate        FieldType = "date"         // a calendar date, YYYY-MM-DD
	FieldDropdown    FieldType = "dropdown"     // one of Options
	FieldMultiSelect FieldType = "multi_select" // a subset of Options
	FieldCheckbox    FieldType = "checkbox"     // a bool
)

// FieldTypes lists every FieldType, in the order an admin form offers them.
var FieldTypes = []FieldType{FieldText, FieldLongText, FieldNumber, FieldDate, FieldDropdown, FieldMultiSelect, FieldCheckbox}

// Known reports whether t is one of FieldTypes.
func (t FieldType) Known() bool { return slices.Contains(FieldTypes, t) }

// HasOptions reports whether values of type t are chosen from options.
func (t FieldType) HasOptions() bool { return t == FieldDropdown || t == FieldMultiSelect }

// Keys of the built-in ticket fields.
const (
	FieldKeyStatus        = "status"
	FieldKeyType          = "type"
	FieldKeyPriority      = "priority"
	FieldKeyImpact        = "impact"
	FieldKeyProductFamily = "product_family"
	FieldKeyAssignee      = "assignee" // a staff id
)

// BuiltinField describes a ticket field every tenant has. Built-in fields
// are validated as custom fields of their Type are; field policies apply
// to them alike.
type BuiltinField struct {
	Key    string
	Type   FieldType
	Column string // the column of the tickets table that holds the value
	// OnCreate says whether the new-ticket form offers the field; the
	// status and the assignee are the MSP's to set.
	OnCreate bool
	LabelID  string // catalog id of the field's label
	// Options lists the values of a dropdown at a tenant (nil for other
	// types); the catalog labels each as OptionLabelID says.
	Options func(t *Tenant) []string
	// Default is the value a new ticket of a tenant gets when it is not
	// given (nil: none, the field stays unset).
	Default func(t *Tenant) string
}

// OptionLabelID is the catalog id of the label of one of f's values. A
// ticket type a tenant named itself has none: it reads as it is written.
func (f BuiltinField) OptionLabelID(value string) string { return "ticket." + f.Key + "." + value }

// BuiltinFieldTable is the one description of the built-in ticket fields,
// in the order forms and lists show them, before custom fields.
var BuiltinFieldTable = []BuiltinField{
	{Key: FieldKeyStatus, Type: FieldDropdown, Column: "status", LabelID: "field.builtin.status",
		Options: func(*Tenant) []string { return Statuses }, Default: func(*Tenant) string { return StatusOpen }},
	{Key: FieldKeyType, Type: FieldDropdown, Column: "type", OnCreate: true, LabelID: "field.builtin.type",
		Options: func(t *Tenant) []string { return t.TicketTypes }, Default: func(t *Tenant) string { return t.TicketTypes[0] }},
	{Key: FieldKeyPriority, Type: FieldDropdown, Column: "priority", OnCreate: true, LabelID: "field.builtin.priority",
		Options: func(*Tenant) []string { return Priorities }, Default: func(*Tenant) string { return DefaultPriority }},
	{Key: FieldKeyImpact, Type: FieldDropdown, Column: "impact", OnCreate: true, LabelID: "field.builtin.impact",
		Options: func(*Tenant) []string { return Impacts }},
	{Key: FieldKeyProductFamily, Type: FieldText, Column: "product_family", OnCreate: true, LabelID: "field.builtin.product_family"},
	{Key: FieldKeyAssignee, Type: FieldText, Column: "assignee_id", LabelID: "field.builtin.assignee"},
}

// BuiltinFields are the keys of BuiltinFieldTable, in its order. Custom
// field keys may not take them.
var BuiltinFields = func() []string {
	keys := make([]string, len(BuiltinFieldTable))
	for i, f := range BuiltinFieldTable {
		keys[i] = f.Key
	}
	return keys
}()

// Builtin returns the description of built-in field key, or false when key
// names no built-in field.
func Builtin(key string) (BuiltinField, bool) {
	i := slices.IndexFunc(BuiltinFieldTable, func(f BuiltinField) bool { return f.Key == key })
	if i < 0 {
		return BuiltinField{}, false
	}
	return BuiltinFieldTable[i], true
}

// IsBuiltinField reports whether key is one of BuiltinFields.
func IsBuiltinField(key string) bool { return slices.Contains(BuiltinFields, key) }

// Limits of a custom field definition and of its values.
const (
	MaxFieldKeyLength    = 40
	MaxFieldLabelLength  = 100
	MaxFieldOptions      = 200
	MaxOptionValueLength = 100
	MaxFieldPosition     = 10000
	MaxTextLength        = 1000
	MaxLongTextLength    = 20000
)

var fieldKeyRE = regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$`)

// ValidFieldKey reports whether key is a lower snake case field key of at
// most MaxFieldKeyLength characters, such as asset_tag. Built-in keys are
// valid keys.
func ValidFieldKey(key string) bool {
	return len(key) <= MaxFieldKeyLength && fieldKeyRE.MatchString(key)
}

// TicketField is a tenant's definition of a custom ticket field. Labels,
// Options and TicketTypes are stored as JSON text. A deleted field keeps
// its row, so tickets keep their past values, but is offered nowhere.
type TicketField struct {
	ID          int64             `bun:"id,pk,autoincrement" json:"id"`
	TenantID    int64             `bun:"tenant_id,notnull" json:"-"`
	Key         string            `bun:"key,notnull" json:"key"`
	Type        FieldType         `bun:"type,notnull" json:"type"`
	Labels      map[string]string `bun:"labels,notnull,type:text" json:"labels"`             // locale → label
	Options     []FieldOption     `bun:"options,notnull,type:text" json:"options"`           // dropdown and multi_select only
	Position    int               `bun:"position,notnull" json:"position"`                   // order in forms and lists
	Required    bool              `bun:"required,notnull" json:"required"`                   // on ticket creation
	TicketTypes []string          `bun:"ticket_types,notnull,type:text" json:"ticket_types"` // empty: every type
	DeletedAt   *time.Time        `bun:"deleted_at" json:"deleted_at,omitempty"`
	CreatedAt   time.Time         `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time         `bun:"updated_at,notnull" json:"updated_at"`
}

// FieldOption is one choice of a dropdown or multi-select field. Value is
// what tickets store; Labels are what people read, per locale.
type FieldOption struct {
	Value  string            `json:"value"`
	Labels map[string]string `json:"labels"`
}

// Validate normalises (trims labels, option values and ticket types; turns
// nil collections into empty ones) and checks f. Complaints are keyed by
// the JSON names: key, type, labels, options, position, ticket_types.
func (f *TicketField) Validate() error {
	var v Validation
	v.Check(ValidFieldKey(f.Key), "key", "error.field_key_format", map[string]any{"Max": MaxFieldKeyLength})
	v.Check(!IsBuiltinField(f.Key), "key", "error.field_key_reserved", nil)
	v.Check(f.Type.Known(), "type", "error.field_type_unknown", nil)

	if f.Labels == nil {
		f.Labels = map[string]string{}
	}
	checkLabels(&v, "labels", f.Labels)

	if f.Options == nil {
		f.Options = []FieldOption{}
	}
	switch {
	case f.Type.HasOptions() && len(f.Options) == 0:
		v.Add("options", "error.field_options_required", nil)
	case !f.Type.HasOptions() && len(f.Options) > 0:
		v.Add("options", "error.field_options_forbidden", nil)
	case len(f.Options) > MaxFieldOptions:
		v.Add("options", "error.field_options_too_many", map[string]any{"Max": MaxFieldOptions})
	}
	seen := map[string]bool{}
	for i := range f.Options {
		o := &f.Options[i]
		o.Value = strings.TrimSpace(o.Value)
		switch {
		case o.Value == "":
			v.Add("options", "error.field_option_value_required", nil)
		case utf8.RuneCountInString(o.Value) > MaxOptionValueLength || !printable(o.Value):
			v.Add("options", "error.field_option_value_format", map[string]any{"Max": MaxOptionValueLength})
		case seen[o.Value]:
			v.Add("options", "error.field_option_duplicate", map[string]any{"Value": o.Value})
		}
		seen[o.Value] = true
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		checkLabels(&v, "options", o.Labels)
	}

	v.Check(f.Position >= 0 && f.Position <= MaxFieldPosition, "position", "error.range",
		map[string]any{"Min": 0, "Max": MaxFieldPosition})

	if f.TicketTypes == nil {
		f.TicketTypes = []string{}
	}
	types := f.TicketTypes[:0]
	for _, t := range f.TicketTypes {
		t = strings.TrimSpace(t)
		v.Check(t != "", "ticket_types", "error.required", nil)
		v.Check(utf8.RuneCountInString(t) <= 100, "ticket_types", "error.too_long", map[string]any{"Max": 100})
		if t != "" && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	f.TicketTypes = types
	return v.Err()
}

// checkLabels trims the labels and checks there is at least one, each in a
// known locale, none empty or too long.
func checkLabels(v *Validation, field string, labels map[string]string) {
	v.Check(len(labels) > 0, field, "error.field_label_required", nil)
	for loc, l := range labels {
		l = strings.TrimSpace(l)
		labels[loc] = l
		v.Check(IsLocale(loc), field, "error.locale_unknown", map[string]any{"Locale": loc})
		v.Check(l != "", field, "error.field_label_required", nil)
		v.Check(utf8.RuneCountInString(l) <= MaxFieldLabelLength, field, "error.too_long", map[string]any{"Max": MaxFieldLabelLength})
	}
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Label is f's label in locale, else in fallback (the tenant's default
// locale), else in the first of Locales that has one, else the key.
func (f *TicketField) Label(locale, fallback string) string {
	return pickLabel(f.Labels, locale, fallback, f.Key)
}

// Label is o's label in locale, else in fallback, else in the first of
// Locales that has one, else its value.
func (o FieldOption) Label(locale, fallback string) string {
	return pickLabel(o.Labels, locale, fallback, o.Value)
}

func pickLabel(labels map[string]string, locale, fallback, last string) string {
	if l := labels[locale]; l != "" {
		return l
	}
	if l := labels[fallback]; l != "" {
		return l
	}
	for _, loc := range Locales {
		if l := labels[loc]; l != "" {
			return l
		}
	}
	return last
}

// AppliesTo reports whether f is offered on tickets of ticketType.
func (f *TicketField) AppliesTo(ticketType string) bool {
	return len(f.TicketTypes) == 0 || slices.Contains(f.TicketTypes, ticketType)
}

// HasOption reports whether value is one of f's option values.
func (f *TicketField) HasOption(value string) bool {
	return slices.ContainsFunc(f.Options, func(o FieldOption) bool { return o.Value == value })
}

// NormalizeValue checks a value of f that comes from decoded JSON or from a
// form, and returns it in its stored form:
//
//	text, long_text  string, trimmed, at most MaxTextLength / MaxLongTextLength characters
//	number           float64, finite (JSON numbers, Go numbers or decimal strings)
//	date             string "YYYY-MM-DD", a real calendar date
//	dropdown         string, one of the option values
//	multi_select     []string, option values without repeats, in the options' order
//	                 (from []any, []string, or one string)
//	checkbox         bool (also "true", "false", "on", "off", "1", "0")
//
// An empty value (nil, a blank string, an empty selection) is returned as
// nil, meaning "not set"; callers check Required. A checkbox's false is a
// value, not an empty one. Errors are *Error of KindUnprocessable whose
// Fields name f.Key.
func (f *TicketField) NormalizeValue(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" && f.Type != FieldCheckbox {
		return nil, nil
	}
	switch f.Type {
	case FieldText, FieldLongText:
		return f.normalizeText(v)
	case FieldNumber:
		n, ok := toFloat(v)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, f.valueError("error.field_number", nil)
		}
		return n, nil
	case FieldDate:
		return f.normalizeDate(v)
	case FieldDropdown:
		s, ok := v.(string)
		if !ok || !f.HasOption(strings.TrimSpace(s)) {
			return nil, f.valueError("error.field_option_unknown", nil)
		}
		return strings.TrimSpace(s), nil
	case FieldMultiSelect:
		return f.normalizeChoices(v)
	case FieldCheckbox:
		return f.normalizeCheckbox(v)
	}
	return nil, fmt.Errorf("field %s: unknown type %q", f.Key, f.Type)
}

// normalizeText checks the text of a text or long_text field.
func (f *TicketField) normalizeText(v any) (any, error) {
	s, ok := v.(string)
	if !ok || !utf8.ValidString(s) {
		return nil, f.valueError("error.field_text", nil)
	}
	s = strings.TrimSpace(s)
	limit := MaxTextLength
	if f.Type == FieldLongText {
		limit = MaxLongTextLength
	}
	if utf8.RuneCountInString(s) > limit {
		return nil, f.valueError("error.too_long", map[string]any{"Max": limit})
	}
	return s, nil
}

// normalizeDate checks a YYYY-MM-DD date.
func (f *TicketField) normalizeDate(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, f.valueError("error.field_date", nil)
	}
	s = strings.TrimSpace(s)
	// time.Parse rejects days a month does not have, such as 2026-02-30.
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return nil, f.valueError("error.field_date", nil)
	}
	return d.Format(time.DateOnly), nil
}

// normalizeChoices checks the options chosen in a multi-select and returns
// them without repeats, in the options' order (nil when none).
func (f *TicketField) normalizeChoices(v any) (any, error) {
	var in []string
	switch x := v.(type) {
	case string:
		in = []string{x}
	case []string:
		in = x
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, f.valueError("error.field_option_unknown", nil)
			}
			in = append(in, s)
		}
	default:
		return nil, f.valueError("error.field_option_unknown", nil)
	}
	chosen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !f.HasOption(s) {
			return nil, f.valueError("error.field_option_unknown", nil)
		}
		chosen[s] = true
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(chosen))
	for _, o := range f.Options {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, nil
}

// normalizeCheckbox reads a bool, or its spelling in a form.
func (f *TicketField) normalizeCheckbox(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "on", "1":
			return true, nil
		case "false", "off", "0":
			return false, nil
		case "":
			return nil, nil
		}
	}
	return nil, f.valueError("error.field_checkbox", nil)
}

// valueError is the complaint about a value of f.
func (f *TicketField) valueError(messageID string, data map[string]any) *Error {
	return FieldErr(KindUnprocessable, f.Key, messageID, data)
}

// toFloat converts the number types JSON decoders and forms produce.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		n, err := x.Float64()
		return n, err == nil
	case string:
		s := strings.TrimSpace(x)
		// ParseFloat also reads "Inf", "0x1p4" and "1_000"; a form field
		// holds a plain decimal.
		if strings.ContainsAny(s, "xXpP_") {
			return 0, false
		}
		n, err := strconv.ParseFloat(s, 64)
		return n, err == nil
	}
	return 0, false
}

// TicketFieldStore keeps the custom ticket fields of the context tenant.
type TicketFieldStore interface {
	// CreateTicketField inserts a validated f and sets its ID and times.
	// KindConflict if the tenant already has a field with that key,
	// deleted or not.
	CreateTicketField(ctx context.Context, f *TicketField) error
	// UpdateTicketField saves the labels, options, position, required
	// flag and ticket types of the live field with f.Key; the key and
	// type never change once created, since tickets store values under
	// the key. It refreshes f from the saved row. KindNotFound if the
	// tenant has no live field with that key.
	UpdateTicketField(ctx context.Context, f *TicketField) error
	// DeleteTicketField marks the field deleted: it is offered nowhere
	// but tickets keep its values. KindNotFound if the tenant has no
	// live field with that key.
	DeleteTicketField(ctx context.Context, key string) error
	// TicketField returns a live field of the tenant, or KindNotFound
	// (also for another tenant's or a deleted field).
	TicketField(ctx context.Context, key string) (*TicketField, error)
	// TicketFields lists the tenant's fields by position, then key; with
	// includeDeleted, deleted ones too.
	TicketFields(ctx context.Context, includeDeleted bool) ([]TicketField, error)
}
