// Package mail sends the platform's email. The Renderer turns a request
// into a message in the recipient's language and the tenant's branding;
// store writes it to the outbox in the same transaction as the change that
// causes it; the Worker delivers the outbox through a Transport (a folder of
// .eml files, or an SMTP server) with retries and backoff, and never drops a
// message silently: one it gives up on stays in the outbox as failed, with
// its last error, and is logged as an error.
package mail

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
)

// PermanentError is a delivery failure that retrying cannot fix: the
// worker marks the message failed at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent failure: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a *PermanentError; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err or its chain holds a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Build returns m as an RFC 5322 message with CRLF line ends, sent from
// the address from under the tenant's name: multipart/alternative with a
// text/plain and a text/html part (when m has HTML), in UTF-8,
// quoted-printable. Header values are RFC 2047 encoded when not ASCII. A
// line break in an address or a name, or a recipient that is not one bare
// address, is refused with a *PermanentError: it could only come from an
// attempt to inject headers.
func Build(m *svcportal.OutboundEmail, from string) ([]byte, error) {
	for name, val := range map[string]string{"recipient": m.ToAddress, "recipient name": m.ToName, "sender name": m.FromName, "sender": from, "subject": m.Subject,
		"reply-to": m.ReplyTo, "references": m.References} {
		if strings.ContainsAny(val, "\r\n") {
			return nil, Permanent(fmt.Errorf("email %d: line break in the %s", m.ID, name))
		}
	}
	if err := bareAddress(m.ToAddress); err != nil {
		return nil, Permanent(fmt.Errorf("email %d: recipient: %w", m.ID, err))
	}
	if err := bareAddress(from); err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}

	var buf bytes.Buffer
	header := func(k, v string) { buf.WriteString(k + ": " + v + "\r\n") }
	header("Date", date.Format(time.RFC1123Z))
	header("From", (&mail.Address{Name: m.FromName, Address: from}).String())
	header("To", (&mail.Address{Name: m.ToName, Address: m.ToAddress}).String())
	header("Subject", encodeHeader(m.Subject))
	if m.ReplyTo != "" {
		if err := bareAddress(m.ReplyTo); err != nil {
			return nil, Permanent(fmt.Errorf("email %d: reply-to: %w", m.ID, err))
		}
		header("Reply-To", m.ReplyTo)
	}
	if m.References != "" {
		header("References", m.References)
		header("In-Reply-To", m.References)
	}
	// The id is the same on every attempt, so a receiver can drop a
	// duplicate after a retry that the server had in fact accepted.
	domain := from[strings.LastIndexByte(from, '@')+1:]
	if m.MessageID != "" {
		header("Message-ID", "<"+m.MessageID+"@"+domain+">")
	} else {
		header("Message-ID", fmt.Sprintf("<outbox.%d.%d@%s>", m.ID, date.UnixNano(), domain))
	}
	header("MIME-Version", "1.0")
	// RFC 3834: out-of-office robots must not answer.
	header("Auto-Submitted", "auto-generated")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	buf.WriteString("\r\n")
	if err := writePart(mw, "text/plain", m.TextBody); err != nil {
		return nil, err
	}
	if m.HTMLBody != "" {
		if err := writePart(mw, "text/html", m.HTMLBody); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	buf.Write(body.Bytes())
	return buf.Bytes(), nil
}

// bareAddress checks that s is exactly one address without display name.
func bareAddress(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("%q is not an email address", s)
	}
	if a.Address != s || a.Name != "" {
		return fmt.Errorf("%q is not one bare email address", s)
	}
	return nil
}

func writePart(mw *multipart.Writer, contentType, text string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType+"; charset=utf-8")
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(text)); err != nil {
		return err
	}
	return qp.Close()
}

// encodeHeader RFC 2047-encodes a non-ASCII value and folds each encoded
// word (75 octets at most) onto its own continuation line, so long
// subjects stay far below the 998-octet line limit.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}
