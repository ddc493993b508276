package svcportal

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// States of a knowledge-base article. Contacts only ever see published
// ones, in pages, the API and search alike.
const (
	KBDraft     = "draft"
	KBPublished = "published"
)

// Levels of the knowledge base, as positions and reach name them.
const (
	KBLevelCategory = "category"
	KBLevelSection  = "section"
	KBLevelArticle  = "article"
)

// KBPositions are new positions by level (KBLevelCategory…), then id.
type KBPositions map[string]map[int64]int

// Limits of knowledge-base content.
const (
	MaxKBNameLength    = 200
	MaxKBTitleLength   = 200
	MaxKBBodyLength    = 100_000
	MaxKBKeywords      = 20
	MaxKBKeywordLength = 50
	MaxKBPosition      = 10_000
)

// KBCategory is the top level of a tenant's knowledge base. Names and
// descriptions are per locale; AllSites false limits the category (and so
// everything in it) to SiteIDs.
type KBCategory struct {
	ID           int64             `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64             `bun:"tenant_id,notnull" json:"-"`
	Names        map[string]string `bun:"names,notnull,type:text" json:"names"`               // locale → name
	Descriptions map[string]string `bun:"descriptions,notnull,type:text" json:"descriptions"` // locale → text
	Position     int               `bun:"position,notnull" json:"position"`
	AllSites     bool              `bun:"all_sites,notnull" json:"all_sites"`
	CreatedAt    time.Time         `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt    time.Time         `bun:"updated_at,notnull" json:"updated_at"`

	SiteIDs []int64 `bun:"-" json:"site_ids"` // the chosen sites when AllSites is false
}

// KBSection groups articles within a category. Its reach is narrowed by
// its category's.
type KBSection struct {
	ID           int64             `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64             `bun:"tenant_id,notnull" json:"-"`
	CategoryID   int64             `bun:"category_id,notnull" json:"category_id"`
	Names        map[string]string `bun:"names,notnull,type:text" json:"names"`
	Descriptions map[string]string `bun:"descriptions,notnull,type:text" json:"descriptions"`
	Position     int               `bun:"position,notnull" json:"position"`
	AllSites     bool              `bun:"all_sites,notnull" json:"all_sites"`
	CreatedAt    time.Time         `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt    time.Time         `bun:"updated_at,notnull" json:"updated_at"`

	SiteIDs []int64 `bun:"-" json:"site_ids"`
}

// KBArticle is one article with its translations. Its reach is its own
// (AllSites or SiteIDs) narrowed by its section's and category's; Reach
// holds that effective result when the store loads it.
type KBArticle struct {
	ID          int64      `bun:"id,pk,autoincrement" json:"id"`
	TenantID    int64      `bun:"tenant_id,notnull" json:"-"`
	SectionID   int64      `bun:"section_id,notnull" json:"section_id"`
	Position    int        `bun:"position,notnull" json:"position"`
	State       string     `bun:"state,notnull" json:"state"` // KBDraft or KBPublished
	AllSites    bool       `bun:"all_sites,notnull" json:"all_sites"`
	Views       int64      `bun:"views,notnull" json:"views"`
	CreatedAt   time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	PublishedAt *time.Time `bun:"published_at" json:"published_at,omitempty"`

	CategoryID   int64                    `bun:"-" json:"category_id"`
	SiteIDs      []int64                  `bun:"-" json:"site_ids"`
	Translations map[string]KBTranslation `bun:"-" json:"translations"`     // by locale
	Votes        KBVotes                  `bun:"embed:votes_" json:"votes"` // kept by each vote
	Reach        KBReach                  `bun:"-" json:"reach"`
}

