package kb_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestPublicKnowledgeBase: a visitor (no principal) of a tenant whose
// knowledge base is public reads and finds the articles for every site,
// never one of a site's own nor a draft, through every way the service
// searches: the embedded index, PostgreSQL's full-text search (on
// PostgreSQL) and the database scan of a process without the index. A
// private knowledge base shows a visitor nothing; contacts read what
// they read before.
func TestPublicKnowledgeBase(t *testing.T) {
	indexes := map[string]func(t *testing.T) (svcportal.ArticleIndex, bool){
		"embedded": func(t *testing.T) (svcportal.ArticleIndex, bool) {
			idx, err := search.NewMemory()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { idx.Close() })
			return idx, true
		},
		"database scan": func(t *testing.T) (svcportal.ArticleIndex, bool) {
			idx, err := search.FromURL("embedded", t.TempDir(), nil) // never opened here
			if err != nil {
				t.Fatal(err)
			}
			return idx, false
		},
	}
	if dialect, dsn, _ := store.ParseURL(testkit.DatabaseURL(t)); dialect == store.Postgres {
		indexes["postgres"] = func(t *testing.T) (svcportal.ArticleIndex, bool) {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			idx := search.NewPostgres(db)
			if _, err := idx.Prepare(context.Background()); err != nil {
				t.Fatal(err)
			}
			return idx, true
		}
	}
	for name, open := range indexes {
		t.Run(name, func(t *testing.T) {
			st := testkit.Store(t)
			idx, holds := open(t)
			svc := kb.New(st, idx, nil)
			svc.HoldsIndexWith(func() bool { return holds })
			ctx, tn := testkit.Tenant(t, st, "acme")
			initech := testkit.Site(ctx, t, st, "Initech")
			peter := &svcportal.Principal{Kind: svcportal.PrincipalContact,
				Contact: testkit.Contact(ctx, t, st, "peter@initech.test", initech, svcportal.RoleMember)}
			sec := testkit.KBSection(ctx, t, st, testkit.KBCategory(ctx, t, st, "Help"), "Printing")
			add := func(title, state string, sites ...int64) int64 {
				a := &svcportal.KBArticle{SectionID: sec.ID, State: state, AllSites: len(sites) == 0, SiteIDs: sites,
					Translations: map[string]svcportal.KBTranslation{"en": {Title: title, Body: "Restart the printer spooler."}}}
				if err := svc.CreateArticle(ctx, a); err != nil {
					t.Fatal(err)
				}
				return a.ID
			}
			public := add("Printer for everyone", svcportal.KBPublished)
			own := add("Printer of Initech", svcportal.KBPublished, initech.ID)
			draft := add("Printer draft", svcportal.KBDraft)
			open := *tn
			open.KBPublic = true
			octx := svcportal.WithTenant(ctx, &open)

			find := func(ctx context.Context, p *svcportal.Principal) ([]int64, error) {
				hits, err := svc.Search(ctx, p, "printer", "en", 10)
				ids := []int64{}
				for _, h := range hits {
					ids = append(ids, h.ArticleID)
				}
				slices.Sort(ids)
				return ids, err
			}
			if got, err := find(octx, nil); err != nil || !slices.Equal(got, []int64{public}) {
				t.Errorf("visitor of a public knowledge base finds %v (%v), want only %d", got, err, public)
			}
			if got, err := find(ctx, nil); svcportal.KindOf(err) != svcportal.KindNotFound {
				t.Errorf("visitor of a private knowledge base: got %v %v, want not found", got, err)
			}
			for _, c := range []context.Context{ctx, octx} {
				if got, err := find(c, peter); err != nil || !slices.Equal(got, []int64{public, own}) {
					t.Errorf("contact finds %v (%v), want %d and %d", got, err, public, own)
				}
			}
			for _, id := range []int64{own, draft} {
				if _, err := svc.Article(octx, nil, id, "en"); svcportal.KindOf(err) != svcportal.KindNotFound {
					t.Errorf("visitor reads article %d: %v, want not found", id, err)
				}
			}
			a, err := svc.Article(octx, nil, public, "en")
			if err != nil || a.MyVote != nil || a.Slug != "printer-for-everyone" {
				t.Errorf("visitor reads %+v %v", a, err)
			}
			if _, err := svc.Vote(octx, nil, public, true); svcportal.KindOf(err) != svcportal.KindUnauthorized {
				t.Errorf("visitor votes: %v, want unauthorized", err)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	for title, want := range map[string]string{
		"Reset your password":                         "reset-your-password",
		"Réinitialiser votre mot de passe":            "reinitialiser-votre-mot-de-passe",
		"Passwort zurücksetzen – Schritt für Schritt": "passwort-zurucksetzen-schritt-fur-schritt",
		"Straße & Größe":                              "strasse-grosse",
		"¿Olvidó su contraseña?":                      "olvido-su-contrasena",
		"L’accès à distance (VPN) 2.0":                "l-acces-a-distance-vpn-2-0",
		"!!!":                                         "",
		"Ünïcödé ελληνικά":                            "unicode",
		"A very long title that goes on and on about printers and drivers and spoolers": "a-very-long-title-that-goes-on-and-on-about-printers-and",
	} {
		if got := kb.Slug(title); got != want {
			t.Errorf("Slug(%q): got %q, want %q", title, got, want)
		}
		if got := kb.Slug(title); len(got) > 60 {
			t.Errorf("Slug(%q) is %d bytes long", title, len(got))
		}
	}
}
