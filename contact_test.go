package svcportal

import "testing"

func TestValidPhone(t *testing.T) {
	for _, tt := range []struct {
		phone string
		want  bool
	}{
		{"+33 1 23 45 67 89", true},
		{"+44 20 7946 0958", true},
		{"(555) 010-1234", true},
		{"030/123456", true},
		{"+49.30.1234567", true},
		{"+44 20 7946 0958 ext. 12", true},
		{"555-0101 x7", true},
		{"112", true},
		{"not a phone !!", false},
		{"12", false},
		{"+33 +1 23 45", false},
		{"33+1234567", false},
		{"1234567890123456", false}, // 16 digits: longer than E.164 allows
		{"(555 0101", false},
		{"555) 0101", false},
		{"(1) (2) 345", false},
		{"+33 1 23 45 67 89; DROP TABLE", false},
		{"０１２３４５", false}, // full-width digits
		{"", false},
	} {
		if got := ValidPhone(tt.phone); got != tt.want {
			t.Errorf("ValidPhone(%q): got %v, want %v", tt.phone, got, tt.want)
		}
	}
}
