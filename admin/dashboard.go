package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// The dashboard, /admin: the console's landing page. The figures come
// from the dashboard service (counters kept by the writes, see
// store/ticket_stats.go); this file turns them into charts and tables in
// the reader's language.

type homePage struct {
	page
	Name       string
	Unassigned int
	Dash       *svcportal.Dashboard
	Activity   svgChart // tickets opened and closed per week
	Responses  svgChart // median first-response time per week
	BySite     svgChart // open tickets by site
	ByStatus   svgChart // backlog by status
	Helpful    svgChart // knowledge-base helpfulness
	WeekLabels []string // the weeks, as the tables name them
}

// maxChartSites is how many sites the chart of open tickets draws; the
// table beside it lists them all.
const maxChartSites = 10

func (h *handlers) homeShow(c *gin.Context) error {
	d, err := h.deps.Dashboard.Dashboard(c.Request.Context(), web.Translator(c).Lang())
	if err != nil {
		return err
	}
	pg := &homePage{page: h.newPage(c), Name: web.Principal(c).DisplayName(), Dash: d}
	pg.Unassigned = d.Unassigned
	pg.charts()
	return web.Render(c, http.StatusOK, "admin/home", pg)
}

// charts draws the dashboard's figures.
func (pg *homePage) charts() {
	d := pg.Dash
	var cols []column
	var pts []point
	for _, w := range d.Weeks {
		label := pg.dayMonth(w.Start)
		pg.WeekLabels = append(pg.WeekLabels, label)
		week := pg.T("console.dash.week_of", "Date", label)
		cols = append(cols, column{Label: label, Values: []int{w.Opened, w.Closed}, Tips: []string{
			pg.T("console.dash.tip_opened", "Week", week, "Count", w.Opened),
			pg.T("console.dash.tip_closed", "Week", week, "Count", w.Closed)}})
		pts = append(pts, point{Label: label, OK: w.Responded > 0, Value: int64(w.Median / time.Minute),
			Tip: pg.T("console.dash.tip_median", "Week", week, "Time", pg.Duration(w.Median), "Count", w.Responded)})
	}
	pg.Activity = columnChart("chart-activity", pg.T("console.dash.activity"), pg.T("console.dash.activity_desc", "Weeks", svcportal.DashboardWeeks),
		[]series{{"opened", "chart-a", pg.T("console.dash.opened")}, {"closed", "chart-b", pg.T("console.dash.closed")}}, cols, pg.Num)
	pg.Responses = lineChart("chart-response", pg.T("console.dash.response"), pg.T("console.dash.response_desc", "Weeks", svcportal.DashboardWeeks),
		"chart-a", pts, niceMinutes, func(m int64) string {
			if m == 0 {
				return "0"
			}
			return pg.Duration(time.Duration(m) * time.Minute)
		})

	var sites []row
	for i, s := range d.OpenBySite {
		if i == maxChartSites {
			break
		}
		sites = append(sites, row{Label: s.Name, Values: []int{s.Tickets}, After: pg.Num(s.Tickets),
			Tips: []string{pg.T("console.dash.tip_site", "Site", s.Name, "Count", s.Tickets)}})
	}
	pg.BySite = barChart("chart-sites", pg.T("console.dash.by_site"), pg.T("console.dash.by_site_desc", "Max", maxChartSites), halfWidth,
		[]series{{"open", "chart-a", pg.T("console.dash.open_tickets")}}, sites)

	var statuses []row
	for _, s := range d.Backlog {
		name := pg.T("ticket.status." + s.Status)
		statuses = append(statuses, row{Label: name, Values: []int{s.Tickets}, After: pg.Num(s.Tickets),
			Tips: []string{pg.T("console.dash.tip_status", "Status", name, "Count", s.Tickets)}})
	}
	pg.ByStatus = barChart("chart-status", pg.T("console.dash.by_status"), pg.T("console.dash.by_status_desc"), halfWidth,
		[]series{{"backlog", "chart-b", pg.T("console.dash.open_tickets")}}, statuses)

	var arts []row
	for _, a := range d.TopArticles {
		arts = append(arts, row{Label: a.Title, Values: []int{a.Votes.Helpful, a.Votes.NotHelpful},
			After: pg.T("console.dash.share", "Percent", a.HelpfulShare()),
			Tips: []string{pg.T("console.dash.tip_helpful", "Title", a.Title, "Count", a.Votes.Helpful),
				pg.T("console.dash.tip_not_helpful", "Title", a.Title, "Count", a.Votes.NotHelpful)}})
	}
	pg.Helpful = barChart("chart-helpful", pg.T("console.dash.helpful"), pg.T("console.dash.helpful_desc", "Max", len(arts)), chartWidth,
		[]series{{"helpful", "chart-ok", pg.T("console.dash.helpful_votes")}, {"not_helpful", "chart-bad", pg.T("console.dash.not_helpful_votes")}}, arts)
}

// dayMonth names a day as "2 Mar" in the reader's language.
func (pg *homePage) dayMonth(t time.Time) string {
	return pg.T("console.dash.day_month", "Day", t.Day(), "Month", pg.T(fmt.Sprintf("console.dash.month_%d", int(t.Month()))))
}

// Duration says a response time in the reader's words, to the minute
// (to the hour beyond a day); 0 reads as a dash.
func (pg *page) Duration(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case d <= 0:
		return "–"
	case m < 60:
		return pg.T("console.dash.minutes", "Minutes", m)
	case m < 24*60 && m%60 == 0:
		return pg.T("console.dash.hours_only", "Hours", m/60)
	case m < 24*60:
		return pg.T("console.dash.hours", "Hours", m/60, "Minutes", m%60)
	}
	h := m / 60
	return pg.T("console.dash.days", "Days", h/24, "Hours", h%24)
}
