package analysis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// The learned part: one logistic regression per concern and one for
// product-level, each scoring sentences; a comment scores what its best
// sentence scores (multiple-instance learning with a max). A sentence's
// features are its normalised words and word pairs, hashed into
// hashBuckets buckets, and the phrase rules' scores (denseFeature). The
// trainer (go run ./analysis/train) fits the weights on real labelled
// GitHub text and writes them to weights.bin, embedded in the binary.

const (
	hashBits    = 18
	hashBuckets = 1 << hashBits
	nTasks      = 7 // the six concerns in AllConcerns order, then product-level
	taskProduct = 6
)

// The dense features: what the phrase rules make of a sentence.
const (
	denseBase      = 0  // six: each concern's phrase score before boosts
	denseScore     = 6  // six: after the audience, measurement and code-talk adjustments
	denseAudience  = 12 // names the people affected
	denseTech      = 13 // code-level talk
	denseRuled     = 14 // a concern reaches the rules' threshold
	denseQuestion  = 15 // the sentence asks
	denseShort     = 16 // three words or fewer
	denseAudX      = 17 // six: each concern's phrase score where the sentence names the people affected
	denseTechX     = 23 // six: each concern's phrase score in code-level talk
	denseLen       = 29 // the sentence's length, log words
	denseQuant     = 30 // the sentence measures something
	denseComment   = 31 // six: what the whole comment is (commentFeatures), the same in each of its sentences
	nDense         = 37
	maxDenseScore  = 3
	seedWord       = 0x9747b28c
	seedPair       = 0x5bd1e995
	seedStem       = 0x1b873593
	weightsMagic   = "OBW1"
	weightsVersion = 4
)

// featureSet says which hashed features a model reads; it is part of the
// weights file, so a build reads a sentence the way its weights were fit.
type featureSet uint32

const (
	// featCross adds the rule features' crosses with the audience and
	// code talk, the sentence's length and its measurements.
	featCross featureSet = 1 << iota
	// featWindow scores each two sentences in a row as one more
	// instance, so a reason told in two sentences counts.
	featWindow
	// featComment gives each sentence the features of its whole comment
	// (denseComment).
	featComment
	featAll = featCross | featWindow | featComment
)

// logCount is log(1+n) as a float32, from a table for small counts.
func logCount(n int) float32 {
	if n < len(logCounts) {
		return logCounts[n]
	}
	return float32(math.Log1p(float64(n)))
}

var logCounts = func() (t [64]float32) {
	for n := range t {
		t[n] = float32(math.Log1p(float64(n)))
	}
	return t
}()

// setComment keeps the features of the comment being read, from what the
// Markdown reader counted: its code, quotes, checklists, length and
// whether it addresses someone.
func (sc *scratch) setComment(st proseStats) {
	sc.comment = [6]float32{
		logCount(st.Code),
		logCount(st.InlineCode) / 2,
		min(float32(st.Quotes), 1),
		min(float32(st.Tasks), 1),
		0,
		float32(math.Log1p(float64(st.Prose))) / 8,
	}
	if st.Mention {
		sc.comment[4] = 1
	}
}

// model holds the weights of the seven logistic regressions.
type model struct {
	feats  featureSet
	mix    float32 // see mixProduct
	bias   [nTasks]float32
	thresh [nTasks]float32 // log-odds a comment needs, calibrated by cross-validation
	dense  [nDense][nTasks]float32
	// buckets has a bit for each hash bucket with weights, 64 to a word,
	// and beside each word the count of buckets with weights before it,
	// so a bucket's row in w is found in 64 KB, one cache line a look,
	// rather than in a table of every bucket.
	buckets [hashBuckets / 64]bucketWord
	ranked  int // words of buckets whose rank is set so far
	// w holds the rows in bucket order, each padded to 32 bytes so that
	// reading one reads one cache line.
	w [][rowWidth]float32
}

type bucketWord struct {
	present uint64
	rank    int32
}

