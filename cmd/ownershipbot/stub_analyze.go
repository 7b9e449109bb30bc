package main

import "context"

// Placeholder until the analyze command is built; its owner deletes this file.
func runAnalyze(ctx context.Context, env *cmdEnv, args []string) int {
	errorf(env, "the analyze command is not built yet")
	return exitFailure
}
