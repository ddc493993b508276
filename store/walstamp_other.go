//go:build !unix

package store

import "os"

// unlinked cannot be told here: the wal-index is never trusted, and every
// read goes to the database.
func unlinked(*os.File) bool { return true }
