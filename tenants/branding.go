package tenants

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/svcportal/svcportal"
)

// ThemeCSS is the stylesheet that puts a tenant's colours into the CSS
// custom properties the product's stylesheet uses. Each colour comes with
// the text colour (black or white) that reads best on it, so any brand
// colour keeps WCAG AA contrast.
func ThemeCSS(t *svcportal.Tenant) []byte {
	return fmt.Appendf(nil, ":root{--brand:%s;--on-brand:%s;--accent:%s;--on-accent:%s}\n",
		t.PrimaryColor, onColor(t.PrimaryColor), t.AccentColor, onColor(t.AccentColor))
}

// onColor returns #000 or #fff, whichever contrasts more with hex (#rrggbb).
func onColor(hex string) string {
	if luminance(hex) > 0.179 { // where contrast with black equals contrast with white
		return "#000"
	}
	return "#fff"
}

// luminance is the WCAG relative luminance of a #rrggbb colour.
func luminance(hex string) float64 {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		return 0
	}
	ch := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}

// Initials are up to two letters standing for a tenant's name.
func Initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// MonogramSVG is the logo of a tenant that has not uploaded one: its
// initials on its brand colour.
func MonogramSVG(t *svcportal.Tenant) []byte {
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img">`+
		`<rect width="64" height="64" rx="14" fill="%s"/>`+
		`<text x="32" y="41" font-family="system-ui,sans-serif" font-size="26" font-weight="700" text-anchor="middle" fill="%s">%s</text></svg>`,
		t.PrimaryColor, onColor(t.PrimaryColor), html.EscapeString(Initials(t.Name)))
}
