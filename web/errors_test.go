package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// TestFail_EveryKind: each kind of error answers its status with a JSON
// body that carries its code and a translated message; a kind without a
// status is a 500 that says nothing more than an internal error.
func TestFail_EveryKind(t *testing.T) {
	want := map[svcportal.Kind]int{
		svcportal.KindInternal:        http.StatusInternalServerError,
		svcportal.KindInvalid:         http.StatusBadRequest,
		svcportal.KindUnprocessable:   http.StatusUnprocessableEntity,
		svcportal.KindNotFound:        http.StatusNotFound,
		svcportal.KindConflict:        http.StatusConflict,
		svcportal.KindForbidden:       http.StatusForbidden,
		svcportal.KindUnauthorized:    http.StatusUnauthorized,
		svcportal.KindTooManyRequests: http.StatusTooManyRequests,
		svcportal.KindTooLarge:        http.StatusRequestEntityTooLarge,
	}
	if len(want) != len(svcportal.Kinds) {
		t.Fatalf("the test knows %d kinds, svcportal.Kinds has %d", len(want), len(svcportal.Kinds))
	}
	tenant := svcportal.NewTenant("acme", "Acme")
	tenant.ID = 1
	srv := web.New(web.Options{Tenants: fuzzTenant{tenant}})
	var kind svcportal.Kind
	srv.Tenant.GET("/api/v1/fail", web.H(func(*gin.Context) error { return &svcportal.Error{Kind: kind} }))

	check := func(t *testing.T, k svcportal.Kind, status int, code string) {
		t.Helper()
		kind = k
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://acme.localhost/api/v1/fail", nil))
		var body web.APIError
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		if rec.Code != status {
			t.Errorf("got status %d, want %d", rec.Code, status)
		}
		if body.Error.Code != code {
			t.Errorf("got code %q, want %q", body.Error.Code, code)
		}
		if m := body.Error.Message; m == "" || strings.HasPrefix(m, "error.") {
			t.Errorf("got message %q, want a translated one", m)
		}
	}
	for _, k := range svcportal.Kinds {
		t.Run(k.String(), func(t *testing.T) { check(t, k, want[k], k.String()) })
	}
	for _, k := range []svcportal.Kind{svcportal.KindNone, svcportal.Kind(99)} {
		t.Run(fmt.Sprintf("unmapped kind %d", k), func(t *testing.T) {
			check(t, k, http.StatusInternalServerError, "internal")
		})
	}
}

func TestRedisplays(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("db down"), false},
		{svcportal.NewError(svcportal.KindInternal, "error.internal"), false},
		{svcportal.ErrNotFound(), false},
		{&svcportal.Error{Kind: svcportal.Kind(99)}, false},
		{svcportal.FieldErr(svcportal.KindUnprocessable, "title", "error.required", nil), true},
		{svcportal.FieldErr(svcportal.KindInvalid, "limit", "error.wrong_type", nil), true},
		{svcportal.NewError(svcportal.KindConflict, "error.ticket_closed"), true},
		{svcportal.NewError(svcportal.KindForbidden, "error.close_not_allowed"), true},
		{svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized"), true},
		{svcportal.NewError(svcportal.KindTooManyRequests, "error.busy"), true},
		{fmt.Errorf("save: %w", svcportal.NewError(svcportal.KindTooLarge, "error.too_large")), true},
	} {
		if got := web.Redisplays(tc.err); got != tc.want {
			t.Errorf("Redisplays(%v): got %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestFail_LogsToTheInjectedLogger: the cause of a 500 goes to the
// server's logger, beside the request line, and nothing to slog's default.
func TestFail_LogsToTheInjectedLogger(t *testing.T) {
	var injected, global strings.Builder
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&global, nil)))

	tenant := svcportal.NewTenant("acme", "Acme")
	tenant.ID = 1
	srv := web.New(web.Options{Tenants: fuzzTenant{tenant}, Logger: slog.New(slog.NewTextHandler(&injected, nil))})
	srv.Tenant.GET("/api/v1/fail", web.H(func(*gin.Context) error { return errors.New("db exploded") }))
	srv.Tenant.GET("/fail", web.H(func(*gin.Context) error { return errors.New("disk on fire") }))
	for _, path := range []string{"/api/v1/fail", "/fail"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://acme.localhost"+path, nil))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: got %d, want 500", path, rec.Code)
		}
	}
	for _, want := range []string{"db exploded", "disk on fire", "msg=request "} {
		if !strings.Contains(injected.String(), want) {
			t.Errorf("injected log lacks %q:\n%s", want, injected.String())
		}
	}
	if global.Len() > 0 {
		t.Errorf("slog's default logger was used:\n%s", global.String())
	}
}
