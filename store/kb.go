package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

var _ svcportal.KBStore = (*Store)(nil)

// Kinds of object in kb_reach.
const (
	reachCategory = svcportal.KBLevelCategory
	reachSection  = svcportal.KBLevelSection
	reachArticle  = svcportal.KBLevelArticle
)

type kbReachRow struct {
	bun.BaseModel `bun:"table:kb_reach"`
	TenantID      int64  `bun:"tenant_id"`
	Kind          string `bun:"kind,pk"`
	ObjectID      int64  `bun:"object_id,pk"`
	SiteID        int64  `bun:"site_id,pk"`
}

type kbVote struct {
	bun.BaseModel `bun:"table:kb_votes"`
	ArticleID     int64     `bun:"article_id,pk"`
	ContactID     int64     `bun:"contact_id,pk"`
	Helpful       bool      `bun:"helpful"`
	VotedAt       time.Time `bun:"voted_at"`
}

func kbNotFound(field string) error {
	return svcportal.FieldErr(svcportal.KindNotFound, field, "error.not_found", nil)
}

func kbNotEmpty() error {
	return &svcportal.Error{Kind: svcportal.KindConflict, Code: "not_empty", MessageID: "kb.error.not_empty"}
}

// setReach replaces the chosen sites of one object, after checking that
// each is the tenant's own.
func setReach(ctx context.Context, db bun.IDB, tid int64, kind string, id int64, all bool, sites []int64) error {
	if _, err := db.NewDelete().Model((*kbReachRow)(nil)).Where("kind = ? AND object_id = ?", kind, id).Exec(ctx); err != nil {
		return err
	}
	if all {
		return nil
	}
	for _, sid := range svcportal.ReachOf(false, sites).SiteIDs {
		n, err := db.NewSelect().Model((*svcportal.Site)(nil)).Where("id = ? AND tenant_id = ?", sid, tid).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return svcportal.FieldErr(svcportal.KindNotFound, "site_ids", "error.site_not_found", nil)
		}
		if _, err := db.NewInsert().Model(&kbReachRow{TenantID: tid, Kind: kind, ObjectID: id, SiteID: sid}).Exec(ctx); err != nil {
			return fmt.Errorf("insert %s %d reach: %w", kind, id, err)
		}
	}
	return nil
}

// reachMap holds reach rows of a tenant by kind and object.
type reachMap map[string]map[int64][]int64

// maxReachIDs is how many articles loadReach reads the rows of by id;
// for more, it reads every row of the tenant.
const maxReachIDs = 500

// loadReach reads the tenant's reach rows: those of its categories and
// sections, and those of articles, or of every article when articles is
// nil. A search's hits or an article's page read their own rows, from
// the (tenant, kind, object) index, not every row of the tenant.
func loadReach(ctx context.Context, db bun.IDB, tid int64, articles []int64) (reachMap, error) {
	var rows []kbReachRow
	q := db.NewSelect().Model(&rows).Where("tenant_id = ?", tid)
	if articles != nil {
		q = q.Where("kind IN (?)", bun.In([]string{reachCategory, reachSection})).
			UnionAll(db.NewSelect().Model(&rows).Where("tenant_id = ? AND kind = ? AND object_id IN (?)", tid, reachArticle, bun.In(orNone(articles))))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b kbReachRow) int { return cmp.Compare(a.SiteID, b.SiteID) })
	m := reachMap{reachCategory: {}, reachSection: {}, reachArticle: {}}
	for _, r := range rows {
		m[r.Kind][r.ObjectID] = append(m[r.Kind][r.ObjectID], r.SiteID)
	}
	return m, nil
}

func (m reachMap) sites(kind string, id int64) []int64 {
	if s := m[kind][id]; s != nil {
		return s
	}
	return []int64{}
}

func deleteReach(ctx context.Context, db bun.IDB, kind string, id int64) error {
	_, err := db.NewDelete().Model((*kbReachRow)(nil)).Where("kind = ? AND object_id = ?", kind, id).Exec(ctx)
	return err
}

// kbLevel describes a category or a section. The two levels above the
// articles share their rules — names, position and reach are saved with
// the reach in one transaction, a parent must be the tenant's, and only
// an empty one may be deleted — so one code path writes both.
type kbLevel struct {
	model     any      // the level's own model, for deletion
	reach     string   // kind of its rows in kb_reach
	columns   []string // what an update saves
	parent    any      // model of the level above, nil for none
	parentKey string   // the column (and form field) naming the parent
	children  any      // model of the level below, whose rows block deletion
	childKey  string   // the column of the level below naming this one
	// articles selects, by the level's id, the articles whose search
	// entries a change of its reach must refresh.
	articles string
}

