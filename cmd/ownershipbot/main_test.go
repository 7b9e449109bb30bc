package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func run(args []string, env map[string]string) (int, string, string) {
	var out, errOut bytes.Buffer
	e := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] },
		lookupenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code := dispatch(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func TestCommandErrorsAreOneSentenceWithTheRightExitCode(t *testing.T) {
	// A database in a temp dir, so no test leaves files in the source tree.
	db := "sqlite:" + t.TempDir() + "/ownershipbot.db"
	full := map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": "x", "GITHUB_WEBHOOK_SECRET": "s", "DATABASE_URL": db}
	without := func(key string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		mentions string
	}{
		{"unknown command", []string{"serv"}, nil, 2, `unknown command "serv"`},
		{"unknown flag names the flag", []string{"serve", "--listen", ":1"}, full, 2, "-listen"},
		{"missing webhook secret", []string{"serve"}, without("GITHUB_WEBHOOK_SECRET"), 2, "GITHUB_WEBHOOK_SECRET is required"},
		{"missing app id", []string{"serve"}, without("GITHUB_APP_ID"), 2, "GITHUB_APP_ID is required"},
		{"malformed app id", []string{"serve", "--github-app-id", "twelve"}, full, 2, `GITHUB_APP_ID must be the App's numeric id, not "twelve"`},
		{"missing key", []string{"serve"}, without("GITHUB_PRIVATE_KEY"), 2, "GITHUB_PRIVATE_KEY_PATH or GITHUB_PRIVATE_KEY is required"},
		{"unreadable key file", []string{"serve", "--github-private-key-path", "/nonexistent/key.pem"}, without("GITHUB_PRIVATE_KEY"), 2, "no such file"},
		{"bad log level", []string{"serve", "--log-level", "loud"}, full, 2, "LOG_LEVEL must be"},
		{"bad key text", []string{"serve"}, full, 2, "private key could not be read"},
		{"bad database url", []string{"serve", "--database-url", "mysql://x"}, map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": testKey, "GITHUB_WEBHOOK_SECRET": "s"}, 2, "DATABASE_URL"},
		{"bad listen address", []string{"serve", "--listen-addr", "8080"}, map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": testKey, "GITHUB_WEBHOOK_SECRET": "s", "DATABASE_URL": db}, 2, "LISTEN_ADDR must be"},
		{"demo with a bad database url", []string{"demo", "--database-url", "sqlite:"}, nil, 2, "DATABASE_URL"},
		{"page on the network without sign-in", []string{"serve", "--ui-addr", "0.0.0.0:8081"}, map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": testKey, "GITHUB_WEBHOOK_SECRET": "s", "DATABASE_URL": db}, 2, "loopback"},
		{"client id without its secret", []string{"serve", "--github-client-id", "Iv1.x"}, map[string]string{"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY": testKey, "GITHUB_WEBHOOK_SECRET": "s", "DATABASE_URL": db}, 2, "GITHUB_CLIENT_SECRET"},
		{"report's unknown flag", []string{"report", "--bogus"}, nil, 2, "run 'ownershipbot report --help'"},
		{"analyze's unknown flag", []string{"analyze", "--bogus"}, nil, 2, "run 'ownershipbot analyze --help'"},
		{"setup's unknown flag", []string{"setup", "--bogus"}, nil, 2, "run 'ownershipbot setup --help'"},
		{"config without a file", []string{"config", "check"}, nil, 2, "config check FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(tt.args, tt.env)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.mentions) {
				t.Fatalf("stderr %q does not mention %q", stderr, tt.mentions)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 || strings.Contains(stderr, "goroutine") {
				t.Fatalf("stderr is not one sentence: %q", stderr)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, cmd := range []string{"serve", "demo", "version"} {
		code, out, _ := run([]string{cmd, "--help"}, nil)
		if code != 0 || !strings.Contains(out, "Usage: ownershipbot "+cmd) {
			t.Errorf("%s --help: exit %d, output %q", cmd, code, out)
		}
	}
	if code, out, _ := run([]string{"--help"}, nil); code != 0 || !strings.Contains(out, "demo") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
}

func TestHelpNeverShowsSecretsFromTheEnvironment(t *testing.T) {
	_, out, _ := run([]string{"serve", "--help"}, map[string]string{"GITHUB_WEBHOOK_SECRET": "hunter2", "GITHUB_PRIVATE_KEY": "PEMTEXT"})
	if strings.Contains(out, "hunter2") || strings.Contains(out, "PEMTEXT") {
		t.Fatalf("serve --help printed a secret:\n%s", out)
	}
}

func TestVersionPrintsGoVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := run(args, nil)
		if code != 0 || !strings.Contains(out, "ownershipbot ") || !strings.Contains(out, "go1.") {
			t.Fatalf("%s: exit %d, output %q", args[0], code, out)
		}
	}
}

// The usage is printed exactly once: on stdout for --help, on stderr
// (stdout empty) without a command; a bad flag gets one sentence, never the
// usage.
func TestUsageIsPrintedOnce(t *testing.T) {
	code, out, errOut := run(nil, nil)
	if code != 2 || out != "" || strings.Count(errOut, "Usage: ownershipbot") != 1 {
		t.Errorf("no command: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, cmd := range []string{"serve", "demo", "analyze", "report", "setup", "version", "config"} {
		code, out, errOut := run([]string{cmd, "--help"}, nil)
		if code != 0 || strings.Count(out, "Usage: ownershipbot "+cmd) != 1 || errOut != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
		code, out, errOut = run([]string{cmd, "--no-such-flag"}, nil)
		if code != 2 || strings.Contains(out+errOut, "Usage:") {
			t.Errorf("%s --no-such-flag: exit %d printed the usage: stdout %q, stderr %q", cmd, code, out, errOut)
		}
	}
}

// testKey is a throwaway RSA key for tests that must get past key parsing.
var testKey = func() string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}()
