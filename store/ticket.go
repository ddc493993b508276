package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The counter row is locked until commit, so concurrent creations
		// queue; a rollback gives the number back: no gaps, no duplicates.
		err := tx.NewRaw(`INSERT INTO ticket_counters (tenant_id, last_number) VALUES (?, 1)
			ON CONFLICT (tenant_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
			RETURNING last_number`, tid).Scan(ctx, &t.Number)
		if err != nil {
			return fmt.Errorf("next ticket number: %w", err)
		}
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if err := replaceCC(ctx, tx, t); err != nil {
			return err
		}
		if err := s.applyChange(ctx, tx, t, change, now); err != nil {
			return err
		}
		if err := countCreated(ctx, tx, t); err != nil {
			return err
		}
		return markRead(ctx, tx, t.ID, svcportal.PrincipalContact, t.RequesterID, now)
	})
}

func replaceCC(ctx context.Context, tx bun.IDB, t *svcportal.Ticket) error {
	if _, err := tx.NewDelete().Model((*ticketCC)(nil)).Where("ticket_id = ?", t.ID).Exec(ctx); err != nil {
		return err
	}
	for _, e := range t.CC {
		if _, err := tx.NewInsert().Model(&ticketCC{TicketID: t.ID, Email: e}).Exec(ctx); err != nil {
			return fmt.Errorf("insert cc: %w", err)
		}
	}
	return nil
}

