package web

import (
	"net/url"
	"strconv"

	"github.com/svcportal/svcportal"
)

// Pager is the paging of a ticket list: its total as read ("1,000+" when
// counting stopped at svcportal.TicketCountCap) and the links to the pages
// around. The first pages go by number; further ones by cursor (after or
// before a ticket of the current page), which the store reads from an
// index however deep; the page number rides along for display.
type Pager struct {
	Total     int
	TotalMore bool // Total is svcportal.TicketCountCap and there are more
	Prev      string
	Next      string
}

// TicketPager builds the pager of a list page at path from its query q,
// the filter it was read with, its tickets and total.
func TicketPager(path string, q url.Values, f svcportal.TicketFilter, views []svcportal.TicketView, total int) Pager {
	p := Pager{}
	p.Total, p.TotalMore = svcportal.TotalCapped(total)
	cur := max(f.Page, 1)
	link := func(page int, cursor, value string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = append([]string(nil), vs...)
		}
		v.Del("after")
		v.Del("before")
		v.Set("page", strconv.Itoa(page))
		if cursor != "" {
			v.Set(cursor, value)
		}
		return path + "?" + v.Encode()
	}
	if cur > 1 {
		switch {
		case (cur-2)*f.PerPage <= svcportal.MaxListOffset || len(views) == 0:
			p.Prev = link(cur-1, "", "")
		default:
			if c := svcportal.TicketCursor(&views[0], f.Sort); c != "" {
				p.Prev = link(cur-1, "before", c)
			}
		}
	}
	if len(views) < f.PerPage || !p.TotalMore && cur*f.PerPage >= total {
		return p
	}
	if cur*f.PerPage <= svcportal.MaxListOffset && f.After == "" && f.Before == "" {
		p.Next = link(cur+1, "", "")
	} else if c := svcportal.TicketCursor(&views[len(views)-1], f.Sort); c != "" {
		p.Next = link(cur+1, "after", c)
	}
	return p
}
