package store

import (
	"context"

	"github.com/uptrace/bun"
)

// InsertRow exposes insertRow to the external tests of the package.
func (s *Store) InsertRow(ctx context.Context, db bun.IDB, model any) error {
	return s.insertRow(ctx, db, model)
}

// UpdateRow updates model's row (by its id) to its values in cols, bound
// as UpdateTicket binds them.
func (s *Store) UpdateRow(ctx context.Context, db bun.IDB, model any, id int64, cols ...string) error {
	p := s.params()
	_, err := execBound(ctx, db, p.set(db.NewUpdate().Model(model), db, model, cols...).Where("id = ?", p.v(id)).String(), p)
	return err
}
