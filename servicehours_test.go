package svcportal_test

import (
	"testing"
	"time"

	"github.com/svcportal/svcportal"
)

// officeHours is a desk open Monday to Friday 09:00–12:00 and 13:00–18:00,
// closed on 25 December 2026 and every 1 January.
func officeHours() svcportal.ServiceHours {
	day := []svcportal.Span{{From: "09:00", To: "12:00"}, {From: "13:00", To: "18:00"}}
	return svcportal.ServiceHours{
		Week:          map[string][]svcportal.Span{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		Holidays:      []string{"2026-12-25", "01-01"},
		FirstResponse: map[string]int{"urgent": 60, "high": 240, "normal": 480, "low": 3 * 480},
	}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestServiceHours_AddOpenTime walks opening hours with fixed clocks
// across lunch, weekends, holidays (dated and yearly), daylight-saving
// changes and time zones.
func TestServiceHours_AddOpenTime(t *testing.T) {
	paris, ny := zone(t, "Europe/Paris"), zone(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	office := officeHours()
	always := svcportal.ServiceHours{}
	tests := []struct {
		name  string
		hours svcportal.ServiceHours
		loc   *time.Location
		from  time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the morning", office, paris, at(paris, 2026, 3, 2, 10, 0), time.Hour, at(paris, 2026, 3, 2, 11, 0)},
		{"over lunch", office, paris, at(paris, 2026, 3, 2, 11, 30), time.Hour, at(paris, 2026, 3, 2, 13, 30)},
		{"up to the closing minute", office, paris, at(paris, 2026, 3, 2, 17, 0), time.Hour, at(paris, 2026, 3, 2, 18, 0)},
		{"a full day from the opening", office, paris, at(paris, 2026, 3, 2, 9, 0), 8 * time.Hour, at(paris, 2026, 3, 2, 18, 0)},
		{"before opening", office, paris, at(paris, 2026, 3, 2, 7, 0), 30 * time.Minute, at(paris, 2026, 3, 2, 9, 30)},
		{"Friday evening to Monday", office, paris, at(paris, 2026, 3, 6, 17, 0), 2 * time.Hour, at(paris, 2026, 3, 9, 10, 0)},
		{"on Saturday", office, paris, at(paris, 2026, 3, 7, 10, 0), time.Hour, at(paris, 2026, 3, 9, 10, 0)},
		{"three days", office, paris, at(paris, 2026, 3, 4, 15, 0), 24 * time.Hour, at(paris, 2026, 3, 9, 15, 0)},
		{"over a dated holiday and the weekend", office, paris, at(paris, 2026, 12, 24, 17, 30), time.Hour, at(paris, 2026, 12, 28, 9, 30)},
		{"over a yearly holiday", office, paris, at(paris, 2026, 12, 31, 17, 0), 2 * time.Hour, at(paris, 2027, 1, 4, 10, 0)},
		{"the yearly holiday of another year", office, paris, at(paris, 2028, 12, 29, 17, 0), 2 * time.Hour, at(paris, 2029, 1, 2, 10, 0)},
		{"nothing to add: the next opening", office, paris, at(paris, 2026, 3, 7, 10, 0), 0, at(paris, 2026, 3, 9, 9, 0)},
		{"nothing to add while open", office, paris, at(paris, 2026, 3, 2, 10, 15), 0, at(paris, 2026, 3, 2, 10, 15)},
		{"spring forward, office hours", office, paris, at(paris, 2026, 3, 27, 17, 0), 2 * time.Hour, at(paris, 2026, 3, 30, 10, 0)},
		{"spring forward, round the clock: four real hours", always, paris, at(paris, 2026, 3, 28, 23, 0), 4 * time.Hour, at(paris, 2026, 3, 29, 4, 0)},
		{"fall back, round the clock", always, paris, at(paris, 2026, 10, 24, 23, 0), 4 * time.Hour, at(paris, 2026, 10, 25, 2, 0)},
		{"the same instant in New York's hours", office, ny, time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), time.Hour, time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)},
		{"New York's Friday evening is Paris's night", office, ny, at(ny, 2026, 3, 6, 17, 30), time.Hour, at(ny, 2026, 3, 9, 9, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.hours.AddOpenTime(tt.from, tt.loc, tt.d)
			if !ok || !got.Equal(tt.want) {
				t.Errorf("AddOpenTime(%s, %s) = %s %v, want %s", tt.from, tt.d, got.In(tt.loc), ok, tt.want)
			}
		})
	}
}

func TestServiceHours_AnswerBy(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	h := officeHours()
	friday := time.Date(2026, 3, 6, 16, 0, 0, 0, paris)
	tests := []struct {
		priority string
		want     time.Time
		ok       bool
	}{
		{"urgent", time.Date(2026, 3, 6, 17, 0, 0, 0, paris), true},
		{"high", time.Date(2026, 3, 9, 11, 0, 0, 0, paris), true},
		{"normal", time.Date(2026, 3, 9, 16, 0, 0, 0, paris), true},
		{"low", time.Date(2026, 3, 11, 16, 0, 0, 0, paris), true},
		{"none", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := h.AnswerBy(friday, paris, tt.priority)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("%s: got %s %v, want %s %v", tt.priority, got.In(paris), ok, tt.want, tt.ok)
		}
	}
}

func TestServiceHours_OpenAt(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	h := officeHours()
	tests := []struct {
		when time.Time
		open bool
	}{
		{time.Date(2026, 3, 2, 9, 0, 0, 0, paris), true},
		{time.Date(2026, 3, 2, 12, 30, 0, 0, paris), false},
		{time.Date(2026, 3, 2, 17, 59, 0, 0, paris), true},
		{time.Date(2026, 3, 2, 18, 0, 0, 0, paris), false},
		{time.Date(2026, 3, 7, 10, 0, 0, 0, paris), false},
		{time.Date(2026, 12, 25, 10, 0, 0, 0, paris), false},
		{time.Date(2030, 1, 1, 10, 0, 0, 0, paris), false},
		{time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), true}, // 09:30 in Paris
	}
	for _, tt := range tests {
		if got := h.OpenAt(tt.when, paris); got != tt.open {
			t.Errorf("OpenAt(%s) = %v, want %v", tt.when, got, tt.open)
		}
	}
	if !(&svcportal.ServiceHours{}).OpenAt(time.Date(2026, 3, 7, 3, 0, 0, 0, paris), paris) {
		t.Error("no opening hours: open round the clock")
	}
}

