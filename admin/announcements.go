package admin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// Announcements: GET|POST /api/v1/admin/announcements, PATCH|DELETE
// /api/v1/admin/announcements/{id}, and the /admin/announcements page.

func (h *handlers) apiAnnouncementList(c *gin.Context) error {
	list, err := h.deps.Announcements.Announcements(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"announcements": list})
	return nil
}

func (h *handlers) apiAnnouncementCreate(c *gin.Context) error {
	var in svcportal.AnnouncementChange
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	a, err := h.deps.Announcements.CreateAnnouncement(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, a)
	return nil
}

func (h *handlers) apiAnnouncementUpdate(c *gin.Context, id int64, in svcportal.AnnouncementChange) (*svcportal.Announcement, error) {
	return h.deps.Announcements.UpdateAnnouncement(c.Request.Context(), id, in)
}

func (h *handlers) apiAnnouncementDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Announcements.DeleteAnnouncement(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// announcementRow is one announcement in the page's list.
type announcementRow struct {
	svcportal.Announcement
	Title  string
	State  string // running, scheduled or ended
	Starts string // in the tenant's time zone, "" when unset
	Ends   string
	Sites  string // names of the chosen sites
}

// announcementForm is the form as typed.
type announcementForm struct {
	Severity         string
	StartsAt, EndsAt string // datetime-local, in the tenant's time zone
	AllSites         bool
	Sites            map[int64]bool
	Texts            map[string]svcportal.AnnouncementText
}

type announcementsPage struct {
	page
	List       []announcementRow
	Form       announcementForm
	EditID     int64
	Severities []string
	Sites      []svcportal.Site
	Enabled    []string // the tenant's languages, default first
	Zone       string
}

// localInput is the datetime-local layout of the form.
const localInput = "2006-01-02T15:04"

func (h *handlers) newAnnouncementsPage(c *gin.Context) (*announcementsPage, error) {
	ctx := c.Request.Context()
	t := svcportal.TenantFrom(ctx)
	pg := &announcementsPage{page: h.newPage(c), Severities: svcportal.Severities, Zone: t.TimeZone,
		Form: announcementForm{Severity: svcportal.SeverityInfo, AllSites: true, Sites: map[int64]bool{}, Texts: map[string]svcportal.AnnouncementText{}}}
	pg.Enabled = append([]string{t.DefaultLocale}, slices.DeleteFunc(slices.Clone(t.EnabledLocales), func(l string) bool { return l == t.DefaultLocale })...)
	var err error
	if pg.Sites, err = h.deps.Sites.Sites(ctx); err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, s := range pg.Sites {
		names[s.ID] = s.Name
	}
	list, err := h.deps.Announcements.Announcements(ctx)
	if err != nil {
		return nil, err
	}
	loc, now := t.Location(), h.deps.Now()
	for _, a := range list {
		row := announcementRow{Announcement: a, State: "running"}
		tx, _ := a.Text(pg.Lang, t.DefaultLocale)
		row.Title = tx.Title
		switch {
		case a.EndsAt != nil && !now.Before(*a.EndsAt):
			row.State = "ended"
		case a.StartsAt != nil && now.Before(*a.StartsAt):
			row.State = "scheduled"
		}
		if a.StartsAt != nil {
			row.Starts = a.StartsAt.In(loc).Format("2006-01-02 15:04")
		}
		if a.EndsAt != nil {
			row.Ends = a.EndsAt.In(loc).Format("2006-01-02 15:04")
		}
		var sites []string
		for _, id := range a.SiteIDs {
			sites = append(sites, names[id])
		}
		row.Sites = strings.Join(sites, ", ")
		pg.List = append(pg.List, row)
	}
	switch c.Query("done") {
	case "saved":
		pg.Notice = pg.T("console.announce.saved")
	case "deleted":
		pg.Notice = pg.T("console.announce.deleted")
	}
	return pg, nil
}

func (h *handlers) announcementsShow(c *gin.Context) error {
	pg, err := h.newAnnouncementsPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/announcements", pg)
}

// announcementEdit is the page with the form filled with one announcement.
func (h *handlers) announcementEdit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.Announcements.Announcement(c.Request.Context(), id)
	if err != nil {
		return err
	}
	pg, err := h.newAnnouncementsPage(c)
	if err != nil {
		return err
	}
	loc := svcportal.TenantFrom(c.Request.Context()).Location()
	pg.EditID = id
	pg.Form = announcementForm{Severity: a.Severity, AllSites: a.AllSites, Sites: map[int64]bool{}, Texts: a.Texts}
	for _, s := range a.SiteIDs {
		pg.Form.Sites[s] = true
	}
	if a.StartsAt != nil {
		pg.Form.StartsAt = a.StartsAt.In(loc).Format(localInput)
	}
	if a.EndsAt != nil {
		pg.Form.EndsAt = a.EndsAt.In(loc).Format(localInput)
	}
	return web.Render(c, http.StatusOK, "admin/announcements", pg)
}

