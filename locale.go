package svcportal

// Locales are the languages of the product, in the order they are offered.
var Locales = []string{"en", "fr", "de", "es", "it"}

// IsLocale reports whether tag is one of Locales.
func IsLocale(tag string) bool {
	for _, l := range Locales {
		if l == tag {
			return true
		}
	}
	return false
}
