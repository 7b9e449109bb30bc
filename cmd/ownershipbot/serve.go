package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/page"
	"github.com/ownershipbot/ownershipbot/app/store/dburl"
)

func runServe(ctx context.Context, env *cmdEnv, args []string) int {
	s := newSettings("serve", "Runs the GitHub App: receives webhooks, keeps one bot comment per issue up to date, and serves /metrics, /healthz and /readyz.", env, nil)
	appID := s.add(env, "GITHUB_APP_ID", "", "the App's numeric id")
	keyPath := s.add(env, "GITHUB_PRIVATE_KEY_PATH", "", "file holding the App's PEM private key")
	keyText := s.add(env, "GITHUB_PRIVATE_KEY", "", "the App's PEM private key itself (instead of a file)")
	secret := s.add(env, "GITHUB_WEBHOOK_SECRET", "", "the webhook secret set on the App")
	apiURL := s.add(env, "GITHUB_API_URL", "https://api.github.com/", "REST base URL; GitHub Enterprise Server: https://HOST/api/v3/")
	listen := s.add(env, "LISTEN_ADDR", ":8080", "address of the HTTP server")
	dbURL := s.add(env, "DATABASE_URL", "sqlite:ownershipbot.db", "sqlite:PATH or postgres://...")
	level := s.add(env, "LOG_LEVEL", "info", "debug, info, warn or error")
	retention := s.add(env, "RETENTION_DAYS", "90", "days closed threads and failed deliveries are kept")
	uiAddr := s.addEmptyOK(env, "UI_ADDR", "127.0.0.1:8081", "address of the leaders' web page; empty turns it off")
	clientID := s.add(env, "GITHUB_CLIENT_ID", "", "the App's OAuth client id, for signing in to the page")
	clientSecret := s.add(env, "GITHUB_CLIENT_SECRET", "", "the App's OAuth client secret, for signing in to the page")
	if code, ok := s.parse(env, args); !ok {
		return code
	}

	lvl, err := logLevel(level)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	id, err := parseAppID(appID)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	key, err := privateKey(keyPath.value, keyText.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if secret.value == "" {
		errorf(env, "GITHUB_WEBHOOK_SECRET is required: serve refuses to start without a webhook secret")
		return exitUsage
	}
	if err := ghclient.CheckPrivateKey(key); err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	keep, err := retentionDays(retention)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	log := newLogger(env.stderr, lvl)

	if err := checkAddrAndDatabase(listen.value, dbURL.value); err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	signIn, err := pageSignIn(uiAddr.value, clientID.value, clientSecret.value, apiURL.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	st, err := dburl.Open(ctx, dbURL.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	defer st.Close()
	ln, uiLn, err := listenBoth(listen.value, uiAddr.value)
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	a, err := app.New(app.Options{
		AppID: id, PrivateKey: key, WebhookSecret: []byte(secret.value), GitHubAPIURL: apiURL.value,
		Store: st, Registry: prometheus.NewRegistry(), Log: log, Retention: keep,
		UIListener: uiLn, SignIn: signIn, SecureCookies: uiAddr.value != "" && !loopbackAddr(uiAddr.value),
	})
	if err != nil {
		ln.Close()
		if uiLn != nil {
			uiLn.Close()
		}
		errorf(env, "%s", err)
		return exitUsage
	}
	log.Info("ownershipbot serving", "addr", ln.Addr().String(), "github_api_url", ghclient.RedactURL(apiURL.value), "store", dburl.Redact(dbURL.value), "version", version)
	if uiLn != nil {
		log.Info("leaders' page serving", "addr", uiLn.Addr().String(), "sign_in", signIn != nil)
	}
	if err := a.Serve(ctx, ln); err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	log.Info("ownershipbot stopped")
	return exitOK
}

// listenBoth opens the webhook listener on addr and, when uiAddr is set,
// the page's; on an error neither stays open, and the error names the
// setting in plain words.
func listenBoth(addr, uiAddr string) (ln, uiLn net.Listener, err error) {
	if ln, err = net.Listen("tcp", addr); err != nil {
		return nil, nil, fmt.Errorf("cannot listen on LISTEN_ADDR %s: %s", addr, plainNetError(err))
	}
	if uiAddr == "" {
		return ln, nil, nil
	}
	if uiLn, err = net.Listen("tcp", uiAddr); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("cannot listen on UI_ADDR %s: %s", uiAddr, plainNetError(err))
	}
	return ln, uiLn, nil
}

// privateKey reads the App's key from a file or the variable itself.
func privateKey(path, text string) ([]byte, error) {
	switch {
	case path != "" && text != "":
		return nil, errors.New("set only one of GITHUB_PRIVATE_KEY_PATH and GITHUB_PRIVATE_KEY")
	case text != "":
		return []byte(strings.ReplaceAll(text, `\n`, "\n")), nil
	case path != "":
		key, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read GITHUB_PRIVATE_KEY_PATH %s: %s", path, plainFileError(err))
		}
		return key, nil
	}
	return nil, errors.New("GITHUB_PRIVATE_KEY_PATH or GITHUB_PRIVATE_KEY is required: the App's PEM private key")
}

func plainFileError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

func plainNetError(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// pageSignIn reads the page's settings: sign-in needs both client settings;
// without sign-in the page must listen on loopback, where only this machine
// reaches it.
func pageSignIn(uiAddr, clientID, clientSecret, apiURL string) (*page.SignIn, error) {
	if uiAddr != "" {
		if _, port, err := net.SplitHostPort(uiAddr); err != nil || port == "" {
			return nil, fmt.Errorf("UI_ADDR must be HOST:PORT, or empty to turn the page off, not %q", uiAddr)
		}
	}
	switch {
	case (clientID == "") != (clientSecret == ""):
		return nil, errors.New("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both for sign-in to the page, or neither")
	case clientID == "" && uiAddr != "" && !loopbackAddr(uiAddr):
		return nil, fmt.Errorf("UI_ADDR %s is not a loopback address: without GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET the page may answer on loopback only; set them, or use 127.0.0.1:8081", uiAddr)
	case clientID == "":
		return nil, nil
	}
	return &page.SignIn{ClientID: clientID, ClientSecret: clientSecret, APIURL: apiURL}, nil
}

// loopbackAddr reports whether a HOST:PORT listens on loopback only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
