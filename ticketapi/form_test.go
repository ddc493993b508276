package ticketapi_test

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
)

func TestFormFields(t *testing.T) {
	ed := svcportal.FieldEditable
	views := []svcportal.TicketFieldView{
		{Key: "priority", Type: svcportal.FieldDropdown, Mode: ed},
		{Key: "asset", Type: svcportal.FieldText, Mode: ed},
		{Key: "notes", Type: svcportal.FieldLongText, Mode: ed},
		{Key: "onsite", Type: svcportal.FieldCheckbox, Mode: ed},
		{Key: "urgent", Type: svcportal.FieldCheckbox, Mode: ed},
		{Key: "os", Type: svcportal.FieldMultiSelect, Mode: ed},
		{Key: "apps", Type: svcportal.FieldMultiSelect, Mode: ed},
		{Key: "status", Type: svcportal.FieldDropdown, Mode: svcportal.FieldViewOnly},
		{Key: "billed", Type: svcportal.FieldCheckbox, Mode: svcportal.FieldViewOnly},
	}
	// priority chosen, asset blank, notes not in the form, onsite ticked,
	// urgent unticked, os with two choices, apps with none; status and
	// billed are not the reader's to edit, whatever is sent.
	form := url.Values{"field.priority": {"high"}, "field.asset": {"  "}, "field.onsite": {"on"},
		"field.os": {"linux", "mac"}, "title": {"Printer"},
		"field.status": {"closed"}, "field.billed": {"on"}}

	t.Run("new ticket: blanks left out", func(t *testing.T) {
		got := ticketapi.FormFields(form, views, ticketapi.OmitBlanks)
		want := map[string]any{"priority": "high", "onsite": true, "os": []string{"linux", "mac"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %#v, want %#v", got, want)
		}
	})
	t.Run("ticket update: blanks clear", func(t *testing.T) {
		got := ticketapi.FormFields(form, views, ticketapi.ClearBlanks)
		want := map[string]any{"priority": "high", "asset": "  ", "onsite": true, "urgent": false,
			"os": []string{"linux", "mac"}, "apps": []string(nil)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %#v, want %#v", got, want)
		}
	})
}
