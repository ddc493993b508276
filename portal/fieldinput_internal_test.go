package portal

import (
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
)

// TestOptions_HoldAnyText: a field's options, held as text so that its
// input is comparable (and rendered once, web.Fragments), come back as
// they were, whatever characters their values and labels hold; chosen
// values are kept once each, in one order, so that the same choice is
// the same fragment.
func TestOptions_HoldAnyText(t *testing.T) {
	os := []svcportal.OptionView{
		{Value: "a", Label: "A"}, {Value: "", Label: "empty value"}, {Value: "12:3", Label: "1:2"},
		{Value: "x\x00y", Label: "é ü 漢"}, {Value: "v", Label: ""},
	}
	if got := optionsOf(os).List(); !slices.Equal(got, os) {
		t.Errorf("List = %q, want %q", got, os)
	}
	if got := optionsOf(nil).List(); len(got) != 0 {
		t.Errorf("no options: %q", got)
	}
	chosen := chosenOf([]string{"b", "12:3", "b", "a"})
	if chosen != chosenOf([]string{"a", "12:3", "b"}) {
		t.Error("the same choice in another order is another value")
	}
	for v, want := range map[string]bool{"a": true, "b": true, "12:3": true, "12": false, "3": false, "": false} {
		if chosen.Has(v) != want {
			t.Errorf("Has(%q) = %v, want %v", v, !want, want)
		}
	}
}