var (
	categoryLevel = kbLevel{model: (*svcportal.KBCategory)(nil), reach: reachCategory, columns: []string{"names", "descriptions", "position", "all_sites", "updated_at"},
		children: (*svcportal.KBSection)(nil), childKey: "category_id",
		articles: "section_id IN (SELECT id FROM kb_sections WHERE category_id = ?)"}
	sectionLevel = kbLevel{model: (*svcportal.KBSection)(nil), reach: reachSection, columns: []string{"category_id", "names", "descriptions", "position", "all_sites", "updated_at"},
		parent: (*svcportal.KBCategory)(nil), parentKey: "category_id", children: (*svcportal.KBArticle)(nil), childKey: "section_id",
		articles: "section_id = ?"}
)

// kbGroup is one category or section being saved: its model, where its
// id is, its parent's id and its reach.
type kbGroup struct {
	model    any
	id       *int64
	parentID int64
	all      bool
	sites    []int64
}

// saveKBGroup inserts (create) or updates g with its reach, after
// checking its parent is the tenant's.
func (s *Store) saveKBGroup(ctx context.Context, lvl kbLevel, tid int64, g kbGroup, create bool) error {
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if lvl.parent != nil {
			if err := checkOwned(ctx, tx, lvl.parent, g.parentID, tid, lvl.parentKey); err != nil {
				return err
			}
		}
		if create {
			if _, err := tx.NewInsert().Model(g.model).Exec(ctx); err != nil {
				return fmt.Errorf("insert kb %s: %w", lvl.reach, err)
			}
		} else {
			res, err := tx.NewUpdate().Model(g.model).Column(lvl.columns...).Where("id = ? AND tenant_id = ?", *g.id, tid).Exec(ctx)
			if err != nil {
				return fmt.Errorf("update kb %s %d: %w", lvl.reach, *g.id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return svcportal.ErrNotFound()
			}
		}
		if err := setReach(ctx, tx, tid, lvl.reach, *g.id, g.all, g.sites); err != nil {
			return err
		}
		if create {
			return nil // no article yet
		}
		return s.queueSearchWhere(ctx, tx, tid, lvl.articles, *g.id)
	})
}

// deleteKBGroup removes an empty category or section with its reach.
func (s *Store) deleteKBGroup(ctx context.Context, lvl kbLevel, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model(lvl.children).Where("? = ? AND tenant_id = ?", bun.Ident(lvl.childKey), id, tid).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return kbNotEmpty()
		}
		res, err := tx.NewDelete().Model(lvl.model).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		return deleteReach(ctx, tx, lvl.reach, id)
	})
}

// listKBGroups lists the tenant's categories or sections (T) matching
// where, by position then id, each with its chosen sites.
func listKBGroups[T any](ctx context.Context, db bun.IDB, kind string, where func(*bun.SelectQuery) *bun.SelectQuery, reach func(*T) (int64, *[]int64)) ([]T, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []T{}
	if err := where(db.NewSelect().Model(&out).Where("tenant_id = ?", tid)).Order("position", "id").Scan(ctx); err != nil {
		return nil, err
	}
	rm, err := loadReach(ctx, db, tid, nil)
	if err != nil {
		return nil, err
	}
	for i := range out {
		id, sites := reach(&out[i])
		*sites = rm.sites(kind, id)
	}
	return out, nil
}

func categoryReach(c *svcportal.KBCategory) (int64, *[]int64) { return c.ID, &c.SiteIDs }
func sectionReach(s *svcportal.KBSection) (int64, *[]int64)   { return s.ID, &s.SiteIDs }

// CreateKBCategory implements svcportal.KBStore.
func (s *Store) CreateKBCategory(ctx context.Context, c *svcportal.KBCategory) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	c.TenantID, c.CreatedAt, c.UpdatedAt = tid, now, now
	return s.saveKBGroup(ctx, categoryLevel, tid, kbGroup{model: c, id: &c.ID, all: c.AllSites, sites: c.SiteIDs}, true)
}

// KBCategory implements svcportal.KBStore.
func (s *Store) KBCategory(ctx context.Context, id int64) (*svcportal.KBCategory, error) {
	cs, err := listKBGroups(ctx, s.db, reachCategory, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("id = ?", id) }, categoryReach)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &cs[0], nil
}

