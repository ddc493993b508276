package testkit

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Screenshot opens url in the browser of ctx (see Chromium) at width CSS
// pixels, waits for the element sel, and returns a PNG of the whole page,
// checked to be that wide.
func Screenshot(ctx context.Context, t testing.TB, url string, width int, sel string) []byte {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot of %s is no PNG: %v", url, err)
	}
	if w := img.Bounds().Dx(); w != width {
		t.Fatalf("screenshot of %s is %d px wide, want %d", url, w, width)
	}
	return shot
}

// SaveScreenshot writes a screenshot to dir/name (creating dir).
func SaveScreenshot(t testing.TB, dir, name string, shot []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
