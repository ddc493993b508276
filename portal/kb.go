package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// articleID reads the article id of the path; anything else is not found.
func articleID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, svcportal.ErrNotFound()
	}
	return id, nil
}

// searchLimit reads the limit query parameter (default 10, at most 50).
func searchLimit(c *gin.Context) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, svcportal.FieldErr(svcportal.KindInvalid, "limit", "error.wrong_type", nil)
	}
	return n, nil
}

type kbIndexPage struct {
	web.Page
	kbLists
	Query      string // the search box's text
	Categories []svcportal.KBCategoryView
}

// kbPreview is how many articles of a section the pages of several
// sections list (the knowledge base's home, a category's page), the
// section's own page listing them all: a knowledge base of thousands of
// articles is not one page of thousands of links.
const kbPreview = 8

// kbLists gives the pages of several sections their previews.
type kbLists struct{}

// More reports whether a section has articles beyond those listed.
func (kbLists) More(sec svcportal.KBSectionView) bool { return sec.Count > len(sec.Articles) }

func (h *handlers) kbIndex(c *gin.Context) error {
	tree, err := h.deps.KB.Tree(c.Request.Context(), web.Principal(c), web.Translator(c).Lang(), svcportal.KBTreeFilter{Preview: kbPreview})
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "portal/kb", &kbIndexPage{Page: web.NewPage(c), Categories: tree})
}

type kbArticlePage struct {
	web.Page
	Query             string
	Article           *svcportal.KBArticleView
	Voted             bool // just voted: thank the reader
	VotedYes, VotedNo bool // the reader's standing vote
	Related           []svcportal.KBArticleLink
}

// Alternate is the address of the article in one of its languages, for
// search engines: the page in that language (?lang= picks it before sign-in).
func (pg *kbArticlePage) Alternate(alt svcportal.KBAlternate) string {
	return pg.AbsoluteURL(svcportal.KBArticlePath(pg.Article.ID, alt.Slug) + "?lang=" + alt.Locale)
}

// descriptionLength is the most runes of a page's description, about
// what search engines show of it.
const descriptionLength = 160

// Description is the start of the article as plain text, for search
// engines.
func (pg *kbArticlePage) Description() string {
	return web.MarkdownText(pg.Article.Body, descriptionLength)
}

// Canonical is the address of the article in the language shown.
func (pg *kbArticlePage) Canonical() string {
	for _, alt := range pg.Article.Languages {
		if alt.Locale == pg.Article.Locale {
			return pg.Alternate(alt)
		}
	}
	return pg.AbsoluteURL(pg.Article.Path())
}

// DefaultAlternate is the article in the tenant's default language, for
// readers of any other (hreflang x-default); nil when it has none there.
func (pg *kbArticlePage) DefaultAlternate() *svcportal.KBAlternate {
	for _, alt := range pg.Article.Languages {
		if pg.Tenant != nil && alt.Locale == pg.Tenant.DefaultLocale {
			return &alt
		}
	}
	return nil
}

// relatedCount is how many related articles an article page lists.
const relatedCount = 5

// related are other articles of a's section, then of its category.
func related(tree []svcportal.KBCategoryView, a *svcportal.KBArticleView, n int) []svcportal.KBArticleLink {
	var same, near []svcportal.KBArticleLink
	for _, cat := range tree {
		if cat.ID != a.CategoryID {
			continue
		}
		for _, sec := range cat.Sections {
			for _, l := range sec.Articles {
				switch {
				case l.ID == a.ID:
				case sec.ID == a.SectionID:
					same = append(same, l)
				default:
					near = append(near, l)
				}
			}
		}
	}
	out := append(same, near...)
	return out[:min(n, len(out))]
}

// kbBrowsePage is a category's page (its sections) or a section's page
// (Section set: its articles).
type kbBrowsePage struct {
	web.Page
	kbLists
	Query    string
	Category svcportal.KBCategoryView
	Section  *svcportal.KBSectionView
}

func (h *handlers) kbCategory(c *gin.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	tree, err := h.deps.KB.Tree(c.Request.Context(), web.Principal(c), web.Translator(c).Lang(),
		svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{CategoryID: id}, Preview: kbPreview})
	if err != nil {
		return err
	}
	for _, cat := range tree {
		if cat.ID == id {
			return web.Render(c, http.StatusOK, "portal/kb_browse", &kbBrowsePage{Page: web.NewPage(c), Category: cat})
		}
	}
	return svcportal.ErrNotFound()
}

func (h *handlers) kbSection(c *gin.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	tree, err := h.deps.KB.Tree(c.Request.Context(), web.Principal(c), web.Translator(c).Lang(),
		svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{SectionID: id}})
	if err != nil {
		return err
	}
	for _, cat := range tree {
		for _, sec := range cat.Sections {
			if sec.ID == id {
				return web.Render(c, http.StatusOK, "portal/kb_browse", &kbBrowsePage{Page: web.NewPage(c), Category: cat, Section: &sec})
			}
		}
	}
	return svcportal.ErrNotFound()
}

