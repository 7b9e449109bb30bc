package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store/dburl"
)

// setting is one configuration value of serve or demo (docs/reference.md):
// an environment variable, overridden by the flag of the same name in kebab
// case.
type setting struct {
	env   string
	def   string
	help  string
	value string
}

func (s *setting) flagName() string { return strings.ReplaceAll(strings.ToLower(s.env), "_", "-") }

// settings parses flags over environment variables. It returns exitOK and
// false for --help, exitUsage for bad flags.
type settings struct {
	fs   *flag.FlagSet
	list []*setting
}

func newSettings(name, synopsis string, env *cmdEnv, extra func(fs *flag.FlagSet)) *settings {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	s := &settings{fs: fs}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: ownershipbot %s [flags]\n\n%s\n", name, synopsis)
		if len(s.list) > 0 {
			fmt.Fprintln(out, "\nFlags (a flag wins over the environment variable in brackets):")
			fs.PrintDefaults()
		}
	}
	if extra != nil {
		extra(fs)
	}
	return s
}

// add declares a setting read from env, with a default.
func (s *settings) add(env *cmdEnv, name, def, help string) *setting {
	st := &setting{env: name, def: def, help: help}
	// The flag's shown default is the built-in one, never the environment's
	// value, so --help cannot print a secret.
	s.fs.StringVar(&st.value, st.flagName(), def, fmt.Sprintf("%s [%s]", help, name))
	if v := env.getenv(name); v != "" {
		st.value = v
	}
	s.list = append(s.list, st)
	return st
}

// addEmptyOK is add for a setting whose variable set to "" means "off"
// rather than "the default".
func (s *settings) addEmptyOK(env *cmdEnv, name, def, help string) *setting {
	st := s.add(env, name, def, help)
	if env.lookupenv != nil {
		if v, ok := env.lookupenv(name); ok {
			st.value = v
		}
	}
	return st
}

// parse parses args; ok is false when the command should exit with code.
func (s *settings) parse(env *cmdEnv, args []string) (code int, ok bool) {
	if code, ok := parseFlags(env, s.fs, args); !ok {
		return code, false
	}
	switch {
	case s.fs.NArg() > 0:
		errorf(env, "unexpected argument %q; run 'ownershipbot %s --help' for the flags", s.fs.Arg(0), s.fs.Name())
		return exitUsage, false
	}
	return exitOK, true
}

// logLevel reads LOG_LEVEL.
func logLevel(s *setting) (slog.Level, error) {
	switch strings.ToLower(s.value) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", s.value)
}

// newLogger writes JSON lines to w at the level of LOG_LEVEL.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func parseAppID(s *setting) (int64, error) {
	if s.value == "" {
		return 0, errors.New("GITHUB_APP_ID is required: the numeric id on the App's settings page")
	}
	id, err := strconv.ParseInt(s.value, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("GITHUB_APP_ID must be the App's numeric id, not %q", s.value)
	}
	return id, nil
}

// checkAddrAndDatabase refuses malformed LISTEN_ADDR and DATABASE_URL values
// as bad usage, before anything is opened; an address in use or a database
// that does not answer are failures, found later.
func checkAddrAndDatabase(listenAddr, databaseURL string) error {
	if _, port, err := net.SplitHostPort(listenAddr); err != nil || port == "" {
		return fmt.Errorf("LISTEN_ADDR must be HOST:PORT or :PORT, not %q", listenAddr)
	}
	_, err := dburl.Kind(databaseURL)
	return err
}

// retentionDays reads RETENTION_DAYS: how long closed threads and failed
// deliveries are kept.
func retentionDays(s *setting) (time.Duration, error) {
	n, err := strconv.Atoi(s.value)
	if err != nil || n < 1 || n > 3650 {
		return 0, fmt.Errorf("RETENTION_DAYS must be a whole number of days from 1 to 3650, not %q", s.value)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}
