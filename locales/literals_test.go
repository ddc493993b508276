package locales

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"golang.org/x/net/html"
)

// templateDirs hold every page and email template of the product.
var templateDirs = []string{"../portal/templates", "../admin/templates", "../web/templates", "../mail/templates"}

// visibleAttrs are the attributes a browser shows or reads aloud.
var visibleAttrs = map[string]bool{"title": true, "alt": true, "placeholder": true, "aria-label": true,
	"aria-description": true, "aria-roledescription": true, "label": true, "content": true, "value": true}

// TestTemplates_NoLiteralText fails on a word written in a template
// instead of taken from the catalogs: a text node or a visible attribute
// (title, alt, placeholder, aria-label, content…) with a letter in it.
// Template actions count as translated; scripts and styles are not text.
func TestTemplates_NoLiteralText(t *testing.T) {
	files := 0
	for _, dir := range templateDirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, path := range paths {
			if ext := filepath.Ext(path); ext != ".html" && ext != ".txt" && ext != ".tmpl" {
				continue
			}
			files++
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, lit := range literals(t, path, string(src)) {
				t.Errorf("%s: literal text %q (put it in the catalogs)", path, lit)
			}
		}
	}
	if files < 40 {
		t.Fatalf("found %d templates; the test does not see the product's templates", files)
	}
}

// TestTemplates_LiteralScannerFindsWords: the scanner finds words in text
// and visible attributes, and nothing in actions, markup, scripts, styles
// or symbols.
func TestTemplates_LiteralScannerFindsWords(t *testing.T) {
	src := `{{define "x"}}<p title="{{.T "a"}}">{{.T "b"}}</p><p>Hello {{.Name}}</p>` +
		`<input placeholder="Search"><img alt="Logo" src="/x.svg"><span aria-hidden="true">·</span>` +
		`<meta name="viewport" content="width=device-width"><meta name="description" content="Help">` +
		`<script>var x = "code";</script><style>p{content:"x"}</style><!-- a comment --><a href="/tickets?page=2" class="button">→</a>` +
		`<noscript><meta http-equiv="refresh" content="2"><p>Reload</p></noscript>{{end}}`
	got := literals(t, "sample.html", src)
	want := []string{"Hello", "placeholder=Search", "alt=Logo", "content=Help", "Reload"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// literals parses a template file and answers its literal words.
func literals(t *testing.T, name, src string) []string {
	t.Helper()
	trees, err := parse.Parse(name, src, "{{", "}}", map[string]any{}, builtins)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []string
	for _, tree := range trees {
		if tree.Root == nil {
			continue
		}
		// The markup with every action replaced by a marker: an action is
		// translated text or a value, never a literal.
		var b strings.Builder
		flatten(tree.Root, &b)
		out = append(out, htmlLiterals(b.String())...)
	}
	return out
}

// builtins lets parse accept the functions the templates call.
var builtins = funcNames()

func funcNames() map[string]any {
	// parse only checks that a function name is known; any value will do.
	m := map[string]any{}
	for _, dir := range templateDirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range paths {
			src, _ := os.ReadFile(p)
			for _, w := range strings.FieldsFunc(string(src), func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
			}) {
				m[w] = true
			}
		}
	}
	return m
}

const marker = "\x00"

func flatten(n parse.Node, b *strings.Builder) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			flatten(c, b)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.IfNode:
		b.WriteString(marker)
		flatten(n.List, b)
		flatten(n.ElseList, b)
	case *parse.RangeNode:
		b.WriteString(marker)
		flatten(n.List, b)
		flatten(n.ElseList, b)
	case *parse.WithNode:
		b.WriteString(marker)
		flatten(n.List, b)
		flatten(n.ElseList, b)
	default: // actions, template calls, comments
		b.WriteString(marker)
	}
}

// htmlLiterals tokenises markup and answers the text and visible
// attribute values that hold a letter.
func htmlLiterals(markup string) []string {
	var out []string
	// The tokenizer reads a noscript element as raw text, as a browser with
	// scripts does; its markup is what a browser without scripts shows.
	markup = strings.NewReplacer("<noscript>", "", "</noscript>", "").Replace(markup)
	z := html.NewTokenizer(strings.NewReader(markup))
	raw := ""
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if raw == "" {
				if w := words(string(z.Text())); w != "" {
					out = append(out, w)
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" || tok.Data == "style" {
				raw = tok.Data
			}
			for _, a := range tok.Attr {
				if !visibleAttrs[a.Key] || (a.Key == "value" && !isButton(tok)) || (a.Key == "content" && !describes(tok)) {
					continue
				}
				if w := words(a.Val); w != "" {
					out = append(out, a.Key+"="+w)
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == raw {
				raw = ""
			}
		}
	}
}

// describes: a meta element whose content search engines and link
// previews show (description, og:…, twitter:…), not a viewport or a
// color scheme.
func describes(tok html.Token) bool {
	for _, a := range tok.Attr {
		if (a.Key == "name" || a.Key == "property") && (a.Val == "description" || strings.HasPrefix(a.Val, "og:") || strings.HasPrefix(a.Val, "twitter:")) {
			return tok.Data == "meta"
		}
	}
	return false
}

// isButton: an input whose value is its visible label.
func isButton(tok html.Token) bool {
	for _, a := range tok.Attr {
		if a.Key == "type" && (a.Val == "submit" || a.Val == "button" || a.Val == "reset") {
			return tok.Data == "input"
		}
	}
	return false
}

// words answers s trimmed when it holds a letter outside actions.
func words(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, marker, " "))
	for _, r := range s {
		if unicode.IsLetter(r) {
			return s
		}
	}
	return ""
}

