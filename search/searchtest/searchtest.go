// Package searchtest is the test suite that every svcportal.ArticleIndex
// backend must pass: scoping (tenant, site reach, published), typo and
// prefix matching and accent folding in each of the five languages,
// translations with fallback, and ranking.
package searchtest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
)

// Ids of the suite's articles.
const (
	tenantA, tenantB = 1, 2
	siteX, siteY     = 10, 20
)

func tr(title, body string, keywords ...string) svcportal.KBTranslation {
	return svcportal.KBTranslation{Title: title, Body: body, Keywords: keywords}
}

func doc(tenant, id int64, reach svcportal.KBReach, trs map[string]svcportal.KBTranslation) svcportal.ArticleDoc {
	return svcportal.ArticleDoc{TenantID: tenant, ArticleID: id, Published: true, Reach: reach, Translations: trs}
}

var everywhere = svcportal.KBReach{All: true}

// ids lists the article ids of hits, in order.
func ids(hits []svcportal.ArticleHit) []int64 {
	out := []int64{}
	for _, h := range hits {
		out = append(out, h.ArticleID)
	}
	return out
}

func search(t *testing.T, idx svcportal.ArticleIndex, q svcportal.ArticleQuery) []svcportal.ArticleHit {
	t.Helper()
	hits, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return hits
}

func index(t *testing.T, idx svcportal.ArticleIndex, docs ...svcportal.ArticleDoc) {
	t.Helper()
	if err := idx.Index(context.Background(), docs...); err != nil {
		t.Fatalf("index: %v", err)
	}
}

// Run runs the suite; newIndex returns an empty index for each subtest.
func Run(t *testing.T, newIndex func(t *testing.T) svcportal.ArticleIndex) {
	t.Run("Scoping", func(t *testing.T) { testScoping(t, newIndex(t)) })
	t.Run("Languages", func(t *testing.T) { testLanguages(t, newIndex(t)) })
	t.Run("Fallback", func(t *testing.T) { testFallback(t, newIndex(t)) })
	t.Run("Ranking", func(t *testing.T) { testRanking(t, newIndex(t)) })
	t.Run("Changes", func(t *testing.T) { testChanges(t, newIndex(t)) })
	t.Run("AnyWord", func(t *testing.T) { testAnyWord(t, newIndex(t)) })
}

// testAnyWord types a whole question, in each language, as a new ticket's
// title: its words are not all in the article that answers it, its stop
// words are in none; the article that shares the most words comes first.
func testAnyWord(t *testing.T, idx svcportal.ArticleIndex) {
	for i, c := range langCases {
		index(t, idx, doc(tenantA, int64(100+i), everywhere, map[string]svcportal.KBTranslation{c.lang: c.article}))
	}
	index(t, idx, doc(tenantA, 99, everywhere, map[string]svcportal.KBTranslation{
		"en": tr("Outlook setup", "Add your mailbox to Outlook."), "fr": tr("Configurer Outlook", "Ajoutez votre boîte aux lettres à Outlook."),
		"de": tr("Outlook einrichten", "Fügen Sie Ihr Postfach in Outlook hinzu."), "es": tr("Configurar Outlook", "Añada su buzón a Outlook."),
		"it": tr("Configurare Outlook", "Aggiungete la casella a Outlook.")}))
	questions := map[string]string{
		"en": "Outlook keeps asking me to reset my password",
		"fr": "Outlook me demande sans cesse de réinitialiser mon mot de passe",
		"de": "Outlook fragt immer wieder, ich soll mein Passwort zurücksetzen",
		"es": "Outlook me pide todo el tiempo restablecer la contraseña",
		"it": "Outlook mi chiede sempre di reimpostare la password",
	}
	for i, c := range langCases {
		for _, text := range []string{questions[c.lang], questions[c.lang] + " "} {
			t.Run(fmt.Sprintf("%s %q", c.lang, text), func(t *testing.T) {
				got := ids(search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: c.lang, Text: text}))
				if !slices.Equal(got, []int64{int64(100 + i), 99}) {
					t.Errorf("got %v, want [%d 99]: the password article, then the one about Outlook", got, 100+i)
				}
			})
		}
	}
	t.Run("stop words alone find nothing", func(t *testing.T) {
		for lang, text := range map[string]string{"en": "for my the ", "fr": "le de mon ", "de": "ich mein der ", "es": "el de mi ", "it": "di la mi "} {
			if got := search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: lang, Text: text}); len(got) != 0 {
				t.Errorf("%s %q: got %v, want nothing", lang, text, ids(got))
			}
		}
	})
}

