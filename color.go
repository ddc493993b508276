package svcportal

import (
	"fmt"
	"math"
	"strconv"
)

// MinContrast is the contrast ratio WCAG 2.1 AA asks of normal text (1.4.3).
const MinContrast = 4.5

// The portal's own backgrounds behind brand-coloured links (app.css --bg in
// light and --surface in dark, the lighter and so the harder of each theme).
const (
	LightBackground = "#f6f7f9"
	DarkBackground  = "#181b22"
)

// RGB is a colour of 8-bit sRGB channels.
type RGB struct{ R, G, B uint8 }

// ValidColor reports whether s is "#rrggbb".
func ValidColor(s string) bool { return colorRE.MatchString(s) }

// ParseColor reads "#rrggbb".
func ParseColor(hex string) (RGB, error) {
	if !colorRE.MatchString(hex) {
		return RGB{}, fmt.Errorf("colour %q is not #rrggbb", hex)
	}
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// String is the colour as "#rrggbb".
func (c RGB) String() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Luminance is the WCAG relative luminance of c, from 0 (black) to 1 (white).
func (c RGB) Luminance() float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

// Mix is CSS color-mix(in srgb, c p, other): each channel weighted in
// sRGB's encoded values, as the stylesheet mixes link colours.
func (c RGB) Mix(p float64, other RGB) RGB {
	m := func(a, b uint8) uint8 { return uint8(math.Round(p*float64(a) + (1-p)*float64(b))) }
	return RGB{m(c.R, other.R), m(c.G, other.G), m(c.B, other.B)}
}

// ContrastRatio is the WCAG contrast ratio of two colours, from 1 to 21.
func ContrastRatio(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

var (
	black = RGB{0, 0, 0}
	white = RGB{255, 255, 255}
)

// OnColor is black or white, whichever contrasts more with bg: the text
// colour the portal puts on a brand colour.
func OnColor(bg RGB) RGB {
	if ContrastRatio(bg, black) >= ContrastRatio(bg, white) {
		return black
	}
	return white
}

// ColorCheck is one pairing of text and background that a tenant's colours
// make on the portal, with its contrast ratio.
type ColorCheck struct {
	// Use names where the pairing appears: header (text on the primary
	// colour), buttons (text on the accent colour), links_light and
	// links_dark (primary-coloured links on each theme's background).
	Use   string  `json:"use"`
	Text  string  `json:"text"`
	Back  string  `json:"background"`
	Ratio float64 `json:"ratio"`
	// OK is true when Ratio reaches MinContrast.
	OK bool `json:"ok"`
}

// BrandContrast computes the contrast of every pairing of text and
// background that primary and accent (#rrggbb) make on the portal, the way
// the stylesheet draws them: text in OnColor on each colour, links in the
// primary colour darkened (light theme: 85 % with black) or lightened
// (dark theme: 45 % with white). Invalid colours give no checks.
func BrandContrast(primary, accent string) []ColorCheck {
	p, err1 := ParseColor(primary)
	a, err2 := ParseColor(accent)
	if err1 != nil || err2 != nil {
		return nil
	}
	light, _ := ParseColor(LightBackground)
	dark, _ := ParseColor(DarkBackground)
	pairs := []struct {
		use        string
		text, back RGB
	}{
		{"header", OnColor(p), p},
		{"buttons", OnColor(a), a},
		{"links_light", p.Mix(0.85, black), light},
		{"links_dark", p.Mix(0.45, white), dark},
	}
	out := make([]ColorCheck, len(pairs))
	for i, pr := range pairs {
		r := ContrastRatio(pr.text, pr.back)
		out[i] = ColorCheck{Use: pr.use, Text: pr.text.String(), Back: pr.back.String(),
			Ratio: math.Floor(r*100) / 100, OK: r >= MinContrast}
	}
	return out
}
