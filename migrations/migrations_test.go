package migrations

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

var nameRE = regexp.MustCompile(`^\d{4}_[a-z0-9_]+\.sql$`)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := fs.ReadDir(FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestDialectsHaveTheSameMigrations fails when a migration is added to one
// dialect's folder and not the other, or is misnamed or shares its number.
// Numbers rise but may skip: branches developed side by side reserve
// ranges (the console's start at 0040), and the runner applies every file
// it has not recorded, by name, whatever came first.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	sqlite, postgres := names(t, "sqlite"), names(t, "postgres")
	if strings.Join(sqlite, ",") != strings.Join(postgres, ",") {
		t.Fatalf("sqlite has %v, postgres has %v", sqlite, postgres)
	}
	// Numbers only increase; parallel branches take their own ranges
	// (0013…, 0020…), so a range not yet merged leaves a gap, which the
	// runner does not mind (it applies every file it has not applied).
	prev := 0
	for _, n := range sqlite {
		if !nameRE.MatchString(n) {
			t.Errorf("%s: want NNNN_lower_snake.sql", n)
			continue
		}
		var num int
		fmt.Sscanf(n[:4], "%d", &num)
		if num <= prev {
			t.Errorf("%s: want a number above %04d (no duplicates)", n, prev)
		}
		prev = num
	}
}
