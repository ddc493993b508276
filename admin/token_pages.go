package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// The admin API tokens (/admin/tokens: made, shown once, listed, revoked)
// and the audit log (/admin/audit: filtered, paged). Admins only.

type tokenRow struct {
	svcportal.APIToken
	Owner string
	State string // active, expired or revoked
}

type tokensPage struct {
	page
	Tokens []tokenRow
	// Created is the token just made: its secret is on this page only.
	Created *svcportal.NewAPIToken
	Name    string
	Expires string
}

func (h *handlers) newTokensPage(c *gin.Context) (*tokensPage, error) {
	ctx := c.Request.Context()
	list, err := h.deps.Tokens.APITokens(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := h.deps.Staff.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, m := range staff {
		names[m.ID] = staffName(m)
	}
	now := time.Now()
	pg := &tokensPage{page: h.newPage(c)}
	for _, t := range list {
		row := tokenRow{APIToken: t, Owner: names[t.StaffID], State: "active"}
		switch {
		case t.RevokedAt != nil:
			row.State = "revoked"
		case !t.Usable(now):
			row.State = "expired"
		}
		pg.Tokens = append(pg.Tokens, row)
	}
	if c.Query("done") == "revoked" {
		pg.Notice = pg.T("console.tokens.revoked_notice")
	}
	return pg, nil
}

func (h *handlers) tokensShow(c *gin.Context) error {
	pg, err := h.newTokensPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/tokens", pg)
}

// tokenCreateSubmit makes a token acting as the admin and shows its
// secret on the page that answers, once: it is not kept anywhere else.
func (h *handlers) tokenCreateSubmit(c *gin.Context) error {
	name, expires := c.PostForm("name"), c.PostForm("expires_at")
	req := svcportal.APITokenCreate{Name: name}
	var err error
	if expires != "" {
		// A date: the token ends at the start of that day, UTC.
		d, perr := time.Parse(time.DateOnly, expires)
		if perr != nil {
			err = invalid("expires_at", "error.field_date")
		} else {
			req.ExpiresAt = &d
		}
	}
	var nt *svcportal.NewAPIToken
	if err == nil {
		nt, err = h.deps.Tokens.IssueAPIToken(c.Request.Context(), web.Principal(c), req)
	}
	if err != nil && !web.Redisplays(err) {
		return err
	}
	pg, perr := h.newTokensPage(c)
	if perr != nil {
		return perr
	}
	if err != nil {
		pg.Name, pg.Expires = name, expires
		pg.fail(c, err, "name", "expires_at")
		return web.Render(c, web.ErrorStatus(c, err), "admin/tokens", pg)
	}
	pg.Created = nt
	pg.Notice = pg.T("console.tokens.created_notice")
	c.Header("Cache-Control", "no-store")
	return web.Render(c, http.StatusCreated, "admin/tokens", pg)
}

func (h *handlers) tokenRevokeSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Tokens.RevokeAPIToken(c.Request.Context(), web.Principal(c), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/tokens?done=revoked")
	return nil
}

// auditPerPage is the length of a page of the audit log.
const auditPerPage = 50

type auditPage struct {
	page
	Entries []svcportal.AuditEntry
	Total   int
	Actions []string
	Action  string
	Email   string
	From    string
	To      string
	Prev    string
	Next    string
	PageNo  int
	Pages   int
}

// auditFilter reads the audit page's query: action, email, from and to
// (dates, to included), page.
func auditFilter(c *gin.Context) (svcportal.AuditFilter, error) {
	f := svcportal.AuditFilter{Action: c.Query("action"), Email: c.Query("email"), PerPage: auditPerPage}
	var v svcportal.Validation
	for _, d := range []struct {
		name string
		dst  **time.Time
		add  int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		s := c.Query(d.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			v.Add(d.name, "error.field_date", nil)
			continue
		}
		t = t.AddDate(0, 0, d.add)
		*d.dst = &t
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	p, err := queryInt(c, "page")
	f.Page = max(p, 1)
	return f, err
}

// auditShow pages through the audit log, newest first. Wrong filters are
// shown beside their fields, with an empty list.
func (h *handlers) auditShow(c *gin.Context) error {
	pg := &auditPage{page: h.newPage(c), Actions: svcportal.AuditActions, Action: c.Query("action"), Email: c.Query("email"),
		From: c.Query("from"), To: c.Query("to")}
	status := http.StatusOK
	f, err := auditFilter(c)
	if err == nil {
		pg.Entries, pg.Total, err = h.deps.Audit.AuditEntries(c.Request.Context(), f)
	}
	if web.Redisplays(err) {
		pg.fail(c, err, "action", "email", "from", "to")
		status = web.ErrorStatus(c, err)
	} else if err != nil {
		return err
	}
	pg.PageNo, pg.Pages = f.Page, max(1, (pg.Total+auditPerPage-1)/auditPerPage)
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"action", "email", "from", "to"} {
			if s := c.Query(k); s != "" {
				v.Set(k, s)
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/audit?" + v.Encode()
	}
	if f.Page > 1 {
		pg.Prev = link(f.Page - 1)
	}
	if f.Page*auditPerPage < pg.Total {
		pg.Next = link(f.Page + 1)
	}
	return web.Render(c, status, "admin/audit", pg)
}

// apiAuditList is GET /api/v1/admin/audit: the same filters as the page,
// and per_page.
func (h *handlers) apiAuditList(c *gin.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	if f.PerPage, err = queryInt(c, "per_page"); err != nil {
		return err
	}
	entries, total, err := h.deps.Audit.AuditEntries(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"entries": entries, "total": total})
	return nil
}

// ActionLabel is an audit action in the reader's language.
func (p *auditPage) ActionLabel(action string) string {
	return p.T("console.audit.action." + action)
}
