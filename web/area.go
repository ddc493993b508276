package web

import (
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// An area (the portal, the console) shows failures in its own layout, with
// its navigation and the reader's session, rather than web's bare pages.

const keyErrorPages = "web.error_pages"

// AddErrorPages parses web's error pages ("error", "notfound") again under
// prefix ("portal/error"…), with the area's partials (its "nav") read
// from areaFS.
func (r *Renderer) AddErrorPages(prefix string, areaFS fs.FS, partials ...string) {
	for _, p := range []string{"error", "notfound"} {
		r.mustAddWeb(prefix+p, "templates/"+p+".html", areaFS, partials)
	}
}

// ErrorPages is middleware of an area's routes: failures there render the
// area's error pages (added by AddErrorPages under prefix).
func ErrorPages(prefix string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(keyErrorPages, prefix)
		c.Next()
	}
}

// NoRoute routes an unknown path under prefix through handlers, which
// end by failing with not found: so the area's middleware (its session,
// its error pages) applies to the 404 page. The longest prefix wins;
// paths under none get web's own 404.
func (s *Server) NoRoute(prefix string, handlers ...gin.HandlerFunc) {
	s.noRoutes = append(s.noRoutes, noRoute{prefix, handlers})
	sort.SliceStable(s.noRoutes, func(i, j int) bool { return len(s.noRoutes[i].prefix) > len(s.noRoutes[j].prefix) })
}

type noRoute struct {
	prefix   string
	handlers []gin.HandlerFunc
}

func (s *Server) notFound(c *gin.Context) {
	for _, nr := range s.noRoutes {
		if !strings.HasPrefix(c.Request.URL.Path, nr.prefix) {
			continue
		}
		// The area's middleware call c.Next(), which finds nothing more
		// to run in this chain: each is called here in turn until one
		// aborts.
		for _, h := range nr.handlers {
			if h(c); c.IsAborted() {
				return
			}
		}
		break
	}
	Fail(c, svcportal.ErrNotFound())
}

// LangCookie remembers the language a visitor chose before signing in.
const LangCookie = "portal_lang"

const keyChosenLang = "web.chosen_lang"

// chooseLang is middleware of tenant hosts: ?lang=xx, one of the tenant's
// languages, picks the language of a visitor and is remembered in a
// cookie; the cookie decides on later requests. A signed-in reader's own
// setting wins over both.
func chooseLang(c *gin.Context) {
	t := svcportal.TenantFrom(c.Request.Context())
	if l := c.Query("lang"); l != "" && t != nil && t.LocaleEnabled(l) {
		http.SetCookie(c.Writer, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Request.TLS != nil})
		c.Set(keyChosenLang, l)
	} else if ck, err := c.Cookie(LangCookie); err == nil && t != nil && t.LocaleEnabled(ck) {
		c.Set(keyChosenLang, ck)
	}
	c.Next()
}

// Language is one of the tenant's languages as a link that picks it.
type Language struct {
	Tag, Name, URL string
	Current        bool
}

// Languages lists the tenant's languages, each named in itself, with a
// link to this page in it.
func (p Page) Languages() []Language {
	if p.Tenant == nil {
		return nil
	}
	var out []Language
	for _, l := range p.Tenant.EnabledLocales {
		q := url.Values{}
		for k, v := range p.query {
			if k != "lang" {
				q[k] = v
			}
		}
		q.Set("lang", l)
		out = append(out, Language{Tag: l, Name: p.tr.T("lang." + l), URL: p.Path + "?" + q.Encode(), Current: l == p.Lang})
	}
	return out
}
