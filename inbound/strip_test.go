package inbound

import (
	"strings"
	"testing"
)

func TestStrip(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"english", "Thanks, it works.\n\nOn Mon, 30 Nov 2026 at 09:00, Acme Support <help@acme.test> wrote:\n> Try again.", "Thanks, it works."},
		{"english attribution on two lines", "Fine.\n\nOn Mon, 30 Nov 2026 at 09:00, Acme Support\n<help@acme.test> wrote:\n> Try again.", "Fine."},
		{"french", "Merci, c’est réglé.\n\nLe lun. 30 nov. 2026 à 09:00, Acme <help@acme.test> a écrit :\n> Essayez encore.", "Merci, c’est réglé."},
		{"german", "Danke, es geht.\n\nAm 30.11.2026 um 09:00 schrieb Acme <help@acme.test>:\n> Bitte erneut versuchen.", "Danke, es geht."},
		{"spanish", "Gracias, funciona.\n\nEl lun, 30 nov 2026 a las 9:00, Acme (<help@acme.test>) escribió:\n> Inténtelo de nuevo.", "Gracias, funciona."},
		{"italian", "Grazie, funziona.\n\nIl giorno lun 30 nov 2026 alle ore 09:00 Acme <help@acme.test> ha scritto:\n> Riprovi.", "Grazie, funziona."},
		{"signature delimiter", "See the log.\n-- \nPeter Gibbons\nInitech", "See the log."},
		{"sent from my iPhone", "On my way.\n\nSent from my iPhone", "On my way."},
		{"envoyé de mon", "J’arrive.\n\nEnvoyé de mon iPhone", "J’arrive."},
		{"von meinem gesendet", "Komme gleich.\n\nVon meinem iPhone gesendet", "Komme gleich."},
		{"enviado desde mi", "Voy.\n\nEnviado desde mi iPhone", "Voy."},
		{"inviato da", "Arrivo.\n\nInviato da iPhone", "Arrivo."},
		{"outlook separator", "Done.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\n\nTry again.", "Done."},
		{"outlook header block", "Done.\n\nDe : Acme <help@acme.test>\nEnvoyé : lundi 30 novembre 2026 09:00\nObjet : VPN", "Done."},
		{"inline quotes dropped", "> old\nnew text\n> older", "new text"},
		{"nothing but a quote", "> only quoted", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Strip(c.in); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	in := `<html><head><style>p{}</style></head><body><div>First line<br>second&nbsp;line</div>` +
		`<script>alert(1)</script><p>Para <b>bold</b></p><div class="gmail_quote">On Mon … wrote:<blockquote>old <p>unclosed</blockquote></div><p>After</p></body></html>`
	got := HTMLText(in)
	want := "First line\nsecond line\n\nPara bold\n\nAfter"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if strings.Contains(got, "alert") {
		t.Error("script text kept")
	}
}

// FuzzInboundEmail parses arbitrary bytes as a message and strips its
// text: no panic, bounded work, and text that is valid UTF-8 without the
// quoted lines it promises to drop.
func FuzzInboundEmail(f *testing.F) {
	f.Add([]byte("From: a@b.test\r\nSubject: hi\r\n\r\nhello\r\n> quoted\r\n-- \r\nsig"))
	f.Add([]byte("From: a@b.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>=E9t=E9</p><blockquote>old</blockquote>\r\n--x\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--x--\r\n"))
	f.Add([]byte("From: =?utf-8?b?w6k=?= <a@b.test>\r\nSubject: =?koi8-r?q?=F0=D2=C9?=\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.0.0\r\n--r--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		lim := Limits{MaxBytes: 1 << 20, MaxParts: 50, MaxDepth: 5, MaxAttachment: 1 << 16, MaxAttachments: 3}
		m, err := Parse(strings.NewReader(string(raw)), lim)
		if err != nil {
			return
		}
		if len(m.Attachments) > lim.MaxAttachments {
			t.Fatalf("%d attachments kept, limit %d", len(m.Attachments), lim.MaxAttachments)
		}
		for _, a := range m.Attachments {
			if int64(len(a.Data)) > lim.MaxAttachment {
				t.Fatalf("an attachment of %d bytes kept", len(a.Data))
			}
		}
		text := Strip(m.Text)
		if !utf8Valid(text) {
			t.Fatalf("stripped text is not UTF-8: %q", text)
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), ">") {
				t.Fatalf("a quoted line survived: %q", line)
			}
		}
		_ = HTMLText(m.Text)
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
