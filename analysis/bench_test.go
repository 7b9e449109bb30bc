package analysis

import (
	"testing"
)

// cpuSpeed reports MB/s per CPU second beside the wall-clock figure, which
// a machine busy with other work slows; run with -cpu 1 so the process's
// CPU time is the benchmark's and its garbage collection's.
func cpuSpeed(b *testing.B, bytesPerOp int, run func()) {
	b.SetBytes(int64(bytesPerOp))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuNanos()
	run()
	if used := cpuNanos() - start; start > 0 && used > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/(float64(used)/1e9)/1e6, "cpu-MB/s")
	}
}

// benchComments are the evaluation set's comments: real-sized discussion
// text with Markdown, code and logs mixed in.
func benchComments(b *testing.B) ([]string, int) {
	var texts []string
	total := 0
	for _, name := range []string{"comments_dev.tsv", "comments_heldout.tsv"} {
		for _, c := range loadComments(b, name) {
			texts = append(texts, c.text)
			total += len(c.text)
		}
	}
	return texts, total
}

// BenchmarkAnalyzeComment reports MB/s of comment text classified per core
// and allocations per comment (one comment per op).
func BenchmarkAnalyzeComment(b *testing.B) {
	texts, total := benchComments(b)
	cpuSpeed(b, total/len(texts), func() {
		for i := 0; i < b.N; i++ {
			testAnalyzer.AnalyzeComment(texts[i%len(texts)])
		}
	})
}

// BenchmarkAnalyzeLongComment measures a long review comment (about 6 KB)
// that mixes prose, a code block and a log.
func BenchmarkAnalyzeLongComment(b *testing.B) {
	texts, _ := benchComments(b)
	long := ""
	for i := 0; len(long) < 6000; i++ {
		long += texts[i%len(texts)] + "\n\n"
	}
	cpuSpeed(b, len(long), func() {
		for i := 0; i < b.N; i++ {
			testAnalyzer.AnalyzeComment(long)
		}
	})
}

func BenchmarkDetectRationale(b *testing.B) {
	var issues []labelledIssue
	for _, name := range []string{"issues_dev.tsv", "issues_heldout.tsv"} {
		issues = append(issues, loadIssues(b, name)...)
	}
	total := 0
	for _, i := range issues {
		total += len(i.title) + len(i.body)
	}
	cpuSpeed(b, total/len(issues), func() {
		for i := 0; i < b.N; i++ {
			it := issues[i%len(issues)]
			DetectRationale(it.title, it.body, RationaleOptions{})
		}
	})
}

// BenchmarkNew measures the Analyzer's start-up: parsing the phrase table
// and loading the embedded weights.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	b.ReportMetric(float64(len(weightsFile)), "weights-bytes")
	for i := 0; i < b.N; i++ {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
