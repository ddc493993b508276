// Package kb is the knowledge base service: what contacts may read of it
// (svcportal.KnowledgeBase) and how staff manage it (svcportal.KBAdmin),
// with the search index kept in step with every change.
//
// The database is the truth and the index follows it: every change is
// queued in the database in the transaction that makes it (the store's
// search_queue), and the process that holds the index applies the queue
// (follow.go). Should an index update fail, the change stays saved and
// queued, and is applied at the next attempt. Hits are checked against
// the database before they are shown.
package kb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/tenantcache"
)

// Store is the storage the service needs.
type Store interface {
	svcportal.KBStore
	svcportal.AttachmentStore
	svcportal.SearchQueueStore
	Tenants(ctx context.Context) ([]svcportal.Tenant, error)
}

// Service implements svcportal.KnowledgeBase and svcportal.KBAdmin.
type Service struct {
	st  Store
	idx svcportal.ArticleIndex
	log *slog.Logger
	// The tenant's sites with the knowledge base enabled, which every
	// reader's scope is made of (migration 0270 moves the tenant's cache
	// version with any change of its sites).
	sites tenantcache.Map[map[int64]bool]
	// What the help center's pages count and list of the whole knowledge
	// base, which only an edit of it changes (migration 0280 moves the
	// version with its categories, sections, articles and reach): the
	// categories and sections, and the readable articles counted by
	// section for each scope. The most read change with every reading,
	// which moves no version: they are counted again after mostReadAge.
	tree     tenantcache.Map[kbStructure]
	counts   tenantcache.Keyed[string, map[int64]int]
	mostRead tenantcache.Keyed[mostReadKey, mostRead]
	now      func() time.Time

	follower
}

var (
	_ svcportal.KnowledgeBase = (*Service)(nil)
	_ svcportal.KBAdmin       = (*Service)(nil)
)

// New returns the service over st and idx; log receives index failures
// (nil: they are discarded).
func New(st Store, idx svcportal.ArticleIndex, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, idx: idx, log: log, now: time.Now, follower: follower{holds: func() bool { return true }}}
}

// SetClock gives the service the time it counts the most read's age by
// (New: the wall clock).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// mostReadAge is how long the help center shows the same most read
// articles to readers of the same scope: readings move no cache version,
// and counting the most read orders every readable article.
const mostReadAge = time.Minute

type kbStructure struct {
	cats []svcportal.KBCategory
	secs []svcportal.KBSection
}

type mostReadKey struct {
	scope string
	n     int
}

type mostRead struct {
	top []svcportal.KBArticle
	at  time.Time
}

// scopeKey writes scope out whole, for the caches by scope.
func scopeKey(scope svcportal.KBScope) string {
	b := make([]byte, 0, 2+8*len(scope.SiteIDs))
	b = strconv.AppendBool(b, scope.Public)
	for _, id := range scope.SiteIDs {
		b = strconv.AppendInt(append(b, ','), id, 10)
	}
	return string(b)
}

// readableCounts is KBReadableCounts; those of the whole knowledge base
// (f zero) are cached.
func (s *Service) readableCounts(ctx context.Context, scope svcportal.KBScope, f svcportal.KBIndexFilter) (map[int64]int, error) {
	if f != (svcportal.KBIndexFilter{}) {
		return s.st.KBReadableCounts(ctx, scope, f)
	}
	return s.counts.Get(ctx, scopeKey(scope), func(ctx context.Context) (map[int64]int, error) {
		return s.st.KBReadableCounts(ctx, scope, f)
	})
}

// HoldsIndexWith makes the service apply the search queue right after each
// change only while holds says this process holds the index; otherwise
// the holder applies it (New: always, for an index of this process only).
func (s *Service) HoldsIndexWith(holds func() bool) { s.holds = holds }

// Search limits.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 50
)

func tenantOf(ctx context.Context) *svcportal.Tenant {
	if t := svcportal.TenantFrom(ctx); t != nil {
		return t
	}
	return &svcportal.Tenant{DefaultLocale: "en"}
}