// KBCategories implements svcportal.KBStore.
func (s *Store) KBCategories(ctx context.Context) ([]svcportal.KBCategory, error) {
	return listKBGroups(ctx, s.db, reachCategory, func(q *bun.SelectQuery) *bun.SelectQuery { return q }, categoryReach)
}

// UpdateKBCategory implements svcportal.KBStore.
func (s *Store) UpdateKBCategory(ctx context.Context, c *svcportal.KBCategory) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	c.UpdatedAt = s.now().UTC()
	return s.saveKBGroup(ctx, categoryLevel, tid, kbGroup{model: c, id: &c.ID, all: c.AllSites, sites: c.SiteIDs}, false)
}

// DeleteKBCategory implements svcportal.KBStore.
func (s *Store) DeleteKBCategory(ctx context.Context, id int64) error {
	return s.deleteKBGroup(ctx, categoryLevel, id)
}

// checkOwned fails with KindNotFound on field when the row of model with
// that id is not the tenant's.
func checkOwned(ctx context.Context, db bun.IDB, model any, id, tid int64, field string) error {
	n, err := db.NewSelect().Model(model).Where("id = ? AND tenant_id = ?", id, tid).Count(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return kbNotFound(field)
	}
	return nil
}

// CreateKBSection implements svcportal.KBStore.
func (s *Store) CreateKBSection(ctx context.Context, sec *svcportal.KBSection) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	sec.TenantID, sec.CreatedAt, sec.UpdatedAt = tid, now, now
	return s.saveKBGroup(ctx, sectionLevel, tid, kbGroup{model: sec, id: &sec.ID, parentID: sec.CategoryID, all: sec.AllSites, sites: sec.SiteIDs}, true)
}

// KBSection implements svcportal.KBStore.
func (s *Store) KBSection(ctx context.Context, id int64) (*svcportal.KBSection, error) {
	ss, err := listKBGroups(ctx, s.db, reachSection, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("id = ?", id) }, sectionReach)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &ss[0], nil
}

// KBSections implements svcportal.KBStore.
func (s *Store) KBSections(ctx context.Context, categoryID int64) ([]svcportal.KBSection, error) {
	return listKBGroups(ctx, s.db, reachSection, func(q *bun.SelectQuery) *bun.SelectQuery {
		if categoryID != 0 {
			q = q.Where("category_id = ?", categoryID)
		}
		return q
	}, sectionReach)
}

// UpdateKBSection implements svcportal.KBStore.
func (s *Store) UpdateKBSection(ctx context.Context, sec *svcportal.KBSection) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	sec.UpdatedAt = s.now().UTC()
	return s.saveKBGroup(ctx, sectionLevel, tid, kbGroup{model: sec, id: &sec.ID, parentID: sec.CategoryID, all: sec.AllSites, sites: sec.SiteIDs}, false)
}

// DeleteKBSection implements svcportal.KBStore.
func (s *Store) DeleteKBSection(ctx context.Context, id int64) error {
	return s.deleteKBGroup(ctx, sectionLevel, id)
}

// kbTables names the table of each level, for SetKBPositions.
var kbTables = map[string]string{
	svcportal.KBLevelCategory: "kb_categories", svcportal.KBLevelSection: "kb_sections", svcportal.KBLevelArticle: "kb_articles",
}

// SetKBPositions implements svcportal.KBStore.
func (s *Store) SetKBPositions(ctx context.Context, positions svcportal.KBPositions) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	for level := range positions {
		if _, ok := kbTables[level]; !ok {
			return fmt.Errorf("store: no knowledge-base level %q", level)
		}
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for level, ps := range positions {
			for id, pos := range ps {
				res, err := tx.NewUpdate().Table(kbTables[level]).Set("position = ?", pos).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
				if err != nil {
					return fmt.Errorf("position of kb %s %d: %w", level, id, err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return svcportal.ErrNotFound()
				}
			}
		}
		return nil
	})
}

