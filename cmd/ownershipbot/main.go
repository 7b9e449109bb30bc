// Command ownershipbot is the ownershipbot GitHub App and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes shared by every command (see docs/reference.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// command is one subcommand. run gets the arguments after the command name
// and returns the process exit code; it writes errors to env.stderr as one
// sentence.
type command struct {
	summary string
	run     func(ctx context.Context, env *cmdEnv, args []string) int
}

// cmdEnv is the process's outside world, so tests can run commands directly.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// lookupenv tells a variable set to "" from one not set (UI_ADDR="" turns
	// the page off); nil: getenv, where "" is not set.
	lookupenv func(string) (string, bool)
}

var commands = map[string]command{
	"serve":    {"Run the GitHub App: webhooks in, bot comments and metrics out.", runServe},
	"demo":     {"Run the server against a simulated GitHub org; no credentials needed.", runDemo},
	"analyze":  {"Analyse texts: JSON Lines in, JSON Lines out.", runAnalyze},
	"report":   {"Print an ownership report of a repository from a gh export.", runReport},
	"setup":    {"Create the GitHub App from a manifest and save its credentials.", runSetup},
	"version":  {"Print the version, commit and Go version (also --version).", runVersion},
	"config":   {"Check a .github/ownership.yml: config check FILE.", runConfig},
	"backfill": {"Read a repository's history (--repo owner/name, or --all) into the store.", runBackfill},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cmdEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lookupenv: os.LookupEnv}
	os.Exit(dispatch(ctx, env, os.Args[1:]))
}

func dispatch(ctx context.Context, env *cmdEnv, args []string) int {
	switch {
	case len(args) == 0:
		// Bad usage: the list goes to stderr, once, so stdout stays empty.
		usage(env.stderr)
		return exitUsage
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		usage(env.stdout)
		return exitOK
	case args[0] == "--version" || args[0] == "-version":
		return runVersion(ctx, env, args[1:])
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "ownershipbot: unknown command %q; run 'ownershipbot --help' for the list.\n", args[0])
		return exitUsage
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ownershipbot: who owns each piece of work, and why it matters.")
	fmt.Fprintln(w, "\nUsage: ownershipbot <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'ownershipbot <command> --help' for a command's flags.")
}

// parseFlags parses a command's flags. --help prints the usage once, on
// stdout, and returns exitOK with ok false; a bad flag is one sentence on
// stderr pointing to --help (never the whole usage) and returns exitUsage.
func parseFlags(env *cmdEnv, fs *flag.FlagSet, args []string) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(env.stdout)
		fs.Usage()
		return exitOK, false
	case err != nil:
		errorf(env, "%s; run 'ownershipbot %s --help' for the flags", err, fs.Name())
		return exitUsage, false
	}
	return exitOK, true
}

// errorf writes one sentence to stderr, prefixed with the program name.
func errorf(env *cmdEnv, format string, a ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, a...))
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	fmt.Fprintln(env.stderr, "ownershipbot: "+msg)
}
