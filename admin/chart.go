package admin

import (
	"fmt"
	"math"
	"strings"
)

// Charts of the dashboard are drawn here, as SVG the server sends: no
// script, no style attribute (the content security policy allows neither),
// colours from classes in app.css. Each chart names itself for assistive
// technology (role img, title, desc) and the page puts its figures in a
// table beside it.

// svgChart is one chart: a title and description, and shapes in a
// viewBox of Width × Height.
type svgChart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Grid          []svgLine
	Bars          []svgBar
	Lines         []svgPolyline
	Dots          []svgDot
	Texts         []svgText
	Legend        []legendItem
}

type svgLine struct{ X1, Y1, X2, Y2 float64 }

// svgBar is one bar; Series and Value let a test (or a reader of the
// source) find the figure it draws.
type svgBar struct {
	X, Y, W, H    float64
	Class, Series string
	Value         int
	Tip           string
}

type svgPolyline struct {
	Points string
	Class  string
}

type svgDot struct {
	X, Y   float64
	Class  string
	Value  int64
	Tip    string
	Series string
}

type svgText struct {
	X, Y   float64
	Anchor string // start, middle, end
	Class  string
	Text   string
}

type legendItem struct{ Class, Label string }

// Layout of the charts, in viewBox units.
const (
	chartWidth  = 640
	plotLeft    = 48
	plotRight   = 12
	plotTop     = 12
	axisBottom  = 28
	columnsPlot = 220
	rowHeight   = 26
	halfWidth   = 360 // a chart in a half-width panel
)

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, and
// returns it with the step of its four grid lines.
func niceMax(v float64) (top, step float64) {
	if v <= 0 {
		return 4, 1
	}
	raw := v / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	if step < 1 {
		step = 1
	}
	return step * 4, step
}

// column is one group of a column chart: a label under it and one value
// per series.
type column struct {
	Label  string
	Values []int
	Tips   []string
}

// series names a column chart's series: their class (colour) and label.
type series struct{ Key, Class, Label string }

// columnChart draws groups of columns side by side over a grid; num
// writes the grid's values as the reader's language writes numbers.
func columnChart(id, title, desc string, ss []series, cols []column, num func(any) string) svgChart {
	c := svgChart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: plotTop + columnsPlot + axisBottom}
	maxV := 0
	for _, col := range cols {
		for _, v := range col.Values {
			maxV = max(maxV, v)
		}
	}
	top, step := niceMax(float64(maxV))
	y := func(v float64) float64 { return plotTop + columnsPlot - v/top*columnsPlot }
	for g := 0.0; g <= top; g += step {
		c.Grid = append(c.Grid, svgLine{X1: plotLeft, Y1: y(g), X2: chartWidth - plotRight, Y2: y(g)})
		c.Texts = append(c.Texts, svgText{X: plotLeft - 6, Y: y(g) + 4, Anchor: "end", Class: "chart-tick", Text: num(g)})
	}
	groupW := float64(chartWidth-plotLeft-plotRight) / float64(max(len(cols), 1))
	barW := groupW * 0.8 / float64(max(len(ss), 1))
	for i, col := range cols {
		x0 := plotLeft + float64(i)*groupW + groupW*0.1
		for j, v := range col.Values {
			tip := ""
			if j < len(col.Tips) {
				tip = col.Tips[j]
			}
			c.Bars = append(c.Bars, svgBar{X: x0 + float64(j)*barW, Y: y(float64(v)), W: barW - 1, H: y(0) - y(float64(v)),
				Class: ss[j].Class, Series: ss[j].Key, Value: v, Tip: tip})
		}
		c.Texts = append(c.Texts, svgText{X: x0 + groupW*0.4, Y: float64(c.Height) - 8, Anchor: "middle", Class: "chart-tick", Text: col.Label})
	}
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{Class: s.Class, Label: s.Label})
	}
	return c
}

// row is one line of a bar chart: a label and values stacked left to
// right, with a text after the bar.
type row struct {
	Label  string
	Values []int
	After  string
	Tips   []string
}

