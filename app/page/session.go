package page

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// sessions seals and opens session cookies: the user access token and the
// session's expiry, encrypted and authenticated with AES-GCM, so a cookie
// can be neither read nor forged nor extended without the key.
type sessions struct {
	aead cipher.AEAD
	ttl  time.Duration
}

// sessionKeyLabel separates the session key from any other use of the
// client secret.
const sessionKeyLabel = "ownershipbot page session key v1"

// newSessions derives the key from the App's client secret, so that every
// replica shares it, sessions survive restarts, and rotating the secret
// ends every session.
func newSessions(clientSecret string, ttl time.Duration) (*sessions, error) {
	if clientSecret == "" {
		return nil, errors.New("no client secret to derive the session key from")
	}
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(sessionKeyLabel))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sessions{aead: aead, ttl: ttl}, nil
}

// session is what a cookie carries.
type session struct {
	Token   string `json:"t"`
	Expires int64  `json:"e"` // Unix seconds
}

// errBadSession is any cookie that does not open: forged, altered, from
// another key, or expired.
var errBadSession = errors.New("the session is not valid")

func (s *sessions) seal(token string, now time.Time) (string, time.Time) {
	exp := now.Add(s.ttl)
	plain, _ := json.Marshal(session{Token: token, Expires: exp.Unix()}) // plain data: cannot fail
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, plain, []byte(sessionKeyLabel))
	return base64.RawURLEncoding.EncodeToString(sealed), exp
}

func (s *sessions) open(cookie string, now time.Time) (session, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return session{}, errBadSession
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(sessionKeyLabel))
	if err != nil {
		return session{}, errBadSession
	}
	var ss session
	if json.Unmarshal(plain, &ss) != nil || ss.Token == "" || !now.Before(time.Unix(ss.Expires, 0)) {
		return session{}, errBadSession
	}
	return ss, nil
}
