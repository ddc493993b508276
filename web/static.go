package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// staticHash maps each embedded asset to a short hash of its content, so
// that its URL changes whenever it does and can be cached for a year.
var staticHash = func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		sum := sha256.Sum256(b)
		m[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// AssetURL is the cache-busting URL of an embedded asset, e.g. "app.css".
func AssetURL(name string) string {
	return "/static/" + name + "?v=" + staticHash[name]
}

func serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean(c.Param("name")), "/")
	hash, ok := staticHash[name]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	b, _ := staticFS.ReadFile("static/" + name)
	etag := `"` + hash + `"`
	h := c.Writer.Header()
	h.Set("ETag", etag)
	if c.Query("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Data(http.StatusOK, ct, b)
}
