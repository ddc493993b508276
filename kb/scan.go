package kb

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/search"
)

// scan searches the database itself, for a process that does not hold
// the embedded index (a second process on one data dir, during a
// restart): every word must begin a word of the reader's translation,
// title matches first, then helpfulness. No stems or typos: the holder's
// index has those.
func (s *Service) scan(ctx context.Context, scope svcportal.KBScope, text, lang string, limit int) ([]svcportal.ArticleHit, error) {
	arts, err := s.st.KBReadable(ctx, scope)
	if err != nil {
		return nil, err
	}
	words := fields(text)
	hits := []svcportal.ArticleHit{}
	if len(words) == 0 {
		return hits, nil
	}
	def := tenantOf(ctx).DefaultLocale
	helpful := map[int64]int{}
	for _, a := range arts {
		tr, ok := a.Translations[lang]
		if !ok {
			if tr, ok = a.Translations[def]; !ok {
				continue
			}
		}
		body := search.PlainText(tr.Body)
		title, all := fields(tr.Title), fields(tr.Title+" "+strings.Join(tr.Keywords, " ")+" "+body)
		score, found := 0.0, true
		for _, w := range words {
			switch {
			case hasPrefix(title, w):
				score += 2
			case hasPrefix(all, w):
				score++
			default:
				found = false
			}
		}
		if found {
			hits = append(hits, svcportal.ArticleHit{ArticleID: a.ID, Title: tr.Title, Excerpt: cut(body, 200), Locale: tr.Locale, Score: score})
			helpful[a.ID] = a.Votes.Score()
		}
	}
	slices.SortStableFunc(hits, func(x, y svcportal.ArticleHit) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(helpful[y.ArticleID], helpful[x.ArticleID]), cmp.Compare(x.ArticleID, y.ArticleID))
	})
	return hits[:min(limit, len(hits))], nil
}

func fields(s string) []string {
	return strings.FieldsFunc(search.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

func hasPrefix(words []string, w string) bool {
	return slices.ContainsFunc(words, func(x string) bool { return strings.HasPrefix(x, w) })
}

// cut shortens s to at most n runes, at a space when there is one.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := string(r[:n])
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		return head[:i] + "…"
	}
	return head + "…"
}