// CreateKBArticle implements svcportal.KBStore.
func (s *Store) CreateKBArticle(ctx context.Context, a *svcportal.KBArticle) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a.TenantID, a.CreatedAt, a.UpdatedAt, a.Views, a.Votes = tid, now, now, 0, svcportal.KBVotes{}
	a.PublishedAt = nil
	if a.State == svcportal.KBPublished {
		a.PublishedAt = &now
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwned(ctx, tx, (*svcportal.KBSection)(nil), a.SectionID, tid, "section_id"); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("insert kb article: %w", err)
		}
		if err := s.saveArticleParts(ctx, tx, tid, a); err != nil {
			return err
		}
		if err := s.queueSearch(ctx, tx, tid, a.ID); err != nil {
			return err
		}
		return s.fillArticles(ctx, tx, tid, []*svcportal.KBArticle{a})
	})
}

// saveArticleParts replaces an article's translations and reach.
func (s *Store) saveArticleParts(ctx context.Context, tx bun.IDB, tid int64, a *svcportal.KBArticle) error {
	if _, err := tx.NewDelete().Model((*svcportal.KBTranslation)(nil)).Where("article_id = ?", a.ID).Exec(ctx); err != nil {
		return err
	}
	now := s.now().UTC()
	for loc, tr := range a.Translations {
		tr.ArticleID, tr.Locale, tr.UpdatedAt = a.ID, loc, now
		if tr.Keywords == nil {
			tr.Keywords = []string{}
		}
		if _, err := tx.NewInsert().Model(&tr).Exec(ctx); err != nil {
			return fmt.Errorf("insert kb translation %d/%s: %w", a.ID, loc, err)
		}
	}
	return setReach(ctx, tx, tid, reachArticle, a.ID, a.AllSites, a.SiteIDs)
}

// KBArticle implements svcportal.KBStore.
func (s *Store) KBArticle(ctx context.Context, id int64) (*svcportal.KBArticle, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	as, err := s.kbArticles(ctx, s.db, tid, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("id = ?", id) })
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &as[0], nil
}

// KBArticles implements svcportal.KBStore.
func (s *Store) KBArticles(ctx context.Context, f svcportal.KBArticleFilter) ([]svcportal.KBArticle, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return s.kbArticles(ctx, s.db, tid, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.SectionID != 0 {
			q = q.Where("section_id = ?", f.SectionID)
		}
		if f.CategoryID != 0 {
			q = q.Where("section_id IN (SELECT id FROM kb_sections WHERE category_id = ? AND tenant_id = ?)", f.CategoryID, tid)
		}
		if f.State != "" {
			q = q.Where("state = ?", f.State)
		}
		if len(f.IDs) > 0 {
			q = q.Where("id IN (?)", bun.In(f.IDs))
		}
		return q
	})
}

func (s *Store) kbArticles(ctx context.Context, db bun.IDB, tid int64, where func(*bun.SelectQuery) *bun.SelectQuery) ([]svcportal.KBArticle, error) {
	as := []svcportal.KBArticle{}
	if err := where(db.NewSelect().Model(&as).Where("tenant_id = ?", tid)).Order("position", "id").Scan(ctx); err != nil {
		return nil, err
	}
	ptrs := pointers(as)
	return as, s.fillArticles(ctx, db, tid, ptrs)
}

type voteCount struct {
	ArticleID  int64 `bun:"article_id"`
	Helpful    int   `bun:"helpful"`
	NotHelpful int   `bun:"not_helpful"`
}

// pointers points at each of as.
func pointers(as []svcportal.KBArticle) []*svcportal.KBArticle {
	ptrs := make([]*svcportal.KBArticle, len(as))
	for i := range as {
		ptrs[i] = &as[i]
	}
	return ptrs
}

// reachArticles sets the sites, category and effective reach of articles
// of one tenant (each with its ID, SectionID and AllSites).
func reachArticles(ctx context.Context, db bun.IDB, tid int64, as []*svcportal.KBArticle) error {
	var ids []int64
	if len(as) <= maxReachIDs {
		ids = make([]int64, len(as))
		for i, a := range as {
			ids[i] = a.ID
		}
	}
	reach, err := loadReach(ctx, db, tid, ids)
	if err != nil {
		return err
	}
	var secs []svcportal.KBSection
	if err := db.NewSelect().Model(&secs).Column("id", "category_id", "all_sites").Where("tenant_id = ?", tid).Scan(ctx); err != nil {
		return err
	}
	var cats []svcportal.KBCategory
	if err := db.NewSelect().Model(&cats).Column("id", "all_sites").Where("tenant_id = ?", tid).Scan(ctx); err != nil {
		return err
	}
	catReach := map[int64]svcportal.KBReach{}
	for _, c := range cats {
		catReach[c.ID] = svcportal.ReachOf(c.AllSites, reach.sites(reachCategory, c.ID))
	}
	secReach, secCat := map[int64]svcportal.KBReach{}, map[int64]int64{}
	for _, sec := range secs {
		secCat[sec.ID] = sec.CategoryID
		secReach[sec.ID] = catReach[sec.CategoryID].Narrow(svcportal.ReachOf(sec.AllSites, reach.sites(reachSection, sec.ID)))
	}
	for _, a := range as {
		a.SiteIDs = reach.sites(reachArticle, a.ID)
		a.CategoryID = secCat[a.SectionID]
		a.Reach = secReach[a.SectionID].Narrow(svcportal.ReachOf(a.AllSites, a.SiteIDs))
	}
	return nil
}

