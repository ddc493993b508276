package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/ticketapi"
	"github.com/svcportal/svcportal/web"
)

// Fuzz targets for every parser of outside input in the web layer. Their
// seeds run as ordinary tests; scripts/test also fuzzes each briefly.

// walkStrings calls fn with every key and string of a decoded document.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}

// FuzzDecodeJSON: JSON body binding never panics, and whatever it
// accepts holds only valid text (UTF-8, no NUL) in every key and string,
// however deep, and decodes into a typed request the same way.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"title":"Printer","description":"On **floor 3**","cc":["a@b.test"],"fields":{"priority":"high"}}`,
		`{"title":"a\u0000b"}`, `{"fields":{"x\u0000":1}}`, `{"cc":["\u0000"]}`, "{\"title\":\"\xff\"}",
		`{"title":"\ud800"}`, `{"title":"\\u0000"}`, `[]`, `null`, `{"a":{"b":[{"c":"\u0000"}]}}`,
		`{"title":1}`, `{"title":"x"} {"title":"y"}`, `{"unknown":true}`, ``, `{`, `"\u0000"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var doc any
		if err := web.DecodeJSON(raw, &doc); err == nil {
			walkStrings(doc, func(s string) {
				if !web.ValidText(s) {
					t.Fatalf("DecodeJSON(%q) accepted %q", raw, s)
				}
			})
		}
		var req svcportal.NewTicket
		if err := web.DecodeJSON(raw, &req); err == nil {
			for _, s := range append([]string{req.Title, req.Description}, req.CC...) {
				if !web.ValidText(s) {
					t.Fatalf("DecodeJSON(%q) accepted %q", raw, s)
				}
			}
			walkStrings(map[string]any(req.Fields), func(s string) {
				if !web.ValidText(s) {
					t.Fatalf("DecodeJSON(%q) accepted field text %q", raw, s)
				}
			})
		}
	})
}

// fuzzTenant resolves every host to one tenant, whose uploads are small.
type fuzzTenant struct{ t *svcportal.Tenant }

func (r fuzzTenant) Resolve(context.Context, string) (*svcportal.Tenant, error) { return r.t, nil }

// fuzzServer is the web layer with routes that parse a ticket filter from
// the query and take uploads, as the portal's do, without a database.
func fuzzServer(blobs svcportal.BlobStore) *web.Server {
	t := svcportal.NewTenant("acme", "Acme")
	t.ID, t.MaxUploadMB = 1, 1
	srv := web.New(web.Options{Tenants: fuzzTenant{t}})
	g := srv.Tenant.Group("/", web.LimitBody, func(c *gin.Context) {
		web.SetPrincipal(c, &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: &svcportal.Contact{ID: 1, Email: "peter@initech.test"}})
		c.Next()
	})
	g.GET("/tickets", web.H(func(c *gin.Context) error {
		f, err := ticketapi.ParseFilter(c.Request.URL.Query())
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, f)
		return nil
	}))
	g.POST("/upload", web.AcceptUploads, web.H(func(c *gin.Context) error {
		form, err := web.FormValues(c)
		if err != nil {
			return err
		}
		files, err := web.Uploads(c, blobs)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, gin.H{"values": form, "files": files})
		return nil
	}))
	return srv
}

// FuzzTicketQuery: the query string of a ticket list, read by the web
// layer and ticketapi.ParseFilter, is answered 200, 400 or 422, never 500; an
// accepted filter is within the bounds of one request's work and holds
// only valid text.
func FuzzTicketQuery(f *testing.F) {
	for _, s := range []string{
		"q=printer+jams&status=open,closed&unread=true&page=2&per_page=10&field.asset_tag=PR-1&sort=-updated",
		"q=%00", "q=%ff", "field.x%00=1", "status=bogus", "page=-1", "per_page=abc", "unread=maybe",
		"q=" + strings.Repeat("w+", 40), "q=" + strings.Repeat("x", 300), "scope=site", "scope=all",
		"q=%zz", "&&&=", "field.=1", "status=open&status=open",
	} {
		f.Add(s)
	}
	srv := fuzzServer(nil)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		if strings.ContainsAny(rawQuery, " #\r\n\t\x00") || !utf8.ValidString(rawQuery) {
			return // not something a request line can carry
		}
		req := httptest.NewRequest(http.MethodGet, "/tickets", nil)
		req.URL.RawQuery = rawQuery
		req.Host = "acme.localhost"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			return
		case http.StatusOK:
		default:
			t.Fatalf("?%s: got %d %s", rawQuery, rec.Code, rec.Body)
		}
		var got svcportal.TicketFilter
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if utf8.RuneCountInString(got.Query) > svcportal.MaxQueryLength || len(strings.Fields(got.Query)) > svcportal.MaxQueryWords ||
			len(got.Fields) > svcportal.MaxFieldFilters {
			t.Fatalf("?%s: accepted an unbounded filter %+v", rawQuery, got)
		}
		texts := append([]string{got.Query, got.Sort, got.Scope}, got.Status...)
		for k, v := range got.Fields {
			texts = append(texts, k, v.(string))
		}
		for _, s := range texts {
			if !web.ValidText(s) {
				t.Fatalf("?%s: accepted %q", rawQuery, s)
			}
		}
	})
}

// memBlobs keeps uploads in memory, honouring the size limit as the real
// stores do.
type memBlobs struct{}

func (memBlobs) Put(_ context.Context, r io.Reader, max int64) (svcportal.Upload, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return svcportal.Upload{}, err
	}
	if int64(len(b)) > max {
		return svcportal.Upload{}, svcportal.NewError(svcportal.KindTooLarge, "error.file_too_large")
	}
	sum := sha256.Sum256(b)
	return svcportal.Upload{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), ContentType: http.DetectContentType(b)}, nil
}

func (memBlobs) Open(context.Context, string) (io.ReadCloser, error) {
	return nil, svcportal.ErrNotFound()
}

// FuzzMultipartUpload: any multipart body is answered 200, 400, 413 or
// 422, never 500; the file names kept are clean (no path, no control or
// invisible formatting character, valid UTF-8, bounded), form values are
// valid text, and no spooled part outlives the request.
func FuzzMultipartUpload(f *testing.F) {
	const boundary = "fuzzboundary"
	part := func(headers, body string) string {
		return "--" + boundary + "\r\n" + headers + "\r\n\r\n" + body + "\r\n"
	}
	end := "--" + boundary + "--\r\n"
	for _, s := range []string{
		part(`Content-Disposition: form-data; name="body"`, "hello") +
			part(`Content-Disposition: form-data; name="files"; filename="log.txt"`, "error 42") + end,
		part(`Content-Disposition: form-data; name="files"; filename="invoice`+"\u202E"+`fdp.exe"`, "MZ") + end,
		part(`Content-Disposition: form-data; name="files"; filename="../../etc/passwd"`, "root") + end,
		part(`Content-Disposition: form-data; name="files"; filename="C:\\Users\\a.txt"`, "x") + end,
		part(`Content-Disposition: form-data; name="files"; filename*=UTF-8''%E2%80%AEabc.txt`, "x") + end,
		part(`Content-Disposition: form-data; name="files"; filename="`+"\xff\xfe"+`.txt"`, "x") + end,
		part(`Content-Disposition: form-data; name="title"`, "a\x00b") + end,
		part(`Content-Disposition: form-data; name="files"; filename="big.bin"`, strings.Repeat("a", 1<<20+1)) + end,
		part(`Content-Disposition: form-data; name="files"; filename=""`, "") + end,
		"--" + boundary + "\r\nbroken",
		"",
	} {
		f.Add([]byte(s))
	}
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	srv := fuzzServer(memBlobs{})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body))
		req.Host = "acme.localhost"
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*")); len(left) > 0 {
			t.Fatalf("%d temporary files left", len(left))
		}
		switch rec.Code {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			return
		case http.StatusOK:
		default:
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		var got struct {
			Values url.Values         `json:"values"`
			Files  []svcportal.Upload `json:"files"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if web.CheckValues(got.Values) != nil {
			t.Fatalf("accepted form values %q", got.Values)
		}
		for _, up := range got.Files {
			name := up.Filename
			if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > svcportal.MaxFilenameLength ||
				strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
				t.Fatalf("kept file name %q", name)
			}
			for _, r := range name {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("kept file name %q with %U", name, r)
				}
			}
		}
	})
}

