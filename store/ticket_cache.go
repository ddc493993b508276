package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/svcportal/svcportal"
)

// Tickets as read, kept in memory by id and version.
//
// Reading a ticket's columns was most of a list's time: a site manager's
// list statement spent two thirds of its time on the 37 values of each of
// its 25 rows, about 0.28 µs a value in SQLite and the driver, and bun
// then parsed each row's times and decoded its fields' JSON
// (docs/benchmarks.md, "Where a list's time goes, measured"). A ticket's
// version moves at every change of its row or of its CC list, by
// triggers (migrations 0290), whoever writes. So a list, a ticket page
// and the jobs read, for each ticket, its id and version with what is not
// the ticket's own (the names of its site, requester and assignee, which
// change elsewhere, and the reader's read mark: ticketHead), and take the
// ticket from memory when the version kept is the version read; the
// others are read in one more statement, by id, and kept. A change through
// another instance moves the version in the database, so no instance
// serves a ticket as it was before a change it could have read.
//
// What is kept is bounded by weight (ticketCacheSize): when the next
// ticket would pass it, the cache starts over.

// ticketCacheSize bounds what each of the caches of tickets and threads
// weighs.
const ticketCacheSize = 8 << 20

// versionCache keeps values by ticket id, each with the ticket's version
// it was read at. Readers get copies (copy): callers change what they are
// given. weigh says roughly what a value takes in memory.
type versionCache[V any] struct {
	max   int
	copy  func(V) V
	weigh func(*V) int

	mu   sync.RWMutex
	m    map[int64]versioned[V]
	size int
}

type versioned[V any] struct {
	version int64
	v       V
	weight  int
}

func newVersionCache[V any](max int, copy func(V) V, weigh func(*V) int) *versionCache[V] {
	return &versionCache[V]{max: max, copy: copy, weigh: weigh, m: map[int64]versioned[V]{}}
}

// get returns a copy of what is kept for ticket id at version.
func (c *versionCache[V]) get(id, version int64) (V, bool) {
	c.mu.RLock()
	k, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || k.version != version {
		var zero V
		return zero, false
	}
	return c.copy(k.v), true
}

// put keeps a copy of v, ticket id's at version.
func (c *versionCache[V]) put(id, version int64, v V) {
	w := c.weigh(&v)
	if w > c.max {
		return
	}
	v = c.copy(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[id]; ok {
		if old.version > version { // a reader that read it earlier
			return
		}
		c.size -= old.weight
	}
	if c.size+w > c.max {
		clear(c.m)
		c.size = 0
	}
	c.m[id] = versioned[V]{version: version, v: v, weight: w}
	c.size += w
}

// copyTicket is t with nothing shared: callers change the tickets they
// are given (a field the reader may not see is taken out of Fields).
func copyTicket(t svcportal.Ticket) svcportal.Ticket {
	t.CC = slices.Clone(t.CC)
	t.Fields = copyJSON(t.Fields).(map[string]any)
	return t
}

// copyJSON is v, a value as encoding/json decodes it, with nothing shared.
func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = copyJSON(e)
		}
		return s
	}
	return v
}

// ticketWeight is roughly what t takes in memory, its text and its
// fields' text, and what the struct and the map take besides.
func ticketWeight(t *svcportal.Ticket) int {
	n := 512 + len(t.Title) + len(t.Description) + len(t.RatingComment) + len(t.Type) + len(t.Priority) + len(t.Impact) + len(t.ProductFamily)
	for _, e := range t.CC {
		n += 16 + len(e)
	}
	return n + jsonWeight(t.Fields)
}

func jsonWeight(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 48
		for k, e := range x {
			n += 32 + len(k) + jsonWeight(e)
		}
		return n
	case []any:
		n := 24
		for _, e := range x {
			n += 16 + jsonWeight(e)
		}
		return n
	case string:
		return len(x)
	}
	return 0
}

// ticketHead is what is read of a listed ticket beside its id and
// version: the names it is shown with, the reader's read mark, and a
// list's total (headColumns).
type ticketHead struct {
	ID            int64  `bun:"id"`
	Version       int64  `bun:"x_version"`
	SiteName      string `bun:"x_site_name"`
	RequesterMail string `bun:"x_requester_mail"`
	RequesterName string `bun:"x_requester_name"`
	AssigneeName  string `bun:"x_assignee_name"`
	// RequesterErasedAt is set when the requester was erased: the
	// ticket is shown as a "Former contact"'s.
	RequesterErasedAt *time.Time `bun:"x_requester_erased_at"`
	ReadAt            *time.Time `bun:"x_read_at"`
	Total             int        `bun:"x_total"`
}

