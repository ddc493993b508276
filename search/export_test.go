package search

import (
	"context"

	"github.com/svcportal/svcportal"
)

// SearchAnew runs q against the index without what it remembers: the
// cost of a search typed for the first time.
func (b *Bleve) SearchAnew(ctx context.Context, q svcportal.ArticleQuery) ([]svcportal.ArticleHit, error) {
	return b.search(ctx, q)
}
