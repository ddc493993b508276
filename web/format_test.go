package web

import (
	"testing"
	"time"
)

func TestPage_Day(t *testing.T) {
	at := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "3/2/2026", "fr": "02/03/2026", "de": "02.03.2026", "es": "02/03/2026", "it": "02/03/2026"} {
		if got := (Page{Lang: lang}).Day(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	// In the reader's zone: 23:30 UTC is already the next day in Rome.
	rome, _ := time.LoadLocation("Europe/Rome")
	if got := (Page{Lang: "it", loc: rome}).Day(at); got != "03/03/2026" {
		t.Errorf("Rome: %q", got)
	}
}