// applyChange appends a change's message and events to ticket t.
func (s *Store) applyChange(ctx context.Context, tx bun.IDB, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	if m := c.Message; m != nil {
		m.TenantID, m.TicketID, m.CreatedAt = t.TenantID, t.ID, now
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if !m.Internal {
			// The author has read what they wrote; everyone else has not.
			if err := markRead(ctx, tx, t.ID, m.AuthorKind, m.AuthorID, now); err != nil {
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
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
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
	if err := s.insertWebhookDeliveries(ctx, tx, t, c, now); err != nil {
		return err
	}
	for i := range c.Events {
		e := &c.Events[i]
		e.TenantID, e.TicketID = t.TenantID, t.ID
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
	}
	return nil
}

func markRead(ctx context.Context, db bun.IDB, ticketID int64, kind string, readerID int64, at time.Time) error {
	_, err := db.NewInsert().Model(&ticketRead{TicketID: ticketID, ReaderKind: kind, ReaderID: readerID, ReadAt: at.UTC()}).
		On("CONFLICT (ticket_id, reader_kind, reader_id) DO UPDATE").Set("read_at = EXCLUDED.read_at").Exec(ctx)
	return err
}

// MarkTicketRead implements svcportal.TicketStore.
func (s *Store) MarkTicketRead(ctx context.Context, ticketID int64, kind string, readerID int64, at time.Time) error {
	if _, err := tenantID(ctx); err != nil {
		return err
	}
	return markRead(ctx, s.w, ticketID, kind, readerID, at)
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
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.lockTicketStat(ctx, tx, t.ID, tid)
		if err != nil {
			return err
		}
		q := tx.NewUpdate().Model(t).
			Column(updatedColumns...).
			Where("id = ? AND tenant_id = ?", t.ID, tid)
		if change.StatusFrom != "" {
			q = q.Where("status = ?", change.StatusFrom)
		}
		if change.NoReminderYet {
			q = q.Where("reminder_sent_at IS NULL")
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return fmt.Errorf("update ticket %d: %w", t.Number, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if change.StatusFrom != "" || change.NoReminderYet {
				return svcportal.NewError(svcportal.KindConflict, "error.ticket_changed")
			}
			return svcportal.ErrNotFound()
		}
		if err := replaceCC(ctx, tx, t); err != nil {
			return err
		}
		if err := s.countUpdated(ctx, tx, before, t, change, now); err != nil {
			return err
		}
		return s.applyChange(ctx, tx, t, change, now)
	})
}

// TicketByNumber implements svcportal.TicketStore.
func (s *Store) TicketByNumber(ctx context.Context, number int64) (*svcportal.Ticket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var ts []svcportal.Ticket
	if err := s.db.NewSelect().Model(&ts).Where("tenant_id = ? AND number = ?", tid, number).Scan(ctx); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	if err := s.decorate(ctx, ts, "", 0); err != nil {
		return nil, err
	}
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
	return s.TicketByNumber(ctx, number)
}

// decorate fills in CC lists, names and, for a reader, read state.
func (s *Store) decorate(ctx context.Context, ts []svcportal.Ticket, readerKind string, readerID int64) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]int64, len(ts))
	for i := range ts {
		ids[i] = ts[i].ID
		ts[i].CC = []string{}
		if ts[i].Fields == nil {
			ts[i].Fields = map[string]any{}
		}
	}
	var ccs []ticketCC
	if err := s.db.NewSelect().Model(&ccs).Where("ticket_id IN (?)", bun.In(ids)).Order("email").Scan(ctx); err != nil {
		return err
	}
	var names []struct {
		ID            int64      `bun:"id"`
		SiteName      string     `bun:"site_name"`
		RequesterName string     `bun:"requester_name"`
		RequesterMail string     `bun:"requester_mail"`
		AssigneeName  string     `bun:"assignee_name"`
		ErasedAt      *time.Time `bun:"erased_at"`
		ReadAt        *time.Time
	}
	q := s.db.NewSelect().TableExpr("tickets AS t").
		ColumnExpr("t.id, s.name AS site_name, c.email AS requester_mail, c.erased_at").
		ColumnExpr("TRIM(c.first_name || ' ' || c.last_name) AS requester_name").
		ColumnExpr("COALESCE(NULLIF(st.name, ''), st.email, '') AS assignee_name").
		Join("JOIN sites AS s ON s.id = t.site_id").
		Join("JOIN contacts AS c ON c.id = t.requester_id").
		Join("LEFT JOIN staff AS st ON st.id = t.assignee_id AND st.tenant_id = t.tenant_id").
		Where("t.id IN (?)", bun.In(ids))
	if readerKind != "" {
		q = q.ColumnExpr("r.read_at").
			Join("LEFT JOIN ticket_reads AS r ON r.ticket_id = t.id AND r.reader_kind = ? AND r.reader_id = ?", readerKind, readerID)
	}
	if err := q.Scan(ctx, &names); err != nil {
		return err
	}
	byID := map[int64]int{}
	for i := range ts {
		byID[ts[i].ID] = i
	}
	for _, c := range ccs {
		t := &ts[byID[c.TicketID]]
		t.CC = append(t.CC, c.Email)
	}
	for _, n := range names {
		t := &ts[byID[n.ID]]
		t.SiteName, t.RequesterName, t.RequesterMail, t.AssigneeName = n.SiteName, n.RequesterName, n.RequesterMail, n.AssigneeName
		if t.RequesterName == "" {
			t.RequesterName = n.RequesterMail
		}
		if n.ErasedAt != nil {
			t.RequesterName, t.RequesterMail, t.RequesterErased = "", "", true
		}
		if readerKind != "" {
			t.Unread = n.ReadAt == nil || n.ReadAt.Before(unreadSince(t, readerKind))
		}
	}
	return nil
}

// unreadSince is the moment after which a reader of kind has something
// new to read on t: any public message for contacts, a client's message
// for staff (their colleagues' replies are not news to the desk).
func unreadSince(t *svcportal.Ticket, readerKind string) time.Time {
	if readerKind == svcportal.PrincipalStaff {
		return t.LastClientAt
	}
	return t.LastPublicAt
}

// noSites stands in for an empty IN list, which SQL does not allow.
var noSites = []int64{-1}

func orNone(ids []int64) []int64 {
	if len(ids) == 0 {
		return noSites
	}
	return ids
}

// ContactTickets implements svcportal.TicketStore.
func (s *Store) ContactTickets(ctx context.Context, v svcportal.Viewer, f svcportal.TicketFilter) ([]svcportal.Ticket, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	q := s.db.NewSelect().TableExpr("tickets AS t").Where("t.tenant_id = ?", tid)
	if f.Scope == "mine" {
		q = q.Where("t.requester_id = ?", v.ContactID)
	} else {
		// SPEC.md, "Who sees which ticket on the portal".
		q = q.Where(`(t.requester_id = ?
			OR t.site_id IN (?)
			OR (t.site_id IN (?) AND (t.shared_with_site = ?
				OR EXISTS (SELECT 1 FROM ticket_cc AS cc WHERE cc.ticket_id = t.id AND cc.email = ?))))`,
			v.ContactID, bun.In(orNone(v.SitesWithRole(svcportal.RoleSiteManager))),
			bun.In(orNone(v.SitesWithRole(""))), true, v.Email)
	}
	return s.listTickets(ctx, q, f, svcportal.PrincipalContact, v.ContactID, false)
}

