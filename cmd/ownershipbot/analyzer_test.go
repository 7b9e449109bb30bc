package main

import "github.com/ownershipbot/ownershipbot/analysis"

// testAnalyzer is the shipped Analyzer, loaded once for the tests.
var testAnalyzer = func() *analysis.Analyzer {
	a, err := analysis.New()
	if err != nil {
		panic(err)
	}
	return a
}()