// kbArticle shows an article at its address, the slug of its title in
// the reader's language after the id; any other address of it (the id
// alone, an old title, another language's) redirects there.
func (h *handlers) kbArticle(c *gin.Context) error {
	id, slug, ok := svcportal.ParseKBArticlePath(c.Param("id"))
	if !ok {
		return svcportal.ErrNotFound()
	}
	ctx, p, lang := c.Request.Context(), web.Principal(c), web.Translator(c).Lang()
	// The tree of its category lists what the reader may read there,
	// with its titles: an article not in it is not found, and a redirect
	// counts no view.
	tree, err := h.deps.KB.Tree(ctx, p, lang, svcportal.KBTreeFilter{KBIndexFilter: svcportal.KBIndexFilter{ArticleID: id}})
	if err != nil {
		return err
	}
	link, found := findArticle(tree, id)
	if !found {
		return svcportal.ErrNotFound()
	}
	if slug != link.Slug {
		to := link.Path()
		if q := c.Request.URL.RawQuery; q != "" {
			to += "?" + q
		}
		c.Redirect(http.StatusMovedPermanently, to)
		return nil
	}
	a, err := h.deps.KB.Article(ctx, p, id, lang)
	if err != nil {
		return err
	}
	page := &kbArticlePage{Page: web.NewPage(c), Article: a, Voted: c.Query("voted") == "1", Related: related(tree, a, relatedCount)}
	if a.MyVote != nil {
		page.VotedYes, page.VotedNo = *a.MyVote, !*a.MyVote
	}
	return web.Render(c, http.StatusOK, "portal/kb_article", page)
}

// findArticle is the link to article id in tree.
func findArticle(tree []svcportal.KBCategoryView, id int64) (svcportal.KBArticleLink, bool) {
	for _, cat := range tree {
		for _, sec := range cat.Sections {
			for _, l := range sec.Articles {
				if l.ID == id {
					return l, true
				}
			}
		}
	}
	return svcportal.KBArticleLink{}, false
}

// kbVoteSubmit takes the yes / no form of the article page, which works
// without JavaScript.
func (h *handlers) kbVoteSubmit(c *gin.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	var helpful bool
	switch c.PostForm("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		e := svcportal.FieldErr(svcportal.KindInvalid, "helpful", "error.required", nil)
		e.MessageID = "error.invalid_request"
		return e
	}
	if _, err := h.deps.KB.Vote(c.Request.Context(), web.Principal(c), id, helpful); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/kb/articles/"+strconv.FormatInt(id, 10)+"?voted=1#vote")
	return nil
}

type kbSearchPage struct {
	web.Page
	Query string
	Hits  []svcportal.ArticleHit
}

func (h *handlers) kbSearch(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("q"))
	if err := svcportal.CheckQuery("q", q); err != nil {
		return err
	}
	if n, ok := ticketNumber(q); ok {
		c.Redirect(http.StatusSeeOther, "/tickets/"+strconv.FormatInt(n, 10))
		return nil
	}
	page := &kbSearchPage{Page: web.NewPage(c), Query: q}
	if q != "" {
		hits, err := h.deps.KB.Search(c.Request.Context(), web.Principal(c), q, web.Translator(c).Lang(), 25)
		if err != nil {
			return err
		}
		page.Hits = hits
	}
	return web.Render(c, http.StatusOK, "portal/kb_search", page)
}

func (h *handlers) apiKBCategories(c *gin.Context) error {
	tree, err := h.deps.KB.Tree(c.Request.Context(), web.Principal(c), web.Translator(c).Lang(), svcportal.KBTreeFilter{})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"categories": tree})
	return nil
}

func (h *handlers) apiKBArticle(c *gin.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	a, err := h.deps.KB.Article(c.Request.Context(), web.Principal(c), id, web.Translator(c).Lang())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a)
	return nil
}

// apiKBFile serves a file of an article to whoever may read the article:
// a contact of its sites, or anyone when the knowledge base is public.
// Tickets' files are never served here.
func (h *handlers) apiKBFile(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.deps.Tickets.Attachment(c.Request.Context(), web.Principal(c), id)
	if err != nil {
		return err
	}
	if a.ArticleID == 0 {
		return svcportal.ErrNotFound()
	}
	return web.ServeAttachment(c, h.deps.Blobs, a)
}

type voteRequest struct {
	Helpful *bool `json:"helpful"`
}

func (h *handlers) apiKBVote(c *gin.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	var req voteRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Helpful == nil {
		var v svcportal.Validation
		v.Add("helpful", "error.required", nil)
		return v.Err()
	}
	votes, err := h.deps.KB.Vote(c.Request.Context(), web.Principal(c), id, *req.Helpful)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"votes": votes, "my_vote": *req.Helpful})
	return nil
}

func (h *handlers) apiKBSearch(c *gin.Context) error {
	limit, err := searchLimit(c)
	if err != nil {
		return err
	}
	if err := svcportal.CheckQuery("q", c.Query("q")); err != nil {
		return err
	}
	hits, err := h.deps.KB.Search(c.Request.Context(), web.Principal(c), c.Query("q"), web.Translator(c).Lang(), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"hits": hits})
	return nil
}

// ticketNumber reads a ticket number typed in the help center's search
// box: "123" or "#123".
func ticketNumber(q string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64)
	return n, err == nil && n > 0
}