// KBTranslation is an article's content in one locale. Body is Markdown,
// rendered sanitised.
type KBTranslation struct {
	ArticleID int64     `bun:"article_id,pk" json:"-"`
	Locale    string    `bun:"locale,pk" json:"locale"`
	Title     string    `bun:"title,notnull" json:"title"`
	Body      string    `bun:"body,notnull" json:"body"`
	Keywords  []string  `bun:"keywords,notnull,type:text" json:"keywords"`
	UpdatedAt time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// KBVotes are an article's helpful / not-helpful counts.
type KBVotes struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// Score is the net helpfulness used to rank equally relevant articles.
func (v KBVotes) Score() int { return v.Helpful - v.NotHelpful }

// KBReach is where an article may be read: every site, or only SiteIDs
// (possibly none).
type KBReach struct {
	All     bool    `json:"all"`
	SiteIDs []int64 `json:"site_ids"`
}

// ReachOf is the reach of one level (category, section or article).
func ReachOf(all bool, sites []int64) KBReach {
	if all {
		return KBReach{All: true, SiteIDs: []int64{}}
	}
	s := slices.Clone(sites)
	slices.Sort(s)
	return KBReach{SiteIDs: slices.Compact(s)}
}

// Narrow is the part of r that o also allows: an article inherits its
// section's and category's reach unless it narrows it.
func (r KBReach) Narrow(o KBReach) KBReach {
	switch {
	case o.All:
		return r
	case r.All:
		return ReachOf(false, o.SiteIDs)
	}
	out := []int64{}
	for _, id := range r.SiteIDs {
		if slices.Contains(o.SiteIDs, id) {
			out = append(out, id)
		}
	}
	return KBReach{SiteIDs: out}
}

// KBScope is what a reader may read of a tenant's knowledge base: the
// articles reaching one of SiteIDs (their sites with the knowledge base
// enabled) and, when Public (the tenant's kb_public), those for every
// site, which anyone may read.
type KBScope struct {
	SiteIDs []int64
	Public  bool
}

// Empty reports whether s allows no article at all.
func (s KBScope) Empty() bool { return !s.Public && len(s.SiteIDs) == 0 }

// LocalText picks the text of lang from a per-locale map, else that of
// fallback (the tenant's default locale), else the first of Locales that
// has one. It returns the text and the locale it is in.
func LocalText(m map[string]string, lang, fallback string) (string, string) {
	for _, l := range append([]string{lang, fallback}, Locales...) {
		if s := m[l]; s != "" {
			return s, l
		}
	}
	return "", ""
}

// Translation is a's content in lang, else in fallback, else in the first
// of Locales it has; ok is false when it has none.
func (a *KBArticle) Translation(lang, fallback string) (tr KBTranslation, ok bool) {
	for _, l := range append([]string{lang, fallback}, Locales...) {
		if tr, ok := a.Translations[l]; ok {
			return tr, true
		}
	}
	return KBTranslation{}, false
}

// checkNames validates per-locale names (one required in defaultLocale)
// and optional descriptions.
func checkNames(v *Validation, names, descs map[string]string, defaultLocale string) {
	v.Check(strings.TrimSpace(names[defaultLocale]) != "", "names", "kb.error.default_locale_required", map[string]any{"Locale": defaultLocale})
	for loc, n := range names {
		names[loc] = strings.TrimSpace(n)
		v.Check(IsLocale(loc), "names", "error.locale_unknown", map[string]any{"Locale": loc})
		v.Check(utf8.RuneCountInString(names[loc]) <= MaxKBNameLength, "names", "error.too_long", map[string]any{"Max": MaxKBNameLength})
		if names[loc] == "" {
			delete(names, loc)
		}
	}
	for loc, d := range descs {
		descs[loc] = strings.TrimSpace(d)
		v.Check(IsLocale(loc), "descriptions", "error.locale_unknown", map[string]any{"Locale": loc})
		v.Check(utf8.RuneCountInString(descs[loc]) <= 1000, "descriptions", "error.too_long", map[string]any{"Max": 1000})
	}
}

func checkReach(v *Validation, all bool, sites *[]int64, position int) {
	if *sites == nil || all {
		*sites = []int64{}
	}
	v.Check(position >= 0 && position <= MaxKBPosition, "position", "error.range", map[string]any{"Min": 0, "Max": MaxKBPosition})
}

// Validate normalises and checks c for a tenant whose default locale is
// defaultLocale (a name in it is required).
func (c *KBCategory) Validate(defaultLocale string) error {
	if c.Names == nil {
		c.Names = map[string]string{}
	}
	if c.Descriptions == nil {
		c.Descriptions = map[string]string{}
	}
	var v Validation
	checkNames(&v, c.Names, c.Descriptions, defaultLocale)
	checkReach(&v, c.AllSites, &c.SiteIDs, c.Position)
	return v.Err()
}

// Validate normalises and checks s, as KBCategory.Validate.
func (s *KBSection) Validate(defaultLocale string) error {
	if s.Names == nil {
		s.Names = map[string]string{}
	}
	if s.Descriptions == nil {
		s.Descriptions = map[string]string{}
	}
	var v Validation
	v.Check(s.CategoryID > 0, "category_id", "error.required", nil)
	checkNames(&v, s.Names, s.Descriptions, defaultLocale)
	checkReach(&v, s.AllSites, &s.SiteIDs, s.Position)
	return v.Err()
}

// Validate normalises (trims titles and keywords, drops empty keywords)
// and checks a; a translation in defaultLocale is required so that every
// reader has one to fall back on. Complaints on a translation are keyed
// translations.LOCALE.FIELD.
func (a *KBArticle) Validate(defaultLocale string) error {
	var v Validation
	v.Check(a.SectionID > 0, "section_id", "error.required", nil)
	v.Check(a.State == KBDraft || a.State == KBPublished, "state", "kb.error.state_unknown", nil)
	checkReach(&v, a.AllSites, &a.SiteIDs, a.Position)
	if a.Translations == nil {
		a.Translations = map[string]KBTranslation{}
	}
	_, hasDefault := a.Translations[defaultLocale]
	v.Check(hasDefault, "translations", "kb.error.default_locale_required", map[string]any{"Locale": defaultLocale})
	for loc, tr := range a.Translations {
		p := "translations." + loc + "."
		v.Check(IsLocale(loc), "translations", "error.locale_unknown", map[string]any{"Locale": loc})
		tr.Locale = loc
		tr.Title = strings.TrimSpace(tr.Title)
		v.Check(tr.Title != "", p+"title", "error.required", nil)
		v.Check(utf8.RuneCountInString(tr.Title) <= MaxKBTitleLength, p+"title", "error.too_long", map[string]any{"Max": MaxKBTitleLength})
		v.Check(utf8.RuneCountInString(tr.Body) <= MaxKBBodyLength, p+"body", "error.too_long", map[string]any{"Max": MaxKBBodyLength})
		kws := []string{}
		for _, k := range tr.Keywords {
			if k = strings.TrimSpace(k); k != "" && !slices.Contains(kws, k) {
				kws = append(kws, k)
				v.Check(utf8.RuneCountInString(k) <= MaxKBKeywordLength, p+"keywords", "error.too_long", map[string]any{"Max": MaxKBKeywordLength})
			}
		}
		v.Check(len(kws) <= MaxKBKeywords, p+"keywords", "kb.error.too_many_keywords", map[string]any{"Max": MaxKBKeywords})
		tr.Keywords = kws
		a.Translations[loc] = tr
	}
	return v.Err()
}

// KBArticleFilter selects articles for the admin console and the index.
// Zero fields select everything.
type KBArticleFilter struct {
	CategoryID int64
	SectionID  int64
	State      string
	IDs        []int64 // only these articles (at most 500)
}

// KBIndexFilter narrows KBReadableIndex to one category: CategoryID's,
// SectionID's or ArticleID's (0: every category); with SectionID, to that
// section.
type KBIndexFilter struct {
	CategoryID int64
	SectionID  int64
	ArticleID  int64
	// PerSection keeps, of each section, its first articles in order, at
	// most this many (0: all of them).
	PerSection int
}

// KBArticleCount is how many articles of a section are in a state.
type KBArticleCount struct {
	SectionID int64  `bun:"section_id"`
	State     string `bun:"state"`
	Articles  int    `bun:"articles"`
}

// KBStore keeps the context tenant's knowledge base. Category, section and
// article ids of another tenant are KindNotFound; a site id that is not the
// tenant's is KindNotFound with the field site_ids.
type KBStore interface {
	// CreateKBCategory inserts c with its sites.
	CreateKBCategory(ctx context.Context, c *KBCategory) error
	// KBCategory returns a category with its sites, or KindNotFound.
	KBCategory(ctx context.Context, id int64) (*KBCategory, error)
	// KBCategories lists every category by position, then id.
	KBCategories(ctx context.Context) ([]KBCategory, error)
	// UpdateKBCategory saves names, descriptions, position and reach;
	// KindNotFound.
	UpdateKBCategory(ctx context.Context, c *KBCategory) error
	// DeleteKBCategory removes an empty category: KindConflict while it
	// has sections, KindNotFound.
	DeleteKBCategory(ctx context.Context, id int64) error

	// CreateKBSection inserts s; KindNotFound (field category_id) for a
	// category that is not the tenant's.
	CreateKBSection(ctx context.Context, s *KBSection) error
	// KBSection returns a section with its sites, or KindNotFound.
	KBSection(ctx context.Context, id int64) (*KBSection, error)
	// KBSections lists the sections of a category (0: of every category)
	// by position, then id.
	KBSections(ctx context.Context, categoryID int64) ([]KBSection, error)
	// UpdateKBSection saves s, which may move to another category;
	// KindNotFound.
	UpdateKBSection(ctx context.Context, s *KBSection) error
	// DeleteKBSection removes an empty section: KindConflict while it has
	// articles, KindNotFound.
	DeleteKBSection(ctx context.Context, id int64) error

	// CreateKBArticle inserts a with its translations and sites, and
	// fills in its category, votes and effective reach; KindNotFound
	// (field section_id) for a section that is not the tenant's.
	CreateKBArticle(ctx context.Context, a *KBArticle) error
	// KBArticle returns an article in any state with translations, sites,
	// votes and effective reach, or KindNotFound.
	KBArticle(ctx context.Context, id int64) (*KBArticle, error)
	// KBArticles lists the articles matching f, loaded as KBArticle, by
	// position, then id.
	KBArticles(ctx context.Context, f KBArticleFilter) ([]KBArticle, error)
	// KBArticleCounts counts the articles of each section by state.
	KBArticleCounts(ctx context.Context) ([]KBArticleCount, error)
	// UpdateKBArticle saves a's section, position, state and reach and
	// replaces its translations; KindNotFound.
	UpdateKBArticle(ctx context.Context, a *KBArticle) error
	// DeleteKBArticle removes an article with its translations and votes;
	// KindNotFound.
	DeleteKBArticle(ctx context.Context, id int64) error

	// KBReadable lists the published articles that a reader of scope may
	// see: reachable through one of its sites whose knowledge base is
	// enabled or, for a public scope, for every site. An empty scope, no
	// articles.
	KBReadable(ctx context.Context, scope KBScope) ([]KBArticle, error)
	// KBReadableIndex is KBReadable narrowed by f, without the texts (no
	// Translations) nor the reach: their section, views and votes, for
	// the lists of the knowledge base, which then read the titles of what
	// they show (KBReadableTitles).
	KBReadableIndex(ctx context.Context, scope KBScope, f KBIndexFilter) ([]KBArticle, error)
	// KBReadableCounts counts, by section, the articles of f that a
	// reader of scope may read (as KBReadable).
	KBReadableCounts(ctx context.Context, scope KBScope, f KBIndexFilter) (map[int64]int, error)
	// KBMostRead is the n articles of KBReadable read most, the more
	// helpful first among equals, then in the tree's order (category,
	// section, article), as KBReadableIndex reads them.
	KBMostRead(ctx context.Context, scope KBScope, n int) ([]KBArticle, error)
	// KBReadableArticle is one such article, or KindNotFound when it is
	// absent, a draft, or out of the reader's reach.
	KBReadableArticle(ctx context.Context, id int64, scope KBScope) (*KBArticle, error)
	// KBReadableTitles returns, by id, the titles by locale of those of
	// ids that a reader of scope may see (as KBReadable): search hits are
	// checked against it before they are shown, so an index that lags
	// never shows an article that was unpublished or moved out of reach,
	// nor a title since changed.
	KBReadableTitles(ctx context.Context, ids []int64, scope KBScope) (map[int64]map[string]string, error)
	// KBSites are the tenant's sites with their knowledge base enabled.
	KBSites(ctx context.Context) ([]int64, error)
	// VoteKBArticle records or changes a contact's vote and returns the
	// new counts; KindNotFound for an article of another tenant.
	VoteKBArticle(ctx context.Context, articleID, contactID int64, helpful bool) (KBVotes, error)
	// KBVoteOf is the contact's vote on an article, or nil.
	KBVoteOf(ctx context.Context, articleID, contactID int64) (*bool, error)
	// CountKBView adds one to an article's view count.
	CountKBView(ctx context.Context, id int64) error
	// SetKBPositions sets positions of categories, sections and articles
	// in one transaction; KindNotFound when an id is not the tenant's.
	SetKBPositions(ctx context.Context, positions KBPositions) error
}

// KBCategoryView is a category as a reader sees it, in their language,
// with only the sections and articles they may read.
type KBCategoryView struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Sections    []KBSectionView `json:"sections"`
}

