package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/tickets"
)

func TestLoadDemo_KnowledgeBase(t *testing.T) {
	st := testkit.Store(t)
	pol := policies.New(st)
	ts := tenants.New(st, "localhost", tenants.WithSetup(pol.SeedDefaults))
	index, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer index.Close()
	kbs := kb.New(st, index, nil)
	ctx := context.Background()
	if err := loadDemo(ctx, st, ts, pol, tickets.New(st, pol, time.Now), kbs, func(string) {}); err != nil {
		t.Fatal(err)
	}
	reader := func(slug, email string) (context.Context, *svcportal.Principal) {
		t.Helper()
		tn, err := st.TenantBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		tctx := svcportal.WithTenant(ctx, tn)
		c, err := st.ContactByEmail(tctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tctx, &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c}
	}
	titles := func(tctx context.Context, p *svcportal.Principal, lang string) []string {
		t.Helper()
		tree, err := kbs.Tree(tctx, p, lang, svcportal.KBTreeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range tree {
			for _, s := range c.Sections {
				for _, a := range s.Articles {
					out = append(out, a.Title)
				}
			}
		}
		return out
	}
	for _, c := range []struct {
		slug, email, lang string
		want              []string
	}{
		{"acme", "peter@initech.test", "en", []string{"Reset your password", "Add a network printer"}},
		{"acme", "alice@umbrella.test", "en", []string{"Reset your password", "Add a network printer", "Connect to the Umbrella lab VPN"}},
		{"acme", "alice@umbrella.test", "it", []string{"Reimpostare la password", "Aggiungere una stampante di rete", "Collegarsi alla VPN del laboratorio Umbrella"}},
		{"globex", "gavin@hooli.test", "fr", []string{"Réinitialiser votre mot de passe", "Ajouter une imprimante réseau"}},
	} {
		t.Run(c.email+" in "+c.lang, func(t *testing.T) {
			tctx, p := reader(c.slug, c.email)
			if got := titles(tctx, p, c.lang); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	// Each language has its own keywords (they were the English ones in
	// every language), and a demo loaded by that version is mended by
	// loading it again.
	keywords := func(tctx context.Context, p *svcportal.Principal, lang string) map[string][]string {
		t.Helper()
		out := map[string][]string{}
		tree, err := kbs.Tree(tctx, p, lang, svcportal.KBTreeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tree {
			for _, s := range c.Sections {
				for _, l := range s.Articles {
					a, err := kbs.Article(tctx, p, l.ID, lang)
					if err != nil {
						t.Fatal(err)
					}
					out[a.Title] = a.Keywords
				}
			}
		}
		return out
	}
	wantFR := map[string][]string{"Réinitialiser votre mot de passe": {"mot de passe", "connexion", "réinitialiser"},
		"Ajouter une imprimante réseau": {"imprimante", "réseau"}}
	t.Run("keywords in the reader's language", func(t *testing.T) {
		tctx, p := reader("globex", "gavin@hooli.test")
		if got := keywords(tctx, p, "fr"); fmt.Sprint(got) != fmt.Sprint(wantFR) {
			t.Errorf("French keywords: got %v, want %v", got, wantFR)
		}
		for _, lang := range []string{"de", "es", "it"} {
			for title, kws := range keywords(tctx, p, lang) {
				if slices.Contains(kws, "login") || slices.Contains(kws, "network") || slices.Contains(kws, "printer") {
					t.Errorf("%s article %q has English keywords %v", lang, title, kws)
				}
			}
		}
	})
	t.Run("a demo with English keywords everywhere is mended", func(t *testing.T) {
		tctx, p := reader("globex", "gavin@hooli.test")
		arts, err := kbs.KBArticles(tctx, svcportal.KBArticleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			for l, tr := range a.Translations {
				tr.Keywords = a.Translations["en"].Keywords
				a.Translations[l] = tr
			}
			if err := kbs.UpdateArticle(tctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		if got := keywords(tctx, p, "fr"); fmt.Sprint(got) == fmt.Sprint(wantFR) {
			t.Fatalf("the articles were not reset to English keywords: %v", got)
		}
		if err := loadDemo(ctx, st, ts, pol, tickets.New(st, pol, time.Now), kbs, func(string) {}); err != nil {
			t.Fatal(err)
		}
		if got := keywords(tctx, p, "fr"); fmt.Sprint(got) != fmt.Sprint(wantFR) {
			t.Errorf("after loading the demo again: got %v, want %v", got, wantFR)
		}
	})
	t.Run("search the password article without accents", func(t *testing.T) {
		tctx, p := reader("globex", "gavin@hooli.test")
		hits, err := kbs.Search(tctx, p, "reinitialiser mot de passe", "fr", 5)
		if err != nil || len(hits) != 1 || hits[0].Title != "Réinitialiser votre mot de passe" {
			t.Errorf("got %+v %v", hits, err)
		}
	})
}

func TestReindexCommand(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	if code, _, stderr := runCmd(t, ctx, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	// Demo data written straight to the database, as if the index were lost.
	st, err := store.Open(ctx, env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	pol := policies.New(st)
	mem, _ := search.NewMemory()
	defer mem.Close()
	err = loadDemo(ctx, st, tenants.New(st, "localhost", tenants.WithSetup(pol.SeedDefaults)), pol, tickets.New(st, pol, time.Now), kb.New(st, mem, nil), func(string) {})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, ctx, env, "reindex")
	if code != 0 || !strings.Contains(stdout, "Indexed 5 article(s).") || !strings.Contains(stdout, "acme") || !strings.Contains(stdout, "100%") {
		t.Fatalf("reindex: %d %q %q", code, stdout, stderr)
	}
	idx, created, err := search.Open(filepath.Join(env["PORTAL_DATA_DIR"], "search"))
	if err != nil || created {
		t.Fatalf("open the rebuilt index: created %v, %v", created, err)
	}
	defer idx.Close()
	globex, _ := (func() (*svcportal.Tenant, error) {
		st, err := store.Open(ctx, env["PORTAL_DATABASE_URL"])
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return st.TenantBySlug(ctx, "globex")
	})()
	hits, err := idx.Search(ctx, svcportal.ArticleQuery{TenantID: globex.ID, SiteIDs: []int64{999999}, Lang: "fr", Text: "imprimante"})
	if err != nil || len(hits) != 1 {
		t.Errorf("search the rebuilt index: got %+v %v", hits, err)
	}
}
