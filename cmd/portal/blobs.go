package main

import (
	"flag"
	"fmt"

	"github.com/svcportal/svcportal/blobs"
)

// runBlobs is `portal blobs migrate --to URL`: it copies every attachment
// content from the configured PORTAL_BLOB_URL to another store, with
// progress. It only adds: run it again after a final sync with the
// servers stopped (or simply twice), then switch PORTAL_BLOB_URL.
func runBlobs(e *env, args []string) error {
	if len(args) == 0 || args[0] != "migrate" {
		return usageError{"usage: portal blobs migrate --to URL (file:DIR or s3://ACCESS:SECRET@host:port/bucket?region=R)"}
	}
	var to string
	cfg, err := e.parseConfig("blobs migrate", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the store to copy every attachment content to")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return usageError{"--to is required: file:DIR or s3://ACCESS:SECRET@host:port/bucket?region=R"}
	}
	if err := blobs.ValidateURL(to); err != nil {
		return usageError{"--to: " + err.Error()}
	}
	if to == cfg.BlobURL {
		return usageError{"--to names the store PORTAL_BLOB_URL already uses"}
	}
	from, err := blobs.Open(e.ctx, cfg.BlobURL)
	if err != nil {
		return fmt.Errorf("PORTAL_BLOB_URL: %w", err)
	}
	dst, err := blobs.Open(e.ctx, to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	var bar *progress
	copied, err := blobs.Copy(e.ctx, from, dst, func(done, total int) {
		if bar == nil {
			bar = newProgress(e.stdout, "files", total)
		}
		bar.step(done)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Copied %d file(s) from %s to %s. Set PORTAL_BLOB_URL to the new store and restart the servers.\n",
		copied, from.Where(), dst.Where())
	return nil
}