// fillArticles loads translations, votes, sites, category and effective
// reach of articles of one tenant.
func (s *Store) fillArticles(ctx context.Context, db bun.IDB, tid int64, as []*svcportal.KBArticle) error {
	if len(as) == 0 {
		return nil
	}
	if err := reachArticles(ctx, db, tid, as); err != nil {
		return err
	}
	return fillTranslations(ctx, db, as)
}

// fillTranslations loads the translations of articles, by chunks of ids
// (either database limits a statement's values). Their votes came with
// them: each vote keeps its article's counts (recountVotes).
func fillTranslations(ctx context.Context, db bun.IDB, as []*svcportal.KBArticle) error {
	byID := make(map[int64]*svcportal.KBArticle, len(as))
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		byID[a.ID] = a
		ids = append(ids, a.ID)
		a.Translations = map[string]svcportal.KBTranslation{}
	}
	for chunk := range slices.Chunk(ids, maxReachIDs) {
		var trs []svcportal.KBTranslation
		if err := db.NewSelect().Model(&trs).Where("article_id IN (?)", bun.In(chunk)).Scan(ctx); err != nil {
			return err
		}
		for _, tr := range trs {
			byID[tr.ArticleID].Translations[tr.Locale] = tr
		}
	}
	return nil
}

// UpdateKBArticle implements svcportal.KBStore.
func (s *Store) UpdateKBArticle(ctx context.Context, a *svcportal.KBArticle) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a.UpdatedAt = now
	switch {
	case a.State != svcportal.KBPublished:
		a.PublishedAt = nil
	case a.PublishedAt == nil:
		a.PublishedAt = &now
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwned(ctx, tx, (*svcportal.KBSection)(nil), a.SectionID, tid, "section_id"); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(a).Column("section_id", "position", "state", "all_sites", "updated_at", "published_at").
			Where("id = ? AND tenant_id = ?", a.ID, tid).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update kb article %d: %w", a.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		if err := s.saveArticleParts(ctx, tx, tid, a); err != nil {
			return err
		}
		if err := s.queueSearch(ctx, tx, tid, a.ID); err != nil {
			return err
		}
		// What readers' views and votes keep, the article as it is now.
		if err := tx.NewSelect().Model(a).Column("views", "votes_helpful", "votes_not_helpful").Where("id = ?", a.ID).Scan(ctx); err != nil {
			return err
		}
		return s.fillArticles(ctx, tx, tid, []*svcportal.KBArticle{a})
	})
}

// DeleteKBArticle implements svcportal.KBStore.
func (s *Store) DeleteKBArticle(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*svcportal.KBArticle)(nil)).Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return svcportal.ErrNotFound()
		}
		if err := deleteReach(ctx, tx, reachArticle, id); err != nil {
			return err
		}
		return s.queueSearch(ctx, tx, tid, id)
	})
}

// KBSites implements svcportal.KBStore.
func (s *Store) KBSites(ctx context.Context) ([]int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []int64{}
	p := s.params()
	q := s.db.NewSelect().Model((*svcportal.Site)(nil)).Column("id").Where("tenant_id = ? AND kb_enabled", p.v(tid)).Order("id")
	return out, scanBound(ctx, s.db, q.String(), p, &out)
}

// KBArticleCounts implements svcportal.KBStore: one grouped count, not
// the articles (an overview of 10,000 articles read them all, bodies
// included).
func (s *Store) KBArticleCounts(ctx context.Context) ([]svcportal.KBArticleCount, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := []svcportal.KBArticleCount{}
	err = s.db.NewSelect().TableExpr("kb_articles").ColumnExpr("section_id, state, COUNT(*) AS articles").
		Where("tenant_id = ?", tid).GroupExpr("section_id, state").OrderExpr("section_id, state").Scan(ctx, &out)
	return out, err
}

