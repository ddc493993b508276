package admin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/web"
)

// Wording overrides: GET /api/v1/admin/messages?locale=L and PUT
// /api/v1/admin/messages/{locale}, and their section of the settings.

// apiMessages lists every message of locale (the tenant's default when
// none is asked) with the tenant's override.
func (h *handlers) apiMessages(c *gin.Context) error {
	locale := c.Query("locale")
	if locale == "" {
		locale = svcportal.TenantFrom(c.Request.Context()).DefaultLocale
	}
	list, err := h.deps.Wording.Messages(c.Request.Context(), locale)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"messages": list})
	return nil
}

// apiMessagesPut sets and removes overrides ({"id": "text", …}; an empty
// text removes one) and answers the list as it now is.
func (h *handlers) apiMessagesPut(c *gin.Context) error {
	var in map[string]string
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request.Context()
	locale := c.Param("locale")
	if err := h.deps.Wording.PutMessages(ctx, locale, in); err != nil {
		return err
	}
	list, err := h.deps.Wording.Messages(ctx, locale)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"messages": list})
	return nil
}

// maxWordingRows bounds the messages one search shows.
const maxWordingRows = 60

type wordingPage struct {
	page
	Locale  string
	Locales []string
	Query   string
	Rows    []wordingRow
	More    int // matches beyond those shown
	Count   int // overrides the tenant has in Locale
}

// wordingRow is one message of the search with its override as typed.
type wordingRow struct {
	svcportal.MessageEntry
	Value string
	Error string
}

// newWordingPage lists the messages of locale that match q (in the id,
// the catalog's text or the override), or every override when q is empty.
func (h *handlers) newWordingPage(c *gin.Context, locale, q string) (*wordingPage, error) {
	if !svcportal.IsLocale(locale) {
		locale = svcportal.TenantFrom(c.Request.Context()).DefaultLocale
	}
	pg := &wordingPage{page: h.newPage(c), Locale: locale, Locales: locales.Tags, Query: strings.TrimSpace(q)}
	list, err := h.deps.Wording.Messages(c.Request.Context(), locale)
	if err != nil {
		return nil, err
	}
	needle := strings.ToLower(pg.Query)
	for _, m := range list {
		if m.Override != nil {
			pg.Count++
		}
		match := m.Override != nil
		if needle != "" {
			match = strings.Contains(strings.ToLower(m.ID), needle) || strings.Contains(strings.ToLower(m.Catalog), needle) ||
				m.Override != nil && strings.Contains(strings.ToLower(*m.Override), needle)
		}
		if !match {
			continue
		}
		if len(pg.Rows) == maxWordingRows {
			pg.More++
			continue
		}
		row := wordingRow{MessageEntry: m}
		if m.Override != nil {
			row.Value = *m.Override
		}
		pg.Rows = append(pg.Rows, row)
	}
	if c.Query("done") == "saved" {
		pg.Notice = pg.T("console.wording.saved")
	}
	return pg, nil
}

func (h *handlers) wordingShow(c *gin.Context) error {
	pg, err := h.newWordingPage(c, c.Query("locale"), c.Query("q"))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/settings_wording", pg)
}

// wordingSubmit saves the overrides of the rows shown that changed
// (fields m.ID; an empty one removes the override).
func (h *handlers) wordingSubmit(c *gin.Context) error {
	locale, q := c.PostForm("locale"), c.PostForm("q")
	pg, err := h.newWordingPage(c, locale, q)
	if err != nil {
		return err
	}
	changes := map[string]string{}
	for key, vals := range c.Request.PostForm {
		id, ok := strings.CutPrefix(key, "m.")
		if !ok || len(vals) == 0 {
			continue
		}
		text := strings.TrimSpace(vals[0])
		cur := ""
		for i := range pg.Rows {
			if pg.Rows[i].ID == id {
				pg.Rows[i].Value = vals[0]
				if pg.Rows[i].Override != nil {
					cur = *pg.Rows[i].Override
				}
			}
		}
		if text != cur {
			changes[id] = text
		}
	}
	err = h.deps.Wording.PutMessages(c.Request.Context(), pg.Locale, changes)
	if web.Redisplays(err) {
		pg.fail(c, err)
		for i := range pg.Rows {
			pg.Rows[i].Error = pg.Errors[pg.Rows[i].ID]
		}
		return web.Render(c, web.ErrorStatus(c, err), "admin/settings_wording", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/settings/wording?"+url.Values{"locale": {pg.Locale}, "q": {pg.Query}, "done": {"saved"}}.Encode())
	return nil
}
