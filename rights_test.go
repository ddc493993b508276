package svcportal

import "testing"

func TestSpreadsheetSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1 555", "'+1 555"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"Printer", "Printer"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SpreadsheetSafe(tt.in); got != tt.want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