// KBReadable implements svcportal.KBStore.
func (s *Store) KBReadable(ctx context.Context, scope svcportal.KBScope) ([]svcportal.KBArticle, error) {
	as, err := s.readable(ctx, scope, svcportal.KBIndexFilter{}, nil, true)
	if err != nil {
		return nil, err
	}
	return as, fillTranslations(ctx, s.db, pointers(as))
}

// KBReadableIndex implements svcportal.KBStore.
func (s *Store) KBReadableIndex(ctx context.Context, scope svcportal.KBScope, f svcportal.KBIndexFilter) ([]svcportal.KBArticle, error) {
	return s.readable(ctx, scope, f, nil, false)
}

// KBReadableCounts implements svcportal.KBStore.
func (s *Store) KBReadableCounts(ctx context.Context, scope svcportal.KBScope, f svcportal.KBIndexFilter) (map[int64]int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	p := s.params()
	q, ok := s.readableQuery(p, tid, scope, f, nil)
	if !ok {
		return out, nil
	}
	var rows []struct {
		SectionID int64 `bun:"section_id"`
		Articles  int   `bun:"articles"`
	}
	q = q.ColumnExpr("?TableAlias.section_id, COUNT(*) AS articles").GroupExpr("?TableAlias.section_id")
	if err := scanBound(ctx, s.db, q.String(), p, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.SectionID] = r.Articles
	}
	return out, nil
}

// KBMostRead implements svcportal.KBStore.
func (s *Store) KBMostRead(ctx context.Context, scope svcportal.KBScope, n int) ([]svcportal.KBArticle, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	as := []svcportal.KBArticle{}
	p := s.params()
	q, ok := s.readableQuery(p, tid, scope, svcportal.KBIndexFilter{}, nil)
	if !ok || n <= 0 {
		return as, nil
	}
	q = q.Model(&as).Column(indexColumns...).
		OrderExpr("?TableAlias.views DESC, ?TableAlias.votes_helpful - ?TableAlias.votes_not_helpful DESC").
		OrderExpr("kc.position, kc.id, ks.position, ks.id, ?TableAlias.position, ?TableAlias.id").
		Limit(int64(n))
	return as, scanBound(ctx, s.db, q.String(), p, &as)
}

// indexColumns are the columns of an article that lists show and order
// by (KBReadableIndex).
var indexColumns = []string{"id", "tenant_id", "section_id", "position", "state", "all_sites", "views", "votes_helpful", "votes_not_helpful"}

// readable reads the published articles of f (and among ids, when not
// nil) that the reader of scope may read (readableWhere), in order; every
// column and their reach when all, else what lists show and order by, not
// the times, whose parsing was a tenth of a help center's page.
func (s *Store) readable(ctx context.Context, scope svcportal.KBScope, f svcportal.KBIndexFilter, ids []int64, all bool) ([]svcportal.KBArticle, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	as := []svcportal.KBArticle{}
	if ids != nil && len(ids) == 0 {
		return as, nil
	}
	p := s.params()
	q, ok := s.readableQuery(p, tid, scope, f, ids)
	if !ok {
		return as, nil
	}
	q = q.Model(&as).OrderExpr("?TableAlias.position, ?TableAlias.id")
	if !all {
		q = q.Column(indexColumns...)
	}
	if f.PerSection > 0 {
		// Each article's rank in its section, in the same order.
		ranked := q.ColumnExpr("ROW_NUMBER() OVER (PARTITION BY ?TableAlias.section_id ORDER BY ?TableAlias.position, ?TableAlias.id) AS x_rank")
		q = s.db.NewSelect().Model(&as).ModelTableExpr("(?) AS ?TableAlias", ranked).Column(indexColumns...).
			Where("x_rank <= ?", p.v(int64(f.PerSection))).OrderExpr("?TableAlias.position, ?TableAlias.id")
	}
	if err := scanBound(ctx, s.db, q.String(), p, &as); err != nil {
		return nil, err
	}
	if !all {
		return as, nil
	}
	return as, reachArticles(ctx, s.db, tid, pointers(as))
}

