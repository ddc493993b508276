package web

import (
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
	for _, tt := range tests {
		got := string(Markdown(tt.src))
		if tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("Markdown(%q) = %q, want %q in it", tt.src, got, tt.want)
		}
		if tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("Markdown(%q) = %q, must not contain %q", tt.src, got, tt.notWant)
		}
	}
}
