package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// imageUID is the user the Dockerfile's final stage runs as (distroless's
// nonroot).
const imageUID = 65532

// TestDockerImage_Emulated builds the binary with the Dockerfile's own
// build command and runs it as its final stage would — no other file, no
// PATH or HOME, the Dockerfile's ENV, as the non-root user when the test
// runs as root, with an empty data dir that user owns — and runs the
// HEALTHCHECK command against it. No Docker engine runs on the test
// machines; this checks what the image holds: a static binary (distroless
// static has no C library) that creates its data, serves and answers its
// health check on its own.
func TestDockerImage_Emulated(t *testing.T) {
	build, envs, health := dockerfileSteps(t)
	// Not t.TempDir: its parent is private to this user, and the image's
	// user must reach the binary and the data dir.
	dir, err := os.MkdirTemp("", "portal-image-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "portal")
	// RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/portal ./cmd/portal
	m := regexp.MustCompile(`^((?:[A-Z_]+=\S+\s+)*)go build (.*) -o /out/portal ./cmd/portal$`).FindStringSubmatch(build)
	if m == nil {
		t.Fatalf("the Dockerfile's build step changed: %q", build)
	}
	var f *elf.File
	cmd := exec.Command("go", append(splitArgs(build), "-o", bin, ".")...)
	cmd.Env = append(os.Environ(), strings.Fields(m[1])...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", cmd.Args, err, out)
	}
	f, err = elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary needs a dynamic loader; distroless static has none")
		}
	}
	f.Close()

	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	env := map[string]string{}
	for _, kv := range envs {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if env["PORTAL_DATA_DIR"] != "/data" || !strings.HasSuffix(env["PORTAL_ADDR"], ":8080") {
		t.Fatalf("the Dockerfile's ENV changed: %v", env)
	}
	// Loopback and a free port instead of 0.0.0.0:8080, the temporary dir
	// instead of the volume.
	env["PORTAL_ADDR"], env["PORTAL_DATA_DIR"] = freeAddr(t), data
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		if err := os.Chown(data, imageUID, imageUID); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: imageUID, Gid: imageUID}
	}
	p := startPortalAs(t, bin, env, cred, "serve")
	defer p.kill(t)

	// HEALTHCHECK CMD ["/portal", "health"]
	hc := exec.Command(bin, health...)
	for k, v := range env {
		hc.Env = append(hc.Env, k+"="+v)
	}
	hc.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := hc.CombinedOutput(); err != nil {
		t.Fatalf("health check: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "portal.db")); err != nil {
		t.Errorf("the database is not in the data dir: %v", err)
	}
}

// dockerfileSteps reads the build stage's go build command (continuation
// lines joined), the final stage's ENV and the HEALTHCHECK's arguments.
func dockerfileSteps(t *testing.T) (build string, env []string, health []string) {
	t.Helper()
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "RUN":
			for _, part := range strings.Split(strings.Join(f[1:], " "), "&&") {
				if part = strings.TrimSpace(part); strings.Contains(part, "go build") {
					build = part
				}
			}
		case "ENV":
			env = append(env, f[1:]...)
		case "HEALTHCHECK":
			m := regexp.MustCompile(`CMD \["/portal"((?:, "[^"]+")*)\]`).FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("HEALTHCHECK: %q", l)
			}
			for _, a := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
				health = append(health, a[1])
			}
		}
	}
	if build == "" || len(env) == 0 || len(health) == 0 {
		t.Fatalf("Dockerfile: build %q, env %v, health %v", build, env, health)
	}
	return build, env, health
}

// splitArgs turns the Dockerfile's `go build …` shell words into go's
// arguments, without the variables before it and the output (the test
// chooses it): quotes hold one argument.
func splitArgs(build string) []string {
	var args []string
	for _, m := range regexp.MustCompile(`(?:[^\s']|'[^']*')+`).FindAllString(build, -1) {
		args = append(args, m)
	}
	var out []string
	inBuild := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "go":
			inBuild = true
			continue
		case !inBuild:
			continue
		case a == "-o":
			i++
			continue
		case a == "./cmd/portal":
			continue
		case a == "-trimpath":
			// It only takes the build machine's paths out of the binary,
			// and would recompile every package: minutes on the CI machine.
			continue
		}
		out = append(out, strings.ReplaceAll(a, "'", ""))
	}
	return out
}
