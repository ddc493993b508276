package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

// The agent workspace: /admin/tickets (the queue) and
// /admin/tickets/{number} (one ticket with everything staff may see and
// do). The rules are the ticket service's; these handlers parse and render.

type queuePage struct {
	page
	web.Pager
	Tickets  template.HTML // the rows, rendered (queueRow)
	Counts   []statusCount
	Sites    template.HTML // the site filter's options, rendered
	Staff    template.HTML // the assignee filter's staff options, rendered
	Query    string
	Status   string
	Site     string
	Assignee string
	Unread   bool
	MineLink string
}

// queueRow is a ticket of the queue, its texts ready: all the row shows,
// so it is a web.Fragment.
type queueRow struct {
	Number      int64
	Title       string
	Unread      string // the badge's text on an unread ticket
	Status      string
	StatusLabel string
	SiteName    string
	Requester   string // "Former contact" for an erased one
	Assignee    string
	Unassigned  string // the text in place of no assignee
	Updated     template.HTML
}

// queueRows renders the queue's rows for the reader of p.
func queueRows(c *gin.Context, p *web.Page, views []svcportal.TicketView) (template.HTML, error) {
	rows := make([]queueRow, len(views))
	for i, v := range views {
		row := queueRow{Number: v.Number, Title: v.Title, Status: v.Status, StatusLabel: p.T("ticket.status." + v.Status),
			SiteName: v.SiteName, Requester: v.RequesterName, Updated: p.When(v.UpdatedAt)}
		if v.Unread {
			row.Unread = p.T("tk.unread")
		}
		if v.RequesterErased {
			row.Requester = p.T("contact.former")
		}
		if a := v.Fields["assignee"]; isTrue(a) {
			row.Assignee = fmt.Sprint(a)
		} else {
			row.Unassigned = p.T("console.tk.unassigned")
		}
		rows[i] = row
	}
	return web.Fragments(c, "admin/tickets", "queue_row", rows)
}

// siteOptions are the options of a select of sites, the one whose id is
// chosen (as the request wrote it) selected.
func siteOptions(sites []svcportal.Site, chosen string) []web.Option {
	opts := make([]web.Option, len(sites))
	for i, s := range sites {
		id := strconv.FormatInt(s.ID, 10)
		opts[i] = web.Option{Value: id, Label: s.Name, Selected: id == chosen}
	}
	return opts
}

// isTrue is whether v is set, as a template's {{with}} tells.
func isTrue(v any) bool {
	truth, _ := template.IsTrue(v)
	return truth
}

// statusCount is one tab of the queue: a status (or "" for all), its
// count under the other filters (More: counting stopped at
// svcportal.TicketCountCap, shown as "1000+"), and its link.
type statusCount struct {
	Status, Href string
	Count        int
	More         bool
	Current      bool
}

// myOpenQuery is the saved view "my open tickets".
var myOpenQuery = url.Values{"assignee": {"me"}, "status": {strings.Join(openStatuses, ",")}}

// queueFilter reads the queue's query: the shared ticket filter, plus the
// assignee as staff name it ("me", "none", a staff id, or "" for anyone).
func queueFilter(c *gin.Context) (svcportal.TicketFilter, error) {
	q := c.Request.URL.Query()
	f, err := ticketapi.ParseFilter(q)
	if err != nil {
		return f, err
	}
	switch a := q.Get("assignee"); a {
	case "":
	case "me":
		f.Fields["assignee"] = web.Principal(c).Staff.ID
	case "none":
		f.Fields["assignee"] = int64(0)
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id < 1 {
			return f, &svcportal.Error{Kind: svcportal.KindInvalid, MessageID: "error.wrong_type",
				Fields: map[string]svcportal.FieldError{"assignee": {MessageID: "error.wrong_type"}}}
		}
		f.Fields["assignee"] = id
	}
	f.PerPage = 25
	return f, nil
}

