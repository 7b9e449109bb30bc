package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
)

// Every setting that can hold a secret, with values carrying one; no output
// of serve (help, start-up errors, the start-up log) may show it.
func TestServeNeverPrintsASecretFromAnySetting(t *testing.T) {
	const secret = "s3cr3tvalue"
	db := "sqlite:" + t.TempDir() + "/ownershipbot.db"
	base := map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": testKey, "GITHUB_WEBHOOK_SECRET": secret, "DATABASE_URL": db, "LISTEN_ADDR": "127.0.0.1:0", "UI_ADDR": "127.0.0.1:0", "GITHUB_CLIENT_ID": "Iv1.0123456789abcdef", "GITHUB_CLIENT_SECRET": "client-secret-" + secret}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for key, val := range base {
			m[key] = val
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name, args string
		env        map[string]string
		shows      string // what the output must reach, so the case tests something
	}{
		{"help", "--help", with("GITHUB_API_URL", "http://user:"+secret+"@ghe.local/api/v3/"), "Usage"},
		{"start-up log with API URL credentials", "", with("GITHUB_API_URL", "http://user:"+secret+"@ghe.local/api/v3/"), "xxxxx@ghe.local"},
		{"start-up log with an API URL token", "", with("GITHUB_API_URL", "https://"+secret+"@ghe.local/api/v3/"), "xxxxx@ghe.local"},
		{"bad API URL", "", with("GITHUB_API_URL", "ftp://user:"+secret+"@ghe.local/"), "GITHUB_API_URL"},
		{"key=value DATABASE_URL", "", with("DATABASE_URL", "host=127.0.0.1 port=1 user=bot password="+secret), "password=xxxxx"},
		{"unreachable postgres", "", with("DATABASE_URL", "postgres://bot:"+secret+"@127.0.0.1:1/x?connect_timeout=1"), "PostgreSQL"},
		{"postgres password parameter", "", with("DATABASE_URL", "postgres://bot@127.0.0.1:1/x?connect_timeout=1&password="+secret), "PostgreSQL"},
		{"bad private key", "", with("GITHUB_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\n"+secret+"\n-----END RSA PRIVATE KEY-----\n"), "private key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out bytes.Buffer
			errOut := &stopOnWrite{stop: cancel} // serve stops once it has said something
			e := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: errOut, getenv: func(k string) string { return tc.env[k] },
				lookupenv: func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }}
			dispatch(ctx, e, append([]string{"serve"}, strings.Fields(tc.args)...))
			all := out.String() + errOut.String()
			if !strings.Contains(all, tc.shows) {
				t.Fatalf("output does not reach %q:\n%s", tc.shows, all)
			}
			if strings.Contains(all, secret) {
				t.Fatalf("output shows the secret:\n%s", all)
			}
		})
	}
}

type stopOnWrite struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	stop func()
}

func (w *stopOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.stop()
	return w.buf.Write(p)
}

func (w *stopOnWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
