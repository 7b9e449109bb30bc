package main

import "context"

// Placeholder until the demo command is built; its owner deletes this file.
func runDemo(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the demo command is not built yet")
	return exitFailure
}
