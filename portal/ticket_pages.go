package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

type ticketListPage struct {
	web.Page
	web.Pager
	Tools   template.HTML // what is above the rows, rendered (listTools)
	Head    template.HTML // the column heads, rendered (listHead)
	Tickets template.HTML // the rows, rendered (ticketRow)
	Filter  svcportal.TicketFilter
	Tab     string // the chosen tab of ticketTabs

	// What tools renders above the rows (the template reads Tools).
	status   string
	unread   bool
	statuses template.HTML // the status filter's options, offered only when the reader may see the status
	sorts    template.HTML // the sort's options
	filters  []listFilter  // choice fields the reader sees, with the chosen value
	tabs     []tabLink     // offered when the reader sees statuses
}

// listTools is what the list page shows above its rows — its heading,
// tabs and filters' form — with its texts ready, rendered as a
// web.Fragment: the same for every reader of the tenant's list in a
// language under the same filters. As template actions (a translation
// each, through reflection) it was most of the page's own template.
type listTools struct {
	Texts    listTexts
	Tabs     template.HTML // tab_link fragments; "" when the reader may not see the status
	Tab      string
	Query    string
	More     bool // the fold of the other filters is open
	Scope    string
	Statuses template.HTML
	Status   string        // the chosen status
	Filters  template.HTML // list_filter fragments
	Sorts    template.HTML
	Unread   bool
}

// listTexts are listTools' texts in the reader's language.
type listTexts struct {
	Title, New, Tabs, Filter, Search, Apply, SearchHint, More, Scope, ScopeSite, ScopeMine, Status, StatusAny, Sort, UnreadOnly string
}

// listHead is the list's column heads in the reader's language; Status is
// "" when the list has no status column.
type listHead struct {
	Number, Title, Status, Site, Requester, Updated string
}

// tools renders what is above p's rows, and its column heads.
func (p *ticketListPage) tools(c *gin.Context) (err error) {
	t := listTools{Tab: p.Tab, Query: p.Filter.Query, More: p.MoreFilters(), Scope: p.Filter.Scope,
		Statuses: p.statuses, Status: p.status, Sorts: p.sorts, Unread: p.unread,
		Texts: listTexts{Title: p.T("tk.title"), New: p.T("tk.new"), Tabs: p.T("ux.tk.tabs"), Filter: p.T("tk.filter"),
			Search: p.T("tk.search"), Apply: p.T("tk.apply"), SearchHint: p.T("tk.search_hint"), More: p.T("ux.tk.more_filters"),
			Scope: p.T("tk.scope"), ScopeSite: p.T("tk.scope_site"), ScopeMine: p.T("tk.scope_mine"),
			Status: p.T("field.builtin.status"), StatusAny: p.T("tk.status_any"), Sort: p.T("tk.sort"), UnreadOnly: p.T("tk.unread_only")}}
	if t.Tabs, err = web.Fragments(c, "portal/tickets", "tab_link", p.tabs); err != nil {
		return err
	}
	if t.Filters, err = web.Fragments(c, "portal/tickets", "list_filter", p.filters); err != nil {
		return err
	}
	if p.Tools, err = web.Fragment(c, "portal/tickets", "ticket_tools", t); err != nil {
		return err
	}
	h := listHead{Number: p.T("tk.col_number"), Title: p.T("tk.col_title"), Site: p.T("tk.col_site"),
		Requester: p.T("tk.col_requester"), Updated: p.T("tk.col_updated")}
	if p.statuses != "" {
		h.Status = p.T("field.builtin.status")
	}
	p.Head, err = web.Fragment(c, "portal/tickets", "ticket_head", h)
	return err
}

// choices renders the options of one of the list's filters: values
// labelled by the messages prefix+value, the one equal to chosen selected.
func choices(c *gin.Context, p *web.Page, prefix string, values []string, chosen string) (template.HTML, error) {
	out := make([]web.Option, len(values))
	for i, v := range values {
		out[i] = web.Option{Value: v, Label: p.T(prefix + v), Selected: v == chosen}
	}
	return web.Choices(c, "portal/tickets", out)
}

