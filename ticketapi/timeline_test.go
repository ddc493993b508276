package ticketapi_test

import (
	"html/template"
	"reflect"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/ticketapi"
)

// english translates as the pages do: the catalog's English, with data
// given as pairs.
func english(id string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[args[i].(string)] = args[i+1]
	}
	return locales.For("en").T(id, data)
}

func TestTimeline(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fields := []svcportal.TicketFieldView{
		{Key: "priority", Label: "Priority", Type: svcportal.FieldDropdown, Options: []svcportal.OptionView{{Value: "urgent", Label: "Urgent"}}},
		{Key: "os", Label: "Computer", Type: svcportal.FieldMultiSelect, Options: []svcportal.OptionView{{Value: "os_win", Label: "Windows PC"}, {Value: "os_mac", Label: "Mac"}}},
		{Key: "onsite", Label: "On site", Type: svcportal.FieldCheckbox},
	}
	peter := svcportal.TicketEvent{ActorName: "Peter", CreatedAt: at}
	ev := func(id, action int64, kind, field, from, to string) svcportal.TicketEvent {
		e := peter
		e.ID, e.ActionID, e.Kind, e.Field, e.From, e.To = id, action, kind, field, from, to
		return e
	}
	events := []svcportal.TicketEvent{
		ev(1, 0, svcportal.EventCreated, "", "", ""),
		ev(2, 0, svcportal.EventReplied, "", "", ""),
		ev(3, 2, svcportal.EventStatusChanged, "status", "awaiting_reply", "open"),
		ev(4, 0, svcportal.EventFieldChanged, "priority", "high", "urgent"),
		ev(5, 4, svcportal.EventFieldChanged, "os", "", "os_win, os_mac"),
		ev(6, 4, svcportal.EventFieldChanged, "onsite", "", "true"),
		ev(7, 0, svcportal.EventFieldChanged, "os", "os_win", ""),
		ev(8, 0, svcportal.EventSolutionProposed, "", "", ""),
		ev(9, 8, svcportal.EventStatusChanged, "status", "open", "solution_proposed"),
		// The first event of an action a reader may not see is left out:
		// the rest is still one line.
		ev(11, 10, svcportal.EventFieldChanged, "priority", "urgent", "high"),
		ev(12, 10, svcportal.EventFieldChanged, "onsite", "true", "false"),
	}
	var got []string
	when := func(t time.Time) template.HTML { return template.HTML(t.Format(time.Kitchen)) }
	for _, l := range ticketapi.Timeline(english, when, fields, events) {
		got = append(got, l.Text)
		if l.When != when(l.At) {
			t.Errorf("%q: written %q, want %q", l.Text, l.When, when(l.At))
		}
	}
	want := []string{
		"Peter opened the ticket",
		"Peter replied; the status is now Open",
		"Peter updated the details: Priority → Urgent, Computer → Windows PC, Mac, On site → Yes",
		"Peter cleared the field Computer",
		"Peter proposed a solution",
		"Peter updated the details: Priority → high, On site → No",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
