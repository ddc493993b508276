package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TicketStore = (*Store)(nil)

type ticketCC struct {
	bun.BaseModel `bun:"table:ticket_cc"`
	TicketID      int64  `bun:"ticket_id,pk"`
	Email         string `bun:"email,pk"`
}

type ticketRead struct {
	bun.BaseModel `bun:"table:ticket_reads"`
	TicketID      int64     `bun:"ticket_id,pk"`
	ReaderKind    string    `bun:"reader_kind,pk"`
	ReaderID      int64     `bun:"reader_id,pk"`
	ReadAt        time.Time `bun:"read_at"`
}

// CreateTicket implements svcportal.TicketStore.
func (s *Store) CreateTicket(ctx context.Context, t *svcportal.Ticket, change svcportal.TicketChange) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	t.TenantID, t.CreatedAt, t.UpdatedAt, t.StatusChangedAt, t.LastPublicAt, t.LastClientAt = tid, now, now, now, now, now
	if t.Fields == nil {
		t.Fields = map[string]any{}
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// What needs no number is written first, under a provisional one
		// (negative: no real number is); the rows that every creation of
		// the tenant or site updates — the number counter, then the
		// site's counters — are taken last, since each stays locked until
		// commit on PostgreSQL: concurrent creations queue for the end of
		// each other's transactions, not the whole. A rollback gives the
		// number back: no gaps, no duplicates.
		t.Number = -1 - rand.Int64N(1<<62)
		if err := s.insertRow(ctx, tx, t); err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if err := s.replaceCC(ctx, tx, t); err != nil {
			return err
		}
		if err := s.record(ctx, tx, t, change, now); err != nil {
			return err
		}
		if err := s.markRead(ctx, tx, t.ID, svcportal.PrincipalContact, t.RequesterID, now); err != nil {
			return err
		}
		err := scanArgs(ctx, tx, `INSERT INTO ticket_counters (tenant_id, last_number) VALUES (?, 1)
			ON CONFLICT (tenant_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
			RETURNING last_number`, []any{tid}, &t.Number)
		if err != nil {
			return fmt.Errorf("next ticket number: %w", err)
		}
		if err := execArgs(ctx, tx, "UPDATE tickets SET number = ? WHERE id = ?", t.Number, t.ID); err != nil {
			return fmt.Errorf("number ticket: %w", err)
		}
		if err := s.send(ctx, tx, t, change, now); err != nil { // the emails and webhooks name the number
			return err
		}
		return countCreated(ctx, tx, t)
	})
}

func (s *Store) replaceCC(ctx context.Context, tx bun.IDB, t *svcportal.Ticket) error {
	p := s.params()
	if _, err := execBound(ctx, tx, tx.NewDelete().Model((*ticketCC)(nil)).Where("ticket_id = ?", p.v(t.ID)).String(), p); err != nil {
		return err
	}
	for _, e := range t.CC {
		if err := s.insertRow(ctx, tx, &ticketCC{TicketID: t.ID, Email: e}); err != nil {
			return fmt.Errorf("insert cc: %w", err)
		}
	}
	return nil
}

// applyChange appends a change's message and events to ticket t, and
// the emails and webhook deliveries it sends.
func (s *Store) applyChange(ctx context.Context, tx bun.IDB, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	if err := s.record(ctx, tx, t, c, now); err != nil {
		return err
	}
	return s.send(ctx, tx, t, c, now)
}

// record appends a change's message, attachments and events to ticket t.
func (s *Store) record(ctx context.Context, tx bun.IDB, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	if m := c.Message; m != nil {
		m.TenantID, m.TicketID, m.CreatedAt = t.TenantID, t.ID, now
		if err := s.insertRow(ctx, tx, m); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if !m.Internal {
			// The author has read what they wrote; everyone else has not.
			if err := s.markRead(ctx, tx, t.ID, m.AuthorKind, m.AuthorID, now); err != nil {
				return err
			}
		}
	}
	for i := range c.Attachments {
		a := &c.Attachments[i]
		a.TenantID, a.TicketID, a.CreatedAt = t.TenantID, t.ID, now
		if c.Message != nil {
			a.MessageID = c.Message.ID
		}
		if err := s.insertRow(ctx, tx, a); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
	for i := range c.Events {
		e := &c.Events[i]
		e.TenantID, e.TicketID = t.TenantID, t.ID
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now
		}
		if i > 0 {
			e.ActionID = c.Events[0].ID // one action, one line of the history
		}
		if err := s.insertRow(ctx, tx, e); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
	}
	return nil
}