// announcementSubmit creates (no id), saves or, with action=delete,
// removes an announcement from the page's form.
func (h *handlers) announcementSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	var id int64
	if c.Param("id") != "" {
		var err error
		if id, err = web.IDParam(c, "id"); err != nil {
			return err
		}
	}
	if id != 0 && c.PostForm("action") == "delete" {
		if err := h.deps.Announcements.DeleteAnnouncement(ctx, id); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/admin/announcements?done=deleted")
		return nil
	}
	f, in, err := readAnnouncementForm(c)
	if err == nil {
		if id == 0 {
			_, err = h.deps.Announcements.CreateAnnouncement(ctx, in)
		} else {
			_, err = h.deps.Announcements.UpdateAnnouncement(ctx, id, in)
		}
	}
	if web.Redisplays(err) {
		pg, perr := h.newAnnouncementsPage(c)
		if perr != nil {
			return perr
		}
		pg.Form, pg.EditID = f, id
		pg.fail(c, err, "severity", "starts_at", "ends_at", "site_ids", "title")
		return web.Render(c, web.ErrorStatus(c, err), "admin/announcements", pg)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/announcements?done=saved")
	return nil
}

// readAnnouncementForm reads the form into what it shows and the change
// it asks for; times are in the tenant's time zone.
func readAnnouncementForm(c *gin.Context) (announcementForm, svcportal.AnnouncementChange, error) {
	t := svcportal.TenantFrom(c.Request.Context())
	f := announcementForm{Severity: c.PostForm("severity"), StartsAt: c.PostForm("starts_at"), EndsAt: c.PostForm("ends_at"),
		AllSites: c.PostForm("reach") != "sites", Sites: map[int64]bool{}, Texts: map[string]svcportal.AnnouncementText{}}
	in := svcportal.AnnouncementChange{Severity: &f.Severity, AllSites: &f.AllSites, SiteIDs: []int64{},
		Translations: map[string]svcportal.AnnouncementText{}}
	var v svcportal.Validation
	for _, s := range c.PostFormArray("site_ids") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			f.Sites[n] = true
			in.SiteIDs = append(in.SiteIDs, n)
		}
	}
	for _, tm := range []struct {
		field, value string
		dst          *svcportal.Optional[time.Time]
	}{{"starts_at", f.StartsAt, &in.StartsAt}, {"ends_at", f.EndsAt, &in.EndsAt}} {
		tm.dst.Set = true
		if strings.TrimSpace(tm.value) == "" {
			continue
		}
		at, err := time.ParseInLocation(localInput, strings.TrimSpace(tm.value), t.Location())
		v.Check(err == nil, tm.field, "error.date_format", map[string]any{"Value": tm.value})
		if err == nil {
			tm.dst.Value = &at
		}
	}
	for _, l := range t.EnabledLocales {
		tx := svcportal.AnnouncementText{Title: c.PostForm("title." + l), Body: c.PostForm("body." + l)}
		f.Texts[l], in.Translations[l] = tx, tx
	}
	return f, in, v.Err()
}
