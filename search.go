package svcportal

import "context"

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
// one of SiteIDs (the reader's sites with the knowledge base enabled; none
// means no hits), in Lang, or in Fallback for articles without a
// translation in Lang.
type ArticleQuery struct {
	TenantID int64
	SiteIDs  []int64
	Lang     string
	Fallback string // the tenant's default locale; "" for no fallback
	Text     string // words; the last one is also matched as a prefix
	Limit    int    // 10 when 0
}

// ArticleHit is one search result.
type ArticleHit struct {
	ArticleID int64   `json:"id"`
	Title     string  `json:"title"`
	Excerpt   string  `json:"excerpt"`
	Locale    string  `json:"locale"` // language of title and excerpt
	Score     float64 `json:"score"`
}

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
