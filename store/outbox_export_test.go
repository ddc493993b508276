package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/svcportal/svcportal"
)

// InsertEmails exposes insertEmails to the external tests of the package.
func (s *Store) InsertEmails(ctx context.Context, db bun.IDB, now time.Time, emails ...*svcportal.OutboundEmail) error {
	return s.insertEmails(ctx, db, now, emails...)
}
