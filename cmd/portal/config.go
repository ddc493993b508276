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
	SecretKey   string
	// SecureCookies is true behind a TLS-terminating proxy: cookies are
	// then marked Secure although the proxy talks plain HTTP to us. Validate
	// sets it from secureCookies, the setting as written.
	SecureCookies bool
	secureCookies string
	// PprofAddr, when set, serves Go's profiler (/debug/pprof/) on this
	// address, which must be on loopback: an operator's tool, reached
	// from the machine itself (or through an SSH tunnel), never from the
	// network.
	PprofAddr string
}

// setting describes one configuration value: its variable, flag, default.
type setting struct {
	env, flag, def, usage string
	dst                   func(*Config) *string
}

var settings = []setting{
	{"PORTAL_ADDR", "addr", "localhost:8080", "listen address", func(c *Config) *string { return &c.Addr }},
	{"PORTAL_DATABASE_URL", "database-url", "sqlite:data/portal.db", "sqlite:PATH or postgres://…", func(c *Config) *string { return &c.DatabaseURL }},
	{"PORTAL_DATA_DIR", "data-dir", "data", "folder for attachments and generated secrets", func(c *Config) *string { return &c.DataDir }},
	{"PORTAL_BASE_DOMAIN", "base-domain", "localhost", "tenant acme is served at acme.<base domain>", func(c *Config) *string { return &c.BaseDomain }},
	{"PORTAL_MAIL_URL", "mail-url", "file:data/mail", "file:DIR or smtp://user:pass@host:port", func(c *Config) *string { return &c.MailURL }},
	{"PORTAL_SEARCH_URL", "search-url", "embedded", "embedded or typesense://API_KEY@host:port", func(c *Config) *string { return &c.SearchURL }},
	{"PORTAL_SECRET_KEY", "secret-key", "", "keys for sessions, CSRF and reset codes (generated into the data dir when empty)", func(c *Config) *string { return &c.SecretKey }},
	{"PORTAL_SECURE_COOKIES", "secure-cookies", "false", "true behind a TLS-terminating proxy: mark cookies Secure", func(c *Config) *string { return &c.secureCookies }},
	{"PORTAL_PPROF_ADDR", "pprof-addr", "", "loopback address of the Go profiler, e.g. 127.0.0.1:6060 (empty: off)", func(c *Config) *string { return &c.PprofAddr }},
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
func (c *Config) Validate() error {
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
	}
	switch c.secureCookies {
	case "true", "false":
		c.SecureCookies = c.secureCookies == "true"
	default:
		bad("PORTAL_SECURE_COOKIES", "must be true or false")
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
	return errors.New("must start with file: or smtp://")
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
		SearchURL: c.SearchURL, SecretKey: secret, SecureCookies: c.SecureCookies, Port: port, Logger: log,
	}, nil
}
