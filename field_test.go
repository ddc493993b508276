package svcportal_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

func validField() *svcportal.TicketField {
	return &svcportal.TicketField{Key: "contract", Type: svcportal.FieldDropdown,
		Labels: map[string]string{"en": " Contract ", "fr": "Contrat"},
		Options: []svcportal.FieldOption{
			{Value: " gold", Labels: map[string]string{"en": "Gold"}},
			{Value: "silver", Labels: map[string]string{"en": "Silver", "de": "Silber"}},
		},
		TicketTypes: []string{"incident", " incident", "request"},
	}
}

// fieldErrors returns the message id of each complaint of a validation
// error, and checks every id is in the English catalog.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *svcportal.Error
	if !errors.As(err, &e) || e.Kind != svcportal.KindUnprocessable {
		t.Fatalf("got %v, want a validation error", err)
	}
	out := map[string]string{}
	for f, fe := range e.Fields {
		out[f] = fe.MessageID
		if !locales.For("en").Has(fe.MessageID) {
			t.Errorf("%s: message %q is in no catalog", f, fe.MessageID)
		}
	}
	return out
}

func TestTicketField_Validate(t *testing.T) {
	t.Run("valid field is normalised", func(t *testing.T) {
		f := validField()
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		if f.Labels["en"] != "Contract" || f.Options[0].Value != "gold" {
			t.Errorf("got label %q option %q, want them trimmed", f.Labels["en"], f.Options[0].Value)
		}
		if !reflect.DeepEqual(f.TicketTypes, []string{"incident", "request"}) {
			t.Errorf("got ticket types %q, want trimmed and without repeats", f.TicketTypes)
		}
	})
	t.Run("valid text field gets empty collections", func(t *testing.T) {
		f := &svcportal.TicketField{Key: "asset_tag", Type: svcportal.FieldText, Labels: map[string]string{"it": "Etichetta"}}
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		if f.Options == nil || f.TicketTypes == nil {
			t.Errorf("got options %#v ticket types %#v, want empty, not nil", f.Options, f.TicketTypes)
		}
	})

	tests := []struct {
		name   string
		change func(f *svcportal.TicketField)
		field  string
		msg    string
	}{
		{"key upper case", func(f *svcportal.TicketField) { f.Key = "Contract" }, "key", "error.field_key_format"},
		{"key with dash", func(f *svcportal.TicketField) { f.Key = "asset-tag" }, "key", "error.field_key_format"},
		{"key starting with a digit", func(f *svcportal.TicketField) { f.Key = "1st" }, "key", "error.field_key_format"},
		{"key with double underscore", func(f *svcportal.TicketField) { f.Key = "a__b" }, "key", "error.field_key_format"},
		{"key too long", func(f *svcportal.TicketField) { f.Key = strings.Repeat("k", 41) }, "key", "error.field_key_format"},
		{"key empty", func(f *svcportal.TicketField) { f.Key = "" }, "key", "error.field_key_format"},
		{"built-in key", func(f *svcportal.TicketField) { f.Key = "product_family" }, "key", "error.field_key_reserved"},
		{"unknown type", func(f *svcportal.TicketField) { f.Type = "color" }, "type", "error.field_type_unknown"},
		{"no label", func(f *svcportal.TicketField) { f.Labels = nil }, "labels", "error.field_label_required"},
		{"blank label", func(f *svcportal.TicketField) { f.Labels["de"] = "  " }, "labels", "error.field_label_required"},
		{"label in unknown locale", func(f *svcportal.TicketField) { f.Labels["nl"] = "Contract" }, "labels", "error.locale_unknown"},
		{"label too long", func(f *svcportal.TicketField) { f.Labels["en"] = strings.Repeat("é", 101) }, "labels", "error.too_long"},
		{"dropdown without options", func(f *svcportal.TicketField) { f.Options = nil }, "options", "error.field_options_required"},
		{"multi-select without options", func(f *svcportal.TicketField) { f.Type, f.Options = svcportal.FieldMultiSelect, nil }, "options", "error.field_options_required"},
		{"options on a number", func(f *svcportal.TicketField) { f.Type = svcportal.FieldNumber }, "options", "error.field_options_forbidden"},
		{"duplicate option", func(f *svcportal.TicketField) { f.Options[1].Value = "gold " }, "options", "error.field_option_duplicate"},
		{"empty option value", func(f *svcportal.TicketField) { f.Options[1].Value = " " }, "options", "error.field_option_value_required"},
		{"option value with a control character", func(f *svcportal.TicketField) { f.Options[1].Value = "a\nb" }, "options", "error.field_option_value_format"},
		{"option value too long", func(f *svcportal.TicketField) { f.Options[1].Value = strings.Repeat("v", 101) }, "options", "error.field_option_value_format"},
		{"option without label", func(f *svcportal.TicketField) { f.Options[1].Labels = nil }, "options", "error.field_label_required"},
		{"too many options", func(f *svcportal.TicketField) {
			f.Options = nil
			for i := range svcportal.MaxFieldOptions + 1 {
				f.Options = append(f.Options, svcportal.FieldOption{Value: strconv.Itoa(i), Labels: map[string]string{"en": "O"}})
			}
		}, "options", "error.field_options_too_many"},
		{"negative position", func(f *svcportal.TicketField) { f.Position = -1 }, "position", "error.range"},
		{"blank ticket type", func(f *svcportal.TicketField) { f.TicketTypes = []string{" "} }, "ticket_types", "error.required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validField()
			tt.change(f)
			got := fieldErrors(t, f.Validate())
			if got[tt.field] != tt.msg {
				t.Errorf("got %v, want %s: %s", got, tt.field, tt.msg)
			}
		})
	}
}

