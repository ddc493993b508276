package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

// The dashboard's counters (migrations 0060_ticket_stats.sql).
//
// Why counters and not aggregate queries over tickets: the dashboard is
// the console's landing page, opened by every staff member many times a
// day, and a tenant may hold a million tickets. Tickets opened per week
// could come from an index on (tenant_id, created_at), but closings,
// first-response medians and the backlog by site and status would each
// read every ticket of the window (or of the tenant) on every view, and
// a median cannot be summed from an index at all. So each write that
// changes a figure also changes its counter, in the same transaction:
// ticket_stats (opened and closed per day and site), ticket_first_responses
// (first responses per day in response-time buckets, from which medians
// are exact to the bucket's resolution) and ticket_backlog (tickets per
// site and status). A view then reads the week sums of at most weeks×7
// rows per site (and of as many response buckets), and the backlog's
// sites×statuses rows, whatever the number of tickets.
// On PostgreSQL the upserts lock one counter row until commit: ticket
// creations already queue on the tenant's number counter, and other
// changes hold it for the few statements that follow.

var _ svcportal.StatsStore = (*Store)(nil)

// ticketStat is the state of a ticket that its counters depend on.
type ticketStat struct {
	SiteID     int64     `bun:"site_id"`
	Status     string    `bun:"status"`
	AssigneeID int64     `bun:"assignee_id"`
	CreatedAt  time.Time `bun:"created_at"`
}

// countDay adds opened and closed tickets to a day's counters.
func countDay(ctx context.Context, db bun.IDB, tid, siteID int64, day int64, opened, closed int) error {
	err := execArgs(ctx, db, `INSERT INTO ticket_stats (tenant_id, day, site_id, opened, closed) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, day, site_id) DO UPDATE
		SET opened = ticket_stats.opened + EXCLUDED.opened, closed = ticket_stats.closed + EXCLUDED.closed`,
		tid, day, siteID, opened, closed)
	if err != nil {
		return fmt.Errorf("count tickets of day %d: %w", day, err)
	}
	return nil
}

// countBacklog adds delta tickets to a site's count in a status, with
// or without an assignee.
func countBacklog(ctx context.Context, db bun.IDB, tid, siteID int64, status string, assigneeID int64, delta int) error {
	unassigned := 0
	if assigneeID == 0 {
		unassigned = 1
	}
	err := execArgs(ctx, db, `INSERT INTO ticket_backlog (tenant_id, site_id, status, unassigned, tickets) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, site_id, status, unassigned) DO UPDATE SET tickets = ticket_backlog.tickets + EXCLUDED.tickets`,
		tid, siteID, status, unassigned, delta)
	if err != nil {
		return fmt.Errorf("count backlog: %w", err)
	}
	return nil
}

// countFirstResponses adds n first responses of one day and bucket.
func countFirstResponses(ctx context.Context, db bun.IDB, tid, day, bucket int64, n int) error {
	err := execArgs(ctx, db, `INSERT INTO ticket_first_responses (tenant_id, day, bucket, tickets) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, day, bucket) DO UPDATE SET tickets = ticket_first_responses.tickets + EXCLUDED.tickets`,
		tid, day, bucket, n)
	if err != nil {
		return fmt.Errorf("count first responses: %w", err)
	}
	return nil
}

// countCreated counts a new ticket: opened on its day, in its backlog.
func countCreated(ctx context.Context, db bun.IDB, t *svcportal.Ticket) error {
	closed := 0
	if t.Status == svcportal.StatusClosed {
		closed = 1
	}
	if err := countDay(ctx, db, t.TenantID, t.SiteID, svcportal.DayNumber(t.CreatedAt), 1, closed); err != nil {
		return err
	}
	return countBacklog(ctx, db, t.TenantID, t.SiteID, t.Status, t.AssigneeID, 1)
}

// lockTicketStat reads what the counters know of a ticket before a
// change, locking its row on PostgreSQL so that two changes at once
// count from the state each really left (SQLite has one writer).
func (s *Store) lockTicketStat(ctx context.Context, tx bun.IDB, id, tid int64) (*ticketStat, error) {
	var st ticketStat
	p := s.params()
	q := tx.NewSelect().Model((*svcportal.Ticket)(nil)).Column("site_id", "status", "assignee_id", "created_at").
		Where("id = ? AND tenant_id = ?", p.v(id), p.v(tid))
	if s.dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := scanBound(ctx, tx, q.String(), p, &st); err != nil {
		return nil, notFound(err)
	}
	return &st, nil
}

