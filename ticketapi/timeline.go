package ticketapi

import "github.com/svcportal/svcportal"

// EventText is one timeline event as a sentence in the reader's language,
// for the ticket pages of the portal and the console: t translates,
// labels names the fields the reader sees (field key → label).
func EventText(t func(id string, args ...any) string, labels map[string]string, e svcportal.TicketEvent) string {
	actor := e.ActorName
	switch {
	case e.ActorErased:
		actor = t(svcportal.FormerContact)
	case actor == "":
		actor = t("tk.system")
	}
	from, to, field := e.From, e.To, e.Field
	switch e.Kind {
	case svcportal.EventStatusChanged:
		from, to = t("ticket.status."+e.From), t("ticket.status."+e.To)
	case svcportal.EventFieldChanged:
		if l, ok := labels[e.Field]; ok {
			field = l
		}
	}
	return t("tk.ev."+e.Kind, "Actor", actor, "From", from, "To", to, "Field", field)
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