// ContactTicketSites implements svcportal.TicketStore.
func (s *Store) ContactTicketSites(ctx context.Context, v svcportal.Viewer) ([]int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := s.db.NewSelect().TableExpr("tickets AS t").ColumnExpr("DISTINCT t.site_id").
		Where("t.tenant_id = ? AND t.requester_id = ?", tid, v.ContactID).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	for _, id := range v.SitesWithRole("") {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// StaffTickets implements svcportal.TicketStore.
func (s *Store) StaffTickets(ctx context.Context, staffID int64, f svcportal.TicketFilter) ([]svcportal.Ticket, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	q := s.db.NewSelect().TableExpr("tickets AS t").Where("t.tenant_id = ?", tid)
	if f.Scope == "mine" {
		q = q.Where("t.assignee_id = ?", staffID)
	}
	return s.listTickets(ctx, q, f, svcportal.PrincipalStaff, staffID, true)
}

// builtinColumns maps each built-in field key to its column of "tickets AS t".
var builtinColumns = func() map[string]string {
	m := make(map[string]string, len(svcportal.BuiltinFieldTable))
	for _, f := range svcportal.BuiltinFieldTable {
		m[f.Key] = "t." + f.Column
	}
	return m
}()

var numberRE = regexp.MustCompile(`^#?(\d{1,12})$`)

var sortOrders = map[string]string{
	"updated": "t.updated_at", "created": "t.created_at", "number": "t.number",
	"priority": "CASE t.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 WHEN 'low' THEN 1 ELSE 0 END",
}

// listTickets applies a filter, the reader's read state, the order and a
// page to q, a query on "tickets AS t" already scoped to what the reader
// may see.
func (s *Store) listTickets(ctx context.Context, q *bun.SelectQuery, f svcportal.TicketFilter, readerKind string, readerID int64, withInternal bool) ([]svcportal.Ticket, int, error) {
	if len(f.Status) > 0 {
		q = q.Where(within(f, svcportal.FieldKeyStatus, builtinColumns[svcportal.FieldKeyStatus]+" IN (?)"), bun.In(f.Status))
	}
	q, err := s.filterTickets(q, f, readerKind, readerID, withInternal)
	if err != nil {
		return nil, 0, err
	}
	order := orderBy(f)
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.PerPage = min(f.PerPage, 100)
	f.Page = max(f.Page, 1)
	var ts []svcportal.Ticket
	total, err := q.ColumnExpr("t.*").OrderExpr(order).OrderExpr("t.number DESC").
		Limit(int64(f.PerPage)).Offset(int64((f.Page-1)*f.PerPage)).ScanAndCount(ctx, &ts)
	if err != nil {
		return nil, 0, err
	}
	if ts == nil {
		ts = []svcportal.Ticket{}
	}
	return ts, int(total), s.decorate(ctx, ts, readerKind, readerID)
}

// matchQuery limits q to tickets that match text: a ticket number ("42",
// "#42"), or else every word in the title, the description or a message
// (an internal note only withInternal).
func matchQuery(q *bun.SelectQuery, text string, withInternal bool) *bun.SelectQuery {
	term := strings.TrimSpace(text)
	if term == "" {
		return q
	}
	if m := numberRE.FindStringSubmatch(term); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return q.Where("t.number = ?", n)
	}
	for _, word := range strings.Fields(strings.ToLower(term)) {
		like := "%" + escapeLike(word) + "%"
		// Internal notes count only for staff; a contact's search
		// must not reveal that a note contains the word.
		q = q.Where(`(LOWER(t.title) LIKE ? ESCAPE '\' OR LOWER(t.description) LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM ticket_messages AS m WHERE m.ticket_id = t.id
				AND (m.internal = ? OR m.internal = ?) AND LOWER(m.body) LIKE ? ESCAPE '\'))`,
			like, like, false, withInternal, like)
	}
	return q
}

// orderBy is the ORDER BY expression of f's sort (default "-updated"),
// with its direction. For a contact (f.Within set), it tells nothing they
// may not see.
func orderBy(f svcportal.TicketFilter) string {
	sort := f.Sort
	if sort == "" {
		sort = "-updated"
	}
	order, desc := strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	expr, ok := sortOrders[order]
	if !ok {
		order, expr, desc = "updated", sortOrders["updated"], true
	}
	if order == "updated" && f.Within != nil {
		// A contact's updated_at, as tickets.ContactUpdatedAt has it: the
		// last public message, or the last status change where they see
		// the status; never a change they may not see.
		expr = "CASE WHEN t.site_id IN (" + siteList(f.Within[svcportal.FieldKeyStatus]) + ") AND t.status_changed_at > t.last_public_at" +
			" THEN t.status_changed_at ELSE t.last_public_at END"
	}
	if _, onField := builtinColumns[order]; onField && f.Within != nil {
		// Where the reader does not see the field, every ticket sorts
		// alike (then by number), so the order tells nothing of it.
		expr = "CASE WHEN t.site_id IN (" + siteList(f.Within[order]) + ") THEN " + expr + " ELSE 0 END"
	}
	dir := " DESC"
	if !desc {
		dir = " ASC"
	}
	return expr + dir
}

// filterTickets applies every condition of f but the status, and joins
// the reader's read state as rd, to q (on "tickets AS t").
func (s *Store) filterTickets(q *bun.SelectQuery, f svcportal.TicketFilter, readerKind string, readerID int64, withInternal bool) (*bun.SelectQuery, error) {
	if len(f.Sites) > 0 {
		q = q.Where("t.site_id IN (?)", bun.In(f.Sites))
	}
	q = matchQuery(q, f.Query, withInternal)
	for key, val := range f.Fields {
		if col, ok := builtinColumns[key]; ok {
			q = q.Where(within(f, key, col+" = ?"), val)
			continue
		}
		if !svcportal.ValidFieldKey(key) {
			return nil, svcportal.NewError(svcportal.KindInvalid, "error.unknown_field")
		}
		raw, err := json.Marshal(val)
		if err != nil {
			return nil, err
		}
		q = q.Where(within(f, key, s.jsonFieldMatch()), key, string(raw))
	}
	q = q.Join("LEFT JOIN ticket_reads AS rd ON rd.ticket_id = t.id AND rd.reader_kind = ? AND rd.reader_id = ?", readerKind, readerID)
	if f.Unread != nil {
		cond := "(rd.read_at IS NULL OR rd.read_at < t.last_public_at)"
		if readerKind == svcportal.PrincipalStaff {
			cond = "(rd.read_at IS NULL OR rd.read_at < t.last_client_at)"
		}
		if !*f.Unread {
			cond = "NOT " + cond
		}
		q = q.Where(cond)
	}
	return q, nil
}

// StaffTicketCounts implements svcportal.TicketStore.
func (s *Store) StaffTicketCounts(ctx context.Context, staffID int64, f svcportal.TicketFilter) (map[string]int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	q := s.db.NewSelect().TableExpr("tickets AS t").Where("t.tenant_id = ?", tid)
	if f.Scope == "mine" {
		q = q.Where("t.assignee_id = ?", staffID)
	}
	q, err = s.filterTickets(q, f, svcportal.PrincipalStaff, staffID, true)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := q.ColumnExpr("t.status AS status, COUNT(*) AS n").GroupExpr("t.status").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(svcportal.Statuses))
	for _, st := range svcportal.Statuses {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// within limits cond, a condition on field key, to the sites where the
// reader of f sees that field; for staff (no Within) it is cond itself.
func within(f svcportal.TicketFilter, key, cond string) string {
	if f.Within == nil {
		return cond
	}
	return "(" + cond + " AND t.site_id IN (" + siteList(f.Within[key]) + "))"
}

// siteList writes site ids as an SQL list; ids are numbers, so this is
// safe, and an empty list becomes one that matches nothing.
func siteList(ids []int64) string {
	parts := make([]string, 0, len(ids))
	for _, id := range orNone(ids) {
		parts = append(parts, strconv.FormatInt(id, 10))
	}
	return strings.Join(parts, ", ")
}

// jsonFieldMatch is the condition "custom field ? of the ticket equals the
// JSON value ?", or contains it when the stored value is a list
// (multi-select), in the store's dialect.
func (s *Store) jsonFieldMatch() string {
	if s.dialect == Postgres {
		return "(t.fields::jsonb -> ?0 = ?1::jsonb OR (jsonb_typeof(t.fields::jsonb -> ?0) = 'array' AND t.fields::jsonb -> ?0 @> jsonb_build_array(?1::jsonb)))"
	}
	return "(t.fields -> ('$.' || ?0) = json(?1) OR EXISTS (SELECT 1 FROM json_each(t.fields, '$.' || ?0) AS je WHERE je.type <> 'object' AND json_quote(je.value) = json(?1) AND json_type(t.fields, '$.' || ?0) = 'array'))"
}

// TicketMessages implements svcportal.TicketStore.
func (s *Store) TicketMessages(ctx context.Context, ticketID int64, withInternal bool) ([]svcportal.TicketMessage, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	ms := []svcportal.TicketMessage{}
	q := s.db.NewSelect().Model(&ms).Where("tenant_id = ? AND ticket_id = ?", tid, ticketID)
	if !withInternal {
		q = q.Where("internal = ?", false)
	}
	return ms, q.Order("created_at", "id").Scan(ctx)
}

// TicketEvents implements svcportal.TicketStore.
func (s *Store) TicketEvents(ctx context.Context, ticketID int64) ([]svcportal.TicketEvent, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	es := []svcportal.TicketEvent{}
	return es, s.db.NewSelect().Model(&es).Where("tenant_id = ? AND ticket_id = ?", tid, ticketID).Order("created_at", "id").Scan(ctx)
}

// TicketsAwaitingClient implements svcportal.TicketStore.
func (s *Store) TicketsAwaitingClient(ctx context.Context, before time.Time, limit int) ([]svcportal.Ticket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var ts []svcportal.Ticket
	err = s.db.NewSelect().Model(&ts).
		Where("tenant_id = ? AND status IN (?) AND status_changed_at <= ?", tid,
			bun.In([]string{svcportal.StatusAwaitingReply, svcportal.StatusSolutionProposed}), before.UTC()).
		Order("status_changed_at").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, err
	}
	return ts, s.decorate(ctx, ts, "", 0)
}

// SeedTickets inserts many tickets at once for benchmarks and demos:
// numbers follow the tenant's counter without gaps, in one transaction,
// with the dashboard's counters (a closed ticket without ClosedAt is
// closed when created). No events, emails or read state are written.
func (s *Store) SeedTickets(ctx context.Context, ts []svcportal.Ticket) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return nil
	}
	now := s.now().UTC()
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var last int64
		err := tx.NewRaw(`INSERT INTO ticket_counters (tenant_id, last_number) VALUES (?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET last_number = ticket_counters.last_number + ?
			RETURNING last_number`, tid, len(ts), len(ts)).Scan(ctx, &last)
		if err != nil {
			return err
		}
		first := last - int64(len(ts)) + 1
		for i := range ts {
			t := &ts[i]
			t.TenantID, t.Number = tid, first+int64(i)
			if t.CreatedAt.IsZero() {
				t.CreatedAt = now
			}
			t.UpdatedAt, t.StatusChangedAt, t.LastPublicAt, t.LastClientAt = t.CreatedAt, t.CreatedAt, t.CreatedAt, t.CreatedAt
			if t.Fields == nil {
				t.Fields = map[string]any{}
			}
			if t.Status == svcportal.StatusClosed && t.ClosedAt == nil {
				t.ClosedAt = &t.CreatedAt
			}
		}
		for start := 0; start < len(ts); start += 500 {
			batch := ts[start:min(start+500, len(ts))]
			if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return fmt.Errorf("seed tickets: %w", err)
			}
		}
		return countSeeded(ctx, tx, tid, ts)
	})
}
