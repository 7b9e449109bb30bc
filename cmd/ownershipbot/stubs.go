package main

import "context"

// Placeholders owned by the issues that build these commands.

func runAnalyze(ctx context.Context, env *cmdEnv, args []string) int { return notYet(env, "analyze") }
func runReport(ctx context.Context, env *cmdEnv, args []string) int  { return notYet(env, "report") }
func runSetup(ctx context.Context, env *cmdEnv, args []string) int   { return notYet(env, "setup") }
func runServe(ctx context.Context, env *cmdEnv, args []string) int   { return notYet(env, "serve") }
func runDemo(ctx context.Context, env *cmdEnv, args []string) int    { return notYet(env, "demo") }
func runVersion(ctx context.Context, env *cmdEnv, args []string) int { return notYet(env, "version") }

func notYet(env *cmdEnv, name string) int {
	errorf(env, "the %s command is not built yet", name)
	return exitFailure
}