// countUpdated counts what an update changed: a move between statuses,
// sites or being assigned in the backlog, a closing on the day it
// happens, and the ticket's first public staff message.
func (s *Store) countUpdated(ctx context.Context, tx bun.IDB, before *ticketStat, t *svcportal.Ticket, c svcportal.TicketChange, now time.Time) error {
	if before.Status != t.Status || before.SiteID != t.SiteID || (before.AssigneeID == 0) != (t.AssigneeID == 0) {
		if err := countBacklog(ctx, tx, t.TenantID, before.SiteID, before.Status, before.AssigneeID, -1); err != nil {
			return err
		}
		if err := countBacklog(ctx, tx, t.TenantID, t.SiteID, t.Status, t.AssigneeID, 1); err != nil {
			return err
		}
	}
	if t.Status == svcportal.StatusClosed && before.Status != svcportal.StatusClosed {
		if err := countDay(ctx, tx, t.TenantID, t.SiteID, svcportal.DayNumber(now), 0, 1); err != nil {
			return err
		}
	}
	if m := c.Message; m == nil || m.Internal || m.AuthorKind != svcportal.PrincipalStaff {
		return nil
	}
	res, err := tx.NewUpdate().Model((*svcportal.Ticket)(nil)).Set("first_response_at = ?", now).
		Where("id = ? AND first_response_at IS NULL", t.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("first response of ticket %d: %w", t.Number, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // staff had written before
	}
	t.FirstResponseAt = &now
	return countFirstResponses(ctx, tx, t.TenantID, svcportal.DayNumber(now),
		svcportal.FirstResponseBucket(now.Sub(before.CreatedAt)), 1)
}

// countSeeded counts a batch of seeded tickets with one upsert per
// counter row rather than per ticket.
func countSeeded(ctx context.Context, tx bun.IDB, tid int64, ts []svcportal.Ticket) error {
	type daySite struct{ day, site int64 }
	type siteStatus struct {
		site     int64
		status   string
		assignee int64 // 0 or 1: only whether someone is assigned counts
	}
	type dayBucket struct{ day, bucket int64 }
	days, backlog, responses := map[daySite][2]int{}, map[siteStatus]int{}, map[dayBucket]int{}
	for i := range ts {
		t := &ts[i]
		k := daySite{svcportal.DayNumber(t.CreatedAt), t.SiteID}
		d := days[k]
		d[0]++
		days[k] = d
		if t.Status == svcportal.StatusClosed {
			k := daySite{svcportal.DayNumber(*t.ClosedAt), t.SiteID}
			d := days[k]
			d[1]++
			days[k] = d
		}
		backlog[siteStatus{t.SiteID, t.Status, min(t.AssigneeID, 1)}]++
		if t.FirstResponseAt != nil {
			responses[dayBucket{svcportal.DayNumber(*t.FirstResponseAt), svcportal.FirstResponseBucket(t.FirstResponseAt.Sub(t.CreatedAt))}]++
		}
	}
	for k, d := range days {
		if err := countDay(ctx, tx, tid, k.site, k.day, d[0], d[1]); err != nil {
			return err
		}
	}
	for k, n := range backlog {
		if err := countBacklog(ctx, tx, tid, k.site, k.status, k.assignee, n); err != nil {
			return err
		}
	}
	for k, n := range responses {
		if err := countFirstResponses(ctx, tx, tid, k.day, k.bucket, n); err != nil {
			return err
		}
	}
	return nil
}

// TicketWeeks implements svcportal.StatsStore: the periods are summed
// here, so a view reads a dozen rows whatever the number of sites.
func (s *Store) TicketWeeks(ctx context.Context, fromDay int64) ([]svcportal.TicketDay, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.TicketDay{}
	err = s.db.NewSelect().TableExpr("ticket_stats").
		ColumnExpr("? + (day - ?) / 7 * 7 AS day", fromDay, fromDay).ColumnExpr("SUM(opened) AS opened").ColumnExpr("SUM(closed) AS closed").
		Where("tenant_id = ? AND day >= ?", tid, fromDay).GroupExpr("1").OrderExpr("1").Scan(ctx, &out)
	return out, err
}

// FirstResponseWeeks implements svcportal.StatsStore.
func (s *Store) FirstResponseWeeks(ctx context.Context, fromDay int64) ([]svcportal.ResponseBucket, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.ResponseBucket{}
	err = s.db.NewSelect().TableExpr("ticket_first_responses").
		ColumnExpr("? + (day - ?) / 7 * 7 AS day", fromDay, fromDay).ColumnExpr("bucket AS seconds").ColumnExpr("SUM(tickets) AS tickets").
		Where("tenant_id = ? AND day >= ? AND tickets > 0", tid, fromDay).GroupExpr("1, 2").OrderExpr("1, 2").Scan(ctx, &out)
	return out, err
}

// Backlog implements svcportal.StatsStore.
func (s *Store) Backlog(ctx context.Context) ([]svcportal.BacklogCount, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.BacklogCount{}
	var rows []struct {
		SiteID     int64  `bun:"site_id"`
		Status     string `bun:"status"`
		Unassigned int    `bun:"unassigned"`
		Tickets    int    `bun:"tickets"`
	}
	err = s.db.NewSelect().TableExpr("ticket_backlog").ColumnExpr("site_id, status, unassigned, tickets").
		Where("tenant_id = ? AND tickets > 0", tid).OrderExpr("site_id, status, unassigned").Scan(ctx, &rows)
	for _, r := range rows {
		out = append(out, svcportal.BacklogCount{SiteID: r.SiteID, Status: r.Status, Unassigned: r.Unassigned == 1, Tickets: r.Tickets})
	}
	return out, err
}

// TopVotedArticles implements svcportal.StatsStore, from the counts that
// each vote keeps on its article (see VoteKBArticle), in the order of
// the index kb_articles_votes.
func (s *Store) TopVotedArticles(ctx context.Context, limit int) ([]svcportal.ArticleVotes, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID         int64 `bun:"id"`
		Helpful    int   `bun:"votes_helpful"`
		NotHelpful int   `bun:"votes_not_helpful"`
	}
	err = s.db.NewSelect().TableExpr("kb_articles").ColumnExpr("id, votes_helpful, votes_not_helpful").
		Where("tenant_id = ? AND (votes_helpful + votes_not_helpful) > 0", tid).
		OrderExpr("(votes_helpful + votes_not_helpful) DESC, id").Limit(int64(limit)).Scan(ctx, &rows)
	out := make([]svcportal.ArticleVotes, len(rows))
	for i, r := range rows {
		out[i] = svcportal.ArticleVotes{ArticleID: r.ID, Votes: svcportal.KBVotes{Helpful: r.Helpful, NotHelpful: r.NotHelpful}}
	}
	return out, err
}
