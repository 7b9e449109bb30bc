package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ownershipbot/ownershipbot/app/config"
)

const configUsage = "Usage: ownershipbot config check FILE\n\nChecks a .github/ownership.yml: exit 0 when valid, 1 with its problems (one a line, with line numbers), 2 on bad usage.\n"

func runConfig(_ context.Context, env *cmdEnv, args []string) int {
	if len(args) >= 1 && len(args) <= 2 && (args[len(args)-1] == "-h" || args[len(args)-1] == "--help") {
		fmt.Fprint(env.stdout, configUsage)
		return exitOK
	}
	if len(args) != 2 || args[0] != "check" {
		errorf(env, "usage: ownershipbot config check FILE (one file); run 'ownershipbot config --help' for more")
		return exitUsage
	}
	f, err := os.Open(args[1])
	if err != nil {
		errorf(env, "cannot read %s: %s", args[1], plainPathError(err))
		return exitUsage
	}
	defer f.Close()
	// One byte past the limit is enough to know the file is too large.
	data, err := io.ReadAll(io.LimitReader(f, config.MaxFileBytes+1))
	if err != nil {
		errorf(env, "cannot read %s: %s", args[1], plainPathError(err))
		return exitFailure
	}
	if len(data) > config.MaxFileBytes {
		// Only one byte past the limit was read: say the file's own size.
		if info, err := f.Stat(); err == nil {
			fmt.Fprintf(env.stdout, "%s: %s\n", args[1], config.TooLarge(info.Size()))
			return exitFailure
		}
	}
	if _, err := config.ParseAll(data); err != nil {
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			fmt.Fprintf(env.stdout, "%s: %s\n", args[1], err)
			return exitFailure
		}
		for _, p := range cerr.Problems {
			fmt.Fprintf(env.stdout, "%s: %s\n", args[1], p)
		}
		if cerr.More > 0 {
			fmt.Fprintf(env.stdout, "%s: and %d more problems\n", args[1], cerr.More)
		}
		return exitFailure
	}
	fmt.Fprintf(env.stdout, "%s: valid\n", args[1])
	return exitOK
}

func plainPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
