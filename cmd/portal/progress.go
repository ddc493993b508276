package main

import (
	"fmt"
	"io"
)

// progress draws a one-line progress bar.
type progress struct {
	w     io.Writer
	label string
	total int
	last  int
}

func newProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, label: label, total: total, last: -1}
	if total == 0 {
		fmt.Fprintf(w, "%-9s nothing to do\n", label)
	}
	return p
}

// step shows done of total, redrawing at most once per percent.
func (p *progress) step(done int) {
	pct := done * 100 / max(p.total, 1)
	if pct == p.last && done != p.total {
		return
	}
	p.last = pct
	filled := pct * 30 / 100
	bar := make([]byte, 30)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%-9s [%s] %3d%% %d/%d", p.label, bar, pct, done, p.total)
	if done == p.total {
		fmt.Fprintln(p.w)
	}
}
