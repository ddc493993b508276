package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones on hosts without a zoneinfo database

	"github.com/svcportal/svcportal"
)

// dateLayouts are the numeric date and time layouts of each language, so
// that no month name needs translating.
var dateLayouts = map[string]string{
	"en": "1/2/2006, 3:04 PM",
	"fr": "02/01/2006 15:04",
	"de": "02.01.2006, 15:04",
	"es": "02/01/2006, 15:04",
	"it": "02/01/2006, 15:04",
}

// dayLayouts are the numeric dates of each language.
var dayLayouts = map[string]string{"en": "1/2/2006", "fr": "02/01/2006", "de": "02.01.2006", "es": "02/01/2006", "it": "02/01/2006"}

// Day is t's date in the reader's time zone and their language's format.
func (p Page) Day(t time.Time) string {
	layout, ok := dayLayouts[p.Lang]
	if !ok {
		layout = dayLayouts["en"]
	}
	return t.In(p.Location()).Format(layout)
}

// Location is the time zone of the page's dates: the reader's, else the
// tenant's, else UTC.
func (p Page) Location() *time.Location {
	if p.loc != nil {
		return p.loc
	}
	return time.UTC
}

// ExactTime is t in the reader's time zone and their language's format.
func (p Page) ExactTime(t time.Time) string {
	layout, ok := dateLayouts[p.Lang]
	if !ok {
		layout = dateLayouts["en"]
	}
	return t.In(p.Location()).Format(layout)
}

// When renders t as a <time> element: relative for the last week ("3
// hours ago"), else the local date and time; the exact local time is in
// its title, the machine-readable instant in datetime.
func (p Page) When(t time.Time) template.HTML {
	exact := p.ExactTime(t)
	shown := exact
	if d := p.now().Sub(t); d >= 0 && d < 7*24*time.Hour {
		switch {
		case d < time.Minute:
			shown = p.T("ux.ago.now")
		case d < time.Hour:
			shown = p.tr.N("ux.ago.minutes", int(d/time.Minute), nil)
		case d < 24*time.Hour:
			shown = p.tr.N("ux.ago.hours", int(d/time.Hour), nil)
		default:
			shown = p.tr.N("ux.ago.days", int(d/(24*time.Hour)), nil)
		}
	}
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
		t.UTC().Format(time.RFC3339), template.HTMLEscapeString(exact), template.HTMLEscapeString(shown)))
}

func (p Page) now() time.Time {
	if p.clock != nil {
		return p.clock()
	}
	return time.Now()
}

// Num writes a quantity (an integer) as the page's language writes
// numbers, "1,234" or "1 234" or "1.234": {{.Num .Total}}. Counts given to
// T as template data are written so already.
func (p Page) Num(n any) string { return p.tr.Number(n) }

// sizeUnits are the catalog ids of the units of Size, smallest first.
var sizeUnits = []string{"size.b", "size.kb", "size.mb", "size.gb"}

// Size renders a byte count as a person reads it, in the page's language
// and its units: "36 KB", "1,4 Mo".
func (p Page) Size(n int64) string {
	units := sizeUnits
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	var num string
	switch {
	case u == 0 || v >= 10:
		num = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	default:
		num = strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
		if p.Lang != "en" {
			num = strings.Replace(num, ".", ",", 1)
		}
	}
	return num + "\u00a0" + p.T(units[u])
}

// readerLocation is the contact's time zone, else the tenant's, else UTC.
func readerLocation(t *svcportal.Tenant, p *svcportal.Principal) *time.Location {
	for _, name := range []string{contactZone(p), tenantZone(t)} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

func contactZone(p *svcportal.Principal) string {
	if p == nil || p.Contact == nil {
		return ""
	}
	return p.Contact.TimeZone
}

func tenantZone(t *svcportal.Tenant) string {
	if t == nil {
		return ""
	}
	return t.TimeZone
}
