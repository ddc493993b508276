package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/store"
)

// Config is the whole configuration of the program, read once here from
// the PORTAL_* environment and flags, validated, and passed to
// constructors. No other package reads the environment.
type Config struct {
	Addr        string
	DatabaseURL string
	DataDir     string
	BaseDomain  string
	MailURL     string
	SearchURL   string
	BlobURL     string
	SecretKey   string
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed,
	// read from trustedProxies (comma-separated addresses or CIDRs).
	TrustedProxies []string
	trustedProxies string
	// LogFormat is "text" (key=value lines) or "json" (one object a line).
	LogFormat string
	// SecureCookies is true behind a TLS-terminating proxy: cookies are
	// then marked Secure although the proxy talks plain HTTP to us. Validate
	// sets it from secureCookies, the setting as written.
	SecureCookies bool
	secureCookies string
	// InboundSMTPAddr, when set, is where `portal serve` takes inbound
	// email by SMTP ("lmtp:ADDR" for LMTP).
	InboundSMTPAddr string
	// WebhookAllowPrivate lets webhooks reach private and loopback
	// addresses (tests, on-premise receivers).
	WebhookAllowPrivate bool
	webhookAllowPrivate string
	// PprofAddr, when set, serves Go's profiler (/debug/pprof/) on this
	// address, which must be on loopback: an operator's tool, reached
	// from the machine itself (or through an SSH tunnel), never from the
	// network.
	PprofAddr string
	// TracesURL, when set, is the OpenTelemetry collector (OTLP/HTTP)
	// that receives the spans of requests and their queries.
	TracesURL string
}

// setting describes one configuration value: its variable, flag, default
// (shown describes a default that depends on another setting).
type setting struct {
	env, flag, def, usage string
	dst                   func(*Config) *string
	shown                 string
}

var settings = []setting{
	{"PORTAL_ADDR", "addr", "localhost:8080", "listen address", func(c *Config) *string { return &c.Addr }, ""},
	{"PORTAL_DATABASE_URL", "database-url", "", "sqlite:PATH or postgres://…", func(c *Config) *string { return &c.DatabaseURL }, "sqlite:<data dir>/portal.db"},
	{"PORTAL_DATA_DIR", "data-dir", "data", "everything the embedded defaults keep: database, attachments, search index, mail, generated secret", func(c *Config) *string { return &c.DataDir }, ""},
	{"PORTAL_BASE_DOMAIN", "base-domain", "localhost", "tenant acme is served at acme.<base domain>", func(c *Config) *string { return &c.BaseDomain }, ""},
	{"PORTAL_MAIL_URL", "mail-url", "", "file:DIR, smtp://user:pass@host:port or smtps://…", func(c *Config) *string { return &c.MailURL }, "file:<data dir>/mail"},
	{"PORTAL_SEARCH_URL", "search-url", "embedded", "embedded, postgres or typesense://API_KEY@host:port", func(c *Config) *string { return &c.SearchURL }, ""},
	{"PORTAL_BLOB_URL", "blob-url", "", "where attachment contents live: file:DIR or s3://ACCESS:SECRET@host:port/bucket?region=R", func(c *Config) *string { return &c.BlobURL }, "file:<data dir>/attachments"},
	{"PORTAL_SECRET_KEY", "secret-key", "", "keys for sessions, CSRF and reset codes (generated into the data dir when empty)", func(c *Config) *string { return &c.SecretKey }, ""},
	{"PORTAL_SECURE_COOKIES", "secure-cookies", "false", "true behind a TLS-terminating proxy: mark cookies Secure", func(c *Config) *string { return &c.secureCookies }, ""},
	{"PORTAL_INBOUND_SMTP_ADDR", "inbound-smtp-addr", "", "when set (e.g. :2525, or lmtp::2424), an SMTP/LMTP listener for inbound email", func(c *Config) *string { return &c.InboundSMTPAddr }, "(none)"},
	{"PORTAL_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private", "false", "true lets webhooks reach private and loopback addresses", func(c *Config) *string { return &c.webhookAllowPrivate }, ""},
	{"PORTAL_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed", func(c *Config) *string { return &c.trustedProxies }, ""},
	{"PORTAL_LOG_FORMAT", "log-format", "text", "text (key=value lines) or json (one JSON object a line, for log collectors)", func(c *Config) *string { return &c.LogFormat }, ""},
	{"PORTAL_METRICS_TOKEN", "metrics-token", "", "bearer token that opens /metrics to other hosts than loopback", func(c *Config) *string { return &c.MetricsToken }, ""},
	{"PORTAL_TRACES_URL", "traces-url", "", "OpenTelemetry collector (OTLP/HTTP, e.g. http://collector:4318) that receives a span of every request and query (empty: off)", func(c *Config) *string { return &c.TracesURL }, ""},
	{"PORTAL_PPROF_ADDR", "pprof-addr", "", "loopback address of the Go profiler, e.g. 127.0.0.1:6060 (empty: off)", func(c *Config) *string { return &c.PprofAddr }, ""},
}

