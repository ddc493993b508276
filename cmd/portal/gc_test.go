package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGC: the server collects at serverGCPercent unless GOGC is set,
// which then stands.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })

	t.Setenv("GOGC", "150") // restored after the test
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: the collector's target became %d, want it left at 100", got)
	}
	os.Unsetenv("GOGC")
	tuneGC()
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Errorf("without GOGC: target %d, want %d", got, serverGCPercent)
	}
}
