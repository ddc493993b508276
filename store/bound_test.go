package store_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// TestInsertRow_WritesWhatBunWrites: a row inserted with its values bound
// (insertRow) is the row bun writes with its values in the text, column
// for column, on both databases: texts with quotes and letters outside
// ASCII, a JSON map, set and unset pointers, booleans, times, zeros that
// bun leaves to the database (NULL) — and the id comes back.
func TestInsertRow_WritesWhatBunWrites(t *testing.T) {
	st := testkit.Store(t)
	ctx, tenant := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	peter := testkit.Contact(ctx, t, st, "peter@initech.test", site, svcportal.RoleMember)
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
	yes := true

	// compare compares the rows of written and bound but for the columns
	// that must differ (the id, unique keys).
	compare := func(table, when string, written, bound any, id func(any) int64, differ []string) {
		t.Helper()
		rows := make([]map[string]any, 2)
		for i, model := range []any{written, bound} {
			if err := st.DB().NewRaw("SELECT * FROM "+table+" WHERE id = ?", id(model)).Scan(ctx, &rows[i]); err != nil {
				t.Fatal(err)
			}
			for _, c := range append(differ, "id") {
				delete(rows[i], c)
			}
		}
		if !maps.EqualFunc(rows[0], rows[1], func(a, b any) bool { return reflect.DeepEqual(a, b) }) {
			t.Errorf("%s, %s:\nwritten %v\nbound   %v", table, when, rows[0], rows[1])
		}
	}
	// same inserts twice, once by bun with its values written, once
	// bound, each a fresh copy of the row from fill, and compares the
	// rows. update, when set, changes the rows' values in Go (each row its
	// own copy) and writes the columns it names: by bun, values written,
	// and bound (as UpdateTicket does), then the rows are compared again.
	same := func(table string, fill func(unique int64) any, id func(any) int64, differ []string, update func(any) []string) {
		t.Helper()
		written, bound := fill(1), fill(2)
		if _, err := st.DB().NewInsert().Model(written).Exec(ctx); err != nil {
			t.Fatalf("%s, written: %v", table, err)
		}
		if err := st.InsertRow(ctx, st.DB(), bound); err != nil {
			t.Fatalf("%s, bound: %v", table, err)
		}
		if id(bound) == 0 || id(bound) == id(written) {
			t.Fatalf("%s: the bound row's id is %d (written %d)", table, id(bound), id(written))
		}
		compare(table, "inserted", written, bound, id, differ)
		if update == nil {
			return
		}
		cols, _ := update(written), update(bound)
		if _, err := st.DB().NewUpdate().Model(written).Column(cols...).WherePK().Exec(ctx); err != nil {
			t.Fatalf("%s, updated with values written: %v", table, err)
		}
		if err := st.UpdateRow(ctx, st.DB(), bound, id(bound), cols...); err != nil {
			t.Fatalf("%s, updated with values bound: %v", table, err)
		}
		compare(table, "updated", written, bound, id, differ)
	}

	var ticket *svcportal.Ticket
	for _, edit := range []func(*svcportal.Ticket){
		func(tk *svcportal.Ticket) {},
		func(tk *svcportal.Ticket) {
			tk.Fields = map[string]any{"asset": "PC-1", "quoted": `it's "quoted" <b>`, "n": 3.5, "tags": []any{"a", "ü"}}
			tk.ClosedAt, tk.RatingSatisfied, tk.RatingComment, tk.SharedWithSite = &at, &yes, "très bien, l'équipe", true
		},
	} {
		same("tickets", func(unique int64) any {
			tk := &svcportal.Ticket{TenantID: tenant.ID, Number: -unique, SiteID: site.ID, RequesterID: peter.ID, Title: "Printer's jam — ç",
				Description: "line one\nline two", Status: svcportal.StatusOpen, Type: "incident", Priority: "normal",
				Fields: map[string]any{}, CreatedAt: at, UpdatedAt: at, StatusChangedAt: at, LastPublicAt: at, LastClientAt: at}
			edit(tk)
			ticket = tk
			return tk
		}, func(m any) int64 { return m.(*svcportal.Ticket).ID }, []string{"number"}, func(m any) []string {
			tk := m.(*svcportal.Ticket)
			later := at.Add(time.Hour)
			tk.Title, tk.Fields["asset"], tk.ReminderSentAt, tk.ClosedAt, tk.AssigneeID = "Renamed ''", "PC-2", &later, nil, 7
			return []string{"title", "fields", "reminder_sent_at", "closed_at", "assignee_id", "shared_with_site"}
		})
		if _, err := st.DB().NewDelete().Model((*svcportal.Ticket)(nil)).Where("tenant_id = ? AND number < 0", tenant.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InsertRow(ctx, st.DB(), ticket); err != nil { // kept for the rows below
		t.Fatal(err)
	}
	same("ticket_messages", func(int64) any {
		return &svcportal.TicketMessage{TenantID: tenant.ID, TicketID: ticket.ID, AuthorKind: svcportal.PrincipalContact, AuthorID: peter.ID,
			AuthorName: "Peter O'Neil", Body: "Hello 👋", Internal: true, CreatedAt: at}
	}, func(m any) int64 { return m.(*svcportal.TicketMessage).ID }, nil, nil)
	same("ticket_events", func(int64) any {
		return &svcportal.TicketEvent{TenantID: tenant.ID, TicketID: ticket.ID, Kind: svcportal.EventCreated, Field: "status", From: "open", To: "closed", CreatedAt: at}
	}, func(m any) int64 { return m.(*svcportal.TicketEvent).ID }, nil, nil)
	same("attachments", func(int64) any { // article_id: a zero bun writes as NULL
		return &svcportal.Attachment{TenantID: tenant.ID, TicketID: ticket.ID, Filename: "scan 1.pdf", ContentType: "application/pdf", Size: 1234,
			SHA256: "ab", UploaderKind: svcportal.PrincipalContact, UploaderID: peter.ID, CreatedAt: at}
	}, func(m any) int64 { return m.(*svcportal.Attachment).ID }, nil, nil)
	same("outbound_emails", func(unique int64) any {
		return &svcportal.OutboundEmail{TenantID: tenant.ID, MessageID: "<m" + string(rune('0'+unique)) + "@x>", Kind: "ticket_reply", ToAddress: "a@b.test",
			Subject: "Re: it's", TextBody: "body", HTMLBody: "<p>body</p>", Status: svcportal.EmailPending, NextAttemptAt: at, CreatedAt: at}
	}, func(m any) int64 { return m.(*svcportal.OutboundEmail).ID }, []string{"message_id"}, nil)
}