// scopeOf is what p may read: a contact, their sites whose knowledge base
// is enabled; anyone, contact or not, the articles for every site when
// the tenant's knowledge base is public. A visitor of a private one reads
// nothing (KindNotFound).
func (s *Service) scopeOf(ctx context.Context, p *svcportal.Principal) (svcportal.KBScope, error) {
	scope := svcportal.KBScope{Public: tenantOf(ctx).KBPublic}
	if p == nil || p.Contact == nil {
		if !scope.Public {
			return scope, svcportal.ErrNotFound()
		}
		return scope, nil
	}
	enabled, err := s.sites.Get(ctx, func(ctx context.Context) (map[int64]bool, error) {
		ids, err := s.st.KBSites(ctx)
		m := make(map[int64]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m, err
	})
	if err != nil {
		return scope, err
	}
	scope.SiteIDs = []int64{}
	for _, m := range p.Contact.Memberships {
		if enabled[m.SiteID] {
			scope.SiteIDs = append(scope.SiteIDs, m.SiteID)
		}
	}
	slices.Sort(scope.SiteIDs)
	return scope, nil
}

// Tree implements svcportal.KnowledgeBase: the sections' counts, then
// the articles each section lists (its first f.Preview, or all) and
// their titles.
func (s *Service) Tree(ctx context.Context, p *svcportal.Principal, lang string, f svcportal.KBTreeFilter) ([]svcportal.KBCategoryView, error) {
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	counts, err := s.readableCounts(ctx, scope, f.KBIndexFilter)
	if err != nil || len(counts) == 0 {
		return []svcportal.KBCategoryView{}, err
	}
	index := f.KBIndexFilter
	index.PerSection = f.Preview
	listed, err := s.st.KBReadableIndex(ctx, scope, index)
	if err != nil {
		return nil, err
	}
	links, err := s.links(ctx, scope, lang, listed)
	if err != nil {
		return nil, err
	}
	cats, secs, err := s.structure(ctx)
	if err != nil {
		return nil, err
	}
	return categoryViews(ctx, lang, cats, secs, counts, listed, links), nil
}

// Home implements svcportal.KnowledgeBase: the sections' counts and the
// most read, each counted and ordered by the database (one row per
// section, n articles).
func (s *Service) Home(ctx context.Context, p *svcportal.Principal, lang string, n int) ([]svcportal.KBCategoryView, []svcportal.KBArticleLink, error) {
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	counts, err := s.readableCounts(ctx, scope, svcportal.KBIndexFilter{})
	if err != nil || len(counts) == 0 {
		return []svcportal.KBCategoryView{}, []svcportal.KBArticleLink{}, err
	}
	now := s.now()
	read, err := s.mostRead.GetFresh(ctx, mostReadKey{scopeKey(scope), n},
		func(m mostRead) bool { return now.Sub(m.at) < mostReadAge && !now.Before(m.at) },
		func(ctx context.Context) (mostRead, error) {
			top, err := s.st.KBMostRead(ctx, scope, n)
			return mostRead{top: top, at: now}, err
		})
	if err != nil {
		return nil, nil, err
	}
	top := read.top
	cats, secs, err := s.structure(ctx)
	if err != nil {
		return nil, nil, err
	}
	links, err := s.links(ctx, scope, lang, top)
	if err != nil {
		return nil, nil, err
	}
	popular := []svcportal.KBArticleLink{}
	for _, a := range top {
		if l, ok := links[a.ID]; ok {
			popular = append(popular, l)
		}
	}
	return categoryViews(ctx, lang, cats, secs, counts, nil, nil), popular, nil
}

// categoryViews are the categories and sections that hold articles (by
// section, counts), in order, each section with its count and the links
// of its articles among listed.
func categoryViews(ctx context.Context, lang string, cats []svcportal.KBCategory, secs []svcportal.KBSection,
	counts map[int64]int, listed []svcportal.KBArticle, links map[int64]svcportal.KBArticleLink) []svcportal.KBCategoryView {
	bySection := map[int64][]svcportal.KBArticleLink{}
	for _, a := range listed {
		if l, ok := links[a.ID]; ok {
			bySection[a.SectionID] = append(bySection[a.SectionID], l)
		}
	}
	def := tenantOf(ctx).DefaultLocale
	out := []svcportal.KBCategoryView{}
	for _, c := range cats {
		cv := svcportal.KBCategoryView{ID: c.ID, Sections: []svcportal.KBSectionView{}}
		cv.Name, _ = svcportal.LocalText(c.Names, lang, def)
		cv.Description, _ = svcportal.LocalText(c.Descriptions, lang, def)
		for _, sec := range secs {
			if sec.CategoryID != c.ID || counts[sec.ID] == 0 {
				continue
			}
			sv := svcportal.KBSectionView{ID: sec.ID, Articles: bySection[sec.ID], Count: counts[sec.ID]}
			if sv.Articles == nil {
				sv.Articles = []svcportal.KBArticleLink{}
			}
			sv.Name, _ = svcportal.LocalText(sec.Names, lang, def)
			sv.Description, _ = svcportal.LocalText(sec.Descriptions, lang, def)
			cv.Sections = append(cv.Sections, sv)
		}
		if len(cv.Sections) > 0 {
			out = append(out, cv)
		}
	}
	return out
}

// structure is the tenant's categories and sections, in order (shared:
// not to be changed).
func (s *Service) structure(ctx context.Context) ([]svcportal.KBCategory, []svcportal.KBSection, error) {
	st, err := s.tree.Get(ctx, func(ctx context.Context) (kbStructure, error) {
		cats, err := s.st.KBCategories(ctx)
		if err != nil {
			return kbStructure{}, err
		}
		secs, err := s.st.KBSections(ctx, 0)
		return kbStructure{cats, secs}, err
	})
	return st.cats, st.secs, err
}

// links are the links to arts, by id, titled in lang (else the tenant's
// default language, else any): the titles of these articles only.
func (s *Service) links(ctx context.Context, scope svcportal.KBScope, lang string, arts []svcportal.KBArticle) (map[int64]svcportal.KBArticleLink, error) {
	ids := make([]int64, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	titles, err := s.st.KBReadableTitles(ctx, ids, scope)
	if err != nil {
		return nil, err
	}
	def := tenantOf(ctx).DefaultLocale
	out := make(map[int64]svcportal.KBArticleLink, len(arts))
	for _, a := range arts {
		title, locale := svcportal.LocalText(titles[a.ID], lang, def)
		if title == "" {
			continue // unpublished, or out of reach, since the index was read
		}
		out[a.ID] = svcportal.KBArticleLink{ID: a.ID, Title: title, Slug: Slug(title), Locale: locale, Views: a.Views, Helpful: int64(a.Votes.Score())}
	}
	return out, nil
}

// Article implements svcportal.KnowledgeBase.
func (s *Service) Article(ctx context.Context, p *svcportal.Principal, id int64, lang string) (*svcportal.KBArticleView, error) {
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	a, err := s.st.KBReadableArticle(ctx, id, scope)
	if err != nil {
		return nil, err
	}
	if err := s.st.CountKBView(ctx, id); err != nil {
		return nil, err
	}
	t := tenantOf(ctx)
	def := t.DefaultLocale
	tr, _ := a.Translation(lang, def)
	v := &svcportal.KBArticleView{ID: a.ID, Title: tr.Title, Slug: Slug(tr.Title), Body: tr.Body, Keywords: tr.Keywords, Locale: tr.Locale, CategoryID: a.CategoryID, SectionID: a.SectionID,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Views: a.Views + 1, Votes: a.Votes, Languages: []svcportal.KBAlternate{}}
	for _, l := range svcportal.Locales {
		if other, ok := a.Translations[l]; ok && t.LocaleEnabled(l) {
			v.Languages = append(v.Languages, svcportal.KBAlternate{Locale: l, Title: other.Title, Slug: Slug(other.Title)})
		}
	}
	if v.Attachments, err = s.st.ArticleAttachments(ctx, id); err != nil {
		return nil, err
	}
	if v.Keywords == nil {
		v.Keywords = []string{}
	}
	if sec, err := s.st.KBSection(ctx, a.SectionID); err == nil {
		v.SectionName, _ = svcportal.LocalText(sec.Names, lang, def)
	} else {
		return nil, err
	}
	if cat, err := s.st.KBCategory(ctx, a.CategoryID); err == nil {
		v.CategoryName, _ = svcportal.LocalText(cat.Names, lang, def)
	} else {
		return nil, err
	}
	if p == nil || p.Contact == nil {
		return v, nil // a visitor has no vote
	}
	if v.MyVote, err = s.st.KBVoteOf(ctx, id, p.Contact.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// Vote implements svcportal.KnowledgeBase.
func (s *Service) Vote(ctx context.Context, p *svcportal.Principal, id int64, helpful bool) (svcportal.KBVotes, error) {
	if p == nil || p.Contact == nil {
		return svcportal.KBVotes{}, svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized")
	}
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return svcportal.KBVotes{}, err
	}
	if _, err := s.st.KBReadableArticle(ctx, id, scope); err != nil {
		return svcportal.KBVotes{}, err
	}
	votes, err := s.st.VoteKBArticle(ctx, id, p.Contact.ID, helpful)
	if err != nil {
		return svcportal.KBVotes{}, err
	}
	s.follow(ctx)
	return votes, nil
}

// Search implements svcportal.KnowledgeBase.
func (s *Service) Search(ctx context.Context, p *svcportal.Principal, q, lang string, limit int) ([]svcportal.ArticleHit, error) {
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	q = strings.TrimLeft(q, " \t\r\n")
	if scope.Empty() || q == "" {
		return []svcportal.ArticleHit{}, nil
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	t := tenantOf(ctx)
	// A few more than asked, so that hits the database no longer shows
	// (the index lags a change being applied) leave the page full.
	hits, err := s.idx.Search(ctx, svcportal.ArticleQuery{TenantID: t.ID, SiteIDs: scope.SiteIDs, Public: scope.Public, Lang: lang,
		Fallback: t.DefaultLocale, Text: q, Limit: limit + 5})
	if errors.Is(err, svcportal.ErrIndexElsewhere) {
		hits, err = s.scan(ctx, scope, q, lang, limit)
	} else if err == nil {
		hits, err = s.recheck(ctx, hits, scope, limit)
	}
	for i := range hits {
		hits[i].Slug = Slug(hits[i].Title)
	}
	return hits, err
}

// maxSlug is the longest slug, in bytes.
const maxSlug = 60

// Slug is the readable part of an article's address: its title in lower
// case without accents (search.Fold), its words of ASCII letters and
// digits joined by hyphens, at most maxSlug bytes, cut between words.
// "Réinitialiser votre mot de passe" → "reinitialiser-votre-mot-de-passe".
func Slug(title string) string {
	words := strings.FieldsFunc(search.Fold(title), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	out := ""
	for _, w := range words {
		switch {
		case out == "" && len(w) > maxSlug:
			return w[:maxSlug]
		case out == "":
			out = w
		case len(out)+1+len(w) > maxSlug:
			return out
		default:
			out += "-" + w
		}
	}
	return out
}

// recheck keeps the hits the database lets a reader of scope see, at
// most limit, with their title as saved now.
func (s *Service) recheck(ctx context.Context, hits []svcportal.ArticleHit, scope svcportal.KBScope, limit int) ([]svcportal.ArticleHit, error) {
	ids := make([]int64, 0, len(hits))
	for _, h := range hits {
		ids = append(ids, h.ArticleID)
	}
	readable, err := s.st.KBReadableTitles(ctx, ids, scope)
	if err != nil {
		return nil, err
	}
	out := []svcportal.ArticleHit{}
	for _, h := range hits {
		title, ok := readable[h.ArticleID][h.Locale]
		if !ok {
			continue // out of reach, or the hit's translation was removed
		}
		h.Title = title
		if out = append(out, h); len(out) == limit {
			break
		}
	}
	return out, nil
}

// KBCategories implements svcportal.KBAdmin.
func (s *Service) KBCategories(ctx context.Context) ([]svcportal.KBCategory, error) {
	return s.st.KBCategories(ctx)
}

// KBCategory implements svcportal.KBAdmin.
func (s *Service) KBCategory(ctx context.Context, id int64) (*svcportal.KBCategory, error) {
	return s.st.KBCategory(ctx, id)
}

// CreateCategory implements svcportal.KBAdmin.
func (s *Service) CreateCategory(ctx context.Context, c *svcportal.KBCategory) error {
	if err := c.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	return s.st.CreateKBCategory(ctx, c)
}

// UpdateCategory implements svcportal.KBAdmin.
func (s *Service) UpdateCategory(ctx context.Context, c *svcportal.KBCategory) error {
	if err := c.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	if err := s.st.UpdateKBCategory(ctx, c); err != nil {
		return err
	}
	s.follow(ctx)
	return nil
}

// DeleteCategory implements svcportal.KBAdmin.
func (s *Service) DeleteCategory(ctx context.Context, id int64) error {
	return s.st.DeleteKBCategory(ctx, id)
}

// KBSections implements svcportal.KBAdmin.
func (s *Service) KBSections(ctx context.Context, categoryID int64) ([]svcportal.KBSection, error) {
	return s.st.KBSections(ctx, categoryID)
}

// KBSection implements svcportal.KBAdmin.
func (s *Service) KBSection(ctx context.Context, id int64) (*svcportal.KBSection, error) {
	return s.st.KBSection(ctx, id)
}

// CreateSection implements svcportal.KBAdmin.
func (s *Service) CreateSection(ctx context.Context, sec *svcportal.KBSection) error {
	if err := sec.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	return s.st.CreateKBSection(ctx, sec)
}

// UpdateSection implements svcportal.KBAdmin.
func (s *Service) UpdateSection(ctx context.Context, sec *svcportal.KBSection) error {
	if err := sec.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	if err := s.st.UpdateKBSection(ctx, sec); err != nil {
		return err
	}
	s.follow(ctx)
	return nil
}

// DeleteSection implements svcportal.KBAdmin.
func (s *Service) DeleteSection(ctx context.Context, id int64) error {
	return s.st.DeleteKBSection(ctx, id)
}

// KBArticles implements svcportal.KBAdmin.
func (s *Service) KBArticles(ctx context.Context, f svcportal.KBArticleFilter) ([]svcportal.KBArticle, error) {
	return s.st.KBArticles(ctx, f)
}

// KBArticleCounts implements svcportal.KBAdmin.
func (s *Service) KBArticleCounts(ctx context.Context) ([]svcportal.KBArticleCount, error) {
	return s.st.KBArticleCounts(ctx)
}

// KBArticle implements svcportal.KBAdmin.
func (s *Service) KBArticle(ctx context.Context, id int64) (*svcportal.KBArticle, error) {
	return s.st.KBArticle(ctx, id)
}

// CreateArticle implements svcportal.KBAdmin.
func (s *Service) CreateArticle(ctx context.Context, a *svcportal.KBArticle) error {
	if err := a.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	if err := s.st.CreateKBArticle(ctx, a); err != nil {
		return err
	}
	s.follow(ctx)
	return nil
}

// UpdateArticle implements svcportal.KBAdmin.
func (s *Service) UpdateArticle(ctx context.Context, a *svcportal.KBArticle) error {
	if err := a.Validate(tenantOf(ctx).DefaultLocale); err != nil {
		return err
	}
	if err := s.st.UpdateKBArticle(ctx, a); err != nil {
		return err
	}
	s.follow(ctx)
	return nil
}

// DeleteArticle implements svcportal.KBAdmin.
func (s *Service) DeleteArticle(ctx context.Context, id int64) error {
	if err := s.st.DeleteKBArticle(ctx, id); err != nil {
		return err
	}
	s.follow(ctx)
	return nil
}

var _ svcportal.ArticleReader = (*Service)(nil)

// CanReadArticle implements svcportal.ArticleReader: the contact may read
// the article by the same rules as the article page (published, in
// reach of one of their sites with the knowledge base), else KindNotFound.
func (s *Service) CanReadArticle(ctx context.Context, p *svcportal.Principal, id int64) error {
	scope, err := s.scopeOf(ctx, p)
	if err != nil {
		return err
	}
	_, err = s.st.KBReadableArticle(ctx, id, scope)
	return err
}

// AttachFiles implements svcportal.KBAdmin.
func (s *Service) AttachFiles(ctx context.Context, by *svcportal.Principal, articleID int64, files []svcportal.Upload) ([]svcportal.Attachment, error) {
	if len(files) == 0 || len(files) > svcportal.MaxFilesPerMessage {
		return nil, svcportal.FieldErr(svcportal.KindUnprocessable, "files", "error.too_many_files", map[string]any{"Max": svcportal.MaxFilesPerMessage})
	}
	var out []svcportal.Attachment
	for _, f := range files {
		a := &svcportal.Attachment{Filename: svcportal.CleanFilename(f.Filename), ContentType: f.ContentType, Size: f.Size,
			SHA256: f.SHA256, UploaderKind: svcportal.PrincipalStaff, UploaderID: by.Staff.ID}
		if err := s.st.AddArticleAttachment(ctx, articleID, a); err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// ArticleFiles implements svcportal.KBAdmin.
func (s *Service) ArticleFiles(ctx context.Context, articleID int64) ([]svcportal.Attachment, error) {
	if _, err := s.st.KBArticle(ctx, articleID); err != nil {
		return nil, err
	}
	return s.st.ArticleAttachments(ctx, articleID)
}

// DetachFile implements svcportal.KBAdmin.
func (s *Service) DetachFile(ctx context.Context, articleID, attachmentID int64) error {
	return s.st.DeleteArticleAttachment(ctx, articleID, attachmentID)
}

// Reorder implements svcportal.KBAdmin.
func (s *Service) Reorder(ctx context.Context, positions svcportal.KBPositions) error {
	var v svcportal.Validation
	n := 0
	for level, ps := range positions {
		v.Check(level == svcportal.KBLevelCategory || level == svcportal.KBLevelSection || level == svcportal.KBLevelArticle,
			level, "error.invalid_request", nil)
		for id, pos := range ps {
			v.Check(pos >= 0 && pos <= svcportal.MaxKBPosition, fmt.Sprintf("%s.%d", level, id), "error.range",
				map[string]any{"Min": 0, "Max": svcportal.MaxKBPosition})
			n++
		}
	}
	if err := v.Err(); err != nil || n == 0 {
		return err
	}
	return s.st.SetKBPositions(ctx, positions)
}