func TestTicketField_NormalizeValue(t *testing.T) {
	options := []svcportal.FieldOption{{Value: "a"}, {Value: "b"}, {Value: "c"}}
	tests := []struct {
		name string
		typ  svcportal.FieldType
		in   any
		want any
		msg  string // message id of the expected error
	}{
		{"text trimmed", svcportal.FieldText, "  hello ", "hello", ""},
		{"text empty is unset", svcportal.FieldText, "   ", nil, ""},
		{"nil is unset", svcportal.FieldText, nil, nil, ""},
		{"text at limit", svcportal.FieldText, strings.Repeat("é", 1000), strings.Repeat("é", 1000), ""},
		{"text over limit", svcportal.FieldText, strings.Repeat("é", 1001), nil, "error.too_long"},
		{"text not a string", svcportal.FieldText, 42.0, nil, "error.field_text"},
		{"text invalid UTF-8", svcportal.FieldText, "a\xffb", nil, "error.field_text"},
		{"long text at limit", svcportal.FieldLongText, strings.Repeat("x", 20000), strings.Repeat("x", 20000), ""},
		{"long text over limit", svcportal.FieldLongText, strings.Repeat("x", 20001), nil, "error.too_long"},
		{"number from JSON", svcportal.FieldNumber, 12.5, 12.5, ""},
		{"number from json.Number", svcportal.FieldNumber, json.Number("-3"), -3.0, ""},
		{"number from int", svcportal.FieldNumber, 7, 7.0, ""},
		{"number from form", svcportal.FieldNumber, " 1e3 ", 1000.0, ""},
		{"number NaN", svcportal.FieldNumber, math.NaN(), nil, "error.field_number"},
		{"number infinite", svcportal.FieldNumber, math.Inf(1), nil, "error.field_number"},
		{"number Inf string", svcportal.FieldNumber, "Inf", nil, "error.field_number"},
		{"number hex string", svcportal.FieldNumber, "0x10", nil, "error.field_number"},
		{"number overflow", svcportal.FieldNumber, "1e400", nil, "error.field_number"},
		{"number word", svcportal.FieldNumber, "ten", nil, "error.field_number"},
		{"number bool", svcportal.FieldNumber, true, nil, "error.field_number"},
		{"date", svcportal.FieldDate, "2026-02-28", "2026-02-28", ""},
		{"date leap day", svcportal.FieldDate, "2024-02-29", "2024-02-29", ""},
		{"date not a leap year", svcportal.FieldDate, "2026-02-29", nil, "error.field_date"},
		{"date day 31 in April", svcportal.FieldDate, "2026-04-31", nil, "error.field_date"},
		{"date other format", svcportal.FieldDate, "28/02/2026", nil, "error.field_date"},
		{"date with time", svcportal.FieldDate, "2026-02-28T10:00:00Z", nil, "error.field_date"},
		{"date short month", svcportal.FieldDate, "2026-2-28", nil, "error.field_date"},
		{"date not a string", svcportal.FieldDate, 20260228.0, nil, "error.field_date"},
		{"dropdown option", svcportal.FieldDropdown, "b", "b", ""},
		{"dropdown unknown", svcportal.FieldDropdown, "z", nil, "error.field_option_unknown"},
		{"dropdown not a string", svcportal.FieldDropdown, []any{"a"}, nil, "error.field_option_unknown"},
		{"multi-select from JSON, in option order, deduplicated", svcportal.FieldMultiSelect, []any{"c", "a", "c"}, []string{"a", "c"}, ""},
		{"multi-select from form", svcportal.FieldMultiSelect, []string{"b", "b"}, []string{"b"}, ""},
		{"multi-select one string", svcportal.FieldMultiSelect, "a", []string{"a"}, ""},
		{"multi-select empty is unset", svcportal.FieldMultiSelect, []any{}, nil, ""},
		{"multi-select unknown", svcportal.FieldMultiSelect, []any{"a", "z"}, nil, "error.field_option_unknown"},
		{"multi-select not strings", svcportal.FieldMultiSelect, []any{"a", 1.0}, nil, "error.field_option_unknown"},
		{"multi-select object", svcportal.FieldMultiSelect, map[string]any{"a": true}, nil, "error.field_option_unknown"},
		{"checkbox true", svcportal.FieldCheckbox, true, true, ""},
		{"checkbox false", svcportal.FieldCheckbox, false, false, ""},
		{"checkbox on", svcportal.FieldCheckbox, "on", true, ""},
		{"checkbox true string", svcportal.FieldCheckbox, "true", true, ""},
		{"checkbox false string", svcportal.FieldCheckbox, "false", false, ""},
		{"checkbox empty is unset", svcportal.FieldCheckbox, "", nil, ""},
		{"checkbox yes", svcportal.FieldCheckbox, "yes", nil, "error.field_checkbox"},
		{"checkbox number", svcportal.FieldCheckbox, 1.0, nil, "error.field_checkbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &svcportal.TicketField{Key: "f", Type: tt.typ, Labels: map[string]string{"en": "F"}}
			if tt.typ.HasOptions() {
				f.Options = options
			}
			got, err := f.NormalizeValue(tt.in)
			if tt.msg != "" {
				if got := fieldErrors(t, err); got["f"] != tt.msg {
					t.Errorf("got error %v, want f: %s", got, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestTicketField_Label(t *testing.T) {
	f := &svcportal.TicketField{Key: "asset_tag", Labels: map[string]string{"fr": "Étiquette", "de": "Inventarnummer"}}
	tests := []struct{ locale, fallback, want string }{
		{"fr", "en", "Étiquette"},
		{"it", "de", "Inventarnummer"},
		{"it", "es", "Étiquette"}, // first of Locales that has one: fr before de
	}
	for _, tt := range tests {
		if got := f.Label(tt.locale, tt.fallback); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.locale, tt.fallback, got, tt.want)
		}
	}
	if got := (&svcportal.TicketField{Key: "asset_tag"}).Label("en", "en"); got != "asset_tag" {
		t.Errorf("no labels: got %q, want the key", got)
	}
	o := svcportal.FieldOption{Value: "gold", Labels: map[string]string{"en": "Gold"}}
	if got := o.Label("fr", "en"); got != "Gold" {
		t.Errorf("option label: got %q, want Gold", got)
	}
}

func TestTicketField_AppliesTo(t *testing.T) {
	all := &svcportal.TicketField{}
	some := &svcportal.TicketField{TicketTypes: []string{"incident"}}
	if !all.AppliesTo("request") || !some.AppliesTo("incident") || some.AppliesTo("request") {
		t.Error("AppliesTo is wrong")
	}
}

func TestBuiltinFields(t *testing.T) {
	for _, k := range svcportal.BuiltinFields {
		if !svcportal.ValidFieldKey(k) || !svcportal.IsBuiltinField(k) {
			t.Errorf("%s: want a valid built-in key", k)
		}
		if !locales.For("en").Has("field.builtin." + k) {
			t.Errorf("%s: no label field.builtin.%s in the catalog", k, k)
		}
	}
	for _, typ := range svcportal.FieldTypes {
		if !locales.For("en").Has("field.kind." + string(typ)) {
			t.Errorf("%s: no name field.kind.%s in the catalog", typ, typ)
		}
	}
	if svcportal.IsBuiltinField("asset_tag") {
		t.Error("asset_tag is not built in")
	}
}

func TestBuiltinFieldTable(t *testing.T) {
	tenant := svcportal.NewTenant("acme", "Acme")
	seen := map[string]bool{}
	for i, f := range svcportal.BuiltinFieldTable {
		if seen[f.Key] || seen["col:"+f.Column] {
			t.Errorf("%s: key or column %q taken twice", f.Key, f.Column)
		}
		seen[f.Key], seen["col:"+f.Column] = true, true
		if svcportal.BuiltinFields[i] != f.Key || !svcportal.IsBuiltinField(f.Key) {
			t.Errorf("%s: BuiltinFields[%d] is %q", f.Key, i, svcportal.BuiltinFields[i])
		}
		if got, ok := svcportal.Builtin(f.Key); !ok || got.Key != f.Key {
			t.Errorf("Builtin(%q): got %v, %v", f.Key, got.Key, ok)
		}
		if !f.Type.Known() || f.Column == "" {
			t.Errorf("%s: type %q, column %q", f.Key, f.Type, f.Column)
		}
		if (f.Options != nil) != f.Type.HasOptions() {
			t.Errorf("%s: options source for type %s", f.Key, f.Type)
		}
		for _, loc := range svcportal.Locales {
			tr := locales.For(loc)
			if !tr.Has(f.LabelID) {
				t.Errorf("%s: no label %q in %s", f.Key, f.LabelID, loc)
			}
			if f.Options == nil || f.Key == svcportal.FieldKeyType {
				continue // ticket types are the tenant's own words
			}
			for _, v := range f.Options(tenant) {
				if !tr.Has(f.OptionLabelID(v)) {
					t.Errorf("%s: no label %q in %s", f.Key, f.OptionLabelID(v), loc)
				}
			}
		}
	}
	if _, ok := svcportal.Builtin("asset_tag"); ok {
		t.Error("Builtin(asset_tag): a custom key found as built-in")
	}
}