// barChart draws horizontal bars, one row each, values of a row stacked,
// in a chart width units wide (a narrow one for a half-width panel keeps
// its text as large as the wide charts').
func barChart(id, title, desc string, width int, ss []series, rows []row) svgChart {
	c := svgChart{ID: id, Title: title, Desc: desc, Width: width, Height: plotTop*2 + rowHeight*max(len(rows), 1)}
	labelWidth := width * 2 / 5
	maxV := 0
	for _, r := range rows {
		sum := 0
		for _, v := range r.Values {
			sum += v
		}
		maxV = max(maxV, sum)
	}
	span := float64(width - labelWidth - 56)
	scale := 0.0
	if maxV > 0 {
		scale = span / float64(maxV)
	}
	for i, r := range rows {
		y := float64(plotTop + i*rowHeight)
		c.Texts = append(c.Texts, svgText{X: float64(labelWidth - 8), Y: y + rowHeight/2 + 4, Anchor: "end", Class: "chart-label", Text: clip(r.Label, labelWidth/8)})
		x := float64(labelWidth)
		for j, v := range r.Values {
			w := float64(v) * scale
			tip := ""
			if j < len(r.Tips) {
				tip = r.Tips[j]
			}
			c.Bars = append(c.Bars, svgBar{X: x, Y: y + 4, W: w, H: rowHeight - 8, Class: ss[j].Class, Series: ss[j].Key, Value: v, Tip: tip})
			x += w
		}
		c.Texts = append(c.Texts, svgText{X: x + 6, Y: y + rowHeight/2 + 4, Anchor: "start", Class: "chart-value", Text: r.After})
	}
	if len(ss) > 1 {
		for _, s := range ss {
			c.Legend = append(c.Legend, legendItem{Class: s.Class, Label: s.Label})
		}
	}
	return c
}

// point is one value of a line chart; ok false leaves a gap (no data).
type point struct {
	Label string
	Value int64
	Tip   string
	OK    bool
}

// lineChart draws values over labels as a line with dots, broken where
// a point has no value; nice chooses the grid for the largest value and
// tick formats the grid's values.
func lineChart(id, title, desc, class string, pts []point, nice func(float64) (float64, float64), tick func(int64) string) svgChart {
	c := svgChart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: plotTop + columnsPlot + axisBottom}
	var maxV int64
	for _, p := range pts {
		if p.OK {
			maxV = max(maxV, p.Value)
		}
	}
	top, step := nice(float64(maxV))
	y := func(v float64) float64 { return plotTop + columnsPlot - v/top*columnsPlot }
	for g := 0.0; g <= top; g += step {
		c.Grid = append(c.Grid, svgLine{X1: plotLeft + 24, Y1: y(g), X2: chartWidth - plotRight, Y2: y(g)})
		c.Texts = append(c.Texts, svgText{X: plotLeft + 18, Y: y(g) + 4, Anchor: "end", Class: "chart-tick", Text: tick(int64(g))})
	}
	stepX := float64(chartWidth-plotLeft-24-plotRight) / float64(max(len(pts), 1))
	var run []string
	flush := func() {
		if len(run) > 1 {
			c.Lines = append(c.Lines, svgPolyline{Points: strings.Join(run, " "), Class: class})
		}
		run = nil
	}
	for i, p := range pts {
		x := plotLeft + 24 + stepX*(float64(i)+0.5)
		c.Texts = append(c.Texts, svgText{X: x, Y: float64(c.Height) - 8, Anchor: "middle", Class: "chart-tick", Text: p.Label})
		if !p.OK {
			flush()
			continue
		}
		py := y(float64(p.Value))
		run = append(run, fmt.Sprintf("%.1f,%.1f", x, py))
		c.Dots = append(c.Dots, svgDot{X: x, Y: py, Class: class, Value: p.Value, Tip: p.Tip, Series: id})
	}
	flush()
	return c
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// niceMinutes is niceMax for durations in minutes: grid steps of whole
// minutes, hours or days that a reader counts in.
func niceMinutes(v float64) (top, step float64) {
	for _, step := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 7200, 14400, 43200} {
		if step*4 >= v {
			return step * 4, step
		}
	}
	return niceMax(v)
}
