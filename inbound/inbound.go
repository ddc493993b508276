// Package inbound takes email into the portal (SPEC "Inbound email"): a
// known contact's message opens a ticket, a reply to a notification —
// recognised by the signed token of its ticket and recipient in the
// address or References — becomes a reply, and everything else is
// ignored or refused, and logged. Messages arrive through the HTTP
// endpoint, `portal mail ingest` or the SMTP/LMTP listener (smtp.go);
// they all end in Service.Ingest.
package inbound

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

// Store is what the service needs of the database.
type Store interface {
	svcportal.InboundMessageStore
	ContactByEmail(ctx context.Context, email string) (*svcportal.Contact, error)
}

// Service implements svcportal.InboundService.
type Service struct {
	st         Store
	tickets    svcportal.TicketService
	blobs      svcportal.BlobStore
	tokens     *svcportal.ReplyTokens
	secret     []byte
	baseDomain string
	log        *slog.Logger
}

var _ svcportal.InboundService = (*Service)(nil)

// New returns the service. secret is the server key (reply and endpoint
// tokens derive from it); baseDomain is the domain of the tenants'
// addresses and of the portal's own Message-IDs.
func New(st Store, tickets svcportal.TicketService, blobs svcportal.BlobStore, secret []byte, baseDomain string, log *slog.Logger) *Service {
	return &Service{st: st, tickets: tickets, blobs: blobs, tokens: svcportal.NewReplyTokens(secret), secret: secret,
		baseDomain: strings.ToLower(baseDomain), log: log}
}

// InboundAddress implements svcportal.InboundService.
func (s *Service) InboundAddress(ctx context.Context) string {
	return svcportal.TenantFrom(ctx).Slug + "@" + s.baseDomain
}

// InboundToken implements svcportal.InboundService.
func (s *Service) InboundToken(ctx context.Context) string {
	return svcportal.InboundToken(s.secret, svcportal.TenantFrom(ctx).ID)
}

// CheckInboundToken implements svcportal.InboundService.
func (s *Service) CheckInboundToken(ctx context.Context, token string) error {
	if token == "" || !hmac.Equal([]byte(token), []byte(s.InboundToken(ctx))) {
		return svcportal.NewError(svcportal.KindUnauthorized, "error.unauthorized")
	}
	return nil
}

