package inbound

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// Limits bound what Parse reads of one message.
type Limits struct {
	MaxBytes       int64 // the whole message
	MaxParts       int   // MIME parts, every level counted
	MaxDepth       int   // nesting of multiparts
	MaxAttachment  int64 // one attachment; larger ones are dropped
	MaxAttachments int   // attachments kept; further ones are dropped
}

// DefaultLimits are the limits of a message to a tenant whose uploads
// are at most maxUploadMB each.
func DefaultLimits(maxUploadMB int) Limits {
	return Limits{MaxBytes: 50 << 20, MaxParts: 100, MaxDepth: 8, MaxAttachment: int64(maxUploadMB) << 20, MaxAttachments: 10}
}

// Errors of Parse.
var (
	ErrTooLarge  = errors.New("inbound: the message is larger than allowed")
	ErrMalformed = errors.New("inbound: not an RFC 5322 message")
)

// Attachment is one file of a message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is what the portal reads of an inbound email.
type Message struct {
	From       string // the sender's address, lower case
	FromName   string
	Subject    string
	MessageID  string   // without angle brackets; "" when absent
	References []string // References and In-Reply-To, without angle brackets
	Recipients []string // To, Cc, Delivered-To and X-Original-To addresses, lower case
	// Text is the body as plain text (from text/plain, or text/html made
	// plain), before quotes and signatures are stripped.
	Text        string
	Attachments []Attachment
	Dropped     int // attachments dropped for size or number
	// Automatic says the message is an auto-reply, a bulk or list
	// message, or a bounce (RFC 3834 Auto-Submitted, Precedence, a
	// delivery status report, a mailer daemon).
	Automatic bool
	// DMARCFail says the receiving server's Authentication-Results found
	// the sender's domain failing DMARC.
	DMARCFail bool
	// Header is the decoded top-level header.
	Header mail.Header
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}}

// Parse reads one message within lim. Headers are decoded (RFC 2047, any
// charset the WHATWG encoding list knows), bodies decoded from base64 or
// quoted-printable and converted to UTF-8.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	raw, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if int64(len(raw)) > lim.MaxBytes {
		return nil, ErrTooLarge
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	msg := &Message{Header: m.Header}
	ap := &mail.AddressParser{WordDecoder: wordDecoder}
	from, err := ap.Parse(m.Header.Get("From"))
	if err != nil {
		return nil, fmt.Errorf("%w: From: %v", ErrMalformed, err)
	}
	msg.From, msg.FromName = strings.ToLower(from.Address), from.Name
	msg.Subject = decodeHeader(m.Header.Get("Subject"))
	msg.MessageID = strings.TrimSpace(strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>"))
	for _, h := range []string{"References", "In-Reply-To"} {
		for _, id := range strings.Fields(m.Header.Get(h)) {
			msg.References = append(msg.References, strings.Trim(id, "<>"))
		}
	}
	for _, h := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		for _, v := range m.Header[textproto.CanonicalMIMEHeaderKey(h)] {
			list, err := ap.ParseList(v)
			if err != nil {
				continue // a broken recipient header does not make the message unreadable
			}
			for _, a := range list {
				msg.Recipients = append(msg.Recipients, strings.ToLower(a.Address))
			}
		}
	}
	msg.Automatic = automatic(m.Header, msg.From)
	msg.DMARCFail = dmarcFail(m.Header)
	w := &walker{lim: lim, msg: msg}
	if err := w.part(textproto.MIMEHeader(m.Header), m.Body, 0); err != nil {
		return nil, err
	}
	switch {
	case w.plain != "":
		msg.Text = w.plain
	case w.html != "":
		msg.Text = HTMLText(w.html)
	}
	return msg, nil
}

func decodeHeader(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		d = s
	}
	return strings.TrimSpace(oneLine(strings.ToValidUTF8(d, "\uFFFD")))
}

// oneLine turns the line breaks and control characters of a header into
// spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// automatic reads the signs of a message no human wrote.
func automatic(h mail.Header, from string) bool {
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("List-Id") != "" {
		return true
	}
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return true
	}
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if ct == "multipart/report" {
		return true
	}
	local, _, _ := strings.Cut(from, "@")
	switch local {
	case "mailer-daemon", "postmaster":
		return true
	}
	return false
}

// dmarcFail reads Authentication-Results for a failed DMARC check. A pass
// is no proof (anyone may write the header); a fail added by the
// receiving server is reason enough to refuse.
func dmarcFail(h mail.Header) bool {
	for _, v := range h["Authentication-Results"] {
		if strings.Contains(strings.ToLower(v), "dmarc=fail") {
			return true
		}
	}
	return false
}

// walker visits the MIME tree of a message.
type walker struct {
	lim         Limits
	msg         *Message
	parts       int
	plain, html string
}

func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) error {
	w.parts++
	if w.parts > w.lim.MaxParts || depth > w.lim.MaxDepth {
		return fmt.Errorf("%w: too many or too deeply nested parts", ErrTooLarge)
	}
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || ct == "" {
		ct, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	if strings.HasPrefix(ct, "multipart/") {
		if ct == "multipart/report" {
			w.msg.Automatic = true
		}
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%w: multipart without boundary", ErrMalformed)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if err := w.part(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	if ct == "message/delivery-status" || ct == "message/disposition-notification" {
		w.msg.Automatic = true
	}
	data, err := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name)
	if disp != "attachment" && name == "" && (ct == "text/plain" || ct == "text/html") {
		text := toUTF8(params["charset"], data)
		switch {
		case ct == "text/plain" && w.plain == "":
			w.plain = text
		case ct == "text/html" && w.html == "":
			w.html = text
		}
		return nil
	}
	if disp != "attachment" && name == "" {
		return nil // an inline part without a name: a signature image, a calendar part…
	}
	if len(w.msg.Attachments) >= w.lim.MaxAttachments || int64(len(data)) > w.lim.MaxAttachment || len(data) == 0 {
		w.msg.Dropped++
		return nil
	}
	if name == "" {
		name = "attachment"
	}
	w.msg.Attachments = append(w.msg.Attachments, Attachment{Filename: name, ContentType: ct, Data: data})
	return nil
}

// decodeTransfer undoes a Content-Transfer-Encoding; an unknown one is
// read as it is.
func decodeTransfer(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Clean{r: bufio.NewReader(r)})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Clean drops what is not base64 (spaces, stray characters) so a
// sloppy encoder's output still decodes; the decoder ignores line ends.
type base64Clean struct {
	r *bufio.Reader
}

func (b *base64Clean) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := b.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
			p[n] = c
			n++
		}
	}
	return n, nil
}

// toUTF8 converts text in label's charset to valid UTF-8.
func toUTF8(label string, data []byte) string {
	label = strings.TrimSpace(label)
	if label != "" && !strings.EqualFold(label, "utf-8") && !strings.EqualFold(label, "us-ascii") {
		if r, err := charset.NewReaderLabel(label, bytes.NewReader(data)); err == nil {
			if out, err := io.ReadAll(r); err == nil {
				data = out
			}
		}
	}
	s := string(data)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\x00", "")
}