// send writes the emails and webhook deliveries of a change to ticket t.
func (s *Store) send(ctx context.Context, tx bun.IDB, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	emails := c.Emails
	if c.Notify != nil {
		more, err := c.Notify(t)
		if err != nil {
			return fmt.Errorf("render notifications: %w", err)
		}
		emails = append(emails, more...)
	}
	if err := s.insertEmails(ctx, tx, now, emails...); err != nil {
		return err
	}
	return s.insertWebhookDeliveries(ctx, tx, t, c, now)
}

func (s *Store) markRead(ctx context.Context, db bun.IDB, ticketID int64, kind string, readerID int64, at time.Time) error {
	return s.insertRow(ctx, db, &ticketRead{TicketID: ticketID, ReaderKind: kind, ReaderID: readerID, ReadAt: at.UTC()}, func(q *bun.InsertQuery) *bun.InsertQuery {
		return q.On("CONFLICT (ticket_id, reader_kind, reader_id) DO UPDATE").Set("read_at = EXCLUDED.read_at")
	})
}

// MarkTicketRead implements svcportal.TicketStore. Reading a ticket that
// holds nothing new for the reader writes nothing: one indexed read
// decides, and only a ticket that was unread takes the writer (on SQLite,
// the one writer connection and a sync to disk, shared with the writes
// queued beside it: group_commit.go).
func (s *Store) MarkTicketRead(ctx context.Context, ticketID int64, kind string, readerID int64, at time.Time) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	since := "t.last_public_at"
	if kind == svcportal.PrincipalStaff {
		since = "t.last_client_at"
	}
	upToDate, err := s.db.NewSelect().TableExpr("ticket_reads AS r").Join("JOIN tickets AS t ON t.id = r.ticket_id").
		Where("r.ticket_id = ? AND r.reader_kind = ? AND r.reader_id = ? AND t.tenant_id = ?", ticketID, kind, readerID, tid).
		Where("r.read_at >= " + since).Exists(ctx)
	if err != nil || upToDate {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.markRead(ctx, tx, ticketID, kind, readerID, at)
	})
}

// updatedColumns are the columns UpdateTicket saves: every built-in
// field's and the others that actions change.
var updatedColumns = func() []string {
	cols := []string{"title", "fields", "shared_with_site", "updated_at", "status_changed_at", "reminder_sent_at",
		"closed_at", "rating_satisfied", "rating_comment", "last_public_at", "last_client_at"}
	for _, f := range svcportal.BuiltinFieldTable {
		cols = append(cols, f.Column)
	}
	return cols
}()

// changedColumns are the columns of updatedColumns whose value in t
// differs from the ticket as it was read (t.Loaded), and updated_at; all
// of them for a ticket not read by TicketByNumber. Writing every column
// from what a caller read put back what another writer changed between
// that read and this write (an agent's new title, undone by a contact's
// reply).
func (s *Store) changedColumns(t *svcportal.Ticket) []string {
	if t.Loaded == nil {
		return updatedColumns
	}
	table := s.w.Dialect().Tables().Get(reflect.TypeFor[svcportal.Ticket]())
	now, was := reflect.ValueOf(t).Elem(), reflect.ValueOf(t.Loaded).Elem()
	cols := []string{"updated_at"}
	for _, c := range updatedColumns {
		f := table.FieldMap[c]
		if c != "updated_at" && !reflect.DeepEqual(f.Value(now).Interface(), f.Value(was).Interface()) {
			cols = append(cols, c)
		}
	}
	return cols
}

