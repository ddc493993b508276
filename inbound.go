package svcportal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Outcomes of an inbound message (SPEC "Inbound email"): what the portal
// did with it. Every message gets one, and a Message-ID seen before gets
// InboundDuplicate without being handled again.
const (
	InboundCreated       = "created"                // a new ticket
	InboundReplied       = "replied"                // a reply on the ticket its token names
	InboundDuplicate     = "duplicate"              // this Message-ID was handled already
	InboundAutoReply     = "ignored_auto_reply"     // Auto-Submitted, Precedence: bulk, a bounce…
	InboundLoop          = "ignored_loop"           // one of our own messages came back
	InboundUnknownSender = "refused_unknown_sender" // no active contact of the tenant sent it
	InboundBadToken      = "refused_bad_token"      // a reply token that is not signed for this sender
	InboundNoAccess      = "refused_no_access"      // the sender may not see the ticket
	InboundClosed        = "refused_closed"         // the ticket is closed
	InboundEmpty         = "refused_empty"          // nothing left once quotes and signatures are gone
	InboundSpoofed       = "refused_spoofed"        // the receiving server says the sender failed DMARC
)

// InboundResult is what the portal did with an inbound message.
type InboundResult struct {
	Outcome      string `json:"outcome"`
	TicketNumber int64  `json:"ticket_number,omitempty"`
}

// InboundEnvelope is what the transport knows beside the message: the
// SMTP envelope, when there was one.
type InboundEnvelope struct {
	From string   // MAIL FROM; "" for the null sender of bounces when known to be null
	To   []string // RCPT TO addresses
	// NullSender says MAIL FROM was <> (a bounce or another automatic
	// notice): the message is ignored.
	NullSender bool
}

// InboundService takes inbound email for the context tenant.
type InboundService interface {
	// Ingest handles one raw RFC 5322 message: KindTooLarge beyond the
	// size limits, KindInvalid when it is not a message; every other
	// message gets a result, logged.
	Ingest(ctx context.Context, raw io.Reader, env InboundEnvelope) (*InboundResult, error)
	// InboundAddress is the tenant's address for new tickets.
	InboundAddress(ctx context.Context) string
	// InboundToken is the bearer token of POST /api/v1/inbound/email.
	InboundToken(ctx context.Context) string
	// CheckInboundToken is KindUnauthorized unless token is the tenant's.
	CheckInboundToken(ctx context.Context, token string) error
}

// InboundMessageStore remembers the Message-IDs of the context tenant's
// inbound messages.
type InboundMessageStore interface {
	// ClaimInboundMessage records messageID as being handled; false when
	// it was recorded before (a duplicate).
	ClaimInboundMessage(ctx context.Context, messageID, sender string) (bool, error)
	// SettleInboundMessage records what became of a claimed message.
	SettleInboundMessage(ctx context.Context, messageID, outcome string, number int64) error
	// ReleaseInboundMessage forgets a claim whose handling failed, so the
	// sender's retry is handled.
	ReleaseInboundMessage(ctx context.Context, messageID string) error
}

// derive returns a key for one purpose from the server key.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("svcportal\x00" + purpose))
	return m.Sum(nil)
}

var replyB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ReplyTokens signs and checks the tokens that tie a notification's
// Reply-To address and References to one ticket and one recipient.
type ReplyTokens struct {
	key []byte
}

// NewReplyTokens derives the token key from the server key.
func NewReplyTokens(secret []byte) *ReplyTokens {
	return &ReplyTokens{key: derive(secret, "reply-token")}
}

// mac is the signature of (tenant, ticket, recipient), 15 bytes in lower
// case base32: 24 characters a mail client keeps intact in an address.
func (r *ReplyTokens) mac(tenantID, number int64, email string) string {
	m := hmac.New(sha256.New, r.key)
	fmt.Fprintf(m, "%d\x00%d\x00%s", tenantID, number, strings.ToLower(strings.TrimSpace(email)))
	return strings.ToLower(replyB32.EncodeToString(m.Sum(nil)[:15]))
}

// Token is the reply token of ticket number of tenantID for recipient
// email: "t.<number>.<signature>".
func (r *ReplyTokens) Token(tenantID, number int64, email string) string {
	return fmt.Sprintf("t.%d.%s", number, r.mac(tenantID, number, email))
}

// tokenRE finds a reply token in an address or a message id.
var tokenRE = regexp.MustCompile(`(?i)\bt\.([0-9]{1,18})\.([a-z2-7]{24})\b`)

// FindReplyTokens returns the ticket numbers and signatures of the
// token-shaped strings in s, unchecked.
func FindReplyTokens(s string) [][2]string {
	var out [][2]string
	for _, m := range tokenRE.FindAllStringSubmatch(s, 8) {
		out = append(out, [2]string{m[1], strings.ToLower(m[2])})
	}
	return out
}

// Check returns the ticket number a found token names when its signature
// is the one of (tenantID, that ticket, email); false otherwise. The
// comparison takes the same time whatever the signature.
func (r *ReplyTokens) Check(tenantID int64, found [2]string, email string) (int64, bool) {
	n, err := strconv.ParseInt(found[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	want := r.mac(tenantID, n, email)
	return n, hmac.Equal([]byte(want), []byte(found[1]))
}

// InboundToken is the bearer token of a tenant's inbound email endpoint,
// derived from the server key (it changes with it).
func InboundToken(secret []byte, tenantID int64) string {
	m := hmac.New(sha256.New, derive(secret, "inbound-token"))
	fmt.Fprintf(m, "%d", tenantID)
	return "inb_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
