package admin

import (
	"slices"
	"testing"

	"github.com/svcportal/svcportal/locales"
)

// TestColumnChart_TicksInTheReadersLanguage: the grid of a column chart is
// labelled as the reader's language writes numbers ("2,5", "1.000"), not
// as Go prints them ("2.5", "1000").
func TestColumnChart_TicksInTheReadersLanguage(t *testing.T) {
	ticks := func(lang string, top int) []string {
		c := columnChart("c", "title", "desc", []series{{"a", "chart-a", "A"}}, []column{{Label: "w", Values: []int{top}}}, locales.For(lang).Number)
		var out []string
		for _, tx := range c.Texts {
			if tx.Class == "chart-tick" && tx.Anchor == "end" { // the grid's, not the columns' labels
				out = append(out, tx.Text)
			}
		}
		return out
	}
	for _, tt := range []struct {
		lang string
		top  int
		want []string
	}{
		{"de", 9, []string{"0", "2,5", "5", "7,5", "10"}},
		{"en", 9, []string{"0", "2.5", "5", "7.5", "10"}},
		{"de", 3000, []string{"0", "1.000", "2.000", "3.000", "4.000"}},
		{"fr", 3000, []string{"0", "1\u00a0000", "2\u00a0000", "3\u00a0000", "4\u00a0000"}},
	} {
		if got := ticks(tt.lang, tt.top); !slices.Equal(got, tt.want) {
			t.Errorf("%s, up to %d: ticks %q, want %q", tt.lang, tt.top, got, tt.want)
		}
	}
}