// rowWidth is nTasks rounded up to a power of two.
const rowWidth = 8

// add gives bucket h its weights; buckets are added in increasing order.
func (m *model) add(h uint32, w [nTasks]float32) {
	k := int(h >> 6)
	for ; m.ranked <= k; m.ranked++ {
		m.buckets[m.ranked].rank = int32(len(m.w))
	}
	m.buckets[k].present |= 1 << (h & 63)
	var row [rowWidth]float32
	copy(row[:], w[:])
	m.w = append(m.w, row)
}

// row returns bucket h's weights, or nil for a bucket without any.
func (m *model) row(h uint32) *[nTasks]float32 {
	if k := m.rowIndex(h); k >= 0 {
		return (*[nTasks]float32)(m.w[k][:nTasks])
	}
	return nil
}

// rowIndex returns where bucket h's weights are in m.w, or -1.
func (m *model) rowIndex(h uint32) int32 {
	h &= hashBuckets - 1
	b := &m.buckets[h>>6]
	bit := uint64(1) << (h & 63)
	if b.present&bit == 0 {
		return -1
	}
	return b.rank + int32(bits.OnesCount64(b.present&(bit-1)))
}

// hashFeature hashes a feature's bytes (FNV-1a, then a finaliser) into a
// bucket.
func hashFeature(seed uint32, b []byte) uint32 {
	return fnvFinish(fnvAdd(seed^2166136261, b))
}

