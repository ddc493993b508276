package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/web"
)

// Knowledge-base authoring, /admin/kb: categories, sections and
// articles. Agents read every page; admins write (policy area kb). The
// rules are the knowledge-base service's (svcportal.KBAdmin); these
// handlers parse forms, call it and render.

// kbDone are the notices a redirect after a change may ask for.
var kbDone = map[string]string{"saved": "console.kb.saved", "created": "console.kb.created", "deleted": "console.kb.deleted",
	"ordered": "console.kb.ordered", "published": "console.kb.published_notice", "unpublished": "console.kb.unpublished_notice",
	"attached": "console.kb.attached", "detached": "console.kb.detached"}

// kbPage is the part every knowledge-base page shares.
type kbPage struct {
	page
	CanWrite bool
	def      string // the tenant's default locale
}

func (h *handlers) newKBPage(c *gin.Context) kbPage {
	pg := kbPage{page: h.newPage(c), CanWrite: h.may(c, write(policies.AreaKB)), def: "en"}
	if pg.Tenant != nil {
		pg.def = pg.Tenant.DefaultLocale
	}
	if id, ok := kbDone[c.Query("done")]; ok {
		pg.Notice = pg.T(id)
	}
	return pg
}

// Name is a per-locale name in the reader's language, else the default's.
func (pg *kbPage) Name(m map[string]string) string {
	s, _ := svcportal.LocalText(m, pg.Lang, pg.def)
	return s
}

// ArticleTitle is an article's title in the reader's language, else the
// default's.
func (pg *kbPage) ArticleTitle(a *svcportal.KBArticle) string {
	tr, _ := a.Translation(pg.Lang, pg.def)
	return tr.Title
}

// ReachText says where something may be read.
func (pg *kbPage) ReachText(all bool, sites []int64) string {
	if all {
		return pg.T("console.kb.reach_all")
	}
	return pg.T("console.kb.reach_some", "Count", len(sites))
}

// TranslationTags are the languages an article is written in.
func (pg *kbPage) TranslationTags(a svcportal.KBArticle) []string { return keys(a.Translations) }

// LangName is a locale's name in its own language.
func (pg *kbPage) LangName(tag string) string { return pg.T("lang." + tag) }

