package testkit

import (
	"context"
	"testing"

	"github.com/svcportal/svcportal"
)

// KBCategory creates a knowledge-base category named name (in English)
// of the context tenant, for every site or only for sites.
func KBCategory(ctx context.Context, t testing.TB, st svcportal.KBStore, name string, sites ...*svcportal.Site) *svcportal.KBCategory {
	t.Helper()
	c := &svcportal.KBCategory{Names: map[string]string{"en": name}, AllSites: len(sites) == 0, SiteIDs: siteIDs(sites)}
	if err := c.Validate("en"); err != nil {
		t.Fatalf("category %s: %v", name, err)
	}
	if err := st.CreateKBCategory(ctx, c); err != nil {
		t.Fatalf("create category %s: %v", name, err)
	}
	return c
}

// KBSection creates a section of category c, for every site of the
// category or only for sites.
func KBSection(ctx context.Context, t testing.TB, st svcportal.KBStore, c *svcportal.KBCategory, name string, sites ...*svcportal.Site) *svcportal.KBSection {
	t.Helper()
	s := &svcportal.KBSection{CategoryID: c.ID, Names: map[string]string{"en": name}, AllSites: len(sites) == 0, SiteIDs: siteIDs(sites)}
	if err := s.Validate("en"); err != nil {
		t.Fatalf("section %s: %v", name, err)
	}
	if err := st.CreateKBSection(ctx, s); err != nil {
		t.Fatalf("create section %s: %v", name, err)
	}
	return s
}

// KBArticle creates an article in section s with an English title and
// body, in state, for every site of the section or only for sites.
func KBArticle(ctx context.Context, t testing.TB, st svcportal.KBStore, s *svcportal.KBSection, state, title, body string, sites ...*svcportal.Site) *svcportal.KBArticle {
	t.Helper()
	return KBArticleIn(ctx, t, st, s, state, map[string]svcportal.KBTranslation{"en": {Title: title, Body: body}}, sites...)
}

// KBArticleIn is KBArticle with translations of the caller's choosing
// (one in English is required).
func KBArticleIn(ctx context.Context, t testing.TB, st svcportal.KBStore, s *svcportal.KBSection, state string, trs map[string]svcportal.KBTranslation, sites ...*svcportal.Site) *svcportal.KBArticle {
	t.Helper()
	a := &svcportal.KBArticle{SectionID: s.ID, State: state, AllSites: len(sites) == 0, SiteIDs: siteIDs(sites), Translations: trs}
	if err := a.Validate("en"); err != nil {
		t.Fatalf("article: %v", err)
	}
	if err := st.CreateKBArticle(ctx, a); err != nil {
		t.Fatalf("create article: %v", err)
	}
	return a
}

func siteIDs(sites []*svcportal.Site) []int64 {
	ids := []int64{}
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	return ids
}