// bindConfig registers every setting on fs, twice: as a short flag
// (-database-url) and under its variable's name (-PORTAL_DATABASE_URL).
// Defaults come from getenv, so a flag overrides the environment.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) *Config {
	c := &Config{}
	for _, s := range settings {
		def := s.def
		if v, ok := lookup(getenv, s.env); ok {
			def = v
		}
		p := s.dst(c)
		fs.StringVar(p, s.flag, def, s.usage+" ($"+s.env+")")
		fs.StringVar(p, s.env, def, "same as -"+s.flag)
	}
	return c
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// Validate says, for each wrong setting, which variable and what is wrong.
// The database and the mail folder default to the data dir.
func (c *Config) Validate() error {
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "portal.db")
	}
	if c.MailURL == "" {
		c.MailURL = "file:" + filepath.Join(c.DataDir, "mail")
	}
	if c.BlobURL == "" {
		c.BlobURL = "file:" + filepath.Join(c.DataDir, "attachments")
	}
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("PORTAL_ADDR", "%q is not host:port (%v)", c.Addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("PORTAL_ADDR", "port %q is not a number from 0 to 65535", port)
	}
	if _, _, err := store.ParseURL(c.DatabaseURL); err != nil {
		bad("PORTAL_DATABASE_URL", "%v", err)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("PORTAL_DATA_DIR", "must not be empty")
	}
	if !validDomain(c.BaseDomain) {
		bad("PORTAL_BASE_DOMAIN", "%q is not a domain name such as localhost or portal.example.com", c.BaseDomain)
	}
	if err := validMailURL(c.MailURL); err != nil {
		bad("PORTAL_MAIL_URL", "%v", err)
	}
	if err := search.ValidateURL(c.SearchURL); err != nil {
		bad("PORTAL_SEARCH_URL", "%v", err)
	} else if dialect, _, err := store.ParseURL(c.DatabaseURL); err == nil && c.SearchURL == "postgres" && dialect != store.Postgres {
		bad("PORTAL_SEARCH_URL", "%v", search.ErrNotPostgres)
	}
	if err := blobs.ValidateURL(c.BlobURL); err != nil {
		bad("PORTAL_BLOB_URL", "%v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("PORTAL_LOG_FORMAT", "must be text or json")
	}
	c.TrustedProxies = nil
	for _, p := range strings.Split(c.trustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("PORTAL_TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR range such as 10.0.0.0/8", p)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch c.secureCookies {
	case "true", "false":
		c.SecureCookies = c.secureCookies == "true"
	default:
		bad("PORTAL_SECURE_COOKIES", "must be true or false")
	}
	switch c.webhookAllowPrivate {
	case "true", "false":
		c.WebhookAllowPrivate = c.webhookAllowPrivate == "true"
	default:
		bad("PORTAL_WEBHOOK_ALLOW_PRIVATE", "must be true or false")
	}
	if a := strings.TrimPrefix(c.InboundSMTPAddr, "lmtp:"); c.InboundSMTPAddr != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("PORTAL_INBOUND_SMTP_ADDR", "%q is not host:port or lmtp:host:port (%v)", c.InboundSMTPAddr, err)
		}
	}
	if dialect, _, err := store.ParseURL(c.DatabaseURL); err == nil && dialect == store.Postgres && c.SecretKey == "" {
		// Instances on one database must share the key: a key generated
		// into each one's data dir would make every session, CSRF token,
		// reset code and sealed secret of one unreadable to the others.
		bad("PORTAL_SECRET_KEY", "required with PostgreSQL, and the same for every instance (32 characters or more)")
	}
	if c.TracesURL != "" {
		if err := app.ValidateTracesURL(c.TracesURL); err != nil {
			bad("PORTAL_TRACES_URL", "%v", err)
		}
	}
	if c.PprofAddr != "" && !loopbackAddr(c.PprofAddr) {
		bad("PORTAL_PPROF_ADDR", "%q is not a loopback host:port such as 127.0.0.1:6060", c.PprofAddr)
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		bad("PORTAL_SECRET_KEY", "must be at least 32 characters (or empty, to generate one)")
	}
	return errors.Join(errs...)
}