// FuzzMarkdown: whatever a client or agent writes, the rendered and
// sanitised HTML has no script or other active element, no event-handler
// attribute and no javascript:, vbscript: or data: URL.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"**bold** and `code`", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))", "[x](java\tscript:alert(1))", "[x](&#106;avascript:alert(1))",
		"<img src=x onerror=alert(1)>", "![a](javascript:alert(1))", "<a href=\"javascript:alert(1)\">x</a>",
		"[x](data:text/html;base64,PHNjcmlwdD4=)", "<iframe src=//evil></iframe>", "<svg onload=alert(1)>",
		"| a | b |\n|---|---|\n| <b onclick=x>1</b> | 2 |", "https://example.com", "<style>*{}</style>",
		"[x]: javascript:alert(1)\n\n[y][x]", "<object data=x>", "- [ ] task\n- [x] done", "<a href='vbscript:msgbox'>v</a>",
		"```\n<script>\n```", "<details open ontoggle=alert(1)>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := string(web.Markdown(src))
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("script, style, iframe, object, embed, form, input, svg, math, base, meta, link").Length(); n > 0 {
			t.Fatalf("Markdown(%q) = %q: %d active elements", src, out, n)
		}
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "formaction" {
					t.Fatalf("Markdown(%q) = %q: attribute %s", src, out, a.Key)
				}
				if key != "href" && key != "src" && key != "action" && key != "cite" && key != "background" && key != "poster" {
					continue
				}
				v := strings.Map(func(r rune) rune {
					if unicode.IsSpace(r) || unicode.IsControl(r) {
						return -1
					}
					return unicode.ToLower(r)
				}, a.Val)
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, scheme) {
						t.Fatalf("Markdown(%q) = %q: %s=%q", src, out, a.Key, a.Val)
					}
				}
			}
		})
	})
}
