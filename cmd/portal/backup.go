package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/svcportal/svcportal/store"
)

// dbEntry is the database's name inside a backup, wherever it lives.
const dbEntry = "portal.db"

// runBackup is `portal backup --to FILE`: a consistent copy of a SQLite
// installation, taken while it serves. The database is copied first with
// VACUUM INTO (one transaction: a snapshot), then the data dir's files.
// Files are only ever added under new names (attachments are addressed by
// content), so every file the snapshot refers to is in the copy. The
// search index is left out: restore rebuilds it from the database.
func runBackup(e *env, args []string) error {
	var to string
	cfg, err := e.parseConfig("backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the .tar.gz file to write")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return usageError{"--to FILE is required"}
	}
	dialect, dbPath, _ := store.ParseURL(cfg.DatabaseURL)
	if dialect != store.SQLite {
		return errors.New("the database is PostgreSQL: back it up with pg_dump (docs/deploy.md, \"Backups\"), and the blob store with its own tools")
	}
	if err := cfg.requireDatabase(); err != nil {
		return err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	tmpDir, err := os.MkdirTemp(filepath.Dir(to), ".portal-backup-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	snapshot := filepath.Join(tmpDir, dbEntry)
	if _, err := st.DB().ExecContext(e.ctx, "VACUUM INTO ?", snapshot); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	files, err := writeBackup(out, snapshot, cfg.DataDir, dbPath)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
		return err
	}
	fmt.Fprintf(e.stdout, "Backed up the database and %d file(s) of %s to %s.\n", files, cfg.DataDir, to)
	if !strings.HasPrefix(cfg.BlobURL, "file:") {
		fmt.Fprintln(e.stdout, "Attachments live in the store of PORTAL_BLOB_URL: back it up with its own tools.")
	}
	return nil
}

// writeBackup writes the tar.gz: the snapshot as portal.db, then every
// file of dataDir but the live database, its journals and the search
// index.
func writeBackup(w io.Writer, snapshot, dataDir, dbPath string) (files int, err error) {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, snapshot, dbEntry); err != nil {
		return 0, err
	}
	liveDB, _ := filepath.Abs(dbPath)
	err = filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dataDir, path)
		abs, _ := filepath.Abs(path)
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && rel == "search":
			return filepath.SkipDir
		case d.IsDir():
			return nil
		case strings.HasPrefix(abs, liveDB), strings.HasPrefix(d.Name(), "upload-"), !d.Type().IsRegular():
			return nil // the live database and its -wal and -shm, unfinished uploads
		}
		files++
		return addFile(tw, path, "data/"+filepath.ToSlash(rel))
	})
	if err != nil {
		return files, err
	}
	if err := tw.Close(); err != nil {
		return files, err
	}
	return files, gz.Close()
}

func addFile(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: info.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// The size in the header is the size copied: a file that grows while
	// it is read (a mail being written) is cut at it.
	_, err = io.CopyN(tw, f, info.Size())
	return err
}

// runRestore is `portal restore --from FILE`: it unpacks a backup into
// the configured data dir, which must be empty or absent, and the
// database file where PORTAL_DATABASE_URL says. The search index is
// rebuilt at the first start.
func runRestore(e *env, args []string) error {
	var from string
	cfg, err := e.parseConfig("restore", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the .tar.gz file written by portal backup")
	})
	if err != nil {
		return err
	}
	if from == "" {
		return usageError{"--from FILE is required"}
	}
	dialect, dbPath, _ := store.ParseURL(cfg.DatabaseURL)
	if dialect != store.SQLite {
		return errors.New("the database is PostgreSQL: restore it with pg_restore (docs/deploy.md, \"Backups\")")
	}
	if entries, err := os.ReadDir(cfg.DataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: restore into a new data dir", cfg.DataDir)
	}
	if _, err := os.Stat(dbPath); err == nil {
		return fmt.Errorf("a database exists at %s: restore into a new data dir", dbPath)
	}
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := readBackup(f, cfg.DataDir, dbPath)
	if err != nil {
		return fmt.Errorf("restore %s: %w", from, err)
	}
	fmt.Fprintf(e.stdout, "Restored the database to %s and %d file(s) to %s. Start the server: it rebuilds the search index.\n", dbPath, n, cfg.DataDir)
	return nil
}

func readBackup(r io.Reader, dataDir, dbPath string) (files int, err error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, err
	}
	tr := tar.NewReader(gz)
	sawDB := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return files, err
		}
		var dst string
		switch {
		case hdr.Name == dbEntry:
			dst, sawDB = dbPath, true
		case strings.HasPrefix(hdr.Name, "data/") && filepath.IsLocal(strings.TrimPrefix(hdr.Name, "data/")):
			dst = filepath.Join(dataDir, filepath.FromSlash(strings.TrimPrefix(hdr.Name, "data/")))
			files++
		default:
			return files, fmt.Errorf("unexpected entry %q: not a portal backup", hdr.Name)
		}
		if hdr.Typeflag != tar.TypeReg {
			return files, fmt.Errorf("entry %q is not a file", hdr.Name)
		}
		if err := writeRestored(dst, tr); err != nil {
			return files, err
		}
	}
	if !sawDB {
		return files, errors.New("no database in the file: not a portal backup")
	}
	return files, nil
}

func writeRestored(dst string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