// loopbackAddr reports whether addr is host:port with a loopback host
// (127.0.0.0/8, ::1 or localhost).
func loopbackAddr(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.ToLower(d) != d {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func validMailURL(raw string) error {
	switch {
	case strings.HasPrefix(raw, "file:"):
		if strings.TrimPrefix(raw, "file:") == "" {
			return errors.New("file: needs a folder, as in file:data/mail")
		}
		return nil
	case strings.HasPrefix(raw, "smtp://"), strings.HasPrefix(raw, "smtps://"):
		u, err := url.Parse(raw)
		if err != nil {
			return errors.New("the SMTP URL does not parse")
		}
		if u.Hostname() == "" || u.Port() == "" {
			return errors.New("the SMTP URL needs a host and a port, as in smtp://user:pass@mail.example.com:587")
		}
		return nil
	}
	return errors.New("must start with file:, smtp:// or smtps://")
}

// secretKey returns the configured key, or the one generated into the data
// dir on first start (kept, so sessions survive restarts).
func (c *Config) secretKey() ([]byte, error) {
	if c.SecretKey != "" {
		return []byte(c.SecretKey), nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("%s is not a hex key of 32 bytes or more: delete it to generate a new one", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first: use theirs
		return c.secretKey()
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, f.Sync()
}

// appConfig is the configuration the platform is built from, with the
// secret key read (or generated) and the logger of the command.
func (c *Config) appConfig(log *slog.Logger) (app.Config, error) {
	secret, err := c.secretKey()
	if err != nil {
		return app.Config{}, err
	}
	_, port, _ := net.SplitHostPort(c.Addr)
	return app.Config{
		DatabaseURL: c.DatabaseURL, DataDir: c.DataDir, BaseDomain: c.BaseDomain, MailURL: c.MailURL,
		SearchURL: c.SearchURL, BlobURL: c.BlobURL, SecretKey: secret, SecureCookies: c.SecureCookies, Port: port, Logger: log,
		WebhookAllowPrivate: c.WebhookAllowPrivate, TrustedProxies: c.TrustedProxies, MetricsToken: c.MetricsToken,
		TracesURL: c.TracesURL,
	}, nil
}

// requireDatabase says so when the embedded database of the configuration
// does not exist.
func (c *Config) requireDatabase() error {
	dialect, path, err := store.ParseURL(c.DatabaseURL)
	if err != nil || dialect != store.SQLite {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s: run this command with the PORTAL_DATA_DIR (or PORTAL_DATABASE_URL) of the installation, or start it first with `portal serve`", path)
	}
	return nil
}
