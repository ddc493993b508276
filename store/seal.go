package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Secrets at rest: outbox bodies (reset codes, set-password links) and
// identity-provider client secrets are sealed with AES-256-GCM under a key
// derived from the server secret (PORTAL_SECRET_KEY), bound by the
// additional data to the row they belong to, so a copy of the database or
// of a backup reveals none of them and a value moved to another row does
// not open.

// sealPrefix marks a sealed value; a value without it is legacy plain
// text, read as is.
const sealPrefix = "enc:v1:"

// sealer seals and opens values with one AES-GCM key.
type sealer struct {
	aead cipher.AEAD
}

// WithSecretKey makes the store seal secrets at rest with a key derived
// from the server secret. Without it values are stored in clear, which
// only tests and tools that never write secrets may do.
func WithSecretKey(secret []byte) Option {
	return func(s *Store) {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("svcportal/at-rest-encryption/v1"))
		block, err := aes.NewCipher(m.Sum(nil))
		if err != nil {
			panic(err) // a 32-byte key always makes a cipher
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			panic(err)
		}
		s.seal = &sealer{aead: aead}
	}
}

// Seal returns plain sealed for the row described by aad, or plain itself
// when the store has no key.
func (sl *sealer) Seal(plain, aad string) string {
	if sl == nil {
		return plain
	}
	nonce := make([]byte, sl.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("store: no randomness: %v", err)) // the OS is broken
	}
	out := sl.aead.Seal(nonce, nonce, []byte(plain), []byte(aad))
	return sealPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// errUnsealable is a sealed value that this store cannot open: another
// server key, another row, or damage.
var errUnsealable = errors.New("store: a sealed value does not open with this server key")

// Open returns the plain text of a value stored by Seal with the same aad;
// a value that was never sealed is returned as is.
func (sl *sealer) Open(stored, aad string) (string, error) {
	body, ok := strings.CutPrefix(stored, sealPrefix)
	if !ok {
		return stored, nil
	}
	if sl == nil {
		return "", errUnsealable
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < sl.aead.NonceSize() {
		return "", errUnsealable
	}
	n := sl.aead.NonceSize()
	plain, err := sl.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}