// headColumns selects, from "tickets AS t" with ticketNameJoins, a
// ticketHead but its read mark and total.
func (s *Store) headColumns() string {
	return `t.id AS id, t.version AS x_version, s.name AS x_site_name, c.email AS x_requester_mail,
		TRIM(c.first_name || ' ' || c.last_name) AS x_requester_name,
		COALESCE(NULLIF(st.name, ''), st.email, '') AS x_assignee_name, ` + s.timeText("c.erased_at") + ` AS x_requester_erased_at`
}

// ticketNameJoins join, to "tickets AS t", what headColumns names.
const ticketNameJoins = `JOIN sites AS s ON s.id = t.site_id
		JOIN contacts AS c ON c.id = t.requester_id
		LEFT JOIN staff AS st ON st.id = t.assignee_id AND st.tenant_id = t.tenant_id`

// readTicket is a ticket as the cache keeps it, read by id: every column
// of the ticket, its version, and its CC list as a JSON array.
type readTicket struct {
	svcportal.Ticket
	Version int64  `bun:"x_version"`
	CC      string `bun:"x_cc"`
}

// ticketsOf is the tickets of heads, in their order, with their names
// and, for a reader of readerKind, their unread mark: each from the
// cache when kept at the head's version, the others read by id in one
// statement. A ticket deleted since its head was read is left out; one
// changed since is read as it is now.
func (s *Store) ticketsOf(ctx context.Context, tid int64, heads []ticketHead, readerKind string) ([]svcportal.Ticket, error) {
	ts := make([]svcportal.Ticket, len(heads))
	var missed []int64
	for i, h := range heads {
		t, ok := s.tickets.get(h.ID, h.Version)
		if !ok {
			missed = append(missed, h.ID)
			continue
		}
		ts[i] = t
	}
	if len(missed) > 0 {
		read, err := s.readTickets(ctx, tid, missed)
		if err != nil {
			return nil, err
		}
		for i, h := range heads {
			if ts[i].ID == 0 {
				ts[i] = read[h.ID] // zero when deleted meanwhile
			}
		}
	}
	out := ts[:0]
	for i, h := range heads {
		t := ts[i]
		if t.ID == 0 {
			continue
		}
		t.SiteName, t.RequesterName, t.RequesterMail, t.AssigneeName = h.SiteName, h.RequesterName, h.RequesterMail, h.AssigneeName
		if t.RequesterName == "" {
			t.RequesterName = h.RequesterMail
		}
		if h.RequesterErasedAt != nil {
			t.RequesterName, t.RequesterMail, t.RequesterErased = "", "", true
		}
		if readerKind != "" {
			t.Unread = unread(&t, readerKind, h.ReadAt)
		}
		out = append(out, t)
	}
	return out, nil
}

// readTickets reads the tickets of ids, in one statement of one text
// whatever their number, and keeps them.
func (s *Store) readTickets(ctx context.Context, tid int64, ids []int64) (map[int64]svcportal.Ticket, error) {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	// SQLite reads the ids from a JSON array, then each ticket by its key
	// (CROSS JOIN keeps that order: as "t.id IN (SELECT …)" it walked the
	// tenant's index instead, every ticket of the tenant for each miss).
	cc := "(SELECT json_group_array(cc.email) FROM ticket_cc AS cc WHERE cc.ticket_id = t.id)"
	from, idList := "json_each(?) AS j CROSS JOIN tickets AS t WHERE t.id = j.value", "["+strings.Join(list, ",")+"]"
	if s.dialect == Postgres {
		cc = "(SELECT COALESCE(json_agg(cc.email), '[]')::text FROM ticket_cc AS cc WHERE cc.ticket_id = t.id)"
		from, idList = "tickets AS t WHERE t.id = ANY(CAST(CAST(? AS TEXT) AS BIGINT[]))", "{"+strings.Join(list, ",")+"}"
	}
	p := s.params()
	query := s.db.NewRaw("SELECT "+s.ticketColumns()+", t.version AS x_version, "+cc+" AS x_cc FROM "+from+" AND t.tenant_id = ?",
		p.v(idList), p.v(tid)).String()
	var rows []readTicket
	if err := scanBound(ctx, s.db, query, p, &rows); err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	read := make(map[int64]svcportal.Ticket, len(rows))
	for _, r := range rows {
		t := r.Ticket
		if err := json.Unmarshal([]byte(r.CC), &t.CC); err != nil {
			return nil, fmt.Errorf("cc list of ticket %d: %w", t.Number, err)
		}
		// Sorted here, not by the aggregate's ORDER BY, which had SQLite
		// build a temporary b-tree for each ticket.
		slices.Sort(t.CC)
		if t.Fields == nil {
			t.Fields = map[string]any{}
		}
		t.Version = r.Version
		s.tickets.put(t.ID, r.Version, t)
		read[t.ID] = t
	}
	return read, nil
}

