package main

import (
	"context"
	"flag"

	"github.com/ownershipbot/ownershipbot/app/store/dburl"
	"github.com/ownershipbot/ownershipbot/internal/demo"
)

func runDemo(ctx context.Context, env *cmdEnv, args []string) int {
	var once bool
	s := newSettings("demo", "Runs the real server against a simulated GitHub org and replays its people's activity as signed webhooks: about 100 issues and 400 comments in a few repositories. Needs no credentials. Prints a summary per repository, then keeps serving /metrics and the leaders' page (UI_ADDR, no sign-in) until Ctrl-C.\n\nThe demo clears its own repositories (acme/...) from the store before replaying; point it at a database of its own.", env, func(fs *flag.FlagSet) {
		fs.BoolVar(&once, "once", false, "exit after the summary instead of serving until Ctrl-C")
	})
	listen := s.add(env, "LISTEN_ADDR", ":8080", "address of the HTTP server")
	dbURL := s.add(env, "DATABASE_URL", "sqlite:ownershipbot.db", "sqlite:PATH or postgres://...")
	level := s.add(env, "LOG_LEVEL", "info", "debug, info, warn or error")
	uiAddr := s.addEmptyOK(env, "UI_ADDR", "127.0.0.1:8081", "address of the leaders' web page, on loopback (the demo has no sign-in); empty turns it off")
	if code, ok := s.parse(env, args); !ok {
		return code
	}
	lvl, err := logLevel(level)
	if err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if err := checkAddrAndDatabase(listen.value, dbURL.value); err != nil {
		errorf(env, "%s", err)
		return exitUsage
	}
	if uiAddr.value != "" && !loopbackAddr(uiAddr.value) {
		errorf(env, "UI_ADDR %s is not a loopback address: the demo's page has no sign-in, so it answers on loopback only; use 127.0.0.1:8081", uiAddr.value)
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
	err = demo.Run(ctx, demo.Options{Listener: ln, UIListener: uiLn, Store: st, Log: newLogger(env.stderr, lvl), Out: env.stdout, Once: once})
	if err != nil && ctx.Err() == nil {
		errorf(env, "%s", err)
		return exitFailure
	}
	return exitOK
}