// listFilter is a choice field of the list's filters: its options
// rendered, the chosen value's selected.
type listFilter struct {
	Key, Label, Value string
	Any               string // the text of the empty choice
	Options           template.HTML
}

// ticketRow is a ticket of the list page, its texts ready: the template
// only writes them out. Each call a template makes (a translation, a
// time) goes through reflection, which was most of the page's cost at 25
// rows. It is all the row shows, so the row is a web.Fragment: rendered
// once for the same texts.
type ticketRow struct {
	Number      int64
	Title       string
	Unread      bool
	Status      string // "" when the reader may not see it
	StatusLabel string
	ShowStatus  bool // the list has a status column
	SiteName    string
	Requester   string // "Former contact" for an erased one
	Updated     template.HTML
	Labels      rowLabels
}

// rowLabels are the texts of a list's rows in the reader's language.
type rowLabels struct {
	Number, Site, Requester, Updated, Unread string
}

// ticketRows renders the list's rows for the reader of p.
func ticketRows(c *gin.Context, p *web.Page, views []svcportal.TicketView, showStatus bool) (template.HTML, error) {
	labels := rowLabels{Number: p.T("tk.col_number"), Site: p.T("tk.col_site"), Requester: p.T("tk.col_requester"),
		Updated: p.T("tk.col_updated"), Unread: p.T("tk.unread")}
	rows := make([]ticketRow, len(views))
	for i, v := range views {
		row := ticketRow{Number: v.Number, Title: v.Title, Unread: v.Unread, Status: v.Status, ShowStatus: showStatus,
			SiteName: v.SiteName, Requester: v.RequesterName, Updated: p.When(v.UpdatedAt), Labels: labels}
		if v.Status != "" {
			row.StatusLabel = p.T("ticket.status." + v.Status)
		}
		if v.RequesterErased {
			row.Requester = p.T("contact.former")
		}
		rows[i] = row
	}
	return web.Fragments(c, "portal/tickets", "ticket_row", rows)
}

// ticketTabs are the list's tabs and the statuses each shows ("all": any).
var ticketTabs = map[string][]string{
	"open":     {svcportal.StatusOpen, svcportal.StatusInProgress},
	"awaiting": awaitingYou,
	"solved":   {svcportal.StatusClosed},
	"all":      nil,
}

// tabLink is one tab of the ticket list: the same search in other statuses.
type tabLink struct {
	Key, URL, Label string
	Current         bool
}

func tabLinks(p *web.Page, q url.Values, current string) []tabLink {
	var out []tabLink
	for _, key := range []string{"open", "awaiting", "solved", "all"} {
		v := url.Values{}
		for k, vs := range q {
			if k != "tab" && k != "status" && k != "page" && k != "after" && k != "before" {
				v[k] = vs
			}
		}
		v.Set("tab", key)
		out = append(out, tabLink{Key: key, URL: "/tickets?" + v.Encode(), Label: p.T("ux.tk.tab." + key), Current: key == current})
	}
	return out
}

// MoreFilters reports whether a folded-away filter is in use, so that
// the fold opens.
func (p *ticketListPage) MoreFilters() bool {
	if p.status != "" || p.unread || p.Filter.Scope == "mine" {
		return true
	}
	for _, f := range p.filters {
		if f.Value != "" {
			return true
		}
	}
	return false
}

// Filtered reports whether the list is narrowed by anything but its tab.
func (p *ticketListPage) Filtered() bool { return p.MoreFilters() || p.Filter.Query != "" }