func (h *handlers) queueShow(c *gin.Context) error {
	ctx, p := c.Request.Context(), web.Principal(c)
	f, err := queueFilter(c)
	if err != nil {
		return err
	}
	views, total, err := h.deps.Tickets.List(ctx, p, f)
	if err != nil {
		return err
	}
	counts, err := h.deps.Tickets.StatusCounts(ctx, p, f)
	if err != nil {
		return err
	}
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return err
	}
	staff, err := h.deps.Staff.ListStaff(ctx)
	if err != nil {
		return err
	}
	q := c.Request.URL.Query()
	pg := &queuePage{page: h.newPage(c),
		Query: q.Get("q"), Status: q.Get("status"), Site: q.Get("site"), Assignee: q.Get("assignee"), Unread: q.Get("unread") == "true",
		MineLink: "/admin/tickets?" + myOpenQuery.Encode()}
	if pg.Tickets, err = queueRows(c, &pg.Page, views); err != nil {
		return err
	}
	staffOpts := make([]web.Option, len(staff))
	for i, m := range staff {
		id := strconv.FormatInt(m.ID, 10)
		staffOpts[i] = web.Option{Value: id, Label: staffName(m), Selected: id == pg.Assignee}
	}
	if pg.Sites, err = web.Choices(c, "admin/tickets", siteOptions(sites, pg.Site)); err != nil {
		return err
	}
	if pg.Staff, err = web.Choices(c, "admin/tickets", staffOpts); err != nil {
		return err
	}
	link := func(change func(url.Values)) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = append([]string(nil), vs...)
		}
		v.Del("page")
		v.Del("after")
		v.Del("before")
		change(v)
		return "/admin/tickets?" + v.Encode()
	}
	all, allMore := 0, false
	for _, st := range svcportal.Statuses {
		n, more := svcportal.TotalCapped(counts[st])
		all, allMore = all+n, allMore || more
	}
	pg.Counts = append(pg.Counts, statusCount{Href: link(func(v url.Values) { v.Del("status") }), Count: all, More: allMore, Current: pg.Status == ""})
	for _, st := range svcportal.Statuses {
		n, more := svcportal.TotalCapped(counts[st])
		pg.Counts = append(pg.Counts, statusCount{Status: st, Count: n, More: more, Current: pg.Status == st,
			Href: link(func(v url.Values) { v.Set("status", st) })})
	}
	pg.Pager = web.TicketPager("/admin/tickets", q, f, views, total)
	return web.Render(c, http.StatusOK, "admin/tickets", pg)
}

// fieldRow is one property of a ticket, with its input for the edit form.
type fieldRow struct {
	svcportal.TicketFieldView
	Value   string          // as the reader reads it
	Input   string          // the form's current value
	Checked map[string]bool // chosen options of a multi-select
}

type ticketPage struct {
	page
	Ticket   *svcportal.TicketView
	Messages template.HTML // the conversation, rendered (ticketapi.Message)
	Timeline template.HTML // the history, one line per action, rendered (ticketapi.TimelineLine)
	Rows     []fieldRow
	Staff    []svcportal.Staff
	Assignee int64
	Statuses []string
	Body     string
	Internal bool
}

func (h *handlers) ticketShow(c *gin.Context) error {
	return h.renderTicket(c, http.StatusOK, nil)
}

// renderTicket shows the ticket page, with what went wrong when actionErr
// is set (and the typed message kept).
func (h *handlers) renderTicket(c *gin.Context, status int, actionErr error) error {
	n, err := web.IDParam(c, "number")
	if err != nil {
		return err
	}
	ctx, p := c.Request.Context(), web.Principal(c)
	v, err := h.deps.Tickets.Get(ctx, p, n)
	if err != nil {
		return err
	}
	tr := web.Translator(c)
	views, err := h.deps.Tickets.Fields(ctx, p, v.SiteID, tr.Lang())
	if err != nil {
		return err
	}
	staff, err := h.deps.Staff.ListStaff(ctx)
	if err != nil {
		return err
	}
	pg := &ticketPage{page: h.newPage(c), Ticket: v, Staff: staff, Statuses: svcportal.Statuses}
	if done := c.Query("done"); done == "replied" || done == "fields" || done == "proposed" || done == "noted" {
		pg.Notice = pg.T("console.tk.done_" + done)
	}
	if actionErr != nil {
		pg.fail(c, actionErr, "body", "files")
		pg.Body, pg.Internal = c.PostForm("body"), c.PostForm("internal") == "on"
	}
	for _, fv := range views {
		row := fieldRow{TicketFieldView: fv, Checked: map[string]bool{}}
		if val, ok := v.Fields[fv.Key]; ok {
			row.Value = ticketapi.ValueText(pg.T, fv, val)
			switch x := val.(type) {
			case []any:
				for _, e := range x {
					row.Checked[fmt.Sprint(e)] = true
				}
			case bool:
				row.Input = strconv.FormatBool(x)
			case float64:
				row.Input = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				row.Input = fmt.Sprint(x)
			}
		}
		if fv.Key == "assignee" {
			for _, m := range staff {
				if name := staffName(m); v.Fields["assignee"] == name {
					pg.Assignee = m.ID
				}
			}
		}
		pg.Rows = append(pg.Rows, row)
	}
	if pg.Messages, err = ticketapi.Messages(c, "admin/ticket", &pg.Page, v); err != nil {
		return err
	}
	if pg.Timeline, err = web.Fragments(c, "admin/ticket", "timeline_line", ticketapi.Timeline(pg.T, pg.When, views, v.Events)); err != nil {
		return err
	}
	return web.Render(c, status, "admin/ticket", pg)
}

