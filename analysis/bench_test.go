package analysis

import (
	"testing"
)

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
	b.SetBytes(int64(total / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		testAnalyzer.AnalyzeComment(texts[i%len(texts)])
	}
	reportCPUThroughput(b, cpu, int64(total/len(texts)))
}

// BenchmarkAnalyzeLongComment measures a long review comment (about 6 KB)
// that mixes prose, a code block and a log.
func BenchmarkAnalyzeLongComment(b *testing.B) {
	texts, _ := benchComments(b)
	long := ""
	for i := 0; len(long) < 6000; i++ {
		long += texts[i%len(texts)] + "\n\n"
	}
	b.SetBytes(int64(len(long)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		testAnalyzer.AnalyzeComment(long)
	}
	reportCPUThroughput(b, cpu, int64(len(long)))
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
	b.SetBytes(int64(total / len(issues)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		it := issues[i%len(issues)]
		DetectRationale(it.title, it.body, RationaleOptions{})
	}
	reportCPUThroughput(b, cpu, int64(total/len(issues)))
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

// BenchmarkMarkdownReader measures the Markdown reader alone on the team's
// issue bodies and comments (readProse, as AnalyzeComment runs it).
func BenchmarkMarkdownReader(b *testing.B) {
	var texts []string
	total := 0
	for _, name := range []string{"issues_dev.tsv", "issues_heldout.tsv"} {
		for _, i := range loadIssues(b, name) {
			texts = append(texts, i.body)
			total += len(i.body)
		}
	}
	c, n := benchComments(b)
	texts, total = append(texts, c...), total+n
	b.SetBytes(int64(total / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		readProse(texts[i%len(texts)], func(Block) {})
	}
	reportCPUThroughput(b, cpu, int64(total/len(texts)))
}