// keepLoaded keeps each ticket as read (Ticket.Loaded), for UpdateTicket
// to write only what its caller changes.
func keepLoaded(ts []svcportal.Ticket) {
	for i := range ts {
		loaded := ts[i]
		loaded.CC, loaded.Fields = slices.Clone(loaded.CC), maps.Clone(loaded.Fields)
		ts[i].Loaded = &loaded
	}
}

// copyThread is th with nothing shared.
func copyThread(th svcportal.TicketThread) svcportal.TicketThread {
	return svcportal.TicketThread{Messages: slices.Clone(th.Messages), Events: slices.Clone(th.Events), Attachments: slices.Clone(th.Attachments)}
}

// threadWeight is roughly what th takes in memory.
func threadWeight(th *svcportal.TicketThread) int {
	n := 256
	for _, m := range th.Messages {
		n += 192 + len(m.AuthorKind) + len(m.AuthorName) + len(m.Body)
	}
	for _, e := range th.Events {
		n += 224 + len(e.ActorKind) + len(e.ActorName) + len(e.Kind) + len(e.Field) + len(e.From) + len(e.To) + len(e.Comment)
	}
	for _, a := range th.Attachments {
		n += 192 + len(a.Filename) + len(a.ContentType) + len(a.SHA256) + len(a.UploaderKind)
	}
	return n
}

// TicketThread implements svcportal.TicketStore. The thread is kept by
// the ticket's version, which moves at every change of its messages,
// events and files (migrations 0300): a page of a ticket as it was reads
// none of them. A thread read from the database is kept only when the
// ticket's version, read after it, is still t's: a change committed
// meanwhile would have moved it.
func (s *Store) TicketThread(ctx context.Context, t *svcportal.Ticket, withInternal bool) (*svcportal.TicketThread, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	th, ok := s.threads.get(t.ID, t.Version)
	if !ok {
		if th, err = s.readThread(ctx, tid, t.ID); err != nil {
			return nil, err
		}
		var version int64
		p := s.params()
		q := s.db.NewSelect().TableExpr("tickets").Column("version").Where("id = ? AND tenant_id = ?", p.v(t.ID), p.v(tid))
		if err := scanBound(ctx, s.db, q.String(), p, &version); err == nil && version == t.Version {
			s.threads.put(t.ID, version, th)
		}
	}
	if !withInternal {
		th.Messages = slices.DeleteFunc(th.Messages, func(m svcportal.TicketMessage) bool { return m.Internal })
		th.Attachments = slices.DeleteFunc(th.Attachments, func(a svcportal.Attachment) bool { return a.Internal })
	}
	return &th, nil
}

// readThread reads ticket id's messages, internal notes too, its events
// and its files, marking those of internal notes.
func (s *Store) readThread(ctx context.Context, tid, id int64) (svcportal.TicketThread, error) {
	var th svcportal.TicketThread
	var err error
	if th.Messages, err = rowsOfTicket[svcportal.TicketMessage](ctx, s, tid, id, "ticket_message", "created_at", "id"); err != nil {
		return th, fmt.Errorf("read messages: %w", err)
	}
	if th.Events, err = rowsOfTicket[svcportal.TicketEvent](ctx, s, tid, id, "ticket_event", "created_at", "id"); err != nil {
		return th, fmt.Errorf("read events: %w", err)
	}
	if th.Attachments, err = rowsOfTicket[svcportal.Attachment](ctx, s, tid, id, "attachment", "id"); err != nil {
		return th, fmt.Errorf("read files: %w", err)
	}
	for i, a := range th.Attachments {
		th.Attachments[i].Internal = slices.ContainsFunc(th.Messages, func(m svcportal.TicketMessage) bool { return m.Internal && m.ID == a.MessageID })
	}
	return th, nil
}

// rowsOfTicket reads the rows of model T (alias, its table's in bun)
// that belong to ticket id, ordered by the columns order.
func rowsOfTicket[T any](ctx context.Context, s *Store, tid, id int64, alias string, order ...string) ([]T, error) {
	rows := []T{}
	for i, col := range order {
		order[i] = alias + "." + col
	}
	p := s.params()
	q := s.db.NewSelect().Model(&rows).ColumnExpr(s.modelColumns(reflect.TypeFor[T](), alias)).
		Where("tenant_id = ? AND ticket_id = ?", p.v(tid), p.v(id)).Order(order...)
	return rows, scanBound(ctx, s.db, q.String(), p, &rows)
}
