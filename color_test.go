package svcportal_test

import (
	"math"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#000000", 21}, // the order does not matter
		{"#1d4ed8", "#1d4ed8", 1},
		{"#767676", "#ffffff", 4.54}, // the lightest grey that passes AA on white
		{"#777777", "#ffffff", 4.48}, // one step lighter fails
		{"#1d4ed8", "#ffffff", 6.70},
		{"#ffeb3b", "#000000", 17.20},
	}
	for _, tt := range tests {
		a, _ := svcportal.ParseColor(tt.a)
		b, _ := svcportal.ParseColor(tt.b)
		if got := svcportal.ContrastRatio(a, b); math.Abs(got-tt.want) > 0.005 {
			t.Errorf("ContrastRatio(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseColor(t *testing.T) {
	for _, bad := range []string{"", "blue", "#fff", "#12345g", "1d4ed8", "#1d4ed80"} {
		if _, err := svcportal.ParseColor(bad); err == nil {
			t.Errorf("ParseColor(%q) accepted", bad)
		}
	}
	c, err := svcportal.ParseColor("#1D4ED8")
	if err != nil || c != (svcportal.RGB{R: 0x1d, G: 0x4e, B: 0xd8}) || c.String() != "#1d4ed8" {
		t.Errorf("ParseColor(#1D4ED8) = %v %v", c, err)
	}
}

func TestRGB_Mix(t *testing.T) {
	c, _ := svcportal.ParseColor("#1d4ed8")
	black, _ := svcportal.ParseColor("#000000")
	white, _ := svcportal.ParseColor("#ffffff")
	if got := c.Mix(0.85, black).String(); got != "#1942b8" {
		t.Errorf("85%% with black = %s, want #1942b8", got)
	}
	if got := c.Mix(0.45, white).String(); got != "#99afed" {
		t.Errorf("45%% with white = %s, want #99afed", got)
	}
}

// TestBrandContrast: which pairings of a tenant's colours fall below WCAG
// AA. Text on a brand colour is black or white, whichever reads better, so
// it always passes; links take the primary colour on the page background.
func TestBrandContrast(t *testing.T) {
	tests := []struct {
		name, primary, accent string
		fails                 []string
		linkLight             float64
	}{
		{"the defaults", "#1d4ed8", "#0f766e", nil, 7.80},
		{"yellow links vanish on light", "#ffeb3b", "#0f766e", []string{"links_light"}, 1.60},
		{"white primary", "#ffffff", "#0f766e", []string{"links_light"}, 1.32},
		{"green primary", "#22c55e", "#22c55e", []string{"links_light"}, 2.93},
		{"black primary still readable on dark", "#000000", "#000000", nil, 19.59},
		{"mid grey: black or white both just pass", "#777777", "#777777", nil, 5.44},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := svcportal.BrandContrast(tt.primary, tt.accent)
			if len(checks) != 4 {
				t.Fatalf("got %d checks, want 4", len(checks))
			}
			var fails []string
			for _, ch := range checks {
				if !ch.OK {
					fails = append(fails, ch.Use)
				}
				if ch.OK != (ch.Ratio >= svcportal.MinContrast) {
					t.Errorf("%s: ok %v with ratio %.2f", ch.Use, ch.OK, ch.Ratio)
				}
				if ch.Use == "links_light" && math.Abs(ch.Ratio-tt.linkLight) > 0.011 {
					t.Errorf("links_light ratio %.2f, want %.2f", ch.Ratio, tt.linkLight)
				}
				if (ch.Use == "header" || ch.Use == "buttons") && ch.Ratio < svcportal.MinContrast {
					t.Errorf("%s: text on a brand colour at %.2f", ch.Use, ch.Ratio)
				}
			}
			if len(fails) != len(tt.fails) || len(fails) > 0 && fails[0] != tt.fails[0] {
				t.Errorf("fails %v, want %v", fails, tt.fails)
			}
		})
	}
	if got := svcportal.BrandContrast("blue", "#000000"); got != nil {
		t.Errorf("an invalid colour gives %v, want no checks", got)
	}
}