func fnvAdd(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func fnvFinish(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	return h & (hashBuckets - 1)
}

// wordHashes is what hashing a normalised word once gives: its word
// feature's bucket, the state of a pair feature that starts with it, and
// its stem's bucket (stemmed is false when stem leaves the word whole).
// readWords does the same for each word of a sentence.
type wordHashes struct {
	word, pair, stem uint32
	stemmed          bool
}

func hashWord(w []byte) wordHashes {
	hw, hp := seedWord^uint32(2166136261), seedPair^uint32(2166136261)
	for _, c := range w {
		hw = (hw ^ uint32(c)) * 16777619
		hp = (hp ^ uint32(c)) * 16777619
	}
	out := wordHashes{word: fnvFinish(hw), pair: hp}
	if cut := len(stem(w)); cut < len(w) {
		out.stem, out.stemmed = hashFeature(seedStem, w[:cut]), true
	}
	return out
}

// features reads one sentence into sc (its hashed words in sc.hashes) and d.
// It reports false for a sentence with nothing to read: no words, or
// unchanged template text.
func (sc *scratch) features(s string, d *[nDense]float32) bool {
	scores, audience, tech, template := sc.sentenceScoresDetail(s)
	sc.hashes = sc.hashes[:0]
	words := sc.words
	n := len(words)
	if template || n == 0 || (strings.IndexByte(s, '[') >= 0 && (strings.Contains(s, "[e.g.") || strings.Contains(s, "[...]"))) {
		return false
	}
	*d = [nDense]float32{}
	for c := range scores {
		d[denseBase+c] = clampScore(sc.base[c])
		d[denseScore+c] = clampScore(scores[c])
		if scores[c] >= concernThreshold {
			d[denseRuled] = 1
		}
	}
	if audience > 0 {
		d[denseAudience] = 1
	}
	d[denseTech] = min(tech, 2)
	if strings.HasSuffix(s, "?") {
		d[denseQuestion] = 1
	}
	if n <= 3 {
		d[denseShort] = 1
	}
	if sc.feats&featComment != 0 {
		copy(d[denseComment:], sc.comment[:])
	}
	if sc.feats&featCross != 0 {
		for c := range scores {
			b := d[denseBase+c]
			if audience > 0 {
				d[denseAudX+c] = b
			}
			if tech > 0 {
				d[denseTechX+c] = b
			}
		}
		if n < len(logLength) {
			d[denseLen] = logLength[n]
		} else {
			d[denseLen] = float32(math.Log1p(float64(n))) / 4
		}
		if sc.quant > 0 {
			d[denseQuant] = 1
		}
	}
	// Each word, then the pair it starts; stems after the word features,
	// so explain can name those by position.
	hashes := slices.Grow(sc.hashes[:0], 3*n)[:2*n-1]
	for i := range words {
		hashes[2*i] = words[i].word
		if i+1 < n {
			hashes[2*i+1] = words[i].pair
		}
	}
	for i := range words {
		if words[i].stemmed {
			hashes = append(hashes, words[i].stem)
		}
	}
	sc.hashes = hashes
	return true
}

// clampScore keeps a phrase score between 0 and maxDenseScore.
func clampScore(v float32) float32 {
	if v <= 0 {
		return 0
	}
	if v > maxDenseScore {
		return maxDenseScore
	}
	return v
}

// logLength is denseLen's value for sentences of up to 63 words.
var logLength = func() (t [64]float32) {
	for n := range t {
		t[n] = float32(math.Log1p(float64(n))) / 4
	}
	return t
}()

// stem cuts a common ending off a normalised word, so "crashed",
// "crashing" and "crash" share a feature: "-ing", "-ed", "-ly".
func stem(w []byte) []byte {
	n := len(w)
	switch {
	case n > 5 && string(w[n-3:]) == "ing":
		return w[:n-3]
	case n > 4 && string(w[n-2:]) == "ed":
		return w[:n-2]
	case n > 4 && string(w[n-2:]) == "ly":
		return w[:n-2]
	}
	return w
}

// hashedRows is what a sentence's hashed features add to each task's
// log-odds; it appends each hash's row in m.w (-1 for none) to rows. The
// sums are kept in variables of their own, which stay in registers, and
// add the rows in the order of the hashes.
func (m *model) hashedRows(hashes []uint32, rows []int32) ([nTasks]float32, []int32) {
	var z0, z1, z2, z3, z4, z5, z6 float32
	at := len(rows)
	rows = slices.Grow(rows, len(hashes))[:at+len(hashes)]
	found := rows[at:]
	for i, h := range hashes {
		k := m.rowIndex(h)
		found[i] = k
		if k >= 0 {
			w := &m.w[k]
			z0 += w[0]
			z1 += w[1]
			z2 += w[2]
			z3 += w[3]
			z4 += w[4]
			z5 += w[5]
			z6 += w[6]
		}
	}
	return [nTasks]float32{z0, z1, z2, z3, z4, z5, z6}, rows
}

// densePair is the log-odds of each task from the biases and the rule
// features alone, of one sentence (a and b the same) or two in a row,
// whose features are the larger of each (all are at least zero); mask has
// a bit for each feature that is not zero in either (denseMask), so only
// those are read, in order.
func (m *model) densePair(a, b *[nDense]float32, mask uint64) [nTasks]float32 {
	z0, z1, z2, z3, z4, z5, z6 := m.bias[0], m.bias[1], m.bias[2], m.bias[3], m.bias[4], m.bias[5], m.bias[6]
	for ; mask != 0; mask &= mask - 1 {
		k := bits.TrailingZeros64(mask)
		v := max(a[k], b[k])
		w := &m.dense[k]
		z0 += v * w[0]
		z1 += v * w[1]
		z2 += v * w[2]
		z3 += v * w[3]
		z4 += v * w[4]
		z5 += v * w[5]
		z6 += v * w[6]
	}
	return [nTasks]float32{z0, z1, z2, z3, z4, z5, z6}
}

// denseMask has a bit for each rule feature of d that is not zero.
func denseMask(d *[nDense]float32) uint64 {
	var mask uint64
	for k, v := range d {
		if v != 0 {
			mask |= 1 << k
		}
	}
	return mask
}

// mixProduct adds m.mix of the likeliest concern's log-odds to the
// product-level log-odds of one instance: evidence of a concern is
// evidence that the text is product-level.
func (m *model) mixProduct(z *[nTasks]float32) {
	top := z[0]
	for c := 1; c < taskProduct; c++ {
		top = max(top, z[c])
	}
	z[taskProduct] += m.mix * top
}

// score is the log-odds of each task for one sentence.
func (m *model) score(hashes []uint32, d *[nDense]float32) [nTasks]float32 {
	z := m.bias
	for k, v := range d {
		if v == 0 {
			continue
		}
		for t := range z {
			z[t] += v * m.dense[k][t]
		}
	}
	for _, h := range hashes {
		if w := m.row(h); w != nil {
			for t := range z {
				z[t] += w[t]
			}
		}
	}
	return z
}

// marshal writes the weights: a magic and version, the sizes, the biases,
// thresholds and dense weights, then the hash buckets that have weights,
// in bucket order. All little-endian.
func (m *model) marshal() []byte {
	b := []byte(weightsMagic)
	u32 := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	f32 := func(v float32) { u32(math.Float32bits(v)) }
	u32(weightsVersion)
	u32(uint32(m.feats))
	u32(hashBits)
	u32(nDense)
	u32(nTasks)
	for _, v := range m.bias {
		f32(v)
	}
	for _, v := range m.thresh {
		f32(v)
	}
	f32(m.mix)
	for _, row := range m.dense {
		for _, v := range row {
			f32(v)
		}
	}
	u32(uint32(len(m.w)))
	for h := uint32(0); h < hashBuckets; h++ {
		w := m.row(h)
		if w == nil {
			continue
		}
		u32(h)
		for _, v := range w {
			f32(v)
		}
	}
	return b
}

// unmarshalModel reads what marshal wrote.
func unmarshalModel(b []byte) (*model, error) {
	if len(b) < 4 || string(b[:4]) != weightsMagic {
		return nil, errors.New("analysis: the weights file does not start with " + weightsMagic)
	}
	b = b[4:]
	bad := errors.New("analysis: the weights file is truncated")
	u32 := func() (uint32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return v, true
	}
	var head [5]uint32
	for i := range head {
		v, ok := u32()
		if !ok {
			return nil, bad
		}
		head[i] = v
	}
	if head[0] != weightsVersion || [3]uint32(head[2:]) != [3]uint32{hashBits, nDense, nTasks} || featureSet(head[1])&^featAll != 0 {
		return nil, fmt.Errorf("analysis: the weights file has version %d (features %#x) for %d hash bits, %d dense features and %d tasks; this build reads version %d (features within %#x) for %d, %d and %d",
			head[0], head[1], head[2], head[3], head[4], weightsVersion, featAll, hashBits, nDense, nTasks)
	}
	m := &model{feats: featureSet(head[1])}
	floats := make([]float32, 0, 2*nTasks+1+nDense*nTasks)
	for i := 0; i < cap(floats); i++ {
		v, ok := u32()
		if !ok {
			return nil, bad
		}
		floats = append(floats, math.Float32frombits(v))
	}
	copy(m.bias[:], floats[:nTasks])
	copy(m.thresh[:], floats[nTasks:2*nTasks])
	m.mix = floats[2*nTasks]
	for k := range m.dense {
		copy(m.dense[k][:], floats[2*nTasks+1+k*nTasks:])
	}
	n, ok := u32()
	if !ok || uint64(len(b)) != uint64(n)*4*(1+nTasks) {
		return nil, bad
	}
	m.w = make([][rowWidth]float32, 0, n)
	prev := -1
	for range n {
		h, _ := u32()
		if int(h) <= prev || h >= hashBuckets {
			return nil, errors.New("analysis: the weights file's buckets are out of order")
		}
		prev = int(h)
		var w [nTasks]float32
		for t := range w {
			v, _ := u32()
			w[t] = math.Float32frombits(v)
		}
		m.add(h, w)
	}
	return m, nil
}