func (h *handlers) ticketList(c *gin.Context) error {
	q := c.Request.URL.Query()
	f, err := ticketapi.ParseFilter(q)
	if err != nil {
		return err
	}
	f.PerPage = 25
	tab := q.Get("tab")
	if _, ok := ticketTabs[tab]; !ok || len(f.Status) > 0 {
		tab = "all" // a status chosen among the other filters wins
	}
	if len(f.Status) == 0 {
		f.Status = ticketTabs[tab]
	}
	views, total, err := h.deps.Tickets.List(c.Request.Context(), web.Principal(c), f)
	if err != nil {
		return err
	}
	page := &ticketListPage{Page: web.NewPage(c), Filter: f, Tab: tab,
		status: q.Get("status"), unread: q.Get("unread") == "true",
	}
	if page.Filter.Sort == "" {
		page.Filter.Sort = "-updated"
	}
	if page.sorts, err = choices(c, &page.Page, "tk.sort.", []string{"-updated", "-created", "created", "-number", "-priority"}, page.Filter.Sort); err != nil {
		return err
	}
	fields, err := h.deps.Tickets.Fields(c.Request.Context(), web.Principal(c), 0, web.Translator(c).Lang())
	if err != nil {
		return err
	}
	for _, fv := range fields {
		switch {
		case fv.Key == svcportal.FieldKeyStatus:
			if page.statuses, err = choices(c, &page.Page, "ticket.status.", svcportal.Statuses, page.status); err != nil {
				return err
			}
			page.tabs = tabLinks(&page.Page, q, tab)
		case fv.Type == svcportal.FieldDropdown || fv.Type == svcportal.FieldMultiSelect:
			f := listFilter{Key: fv.Key, Label: fv.Label, Value: q.Get("field." + fv.Key), Any: page.T("tk.any")}
			opts := make([]web.Option, len(fv.Options))
			for i, o := range fv.Options {
				opts[i] = web.Option{Value: o.Value, Label: o.Label, Selected: o.Value == f.Value}
			}
			if f.Options, err = web.Choices(c, "portal/tickets", opts); err != nil {
				return err
			}
			page.filters = append(page.filters, f)
		}
	}
	if page.Tickets, err = ticketRows(c, &page.Page, views, page.statuses != ""); err != nil {
		return err
	}
	if err := page.tools(c); err != nil {
		return err
	}
	page.Pager = web.TicketPager("/tickets", q, f, views, total)
	return web.Render(c, http.StatusOK, "portal/tickets", page)
}

// fieldInput is one editable field of a form, with its current value, as
// the fragment "fieldinput" renders it. It is comparable (its options held
// as text), so that a page renders each distinct field once and keeps it
// (web.Fragments): the fields of a ticket's form were a fifth of the
// ticket page's time.
type fieldInput struct {
	Key      string
	Label    string
	Type     svcportal.FieldType
	Required bool
	Options  options
	Value    string
	Chosen   options // the chosen options of a multi-select (values only)
	Error    string
	// Blank, for a dropdown, is the text of its empty choice; "" when it
	// has none, since the field always has a value (its default): an
	// empty choice would show one value and give another.
	Blank string
}

// newFieldInput is f's input, without a value yet.
func newFieldInput(f svcportal.TicketFieldView) fieldInput {
	return fieldInput{Key: f.Key, Label: f.Label, Type: f.Type, Required: f.Required, Options: optionsOf(f.Options)}
}

// options are choices as text: each value and label after its length,
// so that any text can be one.
type options string

