package main

import "context"

// Placeholder until the serve command is built; its owner deletes this file.
func runServe(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the serve command is not built yet")
	return exitFailure
}
