// Package dashboard assembles the admin console's dashboard
// (svcportal.DashboardService) from the counters the store keeps in the
// write transactions of tickets and votes (svcportal.StatsStore): weeks
// of tickets opened, closed and first responses with their median time,
// the backlog by site and status, and the most voted articles. It reads
// no ticket rows, so a view costs the same at any number of tickets.
package dashboard

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/svcportal/svcportal"
)

// TopArticles is how many articles the helpfulness chart ranks.
const TopArticles = 8

// Store is the storage the service needs.
type Store interface {
	svcportal.StatsStore
	Sites(ctx context.Context) ([]svcportal.Site, error)
	KBArticle(ctx context.Context, id int64) (*svcportal.KBArticle, error)
}

// Service implements svcportal.DashboardService.
type Service struct {
	st  Store
	now func() time.Time
}

var _ svcportal.DashboardService = (*Service)(nil)

// New returns the service over st; now is the clock (nil: time.Now).
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

// Dashboard implements svcportal.DashboardService.
func (s *Service) Dashboard(ctx context.Context, lang string) (*svcportal.Dashboard, error) {
	d := &svcportal.Dashboard{}
	var err error
	if d.Weeks, err = s.weeks(ctx); err != nil {
		return nil, err
	}
	if d.OpenBySite, d.Backlog, d.Unassigned, err = s.backlog(ctx); err != nil {
		return nil, err
	}
	if d.TopArticles, err = s.articles(ctx, lang); err != nil {
		return nil, err
	}
	return d, nil
}

// weeks reads the counters of the last DashboardWeeks weeks (the current
// one included), summed by week.
func (s *Service) weeks(ctx context.Context) ([]svcportal.WeekStats, error) {
	first := svcportal.WeekStart(s.now()).AddDate(0, 0, -7*(svcportal.DashboardWeeks-1))
	fromDay := svcportal.DayNumber(first)
	weeks := make([]svcportal.WeekStats, svcportal.DashboardWeeks)
	for i := range weeks {
		weeks[i].Start = first.AddDate(0, 0, 7*i)
	}
	index := func(day int64) int { return int((day - fromDay) / 7) }
	days, err := s.st.TicketWeeks(ctx, fromDay)
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		if i := index(d.Day); i < len(weeks) {
			weeks[i].Opened += d.Opened
			weeks[i].Closed += d.Closed
		}
	}
	buckets, err := s.st.FirstResponseWeeks(ctx, fromDay)
	if err != nil {
		return nil, err
	}
	perWeek := make([][]svcportal.ResponseBucket, len(weeks))
	for _, b := range buckets {
		if i := index(b.Day); i < len(weeks) {
			perWeek[i] = append(perWeek[i], b)
			weeks[i].Responded += b.Tickets
		}
	}
	for i := range weeks {
		weeks[i].Median = Median(perWeek[i])
	}
	return weeks, nil
}

// Median is the median response time of bucketed counts: the middle
// value, or the mean of the two middle values of an even count, each
// value being its bucket's start. 0 without responses.
func Median(bs []svcportal.ResponseBucket) time.Duration {
	bs = slices.Clone(bs)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Seconds < bs[j].Seconds })
	n := 0
	for _, b := range bs {
		n += b.Tickets
	}
	if n == 0 {
		return 0
	}
	// nth is the value at 0-based position k in sorted order.
	nth := func(k int) int64 {
		for _, b := range bs {
			if k < b.Tickets {
				return b.Seconds
			}
			k -= b.Tickets
		}
		return bs[len(bs)-1].Seconds
	}
	mid := (nth((n-1)/2) + nth(n/2)) * int64(time.Second) / 2
	return time.Duration(mid)
}

// backlog sums the tickets that are not closed by site (most first, then
// by name), by status (in workflow order), and those nobody is assigned.
func (s *Service) backlog(ctx context.Context) ([]svcportal.SiteBacklog, []svcportal.StatusBacklog, int, error) {
	counts, err := s.st.Backlog(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	sites, err := s.st.Sites(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	names := map[int64]string{}
	for _, site := range sites {
		names[site.ID] = site.Name
	}
	bySite, byStatus, unassigned := map[int64]int{}, map[string]int{}, 0
	for _, c := range counts {
		if c.Status == svcportal.StatusClosed {
			continue
		}
		bySite[c.SiteID] += c.Tickets
		byStatus[c.Status] += c.Tickets
		if c.Unassigned {
			unassigned += c.Tickets
		}
	}
	open := []svcportal.SiteBacklog{}
	for id, n := range bySite {
		open = append(open, svcportal.SiteBacklog{SiteID: id, Name: names[id], Tickets: n})
	}
	sort.Slice(open, func(i, j int) bool {
		if open[i].Tickets != open[j].Tickets {
			return open[i].Tickets > open[j].Tickets
		}
		return open[i].Name < open[j].Name
	})
	var statuses []svcportal.StatusBacklog
	for _, st := range svcportal.Statuses {
		if st != svcportal.StatusClosed {
			statuses = append(statuses, svcportal.StatusBacklog{Status: st, Tickets: byStatus[st]})
		}
	}
	return open, statuses, unassigned, nil
}

// articles titles the most voted articles in lang (else the tenant's
// default language).
func (s *Service) articles(ctx context.Context, lang string) ([]svcportal.ArticleHelpfulness, error) {
	top, err := s.st.TopVotedArticles(ctx, TopArticles)
	if err != nil {
		return nil, err
	}
	def := "en"
	if t := svcportal.TenantFrom(ctx); t != nil {
		def = t.DefaultLocale
	}
	out := []svcportal.ArticleHelpfulness{}
	for _, v := range top {
		a, err := s.st.KBArticle(ctx, v.ArticleID)
		if err != nil {
			return nil, err
		}
		tr, _ := a.Translation(lang, def)
		out = append(out, svcportal.ArticleHelpfulness{ArticleID: a.ID, Title: tr.Title, Votes: v.Votes})
	}
	return out, nil
}
