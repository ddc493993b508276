package svcportal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

// TestAuditActions_Complete: every Audit… constant of session.go is in
// AuditActions (the audit log's filter and the API's check) and has a
// label in every catalog of the console.
func TestAuditActions_Complete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "session.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && strings.HasPrefix(vs.Names[0].Name, "Audit") && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				consts = append(consts, v)
			}
		}
		return true
	})
	if len(consts) < 15 {
		t.Fatalf("found %d audit actions in session.go", len(consts))
	}
	catalogs, _ := filepath.Glob("locales/*.toml")
	all := map[string]string{}
	for _, c := range catalogs {
		lang := strings.TrimSuffix(c[strings.LastIndexByte(c, '.')-2:], ".toml")
		raw, _ := os.ReadFile(c)
		all[lang] += string(raw)
	}
	for _, a := range consts {
		if !slices.Contains(svcportal.AuditActions, a) {
			t.Errorf("%q is not in AuditActions", a)
		}
		for lang, text := range all {
			if !strings.Contains(text, `"console.audit.action.`+a+`"`) {
				t.Errorf("%q has no label in the %s catalogs", a, lang)
			}
		}
	}
	if len(all) != 5 {
		t.Errorf("catalogs of %d languages", len(all))
	}
}
