package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal/web"
)

// TestTrustedProxies: X-Forwarded-For names the client only when the
// connection comes from a configured proxy; anyone else could forge it
// (and so dodge the sign-in throttle, which counts by client address).
func TestTrustedProxies(t *testing.T) {
	ip := func(srv *web.Server, remote, xff string) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/ip", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	echo := func(c *gin.Context) { c.String(http.StatusOK, c.ClientIP()) }
	none := web.New(web.Options{})
	none.Engine.GET("/ip", echo)
	proxied := web.New(web.Options{TrustedProxies: []string{"10.0.0.1", "172.16.0.0/12"}})
	proxied.Engine.GET("/ip", echo)
	for _, c := range []struct {
		name        string
		srv         *web.Server
		remote, xff string
		want        string
	}{
		{"no proxies configured", none, "10.0.0.1:4000", "203.0.113.7", "10.0.0.1"},
		{"from the proxy", proxied, "10.0.0.1:4000", "203.0.113.7", "203.0.113.7"},
		{"from a proxy of the range", proxied, "172.20.1.2:4000", "203.0.113.7", "203.0.113.7"},
		{"a chain: the first untrusted hop", proxied, "10.0.0.1:4000", "198.51.100.9, 203.0.113.7", "203.0.113.7"},
		{"from a client forging the header", proxied, "198.51.100.9:4000", "203.0.113.7", "198.51.100.9"},
		{"from the proxy without the header", proxied, "10.0.0.1:4000", "", "10.0.0.1"},
	} {
		if got := ip(c.srv, c.remote, c.xff); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
