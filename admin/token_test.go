package admin_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/svcportal/svcportal/web"
)

type tokenAnswer struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Token     string     `json:"token"`
	StaffID   int64      `json:"staff_id"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func TestAPITokens(t *testing.T) {
	w := newWorld(t)
	admin := w.api(t, "acme.localhost", w.adminToken)
	expires := w.app.Clock.Now().Add(time.Hour)

	var made tokenAnswer
	if rec := admin.JSON(t, "POST", "/api/v1/admin/tokens", map[string]any{"name": "ci", "expires_at": expires}, &made); rec.Code != http.StatusCreated ||
		!strings.HasPrefix(made.Token, "sp_") || made.Name != "ci" || made.ExpiresAt == nil || !made.ExpiresAt.Equal(expires) {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	ci := w.api(t, "acme.localhost", made.Token)

	t.Run("the new token works and is listed without its secret", func(t *testing.T) {
		if rec := ci.Get(t, "/api/v1/admin/me"); rec.Code != http.StatusOK {
			t.Fatalf("new token: %d", rec.Code)
		}
		rec := admin.Get(t, "/api/v1/admin/tokens")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), made.Token) || strings.Contains(rec.Body.String(), "hash") {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		var list struct {
			Tokens []tokenAnswer `json:"tokens"`
		}
		admin.JSON(t, "GET", "/api/v1/admin/tokens", nil, &list)
		if len(list.Tokens) != 3 { // the fixture's admin and agent tokens, and ci
			t.Errorf("listed %d tokens, want 3: %+v", len(list.Tokens), list.Tokens)
		}
	})
	t.Run("an expired token is refused", func(t *testing.T) {
		w.app.Clock.Advance(time.Hour)
		var e web.APIError
		if rec := ci.JSON(t, "GET", "/api/v1/admin/me", nil, &e); rec.Code != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
			t.Errorf("expired token: %d %+v, want 401", rec.Code, e)
		}
	})
	t.Run("a revoked token is refused", func(t *testing.T) {
		var other tokenAnswer
		admin.JSON(t, "POST", "/api/v1/admin/tokens", map[string]any{"name": "laptop"}, &other)
		if other.ExpiresAt != nil {
			t.Errorf("a token without expires_at expires at %v", other.ExpiresAt)
		}
		laptop := w.api(t, "acme.localhost", other.Token)
		if rec := laptop.Get(t, "/api/v1/admin/me"); rec.Code != http.StatusOK {
			t.Fatalf("before revocation: %d", rec.Code)
		}
		if rec := admin.Do(t, "DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", other.ID), nil, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
		}
		if rec := laptop.Get(t, "/api/v1/admin/me"); rec.Code != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", rec.Code)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		var e web.APIError
		if rec := admin.JSON(t, "POST", "/api/v1/admin/tokens", map[string]any{"name": "old", "expires_at": w.app.Clock.Now().Add(-time.Minute)}, &e); rec.Code != http.StatusUnprocessableEntity || e.Error.Fields["expires_at"] == "" {
			t.Errorf("expiry in the past: %d %+v, want 422 on expires_at", rec.Code, e)
		}
		if rec := admin.JSON(t, "POST", "/api/v1/admin/tokens", map[string]any{"name": ""}, &e); rec.Code != http.StatusUnprocessableEntity || e.Error.Fields["name"] == "" {
			t.Errorf("no name: %d %+v, want 422 on name", rec.Code, e)
		}
		if rec := w.api(t, "acme.localhost", w.agentToken).Get(t, "/api/v1/admin/tokens"); rec.Code != http.StatusForbidden {
			t.Errorf("agent lists tokens: %d, want 403", rec.Code)
		}
		globex := w.api(t, "globex.localhost", w.globexToken)
		if rec := globex.Do(t, "DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", made.ID), nil, nil); rec.Code != http.StatusNotFound {
			t.Errorf("another tenant revokes acme's token: %d, want 404", rec.Code)
		}
	})
}
