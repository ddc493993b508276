package svcportal

import (
	"context"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
)

// Limits of attachments (the size limit per file is the tenant's
// MaxUploadMB).
const (
	MaxFilesPerMessage = 10
	MaxFilenameLength  = 200
)

// Attachment is a file attached to a ticket (its description when
// MessageID is 0, else one of its messages) or to a knowledge-base
// article: exactly one of TicketID and ArticleID is set. The content lives
// in a BlobStore under its SHA-256.
type Attachment struct {
	ID           int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID     int64     `bun:"tenant_id,notnull" json:"-"`
	TicketID     int64     `bun:"ticket_id,nullzero" json:"-"`
	ArticleID    int64     `bun:"article_id,nullzero" json:"-"`
	MessageID    int64     `bun:"message_id,notnull" json:"message_id,omitempty"`
	Filename     string    `bun:"filename,notnull" json:"filename"`
	ContentType  string    `bun:"content_type,notnull" json:"content_type"`
	Size         int64     `bun:"size,notnull" json:"size"`
	SHA256       string    `bun:"sha256,notnull" json:"-"`
	UploaderKind string    `bun:"uploader_kind,notnull" json:"-"`
	UploaderID   int64     `bun:"uploader_id,notnull" json:"-"`
	CreatedAt    time.Time `bun:"created_at,notnull" json:"created_at"`
	Internal     bool      `bun:"-" json:"-"` // of an internal note
}

// Upload is a file received with a request, already in the BlobStore.
type Upload struct {
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
}

// CleanFilename keeps the base name of a client's file name, at most
// MaxFilenameLength runes, without control characters, path separators
// (and their look-alikes), nor invisible formatting characters: the
// bidirectional overrides, embeddings and isolates that make
// "invoice\u202Efdp.exe" display as "invoiceexe.pdf", zero-width
// characters, line and paragraph separators. Bytes that are not UTF-8
// become U+FFFD.
func CleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.In(r, unicode.Zl, unicode.Zp):
			return -1
		case r == '/' || r == '"' || r == '\uFF0F' || r == '\uFF3C' || r == '\u2215' || r == '\u2044' || r == '\u29F8':
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > MaxFilenameLength {
		name = string(r[len(r)-MaxFilenameLength:])
	}
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return name
}

// BlobStore keeps file contents by their SHA-256.
type BlobStore interface {
	// Put stores what r yields, up to max bytes (KindTooLarge beyond), and
	// returns its SHA-256, size and sniffed content type.
	Put(ctx context.Context, r io.Reader, max int64) (Upload, error)
	// Open returns the content stored under sha, or KindNotFound.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// AttachmentStore keeps the context tenant's attachment records.
type AttachmentStore interface {
	// Attachment returns one record, or KindNotFound.
	Attachment(ctx context.Context, id int64) (*Attachment, error)
	// TicketByID returns a ticket by its internal id, or KindNotFound.
	TicketByID(ctx context.Context, id int64) (*Ticket, error)
	// AddArticleAttachment records a file of an article of the tenant
	// (KindNotFound for another's).
	AddArticleAttachment(ctx context.Context, articleID int64, a *Attachment) error
	// ArticleAttachments lists an article's files, oldest first.
	ArticleAttachments(ctx context.Context, articleID int64) ([]Attachment, error)
	// DeleteArticleAttachment removes one file of an article; KindNotFound.
	DeleteArticleAttachment(ctx context.Context, articleID, id int64) error
}

// ArticleReader tells whether a contact may read an article, as the
// knowledge base's rules say (KindNotFound when not).
type ArticleReader interface {
	CanReadArticle(ctx context.Context, p *Principal, articleID int64) error
}