// userFacingSinks are the calls whose string arguments reach a reader:
// a response body written as is (c.String, http.Error), or HTML marked
// safe (template.HTML).
func userFacingSink(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, _ := sel.X.(*ast.Ident)
	switch sel.Sel.Name {
	case "String":
		return len(call.Args) >= 2
	case "Error":
		return pkg != nil && pkg.Name == "http"
	case "HTML":
		return pkg != nil && pkg.Name == "template"
	}
	return false
}

// userFacingFields are the struct fields and JSON keys that carry text a
// reader sees (a page's notice, a mail's subject…).
var userFacingFields = map[string]bool{"Message": true, "Title": true, "Label": true, "Text": true, "Subject": true,
	"Heading": true, "Placeholder": true, "Body": true, "message": true, "error": true, "title": true}

// protocolTypes are composite literals whose text is protocol, not prose:
// SMTP replies are read by mail servers (English, as RFC 5321 shows them).
var protocolTypes = map[string]bool{"smtp.SMTPError": true}

// notForReaders are the files whose text is for developers and operators,
// in English like the command line: the OpenAPI document.
var notForReaders = map[string]bool{"../app/openapi.go": true}

// probeBodies are the answers of the operator's endpoints (/healthz,
// /readyz, /metrics, /tls/ask), read by load balancers, scrapers and
// proxies, not by people.
var probeBodies = map[string]bool{"ok\n": true, "ready\n": true, "not ready\n": true, "unauthorized\n": true,
	"yes\n": true, "no\n": true, "unknown\n": true}

// TestGo_NoLiteralText fails on a word written in Go where a reader will
// see it: a literal given to c.String, http.Error or template.HTML, or set
// as a message, title, label, subject or body, in the packages that serve
// people (the command line and the benchmark speak to operators in
// English and are left out).
func TestGo_NoLiteralText(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	// The command line, the benchmark and the test helpers (testkit,
	// searchtest) speak to operators and developers.
	walkSources(t, []string{"cmd", "bench", "testkit", "scripts", "deploy", "searchtest"}, func(path string) {
		if !strings.HasSuffix(path, ".go") || notForReaders[path] {
			return
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, lit := range goLiterals(f) {
			t.Errorf("%s: literal text %q reaches a reader (put it in the catalogs)", fset.Position(lit.Pos()), lit.Value)
		}
	})
	if checked < 100 {
		t.Fatalf("checked %d Go files; the walk misses the product", checked)
	}
}

func TestGo_LiteralScannerFindsWords(t *testing.T) {
	src := `package x
func f(c *gin.Context, w http.ResponseWriter) {
	c.String(200, "Thank you")
	http.Error(w, "Not allowed", 403)
	c.String(200, "ok\n")
	_ = template.HTML("<b>Done</b>")
	_ = Notice{Message: "Saved", ID: "notice.saved"}
	_ = gin.H{"error": "Bad input", "code": "x"}
	c.String(200, "%d", 3)
	log.Error("job failed", "err", err)
	_ = smtp.SMTPError{Code: 550, Message: "No such mailbox"}
}`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range goLiterals(f) {
		got = append(got, l.Value)
	}
	want := []string{`"Thank you"`, `"Not allowed"`, `"<b>Done</b>"`, `"Saved"`, `"Bad input"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// goLiterals answers the string literals of f that reach a reader.
func goLiterals(f *ast.File) []*ast.BasicLit {
	var out []*ast.BasicLit
	check := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || probeBodies[s] {
			return
		}
		// Letters outside format verbs and markup.
		text := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]|<[^>]*>`).ReplaceAllString(s, "")
		if words(text) != "" {
			out = append(out, lit)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if userFacingSink(n) {
				for _, a := range n.Args {
					check(a)
				}
			}
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && protocolTypes[pkg.Name+"."+sel.Sel.Name] {
					return false
				}
			}
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch k := kv.Key.(type) {
				case *ast.Ident:
					if userFacingFields[k.Name] {
						check(kv.Value)
					}
				case *ast.BasicLit:
					if s, err := strconv.Unquote(k.Value); err == nil && userFacingFields[s] {
						check(kv.Value)
					}
				}
			}
		}
		return true
	})
	return out
}
