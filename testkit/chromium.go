package testkit

import (
	"context"
	"net"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium starts headless Debian Chromium for a browser test and returns
// a chromedp context. Every host name resolves to this machine, so tenant
// hosts like acme.localhost reach the test server. The test command
// installs Chromium when it is missing; without it the test fails.
func Chromium(t testing.TB) context.Context {
	t.Helper()
	return ChromiumFor(t, 60*time.Second)
}

// ChromiumFor is Chromium whose steps may take up to d in all, for a
// suite of journeys sharing one browser.
func ChromiumFor(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found (scripts/test installs Debian's chromium package): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("host-resolver-rules", "MAP * 127.0.0.1"),
		chromedp.WindowSize(1100, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// The first call starts the browser, which lives as long as that
	// call's context: so no timeout there, only on the test's steps.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return tctx
}

// Serve runs the app on a loopback port for a browser and returns the port.
func (a *App) Serve(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(a.Web)
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return port
}
