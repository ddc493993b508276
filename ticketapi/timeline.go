package ticketapi

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// Translate is a page's translator: a catalog id and its data as pairs.
type Translate func(id string, args ...any) string

// TimelineLine is one action of a ticket's history as a reader reads it.
type TimelineLine struct {
	At   time.Time
	When template.HTML // At, as the page shows times
	Text string
}

// impliedStatus is the status an action's kind always leads to: its line
// does not repeat it.
var impliedStatus = map[string]string{
	svcportal.EventSolutionProposed: svcportal.StatusSolutionProposed,
	svcportal.EventSolutionAccepted: svcportal.StatusClosed,
	svcportal.EventClosed:           svcportal.StatusClosed,
	svcportal.EventAutoClosed:       svcportal.StatusClosed,
}

// Timeline is a ticket's history for the ticket pages of the portal and
// the console, one line per action in the reader's language: events of
// one change (a reply and the status it reopens, fields saved together)
// make one sentence; fields are named by their labels and values by their
// option labels, among the fields the reader sees. when writes a time as
// the page shows it, ready for the template (a call from a template goes
// through reflection).
func Timeline(t Translate, when func(time.Time) template.HTML, fields []svcportal.TicketFieldView, events []svcportal.TicketEvent) []TimelineLine {
	byKey := make(map[string]svcportal.TicketFieldView, len(fields))
	for _, f := range fields {
		byKey[f.Key] = f
	}
	var out []TimelineLine
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && events[j].Action() == events[i].Action() {
			j++
		}
		at := events[i].CreatedAt
		out = append(out, TimelineLine{At: at, When: when(at), Text: actionText(t, byKey, events[i:j])})
		i = j
	}
	return out
}

// actionText is the sentence of the events of one action.
func actionText(t Translate, fields map[string]svcportal.TicketFieldView, group []svcportal.TicketEvent) string {
	actor := actorName(t, group[0])
	var main *svcportal.TicketEvent
	var changes []svcportal.TicketEvent
	for i := range group {
		switch group[i].Kind {
		case svcportal.EventStatusChanged, svcportal.EventFieldChanged:
			changes = append(changes, group[i])
		default:
			if main == nil {
				main = &group[i]
			}
		}
	}
	if main != nil {
		text := t("tk.ev."+main.Kind, "Actor", actor)
		for _, c := range changes {
			if c.Kind == svcportal.EventStatusChanged && c.To != impliedStatus[main.Kind] {
				text = t("tk.ev.then_status", "Action", text, "Status", t("ticket.status."+c.To))
			}
		}
		return text
	}
	if len(changes) == 1 {
		c := changes[0]
		if c.Kind == svcportal.EventStatusChanged {
			return t("tk.ev.status_changed", "Actor", actor, "From", t("ticket.status."+c.From), "To", t("ticket.status."+c.To))
		}
		if c.To == "" {
			return t("tk.ev.field_cleared", "Actor", actor, "Field", fieldLabel(fields, c.Field))
		}
		return t("tk.ev.field_changed", "Actor", actor, "Field", fieldLabel(fields, c.Field), "To", changeValue(t, fields, c))
	}
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = t("tk.ev.change", "Field", fieldLabel(fields, c.Field), "To", changeValue(t, fields, c))
	}
	return t("tk.ev.fields_changed", "Actor", actor, "Changes", strings.Join(parts, ", "))
}

func actorName(t Translate, e svcportal.TicketEvent) string {
	switch {
	case e.ActorErased:
		return t(svcportal.FormerContact)
	case e.ActorName == "":
		return t("tk.system")
	}
	return e.ActorName
}

func fieldLabel(fields map[string]svcportal.TicketFieldView, key string) string {
	if f, ok := fields[key]; ok && f.Label != "" {
		return f.Label
	}
	return key
}

// changeValue is the new value of a change as the reader reads it.
func changeValue(t Translate, fields map[string]svcportal.TicketFieldView, e svcportal.TicketEvent) string {
	switch {
	case e.Kind == svcportal.EventStatusChanged || e.Field == svcportal.FieldKeyStatus:
		return t("ticket.status." + e.To)
	case e.To == "":
		return t("tk.ev.no_value")
	}
	f, ok := fields[e.Field]
	if !ok {
		return e.To
	}
	if f.Type == svcportal.FieldMultiSelect {
		// The timeline keeps a list as its values joined by ", ".
		parts := strings.Split(e.To, ", ")
		for i, p := range parts {
			parts[i] = ValueText(t, f, p)
		}
		return strings.Join(parts, ", ")
	}
	return ValueText(t, f, e.To)
}

// ValueText is a value of field f as a reader reads it: the label of an
// option, Yes or No for a checkbox (stored as a bool or spelt "true" or
// "false"), a number without exponent, a list joined by commas.
func ValueText(t Translate, f svcportal.TicketFieldView, val any) string {
	label := func(v string) string {
		for _, o := range f.Options {
			if o.Value == v {
				return o.Label
			}
		}
		return v
	}
	switch x := val.(type) {
	case bool:
		if x {
			return t("common.yes")
		}
		return t("common.no")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = label(fmt.Sprint(e))
		}
		return strings.Join(parts, ", ")
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = label(e)
		}
		return strings.Join(parts, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if f.Type == svcportal.FieldCheckbox {
			if b, err := strconv.ParseBool(x); err == nil {
				return ValueText(t, f, b)
			}
		}
		return label(x)
	}
	return fmt.Sprint(val)
}

// AttachmentsOf lists the ticket's files of one message (0: of the
// description).
func AttachmentsOf(v *svcportal.TicketView, messageID int64) []svcportal.Attachment {
	var out []svcportal.Attachment
	for _, a := range v.Attachments {
		if a.MessageID == messageID {
			out = append(out, a)
		}
	}
	return out
}

// Message is a message of a ticket's conversation, its texts ready: all
// the message shows, for the template "message" every page has (web), a
// web.Fragment. The page wrote some thirty values of each message, its
// cost growing with the conversation.
type Message struct {
	AuthorKind string
	Internal   bool
	Author     string // "Former contact" for an erased one
	Badge      string // "Internal note", or "Staff" on a staff member's reply
	When       template.HTML
	Body       template.HTML
	Files      template.HTML // its attachments, rendered by the page's "attachments"
}

// Messages renders the conversation of v with the template "message"
// and the page's "attachments", for the reader of p.
func Messages(c *gin.Context, page string, p *web.Page, v *svcportal.TicketView) (template.HTML, error) {
	out := make([]Message, len(v.Messages))
	for i, m := range v.Messages {
		item := Message{AuthorKind: m.AuthorKind, Internal: m.Internal, Author: m.AuthorName, When: p.When(m.CreatedAt), Body: web.Markdown(m.Body)}
		if m.AuthorErased {
			item.Author = p.T("contact.former")
		}
		switch {
		case m.Internal:
			item.Badge = p.T("console.tk.internal_badge")
		case m.AuthorKind == svcportal.PrincipalStaff:
			item.Badge = p.T("tk.staff")
		}
		if files := AttachmentsOf(v, m.ID); len(files) > 0 {
			var err error
			if item.Files, err = web.Partial(c, page, "attachments", web.Args(p, files)); err != nil {
				return "", err
			}
		}
		out[i] = item
	}
	return web.Fragments(c, page, "message", out)
}