// editLocales are the languages a form offers: the tenant's enabled
// ones, then any other a text already exists in (so it is not lost).
func (pg *kbPage) editLocales(present ...[]string) []string {
	var out []string
	if pg.Tenant != nil {
		out = slices.Clone(pg.Tenant.EnabledLocales)
	}
	if !slices.Contains(out, pg.def) {
		out = append([]string{pg.def}, out...)
	}
	for _, tags := range present {
		for _, t := range tags {
			if !slices.Contains(out, t) && svcportal.IsLocale(t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// missing are the tenant's enabled languages without a text in m.
func (pg *kbPage) missing(has func(string) bool) []string {
	var out []string
	for _, l := range pg.editLocales() {
		if !has(l) {
			out = append(out, l)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// siteChoice is one site of a reach form.
type siteChoice struct {
	ID      int64
	Name    string
	Checked bool
}

func (h *handlers) siteChoices(ctx context.Context, chosen []int64) ([]siteChoice, error) {
	sites, err := h.deps.Sites.Sites(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]siteChoice, len(sites))
	for i, s := range sites {
		out[i] = siteChoice{ID: s.ID, Name: s.Name, Checked: slices.Contains(chosen, s.ID)}
	}
	return out, nil
}

// parseReach reads a reach form: reach=all, or reach=chosen with the
// site_ids ticked.
func parseReach(form url.Values, v *svcportal.Validation) (bool, []int64) {
	ids := []int64{}
	for _, raw := range form["site_ids"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			v.Add("site_ids", "error.site_not_found", nil)
			continue
		}
		ids = append(ids, id)
	}
	return form.Get("reach") != "chosen", ids
}

// parsePosition reads the position field (blank: 0).
func parsePosition(form url.Values, v *svcportal.Validation) int {
	raw := strings.TrimSpace(form.Get("position"))
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		v.Add("position", "error.wrong_type", nil)
	}
	return n
}

// parsePositions reads the fields LEVEL.ID of a reorder form.
func parsePositions(form url.Values, v *svcportal.Validation) svcportal.KBPositions {
	out := svcportal.KBPositions{}
	for name, vals := range form {
		level, rawID, ok := strings.Cut(name, ".")
		if !ok || level != svcportal.KBLevelCategory && level != svcportal.KBLevelSection && level != svcportal.KBLevelArticle {
			continue
		}
		id, err := strconv.ParseInt(rawID, 10, 64)
		if err != nil || id < 1 {
			continue
		}
		pos, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			v.Add(name, "error.wrong_type", nil)
			continue
		}
		if out[level] == nil {
			out[level] = map[int64]int{}
		}
		out[level][id] = pos
	}
	return out
}

// The overview: every category with its sections and their articles'
// counts, and the order of both.

type kbCategoryItem struct {
	svcportal.KBCategory
	Sections []kbSectionItem
	Missing  []string
}

type kbSectionItem struct {
	svcportal.KBSection
	Published, Drafts int
}

type kbOverviewPage struct {
	kbPage
	Categories []kbCategoryItem
	Articles   int
}

func (h *handlers) kbShow(c *gin.Context) error {
	return h.renderKBOverview(c, http.StatusOK, nil, nil)
}

// renderKBOverview shows the overview; after a refused reorder, with
// what went wrong and the positions typed.
func (h *handlers) renderKBOverview(c *gin.Context, status int, failed error, typed url.Values) error {
	ctx := c.Request.Context()
	pg := &kbOverviewPage{kbPage: h.newKBPage(c)}
	cats, err := h.deps.KB.KBCategories(ctx)
	if err != nil {
		return err
	}
	secs, err := h.deps.KB.KBSections(ctx, 0)
	if err != nil {
		return err
	}
	counts, err := h.deps.KB.KBArticleCounts(ctx)
	if err != nil {
		return err
	}
	published, drafts := map[int64]int{}, map[int64]int{}
	for _, n := range counts {
		pg.Articles += n.Articles
		if n.State == svcportal.KBPublished {
			published[n.SectionID] += n.Articles
		} else {
			drafts[n.SectionID] += n.Articles
		}
	}
	for _, cat := range cats {
		item := kbCategoryItem{KBCategory: cat, Missing: pg.missing(func(l string) bool { return cat.Names[l] != "" })}
		if typed != nil {
			item.Position = typedPosition(typed, svcportal.KBLevelCategory, cat.ID, cat.Position)
		}
		for _, sec := range secs {
			if sec.CategoryID == cat.ID {
				si := kbSectionItem{KBSection: sec, Published: published[sec.ID], Drafts: drafts[sec.ID]}
				if typed != nil {
					si.Position = typedPosition(typed, svcportal.KBLevelSection, sec.ID, sec.Position)
				}
				item.Sections = append(item.Sections, si)
			}
		}
		pg.Categories = append(pg.Categories, item)
	}
	if failed != nil {
		pg.fail(c, failed)
	}
	return web.Render(c, status, "admin/kb", pg)
}

// typedPosition is what a refused reorder form said for one position
// (kept as typed when it was a number), else cur.
func typedPosition(form url.Values, level string, id int64, cur int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(form.Get(fmt.Sprintf("%s.%d", level, id)))); err == nil {
		return n
	}
	return cur
}

// kbOrderSubmit saves the positions of the overview's categories and
// sections, or of a section's articles (the form says where it came
// from in back).
func (h *handlers) kbOrderSubmit(c *gin.Context) error {
	form, err := web.FormValues(c)
	if err != nil {
		return err
	}
	var v svcportal.Validation
	positions := parsePositions(form, &v)
	err = v.Err()
	if err == nil {
		err = h.deps.KB.Reorder(c.Request.Context(), positions)
	}
	if web.Redisplays(err) {
		return h.renderKBOverview(c, web.ErrorStatus(c, err), err, form)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/kb?done=ordered")
	return nil
}
