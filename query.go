package svcportal

import (
	"strings"
	"unicode/utf8"
)

// Bounds of what one list or search request may ask, so that its work is
// bounded whatever a client sends: every word of a ticket query is one
// more LIKE over titles, descriptions and messages, and every word of a
// knowledge-base search one more fuzzy clause.
const (
	// MaxQueryLength is the most characters of a search or ticket query.
	MaxQueryLength = 200
	// MaxQueryWords is the most words of a search or ticket query.
	MaxQueryWords = 12
	// MaxFieldFilters is the most field.KEY filters of one ticket list.
	MaxFieldFilters = 20
)

// CheckQuery refuses search text over MaxQueryLength characters or
// MaxQueryWords words: KindUnprocessable naming the parameter.
func CheckQuery(param, q string) error {
	var v Validation
	switch {
	case utf8.RuneCountInString(q) > MaxQueryLength:
		v.Add(param, "error.query_too_long", map[string]any{"Max": MaxQueryLength})
	case len(strings.Fields(q)) > MaxQueryWords:
		v.Add(param, "error.query_too_many_words", map[string]any{"Max": MaxQueryWords})
	}
	return v.Err()
}

// QueryOf is the search query that text suggests, within the bounds: its
// first MaxQueryWords words, cut at MaxQueryLength characters. A ticket's
// title, say, may be longer than a query may be.
func QueryOf(text string) string {
	words := strings.Fields(text)
	if len(words) > MaxQueryWords {
		words = words[:MaxQueryWords]
	}
	q := strings.Join(words, " ")
	if utf8.RuneCountInString(q) > MaxQueryLength {
		q = strings.TrimSpace(string([]rune(q)[:MaxQueryLength]))
	}
	return q
}
