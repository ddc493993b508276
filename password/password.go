// Package password hashes and verifies passwords with argon2id, in the PHC
// string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so parameters can
// be raised later without invalidating stored hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Default costs tens of milliseconds on a small server (see the benchmark),
// the OWASP-recommended range for interactive logins.
var Default = Params{MemoryKiB: 64 * 1024, Time: 2, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of pw with Default parameters.
func Hash(pw string) (string, error) { return HashWith(Default, pw) }

// HashWith returns the PHC string of pw with the given parameters.
func HashWith(p Params, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string encoded. A malformed
// hash never matches.
func Verify(encoded, pw string) bool {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummy is verified against when there is no account, so that an unknown
// email costs the same time as a wrong password. It is a well-formed hash
// of the Default parameters whose key is no argon2 output, so no
// password matches it; it is written, not computed, so that starting the
// program does not spend a hash and 64 MiB of memory on it.
var dummy = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, Default.MemoryKiB, Default.Time, Default.Threads,
	b64.EncodeToString([]byte("svcportal-dummy!")), b64.EncodeToString(make([]byte, keyLen)))

// VerifyDummy spends the time of one Verify and returns false.
func VerifyDummy(pw string) bool {
	Verify(dummy, pw)
	return false
}

func decode(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password: not an argon2id hash")
	}
	var v int
	if _, err = fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("password: unsupported argon2 version")
	}
	if _, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password: parameters: %w", err)
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, err
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errors.New("password: bad key")
	}
	return p, salt, key, nil
}