// readableQuery selects from kb_articles, joined to their section (ks)
// and category (kc), the published articles of f (and among ids, when not
// nil) that the reader of scope may read; ok is false when they may read
// none.
func (s *Store) readableQuery(p *params, tid int64, scope svcportal.KBScope, f svcportal.KBIndexFilter, ids []int64) (q *bun.SelectQuery, ok bool) {
	if scope.Empty() {
		return nil, false
	}
	tenant := "?TableAlias.tenant_id = ?"
	if ids != nil {
		// The articles named, by their key: without statistics SQLite
		// took the tenant's index and read every article of the tenant
		// (0.7 ms at 10,000 articles, for a search's few hits); the "+"
		// keeps it off that index.
		tenant = "+?TableAlias.tenant_id = ?"
	}
	q = s.db.NewSelect().Model((*svcportal.KBArticle)(nil)).
		Join("JOIN kb_sections AS ks ON ks.id = ?TableAlias.section_id").
		Join("JOIN kb_categories AS kc ON kc.id = ks.category_id").
		Where(tenant+" AND ?TableAlias.state = ?", p.v(tid), p.v(svcportal.KBPublished))
	q = readableWhere(q, p, tid, scope)
	if ids != nil {
		q = q.Where("?TableAlias.id IN (?)", bun.In(p.vs(int64sToAny(ids)...)))
	}
	switch {
	case f.SectionID != 0:
		q = q.Where("ks.id = ?", p.v(f.SectionID))
	case f.CategoryID != 0:
		q = q.Where("kc.id = ?", p.v(f.CategoryID))
	case f.ArticleID != 0:
		q = q.Where(`kc.id = (SELECT s.category_id FROM kb_articles AS a JOIN kb_sections AS s ON s.id = a.section_id
			WHERE a.id = ? AND a.tenant_id = ?)`, p.v(f.ArticleID), p.v(tid))
	}
	return q, true
}

// readableWhere limits q (kb_articles, with ks and kc, see readableQuery)
// to the articles that a reader of scope (not empty) may read. An
// article's reach is its category's, narrowed by its section's, narrowed
// by its own (svcportal.KBReach.Narrow): every site when all three are
// for every site, else the sites all three allow. A reader of scope may
// read the first kind when the knowledge base is public or one of their
// sites has it enabled, and the second when one of those sites is
// allowed: each level is for every site or holds a reach row for that
// same site, a probe of kb_reach's key. So the rule runs in the database,
// which counts and orders the readable articles without sending them all
// (the help center's home reads one row per section), and the sites of
// scope are checked there too (the tenant's, the knowledge base
// enabled), in the same statement.
func readableWhere(q *bun.SelectQuery, p *params, tid int64, scope svcportal.KBScope) *bun.SelectQuery {
	everyone := "?TableAlias.all_sites AND ks.all_sites AND kc.all_sites"
	if len(scope.SiteIDs) == 0 { // a visitor of a public knowledge base
		return q.Where(everyone)
	}
	sites := func(alias string) string {
		return "SELECT 1 FROM sites AS " + alias + " WHERE " + alias + ".tenant_id = ? AND " + alias + ".kb_enabled AND " + alias + ".id IN (?)"
	}
	level := func(kind, object string) string {
		return "(" + object + ".all_sites OR EXISTS (SELECT 1 FROM kb_reach AS r WHERE r.kind = '" + kind +
			"' AND r.object_id = " + object + ".id AND r.site_id = rs.id))"
	}
	reached := "EXISTS (" + sites("rs") + " AND " + level(reachCategory, "kc") + " AND " + level(reachSection, "ks") + " AND " +
		level(reachArticle, "?TableAlias") + ")"
	if scope.Public {
		return q.Where("(("+everyone+") OR "+reached+")", p.v(tid), bun.In(p.vs(int64sToAny(scope.SiteIDs)...)))
	}
	return q.Where("(("+everyone+" AND EXISTS ("+sites("es")+")) OR "+reached+")",
		p.v(tid), bun.In(p.vs(int64sToAny(scope.SiteIDs)...)), p.v(tid), bun.In(p.vs(int64sToAny(scope.SiteIDs)...)))
}

// KBReadableArticle implements svcportal.KBStore.
func (s *Store) KBReadableArticle(ctx context.Context, id int64, scope svcportal.KBScope) (*svcportal.KBArticle, error) {
	as, err := s.readable(ctx, scope, svcportal.KBIndexFilter{}, []int64{id}, true)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, svcportal.ErrNotFound()
	}
	return &as[0], fillTranslations(ctx, s.db, pointers(as))
}

