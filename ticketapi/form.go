package ticketapi

import (
	"net/url"
	"strings"

	"github.com/svcportal/svcportal"
)

// Blanks says what a page form's blank ticket field means: an empty
// input, an unticked box, a multi-select with nothing chosen.
type Blanks bool

const (
	// OmitBlanks leaves a blank field out, so that it stays unset and
	// its default applies: the new-ticket form.
	OmitBlanks Blanks = false
	// ClearBlanks sends a blank field as empty, which clears it: the
	// form that edits the fields of a ticket.
	ClearBlanks Blanks = true
)

// FormFields reads the ticket fields of a page form, one input named
// field.KEY for each of views the reader may edit (others are ignored,
// as the form does not offer them): several values for a multi-select, any
// value for a ticked checkbox (true). A browser sends no unticked box and
// no multi-select without a choice, so for those two an absent input is a
// blank one; any other field whose input is absent is left out, since the
// form did not offer it. Values are as typed: the ticket service
// normalises and checks them.
func FormFields(form url.Values, views []svcportal.TicketFieldView, blanks Blanks) map[string]any {
	out := map[string]any{}
	for _, f := range views {
		if f.Mode != svcportal.FieldEditable {
			continue
		}
		vals, sent := form["field."+f.Key]
		var val any
		blank := !sent
		switch {
		case f.Type == svcportal.FieldCheckbox:
			val = sent
		case f.Type == svcportal.FieldMultiSelect:
			val = vals
		case !sent:
			continue
		default:
			val, blank = vals[0], strings.TrimSpace(vals[0]) == ""
		}
		if blank && blanks == OmitBlanks {
			continue
		}
		out[f.Key] = val
	}
	return out
}