// Ingest implements svcportal.InboundService.
func (s *Service) Ingest(ctx context.Context, raw io.Reader, env svcportal.InboundEnvelope) (*svcportal.InboundResult, error) {
	tenant := svcportal.TenantFrom(ctx)
	lim := DefaultLimits(tenant.MaxUploadMB)
	data, err := io.ReadAll(io.LimitReader(raw, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	msg, err := Parse(bytes.NewReader(data), lim)
	switch {
	case errors.Is(err, ErrTooLarge):
		s.log.WarnContext(ctx, "inbound email refused: too large", "tenant", tenant.Slug, "bytes", len(data))
		return nil, svcportal.NewError(svcportal.KindTooLarge, "error.too_large")
	case err != nil:
		s.log.WarnContext(ctx, "inbound email refused: malformed", "tenant", tenant.Slug, "error", err)
		return nil, svcportal.NewError(svcportal.KindInvalid, "error.inbound_malformed")
	}
	id := msg.MessageID
	if id == "" {
		// Without a Message-ID the content names the message: the same
		// bytes delivered twice are still handled once.
		sum := sha256.Sum256(data)
		id = "sha256:" + hex.EncodeToString(sum[:])
	}
	first, err := s.st.ClaimInboundMessage(ctx, id, msg.From)
	if err != nil {
		return nil, err
	}
	if !first {
		return s.done(ctx, msg, id, &svcportal.InboundResult{Outcome: svcportal.InboundDuplicate}, false)
	}
	res, err := s.handle(ctx, msg, env)
	if err != nil {
		// Nothing was done: the sender's retry must be handled.
		if rerr := s.st.ReleaseInboundMessage(ctx, id); rerr != nil {
			s.log.ErrorContext(ctx, "inbound email: release claim", "error", rerr)
		}
		return nil, err
	}
	return s.done(ctx, msg, id, res, true)
}

// done records and logs what became of a message.
func (s *Service) done(ctx context.Context, msg *Message, id string, res *svcportal.InboundResult, settle bool) (*svcportal.InboundResult, error) {
	if settle {
		if err := s.st.SettleInboundMessage(ctx, id, res.Outcome, res.TicketNumber); err != nil {
			return nil, err
		}
	}
	level := slog.LevelInfo
	if strings.HasPrefix(res.Outcome, "refused") {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "inbound email", "tenant", svcportal.TenantFrom(ctx).Slug, "outcome", res.Outcome,
		"from", msg.From, "message_id", id, "ticket", res.TicketNumber)
	return res, nil
}

// handle decides what a new message is and does it.
func (s *Service) handle(ctx context.Context, msg *Message, env svcportal.InboundEnvelope) (*svcportal.InboundResult, error) {
	switch {
	case s.ours(msg):
		return &svcportal.InboundResult{Outcome: svcportal.InboundLoop}, nil
	case msg.Automatic || env.NullSender:
		return &svcportal.InboundResult{Outcome: svcportal.InboundAutoReply}, nil
	case msg.DMARCFail:
		return &svcportal.InboundResult{Outcome: svcportal.InboundSpoofed}, nil
	}
	c, err := s.st.ContactByEmail(ctx, msg.From)
	if svcportal.KindOf(err) == svcportal.KindNotFound || err == nil && (c.Disabled || len(c.Memberships) == 0) {
		return &svcportal.InboundResult{Outcome: svcportal.InboundUnknownSender}, nil
	} else if err != nil {
		return nil, err
	}
	p := &svcportal.Principal{Kind: svcportal.PrincipalContact, Contact: c}
	number, found := s.replyTarget(ctx, msg, env)
	if found && number == 0 {
		return &svcportal.InboundResult{Outcome: svcportal.InboundBadToken}, nil
	}
	body := Strip(msg.Text)
	files, err := s.store(ctx, msg)
	if err != nil {
		return nil, err
	}
	lang := svcportal.TenantFrom(ctx).DefaultLocale
	if body == "" && len(files) == 0 {
		return &svcportal.InboundResult{Outcome: svcportal.InboundEmpty}, nil
	}
	if body == "" {
		body = locales.For(lang).T("inbound.attachments_only")
	}
	body = truncate(body, svcportal.MaxMessageLength)
	if found {
		_, err := s.tickets.Reply(ctx, p, number, body, false, files)
		switch svcportal.KindOf(err) {
		case svcportal.KindNotFound:
			return &svcportal.InboundResult{Outcome: svcportal.InboundNoAccess, TicketNumber: number}, nil
		case svcportal.KindConflict:
			return &svcportal.InboundResult{Outcome: svcportal.InboundClosed, TicketNumber: number}, nil
		}
		if err != nil {
			return nil, err
		}
		return &svcportal.InboundResult{Outcome: svcportal.InboundReplied, TicketNumber: number}, nil
	}
	title := ticketTitle(msg.Subject, body, lang)
	v, err := s.tickets.Create(ctx, p, svcportal.NewTicket{SiteID: c.Memberships[0].SiteID, Title: title, Description: body, Files: files})
	if err != nil {
		return nil, err
	}
	return &svcportal.InboundResult{Outcome: svcportal.InboundCreated, TicketNumber: v.Number}, nil
}

// ours reports whether the message is one of the portal's own (a
// Message-ID of our domain): answering it would start a loop.
func (s *Service) ours(msg *Message) bool {
	_, domain, ok := strings.Cut(msg.MessageID, "@")
	if ok && strings.EqualFold(domain, s.baseDomain) && strings.HasPrefix(msg.MessageID, "outbox.") {
		return true
	}
	_, fromDomain, _ := strings.Cut(msg.From, "@")
	return fromDomain == s.baseDomain
}

// replyTarget looks for a reply token in the recipients (the plus part
// of the Reply-To address the reply was sent to) and the References. It
// returns the ticket of the first token signed for this tenant and the
// sender; found says a token-shaped string was there at all, so a forged
// or another recipient's token (number 0) is refused, never taken for a
// new ticket.
func (s *Service) replyTarget(ctx context.Context, msg *Message, env svcportal.InboundEnvelope) (number int64, found bool) {
	tid := svcportal.TenantFrom(ctx).ID
	var candidates []string
	candidates = append(candidates, env.To...)
	candidates = append(candidates, msg.Recipients...)
	candidates = append(candidates, msg.References...)
	for _, c := range candidates {
		for _, tok := range svcportal.FindReplyTokens(c) {
			found = true
			if n, ok := s.tokens.Check(tid, tok, msg.From); ok {
				return n, true
			}
		}
	}
	return 0, found
}

// store puts the message's attachments in the blob store.
func (s *Service) store(ctx context.Context, msg *Message) ([]svcportal.Upload, error) {
	if msg.Dropped > 0 {
		s.log.WarnContext(ctx, "inbound email: attachments dropped (too large or too many)", "from", msg.From, "dropped", msg.Dropped)
	}
	max := int64(svcportal.TenantFrom(ctx).MaxUploadMB) << 20
	var out []svcportal.Upload
	for _, a := range msg.Attachments {
		up, err := s.blobs.Put(ctx, bytes.NewReader(a.Data), max)
		if err != nil {
			return nil, err
		}
		up.Filename = svcportal.CleanFilename(a.Filename)
		if up.Filename == "" {
			up.Filename = "attachment"
		}
		out = append(out, up)
	}
	return out, nil
}

// replyPrefixRE are the "Re:", "Fwd:" prefixes of the five languages'
// mail clients.
var replyPrefixRE = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|tr|aw|wg|rv|r|i|ri|enc)\s*(\[\d+\])?\s*:\s*)+`)

// ticketTitle is the subject without reply prefixes, or the first line
// of the body, cut to the longest title.
func ticketTitle(subject, body, lang string) string {
	title := strings.TrimSpace(replyPrefixRE.ReplaceAllString(subject, ""))
	if title == "" {
		first, _, _ := strings.Cut(body, "\n")
		title = strings.TrimSpace(first)
	}
	if title == "" {
		title = locales.For(lang).T("inbound.no_subject")
	}
	return truncate(title, svcportal.MaxTitleLength)
}

// truncate keeps the first max runes of s.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:max-1])) + "…"
}
