package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("got hash %q, want argon2id PHC string with default params", h)
	}
	if !Verify(h, "correct horse") {
		t.Error("Verify(right password) = false, want true")
	}
	if Verify(h, "correct horsE") {
		t.Error("Verify(wrong password) = true, want false")
	}
	h2, _ := Hash("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestVerify_Malformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if Verify(h, "") {
			t.Errorf("Verify(%q) = true, want false", h)
		}
	}
	if VerifyDummy("x") {
		t.Error("VerifyDummy = true, want false")
	}
}

func TestHashWith_OtherParamsStillVerify(t *testing.T) {
	h, err := HashWith(Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(h, "pw") {
		t.Error("hash with non-default params does not verify")
	}
}

// BenchmarkHash shows the cost of one login's hash: it should stay in the
// tens of milliseconds.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}
