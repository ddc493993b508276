package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/svcportal/svcportal"
)

// FileTransport writes each message as an RFC 5322 .eml file into Dir, the
// default transport for development and demos. File names start with the
// UTC time of writing to the nanosecond, then the message id, so a listing
// sorted by name is in send order.
type FileTransport struct {
	Dir  string
	From string           // sender address
	Now  func() time.Time // nil means time.Now
}

// NewFileTransport returns a transport into dir, creating the folder.
func NewFileTransport(dir, from string) (*FileTransport, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create mail folder: %w", err)
	}
	return &FileTransport{Dir: dir, From: from}, nil
}

// Send writes m into a temporary file and renames it into place, so a
// reader of the folder never sees half a message.
func (f *FileTransport) Send(ctx context.Context, m *svcportal.OutboundEmail) error {
	msg, err := Build(m, f.From)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	name := fmt.Sprintf("%s-%012d.eml", now().UTC().Format("20060102T150405.000000000Z"), m.ID)
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("create mail folder: %w", err)
	}
	tmp, err := os.CreateTemp(f.Dir, ".sending-*.tmp")
	if err != nil {
		return fmt.Errorf("write email %d: %w", m.ID, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(msg); err != nil {
		tmp.Close()
		return fmt.Errorf("write email %d: %w", m.ID, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write email %d: %w", m.ID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write email %d: %w", m.ID, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(f.Dir, name)); err != nil {
		return fmt.Errorf("write email %d: %w", m.ID, err)
	}
	return nil
}
