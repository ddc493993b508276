package svcportal

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // tenants name any IANA zone, whatever the host has installed
)

// Weekdays are the keys of ServiceHours.Week, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weekdayKey is the Weekdays key of a time.Weekday.
func weekdayKey(d time.Weekday) string { return Weekdays[(int(d)+6)%7] }

// Span is one stretch of opening hours within a day, "09:00" to "18:00"
// in the tenant's time zone; To may be "24:00", the end of the day.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ServiceHours are when a tenant's service desk works and how soon it
// answers: opening hours per weekday in the tenant's time zone, holidays
// (closed all day), and the expected first-response time per ticket
// priority, counted in opening hours. No opening hours at all means the
// desk works round the clock (holidays still close it).
type ServiceHours struct {
	Week map[string][]Span `json:"week"`
	// Holidays are dates: "2026-12-24" once, "12-25" every year.
	Holidays []string `json:"holidays"`
	// FirstResponse is minutes of opening hours per priority; a priority
	// without one promises nothing.
	FirstResponse map[string]int `json:"first_response_minutes"`
}

// Limits of service hours.
const (
	MaxHolidays          = 100
	MaxSpansPerDay       = 4
	MaxFirstResponseMins = 60 * 24 * 60 // sixty days of round-the-clock time
)

var (
	clockRE   = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$`)
	holidayRE = regexp.MustCompile(`^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$`)
)

// minutesOf reads "HH:MM" as minutes since midnight.
func minutesOf(clock string) (int, bool) {
	if !clockRE.MatchString(clock) {
		return 0, false
	}
	var h, m int
	fmt.Sscanf(clock, "%d:%d", &h, &m)
	return h*60 + m, true
}

// Validate checks the hours: known weekdays, HH:MM clocks, spans in order
// without overlap, real dates, known priorities and sane response times.
// Fields: service_hours.KEY (week.mon, holidays, first_response_minutes.high).
func (h *ServiceHours) Validate() error {
	var v Validation
	for day, spans := range h.Week {
		field := "service_hours.week." + day
		if !slices.Contains(Weekdays, day) {
			v.Add(field, "error.weekday_unknown", map[string]any{"Day": day})
			continue
		}
		v.Check(len(spans) <= MaxSpansPerDay, field, "error.too_many", map[string]any{"Max": MaxSpansPerDay})
		last := -1
		for _, s := range spans {
			from, ok1 := minutesOf(s.From)
			to, ok2 := minutesOf(s.To)
			switch {
			case !ok1 || !ok2 || s.From == "24:00":
				v.Add(field, "error.hours_format", nil)
			case from >= to:
				v.Add(field, "error.hours_order", nil)
			case from < last:
				v.Add(field, "error.hours_overlap", nil)
			}
			last = to
		}
	}
	v.Check(len(h.Holidays) <= MaxHolidays, "service_hours.holidays", "error.too_many", map[string]any{"Max": MaxHolidays})
	for _, d := range h.Holidays {
		v.Check(validHoliday(d), "service_hours.holidays", "error.date_format", map[string]any{"Value": d})
	}
	for p, mins := range h.FirstResponse {
		field := "service_hours.first_response_minutes." + p
		v.Check(slices.Contains(Priorities, p), field, "error.option_unknown", map[string]any{"Value": p})
		v.Check(mins >= 1 && mins <= MaxFirstResponseMins, field, "error.range", map[string]any{"Min": 1, "Max": MaxFirstResponseMins})
	}
	return v.Err()
}

func validHoliday(d string) bool {
	if !holidayRE.MatchString(d) {
		return false
	}
	if len(d) == 5 { // every year: 02-29 is a date of leap years
		d = "2024-" + d
	}
	_, err := time.Parse(time.DateOnly, d)
	return err == nil
}

// Normalize sorts each day's spans and the holidays and drops empty days,
// so equal hours compare and show equal.
func (h *ServiceHours) Normalize() {
	for day, spans := range h.Week {
		if len(spans) == 0 {
			delete(h.Week, day)
			continue
		}
		slices.SortFunc(spans, func(a, b Span) int { return strings.Compare(a.From, b.From) })
	}
	slices.Sort(h.Holidays)
	h.Holidays = slices.Compact(h.Holidays)
}

// RoundTheClock reports whether no opening hours are set.
func (h *ServiceHours) RoundTheClock() bool {
	for _, spans := range h.Week {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

// isHoliday reports whether the local date y-m-d is a holiday.
func (h *ServiceHours) isHoliday(y int, m time.Month, d int) bool {
	date := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	for _, hd := range h.Holidays {
		if hd == date || hd == date[5:] {
			return true
		}
	}
	return false
}

// opening is one stretch of opening hours as instants.
type opening struct{ start, end time.Time }

// day is the opening hours of the local date y-m-d in loc (d may run past
// the month's end, as time.Date allows), in order.
func (h *ServiceHours) day(y int, m time.Month, d int, loc *time.Location) []opening {
	noon := time.Date(y, m, d, 12, 0, 0, 0, loc)
	y, m, d = noon.Date()
	if h.isHoliday(y, m, d) {
		return nil
	}
	at := func(mins int) time.Time { return time.Date(y, m, d, mins/60, mins%60, 0, 0, loc) }
	if h.RoundTheClock() {
		return []opening{{at(0), at(24 * 60)}}
	}
	var out []opening
	for _, s := range h.Week[weekdayKey(noon.Weekday())] {
		from, _ := minutesOf(s.From)
		to, _ := minutesOf(s.To)
		out = append(out, opening{at(from), at(to)})
	}
	return out
}

// searchDays bounds the walk through the calendar: hours that open on no
// day of the next ten years (every day a holiday) never open.
const searchDays = 3660

// AddOpenTime returns the instant at which d of opening hours have passed
// since from, the desk's hours read in loc (daylight-saving changes
// included: an hour of opening is an hour of real time). With d zero it is
// the next instant the desk is open. ok is false when the desk never opens.
func (h *ServiceHours) AddOpenTime(from time.Time, loc *time.Location, d time.Duration) (at time.Time, ok bool) {
	local := from.In(loc)
	y, m, dd := local.Date()
	for i := 0; i < searchDays; i++ {
		for _, o := range h.day(y, m, dd+i, loc) {
			start := o.start
			if start.Before(from) {
				start = from
			}
			if !o.end.After(start) {
				continue
			}
			span := o.end.Sub(start)
			if d <= span {
				return start.Add(d), true
			}
			d -= span
		}
	}
	return time.Time{}, false
}

// OpenAt reports whether the desk is open at t.
func (h *ServiceHours) OpenAt(t time.Time, loc *time.Location) bool {
	y, m, d := t.In(loc).Date()
	for _, o := range h.day(y, m, d, loc) {
		if !t.Before(o.start) && t.Before(o.end) {
			return true
		}
	}
	return false
}

// AnswerBy is when a ticket of priority opened at from can expect its
// first answer: its first-response time of opening hours later. ok is
// false when the tenant promises nothing for that priority.
func (h *ServiceHours) AnswerBy(from time.Time, loc *time.Location, priority string) (time.Time, bool) {
	mins, set := h.FirstResponse[priority]
	if !set || mins <= 0 {
		return time.Time{}, false
	}
	return h.AddOpenTime(from, loc, time.Duration(mins)*time.Minute)
}

// CommonTimeZones are offered while typing a time zone (the tenant's, a
// contact's); any IANA name works.
var CommonTimeZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels",
	"Europe/Amsterdam", "Europe/Luxembourg", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Rome",
	"Europe/Madrid", "Europe/Warsaw", "Europe/Stockholm", "Europe/Helsinki", "Europe/Athens", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Montreal",
	"America/Mexico_City", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Africa/Casablanca", "Asia/Dubai",
	"Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

// ValidTimeZone reports whether name is an IANA time zone ("Europe/Paris",
// "UTC"); "Local" and "" are not.
func ValidTimeZone(name string) bool {
	if name == "" || name == "Local" || len(name) > 64 {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
