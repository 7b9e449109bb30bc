package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/setup"
)

const setupSynopsis = `Creates the GitHub App from a manifest (GitHub's App Manifest flow) and saves its
credentials: it serves a local page with a button that sends the manifest to
GitHub; GitHub asks you to confirm, creates the App and sends your browser back;
setup then writes GITHUB_APP_ID, GITHUB_WEBHOOK_SECRET, GITHUB_PRIVATE_KEY_PATH and
the App's OAuth client (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, for signing in to
the leaders' page) to the env file (mode 0600, the key next to it) and prints the
install link.`

func runSetup(ctx context.Context, env *cmdEnv, args []string) int {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	webhookURL := fs.String("webhook-url", "", "public URL GitHub sends webhooks to, e.g. https://ownershipbot.example.com/webhook (required)")
	org := fs.String("org", "", "create the App for this organization instead of your personal account")
	pageURL := fs.String("page-url", "", "public address of the leaders' page (UI_ADDR behind HTTPS), e.g. https://ownershipbot.example.com:8081; sets the App's sign-in callback URL")
	githubURL := fs.String("github-url", "https://github.com", "GitHub address; for GitHub Enterprise Server https://HOST")
	name := fs.String("name", setup.DefaultName, "the App's name, unique on GitHub")
	envFile := fs.String("env-file", "ownershipbot.env", "env file to write; the private key goes next to it")
	force := fs.Bool("force", false, "overwrite an existing env file and private key")
	listen := fs.String("listen-addr", "127.0.0.1:0", "loopback address of the local setup page")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ownershipbot setup --webhook-url URL [flags]\n\n%s\n\nThe REST API base follows --github-url (api.github.com, or HOST/api/v3/); the\nGITHUB_API_URL environment variable overrides it.\n\nFlags:\n", setupSynopsis)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		errorf(env, "unexpected argument %q; run 'ownershipbot setup --help' for the flags", fs.Arg(0))
		return exitUsage
	}
	if *webhookURL == "" {
		errorf(env, "--webhook-url is required: the public address GitHub sends webhooks to, such as https://ownershipbot.example.com/webhook")
		return exitUsage
	}
	if u, err := url.Parse(*webhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errorf(env, "--webhook-url %q is not an http(s) URL", *webhookURL)
		return exitUsage
	}
	if u, err := url.Parse(*pageURL); *pageURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		errorf(env, "--page-url %q is not an http(s) URL", *pageURL)
		return exitUsage
	}
	if strings.ContainsAny(*org, "/ ") {
		errorf(env, "--org %q is not an organization login", *org)
		return exitUsage
	}
	endpoints, err := setup.ResolveEndpoints(*githubURL, env.getenv("GITHUB_API_URL"))
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if err := setup.Preflight(*envFile, *force); err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}

	res, err := setup.Run(ctx, setup.Options{
		Manifest: setup.ManifestOptions{
			Name: *name, WebhookURL: *webhookURL, PageURL: *pageURL,
			Events: app.Events(), Permissions: app.Permissions(),
		},
		Endpoints: endpoints, Org: *org, EnvFile: *envFile, Force: *force, ListenAddr: *listen,
		Ready: func(page string) {
			fmt.Fprintf(env.stdout, "Open %s in your browser and press the button to create the App on %s.\n", page, endpoints.Web)
			fmt.Fprintln(env.stdout, "Waiting for GitHub to send you back here (Ctrl-C to stop)...")
		},
	})
	if err != nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	fmt.Fprintf(env.stdout, "Created the GitHub App %s (id %d).\n", res.Slug, res.AppID)
	fmt.Fprintf(env.stdout, "Saved its credentials to %s and its private key to %s (both mode 0600).\n", res.EnvFile, res.PrivateKeyFile)
	fmt.Fprintf(env.stdout, "Install it on your organization's repositories: %s\n", res.InstallURL)
	return exitOK
}
