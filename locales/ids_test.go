package locales

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// idRE is a quoted message id: a namespace of the catalogs, a dot, and
// lower-case words.
var idRE = regexp.MustCompile(`"([a-z_]+)\.([a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)

// notIDs are quoted names that look like ids and are not: file names,
// form field names, the webhook events of webhook.go.
var notIDs = regexp.MustCompile(`\.(js|css|html|tmpl|txt)$|_$|^field\.[a-z_]+$|^ticket\.(created|replied|status_changed|solution_accepted|solution_refused|closed)$`)

// TestIDs_Exist fails on a message id written in a template or a Go file
// that no catalog defines: the reader would see the id instead of words.
// An id is any quoted "namespace.words" whose namespace the catalogs use;
// ids built at run time ("status." + s) are checked where they are built.
func TestIDs_Exist(t *testing.T) {
	known := map[string]bool{}
	namespaces := map[string]bool{}
	files, _ := filepath.Glob("*.en.toml")
	for _, f := range files {
		for id := range readCatalog(t, f) {
			known[id] = true
			namespaces[id[:strings.IndexByte(id+".", '.')]] = true
		}
	}
	if len(known) < 500 {
		t.Fatalf("%d ids in the English catalogs", len(known))
	}
	checked := 0
	walkSources(t, []string{"bench", "migrations"}, func(path string) {
		if !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".tmpl")) {
			return
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, m := range idRE.FindAllStringSubmatch(string(src), -1) {
			id := m[1] + "." + m[2]
			if namespaces[m[1]] && !known[id] && !notIDs.MatchString(id) {
				t.Errorf("%s: %q is in no catalog", path, id)
			}
		}
	})
	if checked < 100 {
		t.Fatalf("checked %d files", checked)
	}
}

// walkSources calls fn with the path of every source file of the
// project but tests, outside the folders named skip and those that are
// never sources (.git, docs, testdata…).
func walkSources(t *testing.T, skip []string, fn func(path string)) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".cache", "node_modules", "docs", "testdata":
				return filepath.SkipDir
			}
			if slices.Contains(skip, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			fn(path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