func testScoping(t *testing.T, idx svcportal.ArticleIndex) {
	printer := map[string]svcportal.KBTranslation{"en": tr("Printer setup", "Install the printer driver.")}
	index(t, idx,
		doc(tenantA, 1, everywhere, printer),
		doc(tenantB, 2, everywhere, printer),
		doc(tenantA, 3, svcportal.KBReach{SiteIDs: []int64{siteY}}, printer),
		doc(tenantA, 5, svcportal.KBReach{SiteIDs: []int64{}}, printer),
	)
	draft := doc(tenantA, 4, everywhere, printer)
	draft.Published = false
	index(t, idx, draft)

	for _, c := range []struct {
		name   string
		tenant int64
		sites  []int64
		public bool // an anonymous reader of a public knowledge base
		want   []int64
	}{
		{"tenant A, site X", tenantA, []int64{siteX}, false, []int64{1}},
		{"tenant A, site Y", tenantA, []int64{siteY}, false, []int64{1, 3}},
		{"tenant A, sites X and Y", tenantA, []int64{siteX, siteY}, false, []int64{1, 3}},
		{"tenant B", tenantB, []int64{siteX, siteY}, false, []int64{2}},
		{"no sites", tenantA, nil, false, []int64{}},
		{"unknown tenant", 99, []int64{siteX}, false, []int64{}},
		{"public, no sites: only the articles for every site", tenantA, nil, true, []int64{1}},
		{"public, tenant B", tenantB, nil, true, []int64{2}},
		{"public with a site", tenantA, []int64{siteY}, true, []int64{1, 3}},
		{"public, unknown tenant", 99, nil, true, []int64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ids(search(t, idx, svcportal.ArticleQuery{TenantID: c.tenant, SiteIDs: c.sites, Public: c.public, Lang: "en", Text: "printer"}))
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("empty and stop-word-only queries", func(t *testing.T) {
		for _, q := range []string{"", "   ", "the "} {
			if got := search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: "en", Text: q}); len(got) != 0 {
				t.Errorf("%q: got %v, want nothing", q, ids(got))
			}
		}
	})
}

// langCase is an article in one language and what must find it.
type langCase struct {
	lang    string
	article svcportal.KBTranslation
	finds   map[string]string // kind of match → query
}

var langCases = []langCase{
	{"en", tr("Reset your password", "If you forgot your password, open the sign-in page and choose **Forgot password**.", "login"),
		map[string]string{"words": "reset password", "stem": "resetting passwords", "typo": "pasword", "prefix": "passw", "keyword": "login", "case": "RESET"}},
	{"fr", tr("Réinitialiser le mot de passe", "Ouvrez la page de connexion et choisissez « Mot de passe oublié ». L'imprimante n'est pas concernée.", "connexion"),
		map[string]string{"accent": "reinitialiser", "words": "mot de passe", "typo": "reinitialsier", "prefix": "réinit", "prefix without accent": "reinit", "elision": "imprimante", "stem": "réinitialisé"}},
	{"de", tr("Passwort zurücksetzen", "Öffnen Sie die Anmeldeseite und wählen Sie „Passwort vergessen“. Der Drucker bleibt unverändert.", "Anmeldung"),
		map[string]string{"accent": "zurucksetzen", "words": "passwort zurücksetzen", "typo": "paswort", "prefix": "zurück", "stem": "Druckern", "umlaut folded": "offnen"}},
	{"es", tr("Restablecer la contraseña", "Abra la página de inicio de sesión y elija «Olvidé mi contraseña».", "acceso"),
		map[string]string{"accent": "contrasena", "words": "restablecer contraseña", "typo": "contrasñea", "prefix": "restab", "stem": "contraseñas", "keyword": "acceso"}},
	{"it", tr("Reimpostare la password", "Aprite la pagina di accesso e scegliete «Password dimenticata». Perché l'utenza è bloccata?", "accesso"),
		map[string]string{"words": "reimpostare password", "typo": "reimpostrae", "prefix": "reimp", "accent": "perche", "elision": "utenza", "stem": "dimenticate"}},
}

func testLanguages(t *testing.T, idx svcportal.ArticleIndex) {
	// Every language's article in one tenant, plus an unrelated one, so a
	// query that matched everything would be caught.
	for i, c := range langCases {
		index(t, idx, doc(tenantA, int64(100+i), everywhere, map[string]svcportal.KBTranslation{c.lang: c.article}))
	}
	index(t, idx, doc(tenantA, 99, everywhere, map[string]svcportal.KBTranslation{
		"en": tr("Office hours", "We answer from nine to five."), "fr": tr("Horaires", "Nous répondons de neuf à cinq."),
		"de": tr("Öffnungszeiten", "Wir antworten von neun bis fünf."), "es": tr("Horario", "Respondemos de nueve a cinco."),
		"it": tr("Orari", "Rispondiamo dalle nove alle cinque.")}))
	for i, c := range langCases {
		for kind, text := range c.finds {
			t.Run(fmt.Sprintf("%s %s %q", c.lang, kind, text), func(t *testing.T) {
				got := ids(search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: c.lang, Text: text}))
				if !slices.Equal(got, []int64{int64(100 + i)}) {
					t.Errorf("got %v, want only %d", got, 100+i)
				}
			})
		}
	}
}

