package portal

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// notices are what the tenant tells contacts on the home page and the
// new-ticket form: the announcements running for their sites, the service
// hours with when an answer can be expected, and what each ticket type is
// for. Templates show them with the partials of notices.html.
type notices struct {
	Announcements []announcementView
	Hours         *hoursView
	Types         []typeDescription
}

// announcementView is a running announcement as the partial shows it.
type announcementView struct {
	svcportal.ShownAnnouncement
	Until string // when it ends, in the reader's words ("" when open-ended)
}

// hoursView is the tenant's service hours in the reader's language.
type hoursView struct {
	Open          bool
	RoundTheClock bool
	NextOpen      string // when closed: when the desk opens again
	Zone          string
	Week          []dayHours
	Holidays      bool // the tenant has holidays
	// Expect is when an answer can be expected for Priority, the form's
	// priority or the default one; ByPriority for each priority promised.
	Priority   string
	Expect     string
	ByPriority []priorityExpect
}

type dayHours struct{ Day, Hours string }

type priorityExpect struct{ Priority, Label, When string }

// typeDescription is a ticket type the form offers, with what it is for.
type typeDescription struct{ Value, Label, Text string }

// notices gathers the notices for the page; fields are the new-ticket
// form's fields (nil on other pages).
func (h *handlers) notices(c *gin.Context, pg web.Page, fields []fieldInput) (notices, error) {
	var n notices
	ctx := c.Request.Context()
	t := svcportal.TenantFrom(ctx)
	now := h.now()
	if h.deps.Announcements != nil {
		list, err := h.deps.Announcements.RunningFor(ctx, web.Principal(c), pg.Lang)
		if err != nil {
			return n, err
		}
		for _, a := range list {
			v := announcementView{ShownAnnouncement: a}
			if a.EndsAt != nil {
				v.Until = when(pg, *a.EndsAt, now, pg.Location()) // the reader's zone: no zone is named
			}
			n.Announcements = append(n.Announcements, v)
		}
	}
	priority := svcportal.DefaultPriority
	for _, f := range fields {
		switch {
		case f.Key == "priority" && f.Value != "":
			priority = f.Value
		case f.Key == "type":
			for _, o := range f.Options.List() {
				if d := t.TypeDescription(o.Value, pg.Lang); d != "" {
					n.Types = append(n.Types, typeDescription{Value: o.Value, Label: o.Label, Text: d})
				}
			}
		}
	}
	n.Hours = hoursOf(pg, t, now, priority)
	return n, nil
}

// hoursOf describes t's service hours at now; nil when the tenant has set
// none (no hours, no holidays, no promised response times).
func hoursOf(pg web.Page, t *svcportal.Tenant, now time.Time, priority string) *hoursView {
	sh := &t.ServiceHours
	if sh.RoundTheClock() && len(sh.Holidays) == 0 && len(sh.FirstResponse) == 0 {
		return nil
	}
	loc := t.Location()
	v := &hoursView{Open: sh.OpenAt(now, loc), RoundTheClock: sh.RoundTheClock(), Zone: t.TimeZone,
		Holidays: len(sh.Holidays) > 0, Priority: priority}
	if !v.Open {
		if next, ok := sh.AddOpenTime(now, loc, 0); ok {
			v.NextOpen = when(pg, next, now, loc)
		}
	}
	for _, day := range svcportal.Weekdays {
		spans := sh.Week[day]
		text := pg.T("hours.closed")
		if len(spans) > 0 {
			parts := make([]string, len(spans))
			for i, s := range spans {
				parts[i] = s.From + "–" + s.To
			}
			text = strings.Join(parts, ", ")
		}
		v.Week = append(v.Week, dayHours{Day: pg.T("hours.day." + day), Hours: text})
	}
	for _, p := range svcportal.Priorities {
		if at, ok := sh.AnswerBy(now, loc, p); ok {
			w := when(pg, at, now, loc)
			v.ByPriority = append(v.ByPriority, priorityExpect{Priority: p, Label: pg.T("ticket.priority." + p), When: w})
			if p == priority {
				v.Expect = w
			}
		}
	}
	return v
}

// when says t in the reader's language and time zone loc (the tenant's
// for service hours, which name it; the reader's otherwise):
// "today at 15:00", "tomorrow at 09:00", or "Tuesday 4 March, 11:00".
func when(pg web.Page, t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	clock := t.Format("15:04")
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	tomorrow := time.Date(ny, nm, nd+1, 12, 0, 0, 0, loc)
	switch {
	case ty == ny && tm == nm && td == nd:
		return pg.T("hours.today", "Time", clock)
	case ty == tomorrow.Year() && tm == tomorrow.Month() && td == tomorrow.Day():
		return pg.T("hours.tomorrow", "Time", clock)
	}
	return pg.T("hours.datetime", "Weekday", pg.T("hours.day."+svcportal.Weekdays[(int(t.Weekday())+6)%7]),
		"Day", strconv.Itoa(td), "Month", pg.T("hours.month."+strconv.Itoa(int(tm))), "Time", clock)
}
