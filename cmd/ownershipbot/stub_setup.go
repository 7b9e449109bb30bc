package main

import "context"

// Placeholder until the setup command is built; its owner deletes this file.
func runSetup(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the setup command is not built yet")
	return exitFailure
}
