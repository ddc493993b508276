package testkit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// EnvAxeJS names another copy of axe-core's axe.min.js than the one
// scripts/test installs into .cache/axe at the module's root.
const EnvAxeJS = "PORTAL_AXE_JS"

// AxeSource reads axe-core for the browser tests, or fails the test
// (scripts/test installs it: npm install --prefix .cache/axe axe-core@4).
func AxeSource(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvAxeJS)
	if path == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for { // up to the module's root
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatalf("axe-core: no go.mod above the test's folder")
			}
			dir = parent
		}
		path = filepath.Join(dir, ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core not found (scripts/test installs it: npm install --prefix .cache/axe axe-core@4; or set %s): %v", EnvAxeJS, err)
	}
	return string(src)
}

// Axe runs axe-core (src, from AxeSource) on the page of the browser ctx
// and returns its serious and critical violations as JSON: "[]" when
// there are none.
func Axe(ctx context.Context, src string) (string, error) {
	present, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.axe`))
	if err != nil {
		return "", err
	}
	if present != "object" {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](src+"\n;0")); err != nil {
			return "", err
		}
	}
	const run = `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`
	return chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
}
