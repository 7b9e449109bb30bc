package analysis

// testAnalyzer is the shipped Analyzer, loaded once for all tests.
var testAnalyzer = func() *Analyzer {
	a, err := New()
	if err != nil {
		panic(err)
	}
	return a
}()