// VoteKBArticle implements svcportal.KBStore.
func (s *Store) VoteKBArticle(ctx context.Context, articleID, contactID int64, helpful bool) (svcportal.KBVotes, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return svcportal.KBVotes{}, err
	}
	var votes svcportal.KBVotes
	err = s.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkOwned(ctx, tx, (*svcportal.KBArticle)(nil), articleID, tid, "id"); err != nil {
			return svcportal.ErrNotFound()
		}
		if err := checkOwned(ctx, tx, (*svcportal.Contact)(nil), contactID, tid, "contact_id"); err != nil {
			return svcportal.ErrNotFound()
		}
		_, err := tx.NewInsert().Model(&kbVote{ArticleID: articleID, ContactID: contactID, Helpful: helpful, VotedAt: s.now().UTC()}).
			On("CONFLICT (article_id, contact_id) DO UPDATE").
			Set("helpful = EXCLUDED.helpful, voted_at = EXCLUDED.voted_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("vote on kb article %d: %w", articleID, err)
		}
		votes, err = s.recountVotes(ctx, tx, tid, articleID)
		return err
	})
	return votes, err
}

// recountVotes counts an article's votes again, after a change of them
// in tx: the article keeps its counts for the dashboard's ranking, and
// its helpfulness ranks search hits, so its index entry is queued.
func (s *Store) recountVotes(ctx context.Context, tx bun.Tx, tid, articleID int64) (svcportal.KBVotes, error) {
	var c voteCount
	err := tx.NewSelect().TableExpr("kb_votes").
		ColumnExpr("COALESCE(SUM(CASE WHEN helpful THEN 1 ELSE 0 END), 0) AS helpful").
		ColumnExpr("COALESCE(SUM(CASE WHEN helpful THEN 0 ELSE 1 END), 0) AS not_helpful").
		Where("article_id = ?", articleID).Scan(ctx, &c)
	if err != nil {
		return svcportal.KBVotes{}, err
	}
	if _, err = tx.NewUpdate().Model((*svcportal.KBArticle)(nil)).
		Set("votes_helpful = ?, votes_not_helpful = ?", c.Helpful, c.NotHelpful).Where("id = ?", articleID).Exec(ctx); err != nil {
		return svcportal.KBVotes{}, err
	}
	return svcportal.KBVotes{Helpful: c.Helpful, NotHelpful: c.NotHelpful}, s.queueSearch(ctx, tx, tid, articleID)
}

// KBVoteOf implements svcportal.KBStore.
func (s *Store) KBVoteOf(ctx context.Context, articleID, contactID int64) (*bool, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var helpful []bool
	err = s.db.NewSelect().Model((*kbVote)(nil)).Column("helpful").
		Where("article_id = ? AND contact_id = ?", articleID, contactID).
		Where("article_id IN (SELECT id FROM kb_articles WHERE tenant_id = ?)", tid).Scan(ctx, &helpful)
	if err != nil || len(helpful) == 0 {
		return nil, err
	}
	return &helpful[0], nil
}

// CountKBView implements svcportal.KBStore.
func (s *Store) CountKBView(ctx context.Context, id int64) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	_, err = s.w.NewUpdate().Model((*svcportal.KBArticle)(nil)).Set("views = views + 1").
		Where("id = ? AND tenant_id = ?", id, tid).Exec(ctx)
	return err
}

// KBReadableTitles implements svcportal.KBStore: the readable articles
// among ids joined to their titles — not their bodies, which a search's
// hits do not show.
func (s *Store) KBReadableTitles(ctx context.Context, ids []int64, scope svcportal.KBScope) (map[int64]map[string]string, error) {
	out := map[int64]map[string]string{}
	tid, err := tenantID(ctx)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	p := s.params()
	q, ok := s.readableQuery(p, tid, scope, svcportal.KBIndexFilter{}, ids)
	if !ok {
		return out, nil
	}
	var rows []struct {
		ArticleID int64  `bun:"article_id"`
		Locale    string `bun:"locale"`
		Title     string `bun:"title"`
	}
	q = q.Join("JOIN kb_translations AS tr ON tr.article_id = ?TableAlias.id").ColumnExpr("tr.article_id, tr.locale, tr.title")
	if err := scanBound(ctx, s.db, q.String(), p, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.ArticleID] == nil {
			out[r.ArticleID] = map[string]string{}
		}
		out[r.ArticleID][r.Locale] = r.Title
	}
	return out, nil
}