func TestServiceHours_Validate(t *testing.T) {
	span := func(from, to string) map[string][]svcportal.Span {
		return map[string][]svcportal.Span{"mon": {{From: from, To: to}}}
	}
	tests := []struct {
		name  string
		hours svcportal.ServiceHours
		field string
	}{
		{"not a clock", svcportal.ServiceHours{Week: span("9h", "18:00")}, "service_hours.week.mon"},
		{"ends before it starts", svcportal.ServiceHours{Week: span("18:00", "09:00")}, "service_hours.week.mon"},
		{"starts at midnight's end", svcportal.ServiceHours{Week: span("24:00", "24:00")}, "service_hours.week.mon"},
		{"overlap", svcportal.ServiceHours{Week: map[string][]svcportal.Span{"tue": {{From: "09:00", To: "13:00"}, {From: "12:00", To: "18:00"}}}}, "service_hours.week.tue"},
		{"unknown day", svcportal.ServiceHours{Week: map[string][]svcportal.Span{"monday": {{From: "09:00", To: "18:00"}}}}, "service_hours.week.monday"},
		{"no such date", svcportal.ServiceHours{Holidays: []string{"2026-02-30"}}, "service_hours.holidays"},
		{"not a date", svcportal.ServiceHours{Holidays: []string{"Christmas"}}, "service_hours.holidays"},
		{"unknown priority", svcportal.ServiceHours{FirstResponse: map[string]int{"asap": 60}}, "service_hours.first_response_minutes.asap"},
		{"no time", svcportal.ServiceHours{FirstResponse: map[string]int{"high": 0}}, "service_hours.first_response_minutes.high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.hours.Validate()
			e, ok := err.(*svcportal.Error)
			if !ok || e.Fields[tt.field].MessageID == "" {
				t.Errorf("got %v, want a complaint on %s", err, tt.field)
			}
		})
	}
	ok := officeHours()
	ok.Week["sat"] = []svcportal.Span{{From: "10:00", To: "24:00"}}
	ok.Holidays = append(ok.Holidays, "02-29")
	if err := ok.Validate(); err != nil {
		t.Errorf("valid hours refused: %v", err)
	}
}
