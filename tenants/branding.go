package tenants

import (
	"fmt"
	"html"
	"strings"
	"unicode"

	"github.com/svcportal/svcportal"
)

// ThemeCSS is the stylesheet that puts a tenant's colours into the CSS
// custom properties the product's stylesheet uses. Each colour comes with
// the text colour (black or white) that reads best on it, so any brand
// colour keeps WCAG AA contrast.
func ThemeCSS(t *svcportal.Tenant) []byte {
	return fmt.Appendf(nil, ":root{%s}\n", themeVars(t))
}

func themeVars(t *svcportal.Tenant) string {
	return fmt.Sprintf("--brand:%s;--on-brand:%s;--accent:%s;--on-accent:%s",
		t.PrimaryColor, onColor(t.PrimaryColor), t.AccentColor, onColor(t.AccentColor))
}

// PreviewCSS puts t's colours on the settings page's preview of the
// portal (.brand-preview) and on the swatches of its contrast checks
// (.swatch-USE, USE as svcportal.ColorCheck names it, "_" as "-").
func PreviewCSS(t *svcportal.Tenant) []byte {
	out := fmt.Appendf(nil, ".brand-preview{%s}\n", themeVars(t))
	for _, ch := range svcportal.BrandContrast(t.PrimaryColor, t.AccentColor) {
		out = fmt.Appendf(out, ".swatch-%s{color:%s;background:%s}\n", strings.ReplaceAll(ch.Use, "_", "-"), ch.Text, ch.Back)
	}
	return out
}

// onColor returns #000000 or #ffffff, whichever contrasts more with hex
// (#rrggbb); black for a malformed colour.
func onColor(hex string) string {
	c, err := svcportal.ParseColor(hex)
	if err != nil {
		return "#000000"
	}
	return svcportal.OnColor(c).String()
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
