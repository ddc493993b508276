package kb

import (
	"context"
	"slices"
	"sync"

	"github.com/svcportal/svcportal"
)

// follower applies the search queue to the index.
type follower struct {
	mu    sync.Mutex // one application at a time in this process
	holds func() bool
}

// queueBatch is how many queued changes one round applies.
const queueBatch = 500

// follow applies the queue right after a change when this process holds
// the index, so that its own changes are searchable at once; a failure
// leaves the change queued for the next attempt.
func (s *Service) follow(ctx context.Context) {
	if !s.holds() {
		return
	}
	if _, err := s.ApplyQueue(ctx, nil); err != nil {
		s.log.ErrorContext(ctx, "search index update failed; it stays queued", "err", err)
	}
}

// QueueRebuild asks for every tenant's articles to be indexed again and
// returns the id of the last change queued (see ApplyQueue, and
// Store.SearchQueuedUpTo to wait for it).
func (s *Service) QueueRebuild(ctx context.Context) (int64, error) {
	return s.st.QueueTenantRebuild(ctx)
}

// ApplyQueue applies every queued change to the index and removes it from
// the queue, telling progress (when not nil) how far each tenant rebuild
// is; it returns how many changes it applied. Only the holder of the index
// calls it (the "search-index" lease, see app).
func (s *Service) ApplyQueue(ctx context.Context, progress func(tenant string, done, total int)) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if progress == nil {
		progress = func(string, int, int) {}
	}
	applied := 0
	for {
		batch, err := s.st.SearchQueue(ctx, queueBatch)
		if err != nil || len(batch) == 0 {
			return applied, err
		}
		if err := s.applyBatch(ctx, batch, progress); err != nil {
			return applied, err
		}
		ids := make([]int64, 0, len(batch))
		for _, c := range batch {
			ids = append(ids, c.ID)
		}
		if err := s.st.SearchQueueDone(ctx, ids...); err != nil {
			return applied, err
		}
		applied += len(batch)
	}
}

// applyBatch indexes again, from the database as it is now, every article
// the batch names. A tenant's rebuild covers its other changes of the
// batch: it reads everything they committed.
func (s *Service) applyBatch(ctx context.Context, batch []svcportal.SearchChange, progress func(string, int, int)) error {
	tenants, err := s.st.Tenants(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*svcportal.Tenant{}
	for i := range tenants {
		byID[tenants[i].ID] = &tenants[i]
	}
	rebuild := map[int64]bool{}
	articles := map[int64][]int64{}
	order := []int64{}
	for _, c := range batch {
		if _, ok := articles[c.TenantID]; !ok && !rebuild[c.TenantID] {
			order = append(order, c.TenantID)
		}
		if c.ArticleID == 0 {
			rebuild[c.TenantID] = true
		} else if !slices.Contains(articles[c.TenantID], c.ArticleID) {
			articles[c.TenantID] = append(articles[c.TenantID], c.ArticleID)
		}
	}
	for _, tid := range order {
		t, ok := byID[tid]
		if !ok {
			continue // deleted since: its rows went with it
		}
		tctx := svcportal.WithTenant(ctx, t)
		if rebuild[tid] {
			err = s.rebuildTenant(tctx, t, progress)
		} else {
			err = s.indexArticles(tctx, t, articles[tid])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// indexArticles indexes articles of t as saved, and removes from the
// index those that are gone.
func (s *Service) indexArticles(ctx context.Context, t *svcportal.Tenant, ids []int64) error {
	arts, err := s.st.KBArticles(ctx, svcportal.KBArticleFilter{IDs: ids})
	if err != nil {
		return err
	}
	docs := make([]svcportal.ArticleDoc, 0, len(arts))
	found := map[int64]bool{}
	for i := range arts {
		docs = append(docs, svcportal.DocOf(&arts[i]))
		found[arts[i].ID] = true
	}
	var gone []int64
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		if err := s.idx.Delete(ctx, t.ID, gone...); err != nil {
			return err
		}
	}
	if len(docs) == 0 {
		return nil
	}
	return s.idx.Index(ctx, docs...)
}

// rebuildTenant clears t's part of the index and fills it again.
func (s *Service) rebuildTenant(ctx context.Context, t *svcportal.Tenant, progress func(string, int, int)) error {
	arts, err := s.st.KBArticles(ctx, svcportal.KBArticleFilter{})
	if err != nil {
		return err
	}
	if err := s.idx.Clear(ctx, t.ID); err != nil {
		return err
	}
	progress(t.Slug, 0, len(arts))
	for start := 0; start < len(arts); start += 200 {
		end := min(start+200, len(arts))
		docs := make([]svcportal.ArticleDoc, 0, end-start)
		for j := start; j < end; j++ {
			docs = append(docs, svcportal.DocOf(&arts[j]))
		}
		if err := s.idx.Index(ctx, docs...); err != nil {
			return err
		}
		progress(t.Slug, end, len(arts))
	}
	return nil
}
