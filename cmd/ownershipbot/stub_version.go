package main

import "context"

// Placeholder until the version command is built; its owner deletes this file.
func runVersion(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the version command is not built yet")
	return exitFailure
}
