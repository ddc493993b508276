package main

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// These tests check the deployment files against the program, since
// Docker is not run by the test suite: the compose file's services and
// settings, the Dockerfile's shape, the systemd unit, and the settings the
// documentation names.

var envRef = regexp.MustCompile(`\$\{([A-Z0-9_]+):-([^}]*)\}`)

// knownSetting reports whether name is a PORTAL_* setting of the program.
func knownSetting(name string) bool {
	return slices.ContainsFunc(settings, func(s setting) bool { return s.env == name })
}

func TestCompose_ScaledOut(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Profiles    []string          `yaml:"profiles"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck any               `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	// Defaults of ${VAR:-default} stand for the values.
	if err := yaml.Unmarshal([]byte(envRef.ReplaceAllString(string(raw), "$2")), &compose); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"portal-a", "portal-b", "proxy", "postgres", "minio", "s3-bucket", "typesense"} {
		if _, ok := compose.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	var portals []map[string]string
	for _, name := range []string{"portal-a", "portal-b"} {
		svc := compose.Services[name]
		if svc.Build == nil {
			t.Errorf("%s is not built from the Dockerfile", name)
		}
		for k := range svc.Environment {
			if !knownSetting(k) {
				t.Errorf("%s sets %s, which is not a setting of the program", name, k)
			}
		}
		// The settings are valid as the program reads them.
		cfg := bindConfig(newFlagSet(), func(k string) string { return svc.Environment[k] })
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: invalid configuration: %v", name, err)
		}
		portals = append(portals, svc.Environment)
	}
	if len(portals) == 2 && !maps2Equal(portals[0], portals[1]) {
		t.Errorf("the two instances are configured differently: %v / %v", portals[0], portals[1])
	}
	env := portals[0]
	for k, want := range map[string]string{"PORTAL_DATABASE_URL": "postgres://", "PORTAL_BLOB_URL": "s3://", "PORTAL_SEARCH_URL": "postgres"} {
		if !strings.HasPrefix(env[k], want) {
			t.Errorf("%s = %q, want %s…", k, env[k], want)
		}
	}
	if env["PORTAL_TRUSTED_PROXIES"] == "" || env["PORTAL_SECRET_KEY"] == "" {
		t.Error("the instances need PORTAL_TRUSTED_PROXIES (behind the proxy) and a shared PORTAL_SECRET_KEY")
	}
	if !slices.Contains(compose.Services["typesense"].Profiles, "typesense") {
		t.Error("typesense should be an option (profile), search runs in PostgreSQL by default")
	}
}

func maps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDockerfile(t *testing.T) {
	lines := readLines(t, "../../Dockerfile")
	var froms int
	var user, health, entry string
	for _, l := range lines {
		switch f := strings.Fields(l); {
		case len(f) == 0:
		case f[0] == "FROM":
			froms++
		case f[0] == "USER":
			user = f[1]
		case f[0] == "HEALTHCHECK":
			health = l
		case f[0] == "CMD" && health == "":
		case f[0] == "ENTRYPOINT":
			entry = l
		case f[0] == "ENV":
		}
	}
	if froms < 2 {
		t.Errorf("%d stages, want a build stage and a small final one", froms)
	}
	if user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("USER %q: the image must run as a non-root user", user)
	}
	if !strings.Contains(health, `"/portal", "health"`) || !commandExists("health") {
		t.Errorf("HEALTHCHECK %q should run `portal health`", health)
	}
	if !strings.Contains(entry, "/portal") {
		t.Errorf("ENTRYPOINT %q", entry)
	}
	for _, l := range lines {
		for _, name := range regexp.MustCompile(`PORTAL_[A-Z_]+`).FindAllString(l, -1) {
			if !knownSetting(name) {
				t.Errorf("Dockerfile sets %s, which is not a setting", name)
			}
		}
	}
}

func TestSystemdUnit(t *testing.T) {
	var exec string
	for _, l := range readLines(t, "../../deploy/portal.service") {
		if strings.HasPrefix(l, "ExecStart=") {
			exec = l
		}
		if strings.HasPrefix(l, "Environment=") {
			name := strings.SplitN(strings.TrimPrefix(l, "Environment="), "=", 2)[0]
			if !knownSetting(name) {
				t.Errorf("the unit sets %s, which is not a setting", name)
			}
		}
	}
	if f := strings.Fields(exec); len(f) < 2 || !commandExists(f[1]) {
		t.Errorf("ExecStart %q does not run a portal command", exec)
	}
}

// testVariables are the PORTAL_* variables the tests read (not settings
// of the portal), which the README may name when it says how to test.
var testVariables = map[string]bool{"PORTAL_TEST_DATABASE_URL": true, "PORTAL_SCREENSHOTS": true,
	"PORTAL_UPDATE_SCREENSHOTS": true, "PORTAL_AXE_JS": true}

// TestDocs_NameRealSettings: every PORTAL_* the README and docs/deploy.md
// name is a setting, and every setting is in the README's table.
func TestDocs_NameRealSettings(t *testing.T) {
	readme, _ := os.ReadFile("../../README.md")
	deploy, _ := os.ReadFile("../../docs/deploy.md")
	re := regexp.MustCompile(`PORTAL_[A-Z_]+`)
	for file, text := range map[string][]byte{"README.md": readme, "docs/deploy.md": deploy} {
		for _, name := range re.FindAllString(string(text), -1) {
			if !knownSetting(name) && !testVariables[name] {
				t.Errorf("%s names %s, which is not a setting", file, name)
			}
		}
	}
	for _, s := range settings {
		if !strings.Contains(string(readme), "| `"+s.env+"` |") {
			t.Errorf("README.md's configuration table lacks %s", s.env)
		}
	}
	for _, c := range commands {
		if !strings.Contains(string(readme), "`portal "+c.name) {
			t.Errorf("README.md does not describe `portal %s`", c.name)
		}
	}
	if strings.Contains(string(readme), "shared/SPEC.md") {
		t.Error("README.md refers to ../shared/SPEC.md, which a clone does not have")
	}
}

func commandExists(name string) bool {
	return slices.ContainsFunc(commands, func(c command) bool { return c.name == name })
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
