package inbound

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// attributionRE are the lines mail clients put above quoted history, in
// the portal's five languages: "On … wrote:", "Le … a écrit :",
// "Am … schrieb …:", "El … escribió:", "Il … ha scritto:", and the
// separators of Outlook-style forwards and replies.
var attributionRE = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^on\s.{1,300}\swrote:$`),
	regexp.MustCompile(`(?i)^le\s.{1,300}\sa\s+écrit\s?:$`),
	regexp.MustCompile(`(?i)^am\s.{1,300}\sschrieb.{0,200}:$`),
	regexp.MustCompile(`(?i)^el\s.{1,300}\sescribió:$`),
	regexp.MustCompile(`(?i)^il\s.{1,300}\sha\s+scritto:$`),
	regexp.MustCompile(`(?i)^-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale)\s*-{2,}$`),
	regexp.MustCompile(`^_{10,}$`),
}

// headerBlockRE starts the header block Outlook quotes under a reply
// ("From: … / Sent: …") in each language.
var headerBlockRE = regexp.MustCompile(`(?i)^(from|de|von|da)\s?:\s.+`)
var sentRE = regexp.MustCompile(`(?i)^(sent|envoyé|gesendet|enviado|inviato|date|datum|fecha|data)\s?:\s.+`)

// signatureRE are the lines a signature starts with: the "-- " delimiter
// (RFC 3676) and the mobile clients' "Sent from my …" in each language.
var signatureRE = []*regexp.Regexp{
	regexp.MustCompile(`^-- ?$`),
	regexp.MustCompile(`(?i)^(sent from my|sent from outlook|get outlook for)\b`),
	regexp.MustCompile(`(?i)^(envoyé de mon|envoyé depuis mon|envoyé à partir de)\b`),
	regexp.MustCompile(`(?i)^(von meinem .{1,60} gesendet|gesendet von meinem|gesendet mit)\b`),
	regexp.MustCompile(`(?i)^(enviado desde mi|enviado desde)\b`),
	regexp.MustCompile(`(?i)^(inviato da|inviato dal mio)\b`),
}

// Strip removes the quoted history and the signature of a reply's text:
// everything from the first attribution line or signature delimiter on,
// and every line quoted with ">".
func Strip(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		if cut(trimmed, lines, i) {
			break
		}
		if strings.HasPrefix(trimmed, ">") {
			continue
		}
		if lines[i] == "-- " || trimmed == "--" {
			break
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// cut reports whether the line at i starts the history or the signature.
// An attribution wrapped over two lines ("On Mon, … Jane Doe" / "<jane@…>
// wrote:") counts too.
func cut(trimmed string, lines []string, i int) bool {
	if trimmed == "" {
		return false
	}
	for _, re := range signatureRE[1:] {
		if re.MatchString(trimmed) {
			return true
		}
	}
	joined := trimmed
	if i+1 < len(lines) {
		joined = trimmed + " " + strings.TrimSpace(lines[i+1])
	}
	for _, re := range attributionRE {
		if re.MatchString(trimmed) || re.MatchString(joined) {
			return true
		}
	}
	if headerBlockRE.MatchString(trimmed) && i+1 < len(lines) && sentRE.MatchString(strings.TrimSpace(lines[i+1])) {
		return true
	}
	return false
}

// blockTags end a line of text.
var blockTags = map[string]bool{"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "pre": true, "table": true, "ul": true, "ol": true, "hr": true}

// skipTags hold no text a reader wrote: scripts, styles, and blockquote
// (the quoted history of HTML mail).
var skipTags = map[string]bool{"script": true, "style": true, "head": true, "title": true, "blockquote": true}

// HTMLText turns an HTML body into plain text: tags dropped, blocks on
// their own lines, scripts, styles, quoted history (blockquote, Gmail's
// gmail_quote, Outlook's divRplyFwdMsg) left out. Nothing of the HTML
// survives, so nothing of it can run when the text is shown.
func HTMLText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	// stack holds the elements open inside one whose text is left out;
	// an end tag closes everything opened after its element (HTML mail
	// often leaves elements unclosed).
	var stack []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			if len(stack) == 0 {
				b.WriteString(strings.ReplaceAll(string(z.Text()), "\u00a0", " "))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			quoted := skipTags[tag]
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if (string(k) == "class" || string(k) == "id") && isQuoteMarker(string(v)) {
					quoted = true
				}
			}
			if blockTags[tag] && len(stack) == 0 {
				b.WriteString("\n")
			}
			if tt == html.SelfClosingTagToken || voidTags[tag] {
				continue
			}
			if len(stack) > 0 || quoted {
				stack = append(stack, tag)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == tag {
					stack = stack[:i]
					break
				}
			}
			if blockTags[tag] && len(stack) == 0 {
				b.WriteString("\n")
			}
		}
	}
}

var voidTags = map[string]bool{"br": true, "img": true, "hr": true, "meta": true, "link": true, "input": true, "wbr": true, "col": true, "area": true, "base": true, "source": true}

func isQuoteMarker(v string) bool {
	v = strings.ToLower(v)
	return strings.Contains(v, "gmail_quote") || strings.Contains(v, "divrplyfwdmsg") || strings.Contains(v, "moz-cite-prefix") ||
		strings.Contains(v, "yahoo_quoted") || strings.Contains(v, "appendonsend")
}

var blankLinesRE = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+\n`)

// collapse trims lines and keeps at most one empty line in a row.
func collapse(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankLinesRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
