package svcportal_test

import (
	"testing"

	"github.com/svcportal/svcportal"
)

func TestPolicyRule_Validate(t *testing.T) {
	valid := svcportal.PolicyRule{Role: svcportal.RoleSiteManager, SiteID: 3, Field: "asset_tag", Mode: svcportal.FieldViewOnly}
	if err := valid.Validate(); err != nil {
		t.Fatalf("valid rule: %v", err)
	}
	tests := []struct {
		name   string
		change func(r *svcportal.PolicyRule)
		field  string
		msg    string
	}{
		{"staff role", func(r *svcportal.PolicyRule) { r.Role = svcportal.StaffAdmin }, "role", "error.role_unknown"},
		{"empty role", func(r *svcportal.PolicyRule) { r.Role = "" }, "role", "error.role_unknown"},
		{"unknown mode", func(r *svcportal.PolicyRule) { r.Mode = "read-write" }, "mode", "error.field_mode_unknown"},
		{"empty mode", func(r *svcportal.PolicyRule) { r.Mode = "" }, "mode", "error.field_mode_unknown"},
		{"malformed field", func(r *svcportal.PolicyRule) { r.Field = "Asset Tag" }, "field", "error.field_key_format"},
		{"negative site", func(r *svcportal.PolicyRule) { r.SiteID = -1 }, "site_id", "error.site_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.change(&r)
			if got := fieldErrors(t, r.Validate()); got[tt.field] != tt.msg {
				t.Errorf("got %v, want %s: %s", got, tt.field, tt.msg)
			}
		})
	}
}

func TestFieldMode(t *testing.T) {
	tests := []struct {
		mode              svcportal.FieldMode
		visible, editable bool
	}{
		{svcportal.FieldEditable, true, true},
		{svcportal.FieldViewOnly, true, false},
		{svcportal.FieldHidden, false, false},
		{"bogus", false, false},
	}
	for _, tt := range tests {
		if tt.mode.Visible() != tt.visible || tt.mode.Editable() != tt.editable {
			t.Errorf("%s: got visible %v editable %v, want %v %v", tt.mode, tt.mode.Visible(), tt.mode.Editable(), tt.visible, tt.editable)
		}
	}
}
