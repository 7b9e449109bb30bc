package analysis

// ruleLexicon is the whole phrase table, parsed once when the package
// loads, for reading text with the phrase rules alone (the trainer's
// language check); it is data, not a fitted model.
var ruleLexicon = func() lexicon {
	lex, _, err := parseLexicon(lexiconFile, nil)
	if err != nil {
		panic(err)
	}
	return lex
}()

// ruleIndex is ruleLexicon laid out for reading.
var ruleIndex = newLexIndex(ruleLexicon)
