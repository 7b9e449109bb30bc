package main

import "context"

// Placeholder until the report command is built; its owner deletes this file.
func runReport(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the report command is not built yet")
	return exitFailure
}
