package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svcportal/svcportal/blobs"
	"github.com/svcportal/svcportal/store"
)

// TestBackupRestore: a backup taken from an installation restores into an
// empty data dir with its tenants, files and secret; it is refused over
// an existing one and on PostgreSQL.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{"PORTAL_DATA_DIR": dir} // every default inside it, the key generated
	if code, _, stderr := runCmd(t, ctx, env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	att, err := blobs.OpenDir(filepath.Join(dir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	up, err := att.Put(ctx, strings.NewReader("%PDF-1.4 invoice"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "backup.tar.gz")
	code, stdout, stderr := runCmd(t, ctx, env, "backup", "--to", file)
	if code != 0 || !strings.Contains(stdout, "Backed up the database and") {
		t.Fatalf("backup: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(t, ctx, env, "backup", "--to", file); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: %d %q", code, stderr)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	renv := map[string]string{"PORTAL_DATA_DIR": restored}
	code, stdout, stderr = runCmd(t, ctx, renv, "restore", "--from", file)
	if code != 0 || !strings.Contains(stdout, "Restored the database") {
		t.Fatalf("restore: %d %q %q", code, stdout, stderr)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(restored, "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if tn, err := st.TenantBySlug(ctx, "acme"); err != nil || tn.Name != "Acme" {
		t.Errorf("restored tenant: %+v, %v", tn, err)
	}
	ratt, _ := blobs.OpenDir(filepath.Join(restored, "attachments"))
	if rc, err := ratt.Open(ctx, up.SHA256); err != nil {
		t.Errorf("restored attachment: %v", err)
	} else {
		rc.Close()
	}
	orig, _ := os.ReadFile(filepath.Join(dir, "secret.key"))
	got, err := os.ReadFile(filepath.Join(restored, "secret.key"))
	if err != nil || string(got) != string(orig) {
		t.Errorf("restored secret: %q, %v; want the original", got, err)
	}
	if _, err := os.Stat(filepath.Join(restored, "search")); !os.IsNotExist(err) {
		t.Errorf("the search index was restored (%v): it is rebuilt from the database", err)
	}
	// The restored installation serves commands: the token command finds
	// its tenant and staff.
	if code, _, stderr := runCmd(t, ctx, renv, "token", "create", "--tenant", "acme", "--email", "admin@acme.test"); code != 0 {
		t.Errorf("token create on the restored installation: %d %s", code, stderr)
	}

	if code, _, stderr := runCmd(t, ctx, renv, "restore", "--from", file); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore over an installation: %d %q", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.tar.gz")
	os.WriteFile(bad, []byte("not a backup"), 0o600)
	if code, _, _ := runCmd(t, ctx, map[string]string{"PORTAL_DATA_DIR": t.TempDir() + "/x"}, "restore", "--from", bad); code != 1 {
		t.Errorf("restore of a file that is no backup: exit %d, want 1", code)
	}
	pg := map[string]string{"PORTAL_DATABASE_URL": "postgres://portal@127.0.0.1:1/portal", "PORTAL_SECRET_KEY": strings.Repeat("k", 32), "PORTAL_DATA_DIR": t.TempDir()}
	if code, _, stderr := runCmd(t, ctx, pg, "backup", "--to", filepath.Join(t.TempDir(), "x.tar.gz")); code != 1 || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("backup on PostgreSQL: %d %q, want the pg_dump advice", code, stderr)
	}
}

// TestBlobsMigrate copies the data dir's attachments to an S3-compatible
// server and says how many.
func TestBlobsMigrate(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	att, err := blobs.OpenDir(filepath.Join(env["PORTAL_DATA_DIR"], "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, c := range []string{"one", "two"} {
		up, _ := att.Put(ctx, strings.NewReader(c), 100)
		shas = append(shas, up.SHA256)
	}
	to := startS3(t, "attachments")
	code, stdout, stderr := runCmd(t, ctx, env, "blobs", "migrate", "--to", to)
	if code != 0 || !strings.Contains(stdout, "Copied 2 file(s)") || !strings.Contains(stdout, "100% 2/2") {
		t.Fatalf("migrate: %d %q %q", code, stdout, stderr)
	}
	dst, err := blobs.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, sha := range shas {
		if _, err := dst.Open(ctx, sha); err != nil {
			t.Errorf("%s not copied: %v", sha, err)
		}
	}
	for _, args := range [][]string{{"blobs"}, {"blobs", "migrate"}, {"blobs", "migrate", "--to", "ftp://x"}} {
		if code, _, _ := runCmd(t, ctx, env, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
