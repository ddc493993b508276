package testkit

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// OIDCProvider is a real OpenID provider (ZITADEL's op package with its
// example in-memory storage) served on 127.0.0.1 for the test, with
// clients and users the test registers. Each one has its own server,
// issuer and signing key, so a test may run several side by side.
type OIDCProvider struct {
	Issuer string
	// Secret is the client secret of every client registered here.
	Secret string

	server  *httptest.Server
	storage *storage.Storage
	clients map[string]*storage.Client
	users   *oidcUsers
	// extra are claims added to a user's ID tokens and userinfo answers
	// (Entra's tid and oid, say), by user id.
	extra map[string]map[string]any
	// claimsInIDToken lists clients whose ID tokens carry the email and
	// profile claims; the others get them from the userinfo endpoint.
	claimsInIDToken map[string]bool
	noRedirect      *http.Client
}

// NewOIDCProvider starts a provider for t; it stops when the test ends.
// Its issuer is the server's address followed by path ("" for none; an
// Entra directory's issuer looks like /<tenant id>/v2.0).
func NewOIDCProvider(t testing.TB, path ...string) *OIDCProvider {
	t.Helper()
	prefix := strings.TrimRight(strings.Join(path, ""), "/")
	p := &OIDCProvider{
		Secret:          "client-secret-0123456789",
		clients:         map[string]*storage.Client{},
		users:           &oidcUsers{byID: map[string]*storage.User{}},
		extra:           map[string]map[string]any{},
		claimsInIDToken: map[string]bool{},
		noRedirect: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
	var handler http.Handler
	p.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(p.server.Close)
	p.Issuer = p.server.URL + prefix
	p.storage = storage.NewStorageWithClients(p.users, p.clients)
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                sha256.Sum256([]byte("testkit oidc provider")),
		DefaultLogoutRedirectURI: "/",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.English},
	}, &oidcStorage{Storage: p.storage, p: p}, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("oidc provider: %v", err)
	}
	mux := http.NewServeMux()
	// The sign-in step of the provider's own UI: the example storage
	// checks the username and password against the auth request.
	mux.HandleFunc("POST /login/username", func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		if err := p.storage.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(op.ContextWithIssuer(r.Context(), p.Issuer), id), http.StatusFound)
	})
	if prefix == "" {
		mux.Handle("/", provider)
	} else {
		mux.Handle(prefix+"/", http.StripPrefix(prefix, provider))
	}
	handler = mux
	return p
}

// AddClient registers a confidential web client with one redirect URI;
// idTokenClaims puts the email claims into its ID tokens.
func (p *OIDCProvider) AddClient(id, redirectURI string, idTokenClaims bool) {
	p.clients[id] = storage.WebClient(id, p.Secret, redirectURI)
	p.claimsInIDToken[id] = idTokenClaims
}

// AddUser registers a user who signs in with username and the fixture
// Password.
func (p *OIDCProvider) AddUser(username, email string, verified bool) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.byID[username] = &storage.User{
		ID: username, Username: username, Password: Password, FirstName: "Ada", LastName: "Lovelace",
		Email: email, EmailVerified: verified, PreferredLanguage: language.English,
	}
}

// SetClaims adds claims to the ID tokens and userinfo answers about user
// (replacing those set before): Entra's tid and oid, xms_edov, or an
// email_verified that overrides the user's.
func (p *OIDCProvider) SetClaims(username string, claims map[string]any) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.extra[username] = claims
}

// claimsOf returns the extra claims of user id.
func (p *OIDCProvider) claimsOf(id string) map[string]any {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	return p.extra[id]
}

// Authorize plays the browser at the provider: it opens authURL, signs in
// as username and returns the address the provider sends the browser back
// to (the client's redirect URI with code and state).
func (p *OIDCProvider) Authorize(t testing.TB, authURL, username string) *url.URL {
	t.Helper()
	loc := p.follow(t, http.MethodGet, authURL, nil)
	id := loc.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("provider did not ask for a login: sent to %s", loc)
	}
	loc = p.follow(t, http.MethodPost, "/login/username",
		url.Values{"id": {id}, "username": {username}, "password": {Password}})
	return p.follow(t, http.MethodGet, loc.String(), nil)
}

// follow sends one request to the provider and returns where it redirects.
func (p *OIDCProvider) follow(t testing.TB, method, u string, form url.Values) *url.URL {
	t.Helper()
	base, err := url.Parse(p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	// The provider's own addresses are relative to its server, not to the
	// issuer's path.
	base.Path = ""
	req, err := http.NewRequest(method, base.ResolveReference(ref).String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := p.noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s %s: got status %d, want a redirect", method, u, res.StatusCode)
	}
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return loc
}

// oidcUsers is the provider's user directory.
type oidcUsers struct {
	mu   sync.Mutex
	byID map[string]*storage.User
}

func (u *oidcUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.byID[id]
}

func (u *oidcUsers) GetUserByUsername(name string) *storage.User { return u.GetUserByID(name) }

func (u *oidcUsers) ExampleClientID() string { return "service" }

// oidcStorage lets chosen clients receive the user's claims in the ID
// token, as most providers do, instead of only from userinfo.
type oidcStorage struct {
	*storage.Storage
	p *OIDCProvider
}

func (s *oidcStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || !s.p.claimsInIDToken[id] {
		return c, err
	}
	return claimsClient{c}, nil
}

// SetUserinfoFromRequest adds the user's extra claims to the ID token.
func (s *oidcStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, token, scopes); err != nil {
		return err
	}
	s.addClaims(ui, token.GetSubject())
	return nil
}

// SetUserinfoFromToken adds the user's extra claims to the userinfo
// answer.
func (s *oidcStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(ui, subject)
	return nil
}

func (s *oidcStorage) addClaims(ui *oidc.UserInfo, userID string) {
	for k, v := range s.p.claimsOf(userID) {
		if k == "email_verified" {
			b, _ := v.(bool)
			ui.EmailVerified = oidc.Bool(b)
			continue
		}
		ui.AppendClaims(k, v)
	}
}

type claimsClient struct{ op.Client }

func (claimsClient) IDTokenUserinfoClaimsAssertion() bool { return true }