func testFallback(t *testing.T, idx svcportal.ArticleIndex) {
	index(t, idx,
		doc(tenantA, 1, everywhere, map[string]svcportal.KBTranslation{
			"en": tr("Reset your password", "Forgot it?"), "fr": tr("Réinitialiser le mot de passe", "Oublié ?")}),
		doc(tenantA, 2, everywhere, map[string]svcportal.KBTranslation{"en": tr("VPN client setup", "Install the VPN client.")}),
	)
	q := func(lang, fallback, text string) []svcportal.ArticleHit {
		return search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: lang, Fallback: fallback, Text: text})
	}
	t.Run("the reader's translation", func(t *testing.T) {
		got := q("fr", "en", "mot de passe")
		if len(got) != 1 || got[0].ArticleID != 1 || got[0].Locale != "fr" || got[0].Title != "Réinitialiser le mot de passe" {
			t.Errorf("got %+v, want article 1 in French", got)
		}
	})
	t.Run("the default translation when there is none in the reader's", func(t *testing.T) {
		got := q("fr", "en", "vpn")
		if len(got) != 1 || got[0].ArticleID != 2 || got[0].Locale != "en" || got[0].Excerpt != "Install the VPN client." {
			t.Errorf("got %+v, want article 2 in English", got)
		}
	})
	t.Run("not the default translation when the reader's exists", func(t *testing.T) {
		if got := q("fr", "en", "forgot"); len(got) != 0 {
			t.Errorf("got %+v, want nothing", got)
		}
	})
	t.Run("no fallback asked", func(t *testing.T) {
		if got := q("de", "", "vpn"); len(got) != 0 {
			t.Errorf("got %+v, want nothing", got)
		}
	})
}

func testRanking(t *testing.T, idx svcportal.ArticleIndex) {
	same := map[string]svcportal.KBTranslation{"en": tr("Mailbox quota", "Archive old mail.")}
	low, high := doc(tenantA, 1, everywhere, same), doc(tenantA, 2, everywhere, same)
	low.Votes, high.Votes = svcportal.KBVotes{Helpful: 1, NotHelpful: 3}, svcportal.KBVotes{Helpful: 5}
	inBody := doc(tenantA, 3, everywhere, map[string]svcportal.KBTranslation{"en": tr("Storage limits", "Each mailbox has a quota; this page explains storage limits for files, databases and backups in detail.")})
	inBody.Votes = svcportal.KBVotes{Helpful: 50}
	index(t, idx, low, high, inBody)
	got := ids(search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: "en", Text: "mailbox quota"}))
	if !slices.Equal(got, []int64{2, 1, 3}) {
		t.Errorf("got %v, want [2 1 3]: title matches first, the more helpful of equals first", got)
	}
	if got := search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: "en", Text: "mailbox", Limit: 2}); len(got) != 2 {
		t.Errorf("limit 2: got %d hits", len(got))
	}
}

func testChanges(t *testing.T, idx svcportal.ArticleIndex) {
	ctx := context.Background()
	find := func(text string) []int64 {
		return ids(search(t, idx, svcportal.ArticleQuery{TenantID: tenantA, SiteIDs: []int64{siteX}, Lang: "en", Text: text}))
	}
	a := doc(tenantA, 1, everywhere, map[string]svcportal.KBTranslation{"en": tr("Wifi access", "")})
	index(t, idx, a, doc(tenantA, 2, everywhere, map[string]svcportal.KBTranslation{"en": tr("Wifi printer", "")}))
	t.Run("update replaces the text", func(t *testing.T) {
		a.Translations = map[string]svcportal.KBTranslation{"en": tr("Guest network", "")}
		index(t, idx, a)
		if got := find("wifi"); !slices.Equal(got, []int64{2}) {
			t.Errorf("wifi: got %v, want [2]", got)
		}
		if got := find("guest"); !slices.Equal(got, []int64{1}) {
			t.Errorf("guest: got %v, want [1]", got)
		}
	})
	t.Run("narrowed reach", func(t *testing.T) {
		a.Reach = svcportal.KBReach{SiteIDs: []int64{siteY}}
		index(t, idx, a)
		if got := find("guest"); len(got) != 0 {
			t.Errorf("got %v, want nothing for site X", got)
		}
	})
	t.Run("unpublished", func(t *testing.T) {
		a.Reach, a.Published = everywhere, false
		index(t, idx, a)
		if got := find("guest"); len(got) != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		if err := idx.Delete(ctx, tenantA, 2); err != nil {
			t.Fatal(err)
		}
		if got := find("wifi"); len(got) != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
	t.Run("cleared", func(t *testing.T) {
		a.Published = true
		index(t, idx, a, doc(tenantB, 1, everywhere, a.Translations))
		if got := find("guest"); !slices.Equal(got, []int64{1}) {
			t.Fatalf("published again: got %v, want [1]", got)
		}
		if err := idx.Clear(ctx, tenantA); err != nil {
			t.Fatal(err)
		}
		if got := find("guest"); len(got) != 0 {
			t.Errorf("tenant A: got %v, want nothing", got)
		}
		got := ids(search(t, idx, svcportal.ArticleQuery{TenantID: tenantB, SiteIDs: []int64{siteX}, Lang: "en", Text: "guest"}))
		if !slices.Equal(got, []int64{1}) {
			t.Errorf("tenant B: got %v, want [1]", got)
		}
	})
}