func staffName(m svcportal.Staff) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Email
}

// ticketAction runs an action posted from the ticket page and goes back
// to it, or shows it again with what went wrong.
func (h *handlers) ticketAction(done string, act func(c *gin.Context, n int64) (string, error)) web.HandlerFunc {
	return func(c *gin.Context) error {
		n, err := web.IDParam(c, "number")
		if err != nil {
			return err
		}
		outcome, err := act(c, n)
		if web.Redisplays(err) {
			return h.renderTicket(c, web.ErrorStatus(c, err), err)
		} else if err != nil {
			return err
		}
		if outcome == "" {
			outcome = done
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/tickets/%d?done=%s", n, outcome))
		return nil
	}
}

// ticketReplySubmit posts a public reply, or an internal note when the
// "internal" box is ticked, with files.
func (h *handlers) ticketReplySubmit(c *gin.Context, n int64) (string, error) {
	// Files are read only once the ticket is known to be the tenant's.
	if _, err := h.deps.Tickets.Get(c.Request.Context(), web.Principal(c), n); err != nil {
		return "", err
	}
	files, err := web.Uploads(c, h.deps.Blobs)
	if err != nil {
		return "", err
	}
	internal := c.PostForm("internal") == "on"
	if _, err := h.deps.Tickets.Reply(c.Request.Context(), web.Principal(c), n, c.PostForm("body"), internal, files); err != nil {
		return "", err
	}
	if internal {
		return "noted", nil
	}
	return "replied", nil
}

func (h *handlers) ticketProposeSubmit(c *gin.Context, n int64) (string, error) {
	_, err := h.deps.Tickets.ProposeSolution(c.Request.Context(), web.Principal(c), n, c.PostForm("body"))
	return "", err
}

// ticketFieldsSubmit sets every field of the form (staff see and may set
// them all, hidden ones included): field.KEY inputs, several values for a
// multi-select, "on" for a checkbox, a staff id (or nothing) as assignee.
func (h *handlers) ticketFieldsSubmit(c *gin.Context, n int64) (string, error) {
	ctx, p := c.Request.Context(), web.Principal(c)
	v, err := h.deps.Tickets.Get(ctx, p, n)
	if err != nil {
		return "", err
	}
	views, err := h.deps.Tickets.Fields(ctx, p, v.SiteID, web.Translator(c).Lang())
	if err != nil {
		return "", err
	}
	if err := c.Request.ParseForm(); err != nil {
		return "", svcportal.NewError(svcportal.KindInvalid, "error.invalid_request")
	}
	form := c.Request.PostForm
	values := map[string]any{}
	for _, f := range views {
		vals, sent := form["field."+f.Key]
		switch {
		case f.Key == "assignee":
			if !sent {
				continue
			}
			if vals[0] == "" {
				values[f.Key] = nil
				continue
			}
			id, err := strconv.ParseInt(vals[0], 10, 64)
			if err != nil {
				return "", invalid("assignee", "error.assignee_unknown")
			}
			values[f.Key] = id
		case f.Type == svcportal.FieldCheckbox:
			values[f.Key] = sent
		case f.Type == svcportal.FieldMultiSelect:
			values[f.Key] = vals
		case sent:
			values[f.Key] = vals[0]
		}
	}
	_, err = h.deps.Tickets.UpdateFields(ctx, p, n, values)
	return "", err
}

// AttachmentsOf lists the ticket's files of one message (0: of the
// description).
func (p *ticketPage) AttachmentsOf(messageID int64) []svcportal.Attachment {
	return ticketapi.AttachmentsOf(p.Ticket, messageID)
}