// KBSectionView is a section as a reader sees it.
type KBSectionView struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Articles    []KBArticleLink `json:"articles"`
	Count       int             `json:"count"` // its articles, listed or not
}

// KBTreeFilter narrows a Tree: to one category (KBIndexFilter), and to
// the first Preview articles of each section (0: all of them), so that a
// page of several sections reads the titles it lists, not a knowledge
// base of thousands.
type KBTreeFilter struct {
	KBIndexFilter
	Preview int
}

// KBArticleLink names an article in a list.
type KBArticleLink struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Slug   string `json:"slug"`   // of the title, for its address (KBArticlePath)
	Locale string `json:"locale"` // language of the title
	// Views and Helpful (helpful less not helpful votes) rank the
	// popular articles of the portal's home.
	Views   int64 `json:"views"`
	Helpful int64 `json:"helpful"`
}

// KBArticleView is an article as a reader sees it, in their language or
// the tenant's default when it has no translation in theirs.
type KBArticleView struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Slug     string   `json:"slug"`
	Summary  string   `json:"summary"` // the start of the body as plain text
	Body     string   `json:"body"`    // Markdown; render sanitised
	Keywords []string `json:"keywords"`
	Locale   string   `json:"locale"`
	// Languages are the article's translations in the tenant's languages,
	// each with its own address.
	Languages    []KBAlternate `json:"languages"`
	CategoryID   int64         `json:"category_id"`
	CategoryName string        `json:"category_name"`
	SectionID    int64         `json:"section_id"`
	SectionName  string        `json:"section_name"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Views        int64         `json:"views"`
	Votes        KBVotes       `json:"votes"`
	MyVote       *bool         `json:"my_vote"` // the reader's vote, nil before voting
	Attachments  []Attachment  `json:"attachments"`
}

// Path is the address of the article's page.
func (l KBArticleLink) Path() string { return KBArticlePath(l.ID, l.Slug) }

// Path is the address of the article's page in the language shown.
func (v *KBArticleView) Path() string { return KBArticlePath(v.ID, v.Slug) }

// KBAlternate is an article in one of its languages.
type KBAlternate struct {
	Locale string `json:"locale"`
	Title  string `json:"title"`
	Slug   string `json:"slug"`
}

// KBArticlePath is the address of an article's page: its id, then the
// slug of its title when there is one, as "/kb/articles/42-reset-your-password".
// The id alone finds the article; the page redirects to this address.
func KBArticlePath(id int64, slug string) string {
	p := "/kb/articles/" + strconv.FormatInt(id, 10)
	if slug != "" {
		p += "-" + slug
	}
	return p
}

// ParseKBArticlePath reads the last part of an article's address, "42" or
// "42-reset-your-password", into the id and the slug; ok is false for
// anything else.
func ParseKBArticlePath(part string) (id int64, slug string, ok bool) {
	num, slug, _ := strings.Cut(part, "-")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strings.HasPrefix(num, "+") {
		return 0, "", false
	}
	return id, slug, true
}

// KnowledgeBase is what the portal does with the knowledge base. Every
// method works within the context tenant for a signed-in contact or, when
// the tenant's knowledge base is public (kb_public), for anyone (p nil),
// who reads the articles for every site; anything the reader may not read
// (another tenant's, another site's, a draft, a site with the knowledge
// base disabled, any article for a visitor of a private knowledge base)
// is KindNotFound.
type KnowledgeBase interface {
	// Tree lists the categories, sections and articles the contact may
	// read, in lang, leaving out empty sections and categories, narrowed
	// by f.
	Tree(ctx context.Context, p *Principal, lang string, f KBTreeFilter) ([]KBCategoryView, error)
	// Home is what the help center's home shows of the knowledge base:
	// the categories and sections (with their counts, no article listed)
	// and the n articles the contact may read that were read most, the
	// more helpful first among equals.
	Home(ctx context.Context, p *Principal, lang string, n int) ([]KBCategoryView, []KBArticleLink, error)
	// Article returns an article in lang and counts the view.
	Article(ctx context.Context, p *Principal, id int64, lang string) (*KBArticleView, error)
	// Vote records or changes the contact's vote and returns the counts;
	// KindUnauthorized without a contact.
	Vote(ctx context.Context, p *Principal, id int64, helpful bool) (KBVotes, error)
	// Search finds what the contact may read, ranked by relevance then
	// helpfulness; at most limit hits (10 when 0, 50 at most).
	Search(ctx context.Context, p *Principal, q, lang string, limit int) ([]ArticleHit, error)
}

// KBAdmin is the admin console's management of the knowledge base. Each
// write validates (KindUnprocessable), saves through KBStore (whose kinds
// it returns) and keeps the search index in step.
type KBAdmin interface {
	KBCategories(ctx context.Context) ([]KBCategory, error)
	KBCategory(ctx context.Context, id int64) (*KBCategory, error)
	CreateCategory(ctx context.Context, c *KBCategory) error
	UpdateCategory(ctx context.Context, c *KBCategory) error
	DeleteCategory(ctx context.Context, id int64) error

	KBSections(ctx context.Context, categoryID int64) ([]KBSection, error)
	KBSection(ctx context.Context, id int64) (*KBSection, error)
	CreateSection(ctx context.Context, s *KBSection) error
	UpdateSection(ctx context.Context, s *KBSection) error
	DeleteSection(ctx context.Context, id int64) error

	KBArticles(ctx context.Context, f KBArticleFilter) ([]KBArticle, error)
	KBArticleCounts(ctx context.Context) ([]KBArticleCount, error)
	KBArticle(ctx context.Context, id int64) (*KBArticle, error)
	CreateArticle(ctx context.Context, a *KBArticle) error
	UpdateArticle(ctx context.Context, a *KBArticle) error
	DeleteArticle(ctx context.Context, id int64) error
	// Reorder sets positions of categories, sections and articles in one
	// transaction: KindUnprocessable for an unknown level or a position
	// out of range (field LEVEL.ID, as "section.7"), KindNotFound for
	// another tenant's id.
	Reorder(ctx context.Context, positions KBPositions) error

	// AttachFiles adds uploaded files to an article (at most
	// MaxFilesPerMessage at once); ArticleFiles lists them; DetachFile
	// removes one. KindNotFound for another tenant's article.
	AttachFiles(ctx context.Context, by *Principal, articleID int64, files []Upload) ([]Attachment, error)
	ArticleFiles(ctx context.Context, articleID int64) ([]Attachment, error)
	DetachFile(ctx context.Context, articleID, attachmentID int64) error
}
