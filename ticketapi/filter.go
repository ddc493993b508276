package ticketapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/svcportal/svcportal"
)

// ParseFilter reads a list filter from query parameters: scope,
// status (repeated or comma-separated), site (ids, likewise), q, unread,
// field.KEY, sort, page, per_page, after and before (cursors, one of
// the two). Malformed numbers and booleans are KindInvalid naming the
// parameter.
func ParseFilter(q url.Values) (svcportal.TicketFilter, error) {
	f := svcportal.TicketFilter{Scope: q.Get("scope"), Query: q.Get("q"), Sort: q.Get("sort"), Fields: map[string]any{}}
	bad := func(name string) error {
		return svcportal.FieldErr(svcportal.KindInvalid, name, "error.wrong_type", nil)
	}
	if f.Scope != "" && f.Scope != "mine" && f.Scope != "site" {
		return f, bad("scope")
	}
	if err := checkFilterSize(q); err != nil {
		return f, err
	}
	for _, s := range q["status"] {
		for _, st := range strings.Split(s, ",") {
			if st = strings.TrimSpace(st); st != "" {
				if !slices.Contains(svcportal.Statuses, st) {
					return f, bad("status")
				}
				f.Status = append(f.Status, st)
			}
		}
	}
	if u := q.Get("unread"); u != "" {
		b, err := strconv.ParseBool(u)
		if err != nil {
			return f, bad("unread")
		}
		f.Unread = &b
	}
	for name, val := range map[string]*int{"page": &f.Page, "per_page": &f.PerPage} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return f, bad(name)
			}
			*val = n
		}
	}
	for _, v := range q["site"] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id < 1 {
				return f, bad("site")
			}
			f.Sites = append(f.Sites, id)
		}
	}
	f.After, f.Before = q.Get("after"), q.Get("before")
	for name, c := range map[string]string{"after": f.After, "before": f.Before} {
		if c != "" && !svcportal.ValidTicketCursor(c) {
			return f, bad(name)
		}
	}
	if f.After != "" && f.Before != "" {
		return f, bad("before")
	}
	for k, vs := range q {
		if key, ok := strings.CutPrefix(k, "field."); ok && len(vs) > 0 && vs[0] != "" {
			f.Fields[key] = vs[0]
		}
	}
	return f, nil
}

// checkFilterSize bounds a ticket list filter: its query text and its
// number of field filters.
func checkFilterSize(q url.Values) error {
	if err := svcportal.CheckQuery("q", q.Get("q")); err != nil {
		return err
	}
	n := 0
	for k := range q {
		if strings.HasPrefix(k, "field.") {
			n++
		}
	}
	if n > svcportal.MaxFieldFilters {
		var v svcportal.Validation
		v.Add("field", "error.too_many", map[string]any{"Max": svcportal.MaxFieldFilters})
		return v.Err()
	}
	return nil
}