func optionsOf(os []svcportal.OptionView) options {
	var b strings.Builder
	for _, o := range os {
		for _, s := range []string{o.Value, o.Label} {
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
	}
	return options(b.String())
}

// chosenOf are values as options without labels, in order, once each.
func chosenOf(values []string) options {
	values = slices.Compact(slices.Sorted(slices.Values(values)))
	os := make([]svcportal.OptionView, len(values))
	for i, v := range values {
		os[i].Value = v
	}
	return optionsOf(os)
}

// List is the options, as optionsOf had them.
func (o options) List() []svcportal.OptionView {
	var out []svcportal.OptionView
	next := func() string {
		n, rest, _ := strings.Cut(string(o), ":")
		size, _ := strconv.Atoi(n)
		s := rest[:size]
		o = options(rest[size:])
		return s
	}
	for o != "" {
		v := next()
		out = append(out, svcportal.OptionView{Value: v, Label: next()})
	}
	return out
}

// Has says whether value is one of the options.
func (o options) Has(value string) bool {
	return slices.ContainsFunc(o.List(), func(x svcportal.OptionView) bool { return x.Value == value })
}

// blankChoice is the empty choice of dropdown f whose current value is
// value: none when the field has a default and a value, else "Choose…"
// for a required field and "Not set" for another.
func blankChoice(t func(string, ...any) string, f svcportal.TicketFieldView, value string) string {
	switch {
	case f.Default != "" && value != "":
		return ""
	case f.Required:
		return t("tk.choose")
	}
	return t("tk.not_set")
}

type ticketNewPage struct {
	web.Page
	Sites  []svcportal.Membership
	SiteID int64
	Title  string
	Desc   string
	CC     string
	Shared bool
	Fields []fieldInput
	// FieldsHTML are Fields, rendered (web.Fragments).
	FieldsHTML template.HTML
	Errors     map[string]string
	Alert      string
	// Notices are the announcements, service hours and type descriptions.
	Notices notices
	// Suggested says the reader asked for articles matching the title
	// (without JavaScript); Suggestions are those found.
	Suggested   bool
	Suggestions []svcportal.ArticleHit
}

func (h *handlers) ticketNew(c *gin.Context) error {
	// "Still need help?" links carry the reader's search words as title.
	return h.renderNew(c, http.StatusOK, url.Values{"title": {c.Query("title")}}, nil)
}

// suggestionsShown is how many articles the new-ticket form suggests.
const suggestionsShown = 8

// ticketSuggest shows the new-ticket form again as it was typed, with the
// articles that match its title: its "Look for an answer first" button,
// for a browser without JavaScript (with it, they come while typing).
func (h *handlers) ticketSuggest(c *gin.Context) error {
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	var hits []svcportal.ArticleHit
	if q := svcportal.QueryOf(form.Get("title")); q != "" {
		if hits, err = h.deps.KB.Search(c.Request.Context(), web.Principal(c), q, web.Translator(c).Lang(), suggestionsShown); err != nil {
			return err
		}
	}
	page, err := h.newTicketPage(c, form, nil)
	if err != nil {
		return err
	}
	page.Suggested, page.Suggestions = true, hits
	return web.Render(c, http.StatusOK, "portal/ticket_new", page)
}

// renderNew shows the new-ticket form, again with the typed values and
// what is wrong when err is set.
func (h *handlers) renderNew(c *gin.Context, status int, form url.Values, err error) error {
	page, perr := h.newTicketPage(c, form, err)
	if perr != nil {
		return perr
	}
	return web.Render(c, status, "portal/ticket_new", page)
}

// newTicketPage is the new-ticket form with the values of form, and what
// is wrong with them when err is set.
func (h *handlers) newTicketPage(c *gin.Context, form url.Values, err error) (*ticketNewPage, error) {
	p := web.Principal(c)
	site, _ := strconv.ParseInt(form.Get("site_id"), 10, 64)
	if site == 0 && len(p.Contact.Memberships) > 0 {
		site = p.Contact.Memberships[0].SiteID
	}
	views, ferr := h.deps.Tickets.Fields(c.Request.Context(), p, site, web.Translator(c).Lang())
	if ferr != nil {
		return nil, ferr
	}
	page := &ticketNewPage{Page: web.NewPage(c), Sites: p.Contact.Memberships, SiteID: site,
		Title: form.Get("title"), Desc: form.Get("description"), CC: form.Get("cc"), Shared: form.Get("shared_with_site") == "on"}
	if err != nil {
		page.Errors = web.FieldErrors(c, err)
		page.Alert = web.ErrorMessage(c, err)
	}
	for _, f := range views {
		if b, builtin := svcportal.Builtin(f.Key); f.Mode != svcportal.FieldEditable || builtin && !b.OnCreate {
			continue
		}
		in := newFieldInput(f)
		in.Value, in.Chosen, in.Error = form.Get("field."+f.Key), chosenOf(form["field."+f.Key]), page.Errors[f.Key]
		if _, sent := form["field."+f.Key]; !sent {
			in.Value = f.Default // what the ticket gets unless the reader picks another
		}
		in.Blank = blankChoice(page.T, f, in.Value)
		if e := page.Errors["fields."+f.Key]; e != "" {
			in.Error = e
		}
		page.Fields = append(page.Fields, in)
	}
	var nerr error
	if page.FieldsHTML, nerr = web.Fragments(c, "portal/ticket_new", "fieldinput", page.Fields); nerr != nil {
		return nil, nerr
	}
	if page.Notices, nerr = h.notices(c, page.Page, page.Fields); nerr != nil {
		return nil, nerr
	}
	return page, nil
}

func (h *handlers) ticketCreate(c *gin.Context) error {
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	p := web.Principal(c)
	site, _ := strconv.ParseInt(form.Get("site_id"), 10, 64)
	views, err := h.deps.Tickets.Fields(c.Request.Context(), p, site, web.Translator(c).Lang())
	if err != nil {
		return err
	}
	var cc []string
	for _, e := range strings.FieldsFunc(form.Get("cc"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		cc = append(cc, e)
	}
	files, err := web.Uploads(c, h.deps.Blobs)
	var v *svcportal.TicketView
	if err == nil {
		v, err = h.deps.Tickets.Create(c.Request.Context(), p, svcportal.NewTicket{
			SiteID: site, Title: form.Get("title"), Description: form.Get("description"),
			SharedWithSite: form.Get("shared_with_site") == "on", CC: cc, Fields: ticketapi.FormFields(form, views, ticketapi.OmitBlanks), Files: files,
		})
	}
	if err != nil {
		if !web.Redisplays(err) {
			return err
		}
		return h.renderNew(c, web.ErrorStatus(c, err), form, err)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/tickets/%d", v.Number))
	return nil
}

// fieldRow is one property of a ticket as its page shows it.
type fieldRow struct {
	Key, Label, Value string
}

type ticketShowPage struct {
	web.Page
	Ticket   *svcportal.TicketView
	Messages template.HTML // the conversation, rendered (ticketapi.Message)
	Timeline template.HTML // the history, one line per action, rendered (ticketapi.TimelineLine)
	Rows     []fieldRow
	Editable template.HTML // the fields the reader may change, rendered (fieldInput)
	Done     string
	Errors   map[string]string
	Alert    string
	// Proposal is the message of the solution waiting for the reader's
	// decision, quoted where they decide.
	Proposal *svcportal.TicketMessage
}

func (h *handlers) ticketShow(c *gin.Context) error {
	return h.renderTicket(c, http.StatusOK, nil)
}

func (h *handlers) renderTicket(c *gin.Context, status int, actionErr error) error {
	n, err := web.IDParam(c, "number")
	if err != nil {
		return err
	}
	p := web.Principal(c)
	v, err := h.deps.Tickets.Get(c.Request.Context(), p, n)
	if err != nil {
		return err
	}
	tr := web.Translator(c)
	views, err := h.deps.Tickets.Fields(c.Request.Context(), p, v.SiteID, tr.Lang())
	if err != nil {
		return err
	}
	page := &ticketShowPage{Page: web.NewPage(c), Ticket: v, Done: c.Query("done")}
	if v.Actions != nil && v.Actions.Decide {
		page.Proposal = proposal(v)
	}
	switch page.Done {
	case "replied", "decided", "closed", "rated", "fields":
	default:
		page.Done = ""
	}
	if actionErr != nil {
		page.Errors, page.Alert = web.FieldErrors(c, actionErr), web.ErrorMessage(c, actionErr)
	}
	var editable []fieldInput
	for _, f := range views {
		val, ok := v.Fields[f.Key]
		if ok {
			page.Rows = append(page.Rows, fieldRow{Key: f.Key, Label: f.Label, Value: ticketapi.ValueText(page.T, f, val)})
		}
		if f.Mode == svcportal.FieldEditable && v.Status != svcportal.StatusClosed {
			in := newFieldInput(f)
			switch x := val.(type) {
			case []any:
				var vs []string
				for _, e := range x {
					vs = append(vs, fmt.Sprint(e))
				}
				in.Chosen = chosenOf(vs)
			case []string:
				in.Chosen = chosenOf(x)
			case nil:
			default:
				in.Value = fmt.Sprint(x)
			}
			in.Blank = blankChoice(page.T, f, in.Value)
			editable = append(editable, in)
		}
	}
	if page.Editable, err = web.Fragments(c, "portal/ticket", "fieldinput", editable); err != nil {
		return err
	}
	if page.Messages, err = ticketapi.Messages(c, "portal/ticket", &page.Page, v); err != nil {
		return err
	}
	if page.Timeline, err = web.Fragments(c, "portal/ticket", "timeline_line", ticketapi.Timeline(page.T, page.When, views, v.Events)); err != nil {
		return err
	}
	return web.Render(c, status, "portal/ticket", page)
}

// proposal is the message that came with the last proposed solution of
// v: the last staff message written with its event.
func proposal(v *svcportal.TicketView) *svcportal.TicketMessage {
	for i := len(v.Events) - 1; i >= 0; i-- {
		e := v.Events[i]
		if e.Kind != svcportal.EventSolutionProposed {
			continue
		}
		for j := len(v.Messages) - 1; j >= 0; j-- {
			if m := &v.Messages[j]; m.AuthorKind == svcportal.PrincipalStaff && m.CreatedAt.Equal(e.CreatedAt) {
				return m
			}
		}
		return nil
	}
	return nil
}

// ticketFormAction runs an action posted from the ticket page and goes
// back to it, or shows it again with what went wrong.
func (h *handlers) ticketFormAction(done string, act func(c *gin.Context, n int64) error) web.HandlerFunc {
	return func(c *gin.Context) error {
		n, err := web.IDParam(c, "number")
		if err != nil {
			return err
		}
		if err := act(c, n); err != nil {
			if !web.Redisplays(err) {
				return err
			}
			return h.renderTicket(c, web.ErrorStatus(c, err), err)
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/tickets/%d?done=%s", n, done))
		return nil
	}
}

func (h *handlers) ticketReplySubmit(c *gin.Context, n int64) error {
	// Files are read only for a reader who may see the ticket.
	if _, err := h.deps.Tickets.Get(c.Request.Context(), web.Principal(c), n); err != nil {
		return err
	}
	files, err := web.Uploads(c, h.deps.Blobs)
	if err != nil {
		return err
	}
	_, err = h.deps.Tickets.Reply(c.Request.Context(), web.Principal(c), n, c.PostForm("body"), false, files)
	return err
}

func (h *handlers) ticketDecideSubmit(c *gin.Context, n int64) error {
	_, err := h.deps.Tickets.Decide(c.Request.Context(), web.Principal(c), n, c.PostForm("decision") == "accept", c.PostForm("comment"))
	return err
}

func (h *handlers) ticketCloseSubmit(c *gin.Context, n int64) error {
	_, err := h.deps.Tickets.Close(c.Request.Context(), web.Principal(c), n, c.PostForm("comment"))
	return err
}

func (h *handlers) ticketRateSubmit(c *gin.Context, n int64) error {
	satisfied := c.PostForm("satisfied")
	if satisfied != "yes" && satisfied != "no" {
		var v svcportal.Validation
		v.Add("satisfied", "error.required", nil)
		return v.Err()
	}
	_, err := h.deps.Tickets.Rate(c.Request.Context(), web.Principal(c), n, satisfied == "yes", c.PostForm("comment"))
	return err
}

func (h *handlers) ticketFieldsSubmit(c *gin.Context, n int64) error {
	p := web.Principal(c)
	v, err := h.deps.Tickets.Get(c.Request.Context(), p, n)
	if err != nil {
		return err
	}
	views, err := h.deps.Tickets.Fields(c.Request.Context(), p, v.SiteID, web.Translator(c).Lang())
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return svcportal.NewError(svcportal.KindInvalid, "error.invalid_request")
	}
	values := ticketapi.FormFields(c.Request.PostForm, views, ticketapi.ClearBlanks)
	_, err = h.deps.Tickets.UpdateFields(c.Request.Context(), p, n, values)
	return err
}

// AttachmentsOf lists the ticket's files of one message (0: of the
// description).
func (p *ticketShowPage) AttachmentsOf(messageID int64) []svcportal.Attachment {
	return ticketapi.AttachmentsOf(p.Ticket, messageID)
}
