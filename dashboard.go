package svcportal

import (
	"context"
	"time"
)

// DashboardWeeks is how many weeks the console's dashboard charts.
const DashboardWeeks = 12

// DayNumber is the number of whole days between 1970-01-01 UTC and t:
// the key of the daily ticket counters.
func DayNumber(t time.Time) int64 {
	return t.UTC().Unix() / 86400 // times before 1970 do not occur
}

// DayStart is the first instant (UTC) of a day numbered by DayNumber.
func DayStart(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// WeekStart is the Monday 00:00 UTC of t's week (ISO weeks).
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
}

// TicketDay is one day of a tenant's ticket counters: tickets opened,
// closings, and first responses with their times.
type TicketDay struct {
	Day    int64 // DayNumber
	Opened int
	Closed int // closings that day (a ticket closed, reopened and closed again counts twice)
}

// ResponseBucket counts the first responses given on a day whose time
// (from the ticket's creation to the first public staff message) falls in
// the bucket starting at Seconds; see FirstResponseBucket.
type ResponseBucket struct {
	Day     int64
	Seconds int64
	Tickets int
}

// FirstResponseBucket rounds a first-response time down to the
// resolution the counters keep: the minute below two hours, five minutes
// below a day, the hour below a week, the day beyond (up to 90 days).
// Medians computed from the buckets are exact to that resolution.
func FirstResponseBucket(d time.Duration) int64 {
	s := int64(d / time.Second)
	switch {
	case s < 0:
		return 0
	case s < 2*3600:
		return s / 60 * 60
	case s < 86400:
		return s / 300 * 300
	case s < 7*86400:
		return s / 3600 * 3600
	}
	return min(s, 90*86400) / 86400 * 86400
}

// BacklogCount is how many tickets of a site are in a status now, with
// or without an assignee.
type BacklogCount struct {
	SiteID     int64
	Status     string
	Unassigned bool
	Tickets    int
}

// ArticleVotes are the helpfulness votes of one article.
type ArticleVotes struct {
	ArticleID int64
	Votes     KBVotes
}

// StatsStore reads the counters behind the dashboard. They are kept in
// the write transactions of the tickets and votes they count, so reading
// them costs the same at a thousand tickets as at a million.
type StatsStore interface {
	// TicketWeeks sums the context tenant's counters by periods of seven
	// days from fromDay (a DayNumber) on, each TicketDay's Day being the
	// first day of its period; periods without tickets are absent.
	TicketWeeks(ctx context.Context, fromDay int64) ([]TicketDay, error)
	// FirstResponseWeeks sums the first responses by the same periods
	// and by bucket.
	FirstResponseWeeks(ctx context.Context, fromDay int64) ([]ResponseBucket, error)
	// Backlog counts the tenant's tickets by site, status and whether
	// anyone is assigned (no zero rows).
	Backlog(ctx context.Context) ([]BacklogCount, error)
	// TopVotedArticles lists the limit articles with the most votes, most
	// first (ties by id).
	TopVotedArticles(ctx context.Context, limit int) ([]ArticleVotes, error)
}

// WeekStats is one week of the dashboard.
type WeekStats struct {
	Start  time.Time // Monday 00:00 UTC
	Opened int
	Closed int
	// Responded counts first responses given that week; Median is the
	// median of their times (0 when there were none).
	Responded int
	Median    time.Duration
}

// SiteBacklog is a site's tickets that are not closed.
type SiteBacklog struct {
	SiteID  int64
	Name    string
	Tickets int
}

// StatusBacklog is how many tickets are in one status.
type StatusBacklog struct {
	Status  string
	Tickets int
}

// ArticleHelpfulness is an article's votes, titled in the reader's
// language.
type ArticleHelpfulness struct {
	ArticleID int64
	Title     string
	Votes     KBVotes
}

// HelpfulShare is the helpful share of the votes in percent, rounded
// down (0 without votes).
func (a ArticleHelpfulness) HelpfulShare() int {
	total := a.Votes.Helpful + a.Votes.NotHelpful
	if total == 0 {
		return 0
	}
	return a.Votes.Helpful * 100 / total
}

// Dashboard is what the console's landing page charts.
type Dashboard struct {
	Weeks       []WeekStats     // DashboardWeeks weeks, oldest first, the current one last
	OpenBySite  []SiteBacklog   // sites with tickets not closed, most first
	Backlog     []StatusBacklog // every status but closed, in workflow order
	Unassigned  int             // tickets not closed that nobody is assigned to
	TopArticles []ArticleHelpfulness
}

// DashboardService assembles the dashboard of the context tenant in the
// reader's language. It returns only KindInternal failures.
type DashboardService interface {
	Dashboard(ctx context.Context, lang string) (*Dashboard, error)
}
