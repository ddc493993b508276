package web

import (
	"fmt"
	"strings"
	"testing"
)

func TestMarkdown_Sanitised(t *testing.T) {
	tests := []struct{ src, want, notWant string }{
		{"**bold** and `code`", "<strong>bold</strong>", ""},
		{"<script>alert(1)</script>", "", "<script"},
		{"[x](javascript:alert(1))", "", "javascript:"},
		{"<img src=x onerror=alert(1)>", "", "onerror"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>", ""},
		{"https://example.com", `rel="nofollow`, ""},
	}
	for i := range 2 * len(tests) { // the second time from the cache
		tt := tests[i%len(tests)]
		got := string(Markdown(tt.src))
		if tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("Markdown(%q) = %q, want %q in it", tt.src, got, tt.want)
		}
		if tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("Markdown(%q) = %q, must not contain %q", tt.src, got, tt.notWant)
		}
	}
}

// TestMarkdown_CacheBounded: what the cache of rendered Markdown keeps
// stays under its budget however many texts pass, and a text too long to
// keep still renders.
func TestMarkdown_CacheBounded(t *testing.T) {
	body := strings.Repeat("A line of *text*. ", 500) // ~9 KB, ~10 KB rendered
	for i := range 2 * rendered.max / (2 * len(body)) {
		src := fmt.Sprintf("%d %s", i, body)
		if got := Markdown(src); !strings.Contains(string(got), "<em>text</em>") {
			t.Fatalf("text %d rendered %.80q", i, got)
		}
		rendered.mu.RLock()
		size, n := rendered.size, len(rendered.m)
		rendered.mu.RUnlock()
		if size > rendered.max || n == 0 {
			t.Fatalf("after %d texts: %d bytes in %d entries, budget %d", i+1, size, n, rendered.max)
		}
	}
	long := strings.Repeat("word ", rendered.maxEntry/4)
	if got := Markdown(long); !strings.HasPrefix(string(got), "<p>word") {
		t.Errorf("a long text rendered %.40q", got)
	}
	if _, kept := rendered.get(long); kept {
		t.Error("a text over rendered.maxEntry was kept")
	}
}
