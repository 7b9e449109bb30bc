// Package analysis judges text: whether a comment raises a product-level
// concern, whether an issue or pull request says why it matters, and who
// owns it. It is pure: plain values in, results with evidence out, no I/O and
// no GitHub client.
package analysis
