package svcportal

import (
	"context"
	"errors"
)

// ArticleDoc is what the search index holds of one article: every
// translation, its effective reach and helpfulness. An index keeps only
// published articles: indexing a draft removes it.
type ArticleDoc struct {
	TenantID     int64
	ArticleID    int64
	Published    bool
	Reach        KBReach
	Votes        KBVotes
	Translations map[string]KBTranslation // by locale
}

// DocOf is the search document of a loaded article.
func DocOf(a *KBArticle) ArticleDoc {
	return ArticleDoc{TenantID: a.TenantID, ArticleID: a.ID, Published: a.State == KBPublished,
		Reach: a.Reach, Votes: a.Votes, Translations: a.Translations}
}

// ArticleQuery is one search. Scope is part of every query and is applied
// inside the index: only TenantID's published articles reachable through
// one of SiteIDs (the reader's sites with the knowledge base enabled) or,
// when Public, those for every site (what anyone may read of a public
// knowledge base; no sites and not Public means no hits), in Lang, or in
// Fallback for articles without a translation in Lang.
type ArticleQuery struct {
	TenantID int64
	SiteIDs  []int64
	Public   bool
	Lang     string
	Fallback string // the tenant's default locale; "" for no fallback
	Text     string // words; the last one is also matched as a prefix
	Limit    int    // 10 when 0
}

// NoScope reports whether q's scope admits nothing: no tenant, no sites
// and not public, or not a language of ours. Indexes answer no hits then.
func (q ArticleQuery) NoScope() bool {
	return q.TenantID == 0 || len(q.SiteIDs) == 0 && !q.Public || !IsLocale(q.Lang)
}

// ArticleHit is one search result.
type ArticleHit struct {
	ArticleID int64   `json:"id"`
	Title     string  `json:"title"`
	Slug      string  `json:"slug"` // of the title, for its address (KBArticlePath)
	Excerpt   string  `json:"excerpt"`
	Locale    string  `json:"locale"` // language of title and excerpt
	Score     float64 `json:"score"`
}

// Path is the address of the hit's article.
func (h ArticleHit) Path() string { return KBArticlePath(h.ArticleID, h.Slug) }

// ArticleIndex is the full-text index of knowledge-base articles, behind
// which sit the embedded index and the Typesense adapter. It never
// decides visibility from anything but the query's scope.
type ArticleIndex interface {
	// Index adds or replaces articles (all their translations); a doc
	// that is not published is removed instead.
	Index(ctx context.Context, docs ...ArticleDoc) error
	// Delete removes articles of a tenant; absent ones are no error.
	Delete(ctx context.Context, tenantID int64, articleIDs ...int64) error
	// Clear removes every article of a tenant, before a rebuild.
	Clear(ctx context.Context, tenantID int64) error
	// Search returns hits ranked by relevance, then helpfulness.
	Search(ctx context.Context, q ArticleQuery) ([]ArticleHit, error)
}

// SearchChange is one queued change of the search index: article
// ArticleID of TenantID is to be indexed again from the database (or
// removed, when it is gone or unpublished); ArticleID 0 asks for a
// rebuild of the whole tenant.
type SearchChange struct {
	ID        int64
	TenantID  int64
	ArticleID int64
}

// SearchQueueStore is the queue through which the index follows the
// database. The knowledge-base store methods add to it in the transaction
// of each change; whichever process holds the index applies it.
type SearchQueueStore interface {
	// SearchQueue returns up to limit changes, oldest first.
	SearchQueue(ctx context.Context, limit int) ([]SearchChange, error)
	// SearchQueueDone removes applied changes.
	SearchQueueDone(ctx context.Context, ids ...int64) error
	// SearchQueueLen counts the changes not yet applied.
	SearchQueueLen(ctx context.Context) (int, error)
	// QueueTenantRebuild asks for a rebuild of the articles of tenantIDs
	// (none: of every tenant, `portal reindex`) and returns the id of the
	// last change queued.
	QueueTenantRebuild(ctx context.Context, tenantIDs ...int64) (int64, error)
}

// ErrIndexElsewhere is what an index answers in a process that may not
// open it: the embedded index is held by another process of the
// installation. The knowledge base then matches words in the database.
var ErrIndexElsewhere = errors.New("search: the embedded index is held by another process of this installation")
