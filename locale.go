package svcportal

// Locales are the languages of the product, in the order they are
// offered. The message catalogs (package locales) are written for exactly
// these; a test there checks that its list says the same.
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
