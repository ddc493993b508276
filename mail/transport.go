package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/svcportal/svcportal"
)

// Transport delivers one message.
type Transport interface {
	// Send delivers m or says why not; an error for which retrying cannot
	// help (a malformed message, a recipient the server refuses) is a
	// *PermanentError.
	Send(ctx context.Context, m *svcportal.OutboundEmail) error
}

// AcceptingTransport is a Transport that can tell when the receiving side
// has taken the message, before it ends the exchange (an SMTP server's
// answer to DATA, before QUIT). The worker records delivery at that
// moment, which narrows the window in which a crash makes it send the
// message again.
type AcceptingTransport interface {
	Transport
	// SendAccepted is Send that calls accepted once, as soon as the
	// message has been taken, when it has.
	SendAccepted(ctx context.Context, m *svcportal.OutboundEmail, accepted func()) error
}

// ParseURL returns the transport of a PORTAL_MAIL_URL:
//
//   - file:DIR writes one .eml file per message into DIR (a *FileTransport);
//   - smtp://user:pass@host:port delivers to an SMTP server, with STARTTLS
//     when the server offers it and AUTH PLAIN when credentials are given;
//   - smtps://user:pass@host:port does the same over implicit TLS.
//
// A from query parameter (smtp://host:587?from=help@msp.example) sets the
// sender address; it is no-reply@fromDomain by default. Messages carry the
// tenant's name as the sender's name.
func ParseURL(raw, fromDomain string) (Transport, error) {
	switch {
	case strings.HasPrefix(raw, "file:"):
		dir, query, _ := strings.Cut(strings.TrimPrefix(raw, "file:"), "?")
		dir = strings.TrimPrefix(dir, "//")
		from, err := fromParam(query, fromDomain)
		if err != nil {
			return nil, err
		}
		if dir == "" {
			return nil, errors.New("file: needs a folder, as in file:data/mail")
		}
		return NewFileTransport(dir, from)
	case strings.HasPrefix(raw, "smtp://"), strings.HasPrefix(raw, "smtps://"):
		u, err := url.Parse(raw)
		if err != nil {
			return nil, errors.New("the SMTP URL does not parse")
		}
		if u.Hostname() == "" {
			return nil, errors.New("the SMTP URL needs a host, as in smtp://user:pass@mail.example.com:587")
		}
		if u.Path != "" && u.Path != "/" {
			return nil, errors.New("the SMTP URL takes no path")
		}
		from, err := fromParam(u.RawQuery, fromDomain)
		if err != nil {
			return nil, err
		}
		t := &SMTPTransport{ImplicitTLS: u.Scheme == "smtps", From: from, LocalName: fromDomain}
		port := u.Port()
		if port == "" {
			port = "587"
			if t.ImplicitTLS {
				port = "465"
			}
		}
		t.Addr = net.JoinHostPort(u.Hostname(), port)
		if u.User != nil {
			t.Username = u.User.Username()
			t.Password, _ = u.User.Password()
		}
		return t, nil
	}
	return nil, errors.New("the mail URL must start with file:, smtp:// or smtps://")
}

// fromParam reads the sender address from a URL query, where from is the
// only parameter understood.
func fromParam(rawQuery, fromDomain string) (string, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("the mail URL's query does not parse: %w", err)
	}
	for k := range q {
		if k != "from" {
			return "", fmt.Errorf("the mail URL has an unknown parameter %q (only from is understood)", k)
		}
	}
	from := q.Get("from")
	if from == "" {
		from = "no-reply@" + fromDomain
	}
	if strings.ContainsAny(from, "\r\n") || bareAddress(from) != nil {
		return "", fmt.Errorf("the sender address %q is not one bare email address", from)
	}
	return from, nil
}