// UpdateTicket implements svcportal.TicketStore.
func (s *Store) UpdateTicket(ctx context.Context, t *svcportal.Ticket, change svcportal.TicketChange) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	t.UpdatedAt = now
	if change.Message != nil && !change.Message.Internal {
		t.LastPublicAt = now
		if change.Message.AuthorKind == svcportal.PrincipalContact {
			t.LastClientAt = now
		}
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.lockTicketStat(ctx, tx, t.ID, tid)
		if err != nil {
			return err
		}
		cols, p := s.changedColumns(t), s.params()
		q := p.set(tx.NewUpdate().Model(t), tx, t, cols...).
			Where("id = ? AND tenant_id = ?", p.v(t.ID), p.v(tid))
		if change.StatusFrom != "" {
			q = q.Where("status = ?", p.v(change.StatusFrom))
		}
		if change.NoReminderYet {
			q = q.Where("reminder_sent_at IS NULL")
		}
		res, err := execBound(ctx, tx, q.String(), p)
		if err != nil {
			return fmt.Errorf("update ticket %d: %w", t.Number, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if change.StatusFrom != "" || change.NoReminderYet {
				return svcportal.NewError(svcportal.KindConflict, "error.ticket_changed")
			}
			return svcportal.ErrNotFound()
		}
		// What this update did not write is what the database holds,
		// maybe another writer's since t was read: the counters go by it.
		if !slices.Contains(cols, "status") {
			t.Status = before.Status
		}
		if !slices.Contains(cols, "assignee_id") {
			t.AssigneeID = before.AssigneeID
		}
		t.SiteID = before.SiteID // never written by an update
		if t.Loaded == nil || !slices.Equal(t.CC, t.Loaded.CC) {
			if err := s.replaceCC(ctx, tx, t); err != nil {
				return err
			}
		}
		if err := s.countUpdated(ctx, tx, before, t, change, now); err != nil {
			return err
		}
		return s.applyChange(ctx, tx, t, change, now)
	})
}

// TicketByNumber implements svcportal.TicketStore.
func (s *Store) TicketByNumber(ctx context.Context, number int64, readerKind string, readerID int64) (*svcportal.Ticket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	readAt, reads, p := "NULL", "", s.params()
	if readerKind != "" {
		readAt = s.timeText("xr.read_at")
		reads = s.readsJoin(p, readerKind, readerID)
	}
	var heads []ticketHead
	query := s.db.NewRaw("SELECT "+s.headColumns()+", "+readAt+" AS x_read_at FROM tickets AS t "+ticketNameJoins+reads+
		" WHERE t.tenant_id = ? AND t.number = ?", p.v(tid), p.v(number)).String()
	if err := scanBound(ctx, s.db, query, p, &heads); err != nil {
		return nil, err
	}
	ts, err := s.ticketsOf(ctx, tid, heads, readerKind)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	keepLoaded(ts)
	return &ts[0], nil
}

// TicketByID implements svcportal.AttachmentStore.
func (s *Store) TicketByID(ctx context.Context, id int64) (*svcportal.Ticket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var number int64
	if err := s.db.NewSelect().Model((*svcportal.Ticket)(nil)).Column("number").Where("id = ? AND tenant_id = ?", id, tid).Scan(ctx, &number); err != nil {
		return nil, notFound(err)
	}
	return s.TicketByNumber(ctx, number, "", 0)
}

// unread tells whether t holds something new for a reader of kind who
// last read it at readAt (nil: never): any public message for contacts,
// a client's message for staff (their colleagues' replies are not news
// to the desk).
func unread(t *svcportal.Ticket, readerKind string, readAt *time.Time) bool {
	since := t.LastPublicAt
	if readerKind == svcportal.PrincipalStaff {
		since = t.LastClientAt
	}
	return readAt == nil || readAt.Before(since)
}

// readsJoin joins, to a query of "tickets AS t", the reader's read mark
// as xr (xr.read_at).
func (s *Store) readsJoin(p *params, readerKind string, readerID int64) string {
	return s.db.NewRaw(" LEFT JOIN ticket_reads AS xr ON xr.ticket_id = t.id AND xr.reader_kind = ? AND xr.reader_id = ?", p.v(readerKind), p.v(readerID)).String()
}

// TicketsAwaitingClient implements svcportal.TicketStore.
func (s *Store) TicketsAwaitingClient(ctx context.Context, remindBefore, closeBefore time.Time, limit int) ([]svcportal.Ticket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var heads []ticketHead
	err = s.db.NewRaw("SELECT "+s.headColumns()+" FROM tickets AS t "+ticketNameJoins+
		` WHERE t.tenant_id = ? AND t.status IN (?)
			AND t.status_changed_at <= ? AND (t.status_changed_at <= ? OR t.reminder_sent_at IS NULL)
		ORDER BY t.status_changed_at LIMIT ?`,
		tid, bun.In([]string{svcportal.StatusAwaitingReply, svcportal.StatusSolutionProposed}), remindBefore.UTC(), closeBefore.UTC(), limit).Scan(ctx, &heads)
	if err != nil {
		return nil, err
	}
	ts, err := s.ticketsOf(ctx, tid, heads, "")
	if err != nil {
		return nil, err
	}
	keepLoaded(ts)
	return ts, nil
}
