package analysis

import (
	"slices"
	"strings"
)

// lexIndex is the phrase table laid out for reading: every word of every
// phrase in an open-addressing table keyed by the word's feature hash
// (which the model needs anyway, so a word is hashed once), and the
// phrases of several words as a trie over word numbers, so matching the
// longest phrase at a word follows the words that are there instead of
// looking up every length it could have.
type lexIndex struct {
	lex   lexicon
	slots []wordSlot // a power of two long, at most half full
	// words are by word number: the word and its own entry (nil when it
	// is only part of phrases).
	words []lexWord
	// children maps a trie node and the next word's number to the node
	// below; the nodes of the first words are their word numbers.
	children edgeTable
	// phrase holds, by node, the entry of the phrase that ends there.
	phrase []*lexEntry
	// ident is the word number of identToken, -1 when no phrase has it;
	// identHash is its feature hash.
	ident     int32
	identHash wordHashes
}

// lexWord is a word of the phrase table as lookups need it: a word of
// up to eight bytes is told apart by its length and its bytes as one
// number, without reading the string.
type lexWord struct {
	key   uint64 // the first eight bytes, little-endian, zero after the end
	n     int
	entry *lexEntry
	word  string
}

// wordKey is the key of lexWord for the bytes of w. A shorter word whose
// slice has room for eight bytes is read as eight and masked.
func wordKey(w []byte) uint64 {
	if len(w) >= 8 || cap(w) >= 8 {
		b := w[:8]
		k := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if len(w) < 8 {
			k &= 1<<(8*len(w)) - 1
		}
		return k
	}
	var k uint64
	for i, c := range w {
		k |= uint64(c) << (8 * i)
	}
	return k
}

// wordSlot is small so that the table stays in cache.
type wordSlot struct {
	hash uint32
	id   int32 // 1 + the word number, 0 for an empty slot
}

func newLexIndex(lex lexicon) *lexIndex {
	keys := make([]string, 0, len(lex))
	for k := range lex {
		keys = append(keys, k)
	}
	slices.Sort(keys) // word numbers do not depend on map order
	ids := map[string]int32{}
	var words []string
	for _, k := range keys {
		for _, w := range strings.Split(k, " ") {
			if _, ok := ids[w]; !ok {
				ids[w] = int32(len(words))
				words = append(words, w)
			}
		}
	}
	size := 16
	for size < 2*len(words) {
		size *= 2
	}
	ix := &lexIndex{lex: lex, slots: make([]wordSlot, size), ident: -1}
	edges := map[uint64]int32{}
	for id, w := range words {
		h := hashFeature(seedWord, []byte(w))
		i := h & uint32(size-1)
		for ix.slots[i].id != 0 {
			i = (i + 1) & uint32(size-1)
		}
		ix.slots[i] = wordSlot{hash: h, id: int32(id + 1)}
		ix.words = append(ix.words, lexWord{key: wordKey([]byte(w)), n: len(w), entry: lex[w], word: w})
	}
	ix.phrase = make([]*lexEntry, len(words))
	for _, k := range keys {
		f := strings.Split(k, " ")
		if len(f) < 2 {
			continue
		}
		node := ids[f[0]]
		for _, w := range f[1:] {
			key := uint64(node)<<32 | uint64(ids[w])
			next, ok := edges[key]
			if !ok {
				next = int32(len(ix.phrase))
				ix.phrase = append(ix.phrase, nil)
				edges[key] = next
			}
			node = next
		}
		ix.phrase[node] = lex[k]
	}
	ix.children = newEdgeTable(edges)
	if id, ok := ids[identToken]; ok {
		ix.ident = id
	}
	ix.identHash = hashWord([]byte(identToken))
	return ix
}

// word finds a normalised word by its feature hash: its entry (nil for
// none) and its word number (-1 when no phrase has it).
func (ix *lexIndex) word(h uint32, w []byte) (*lexEntry, int32) {
	mask := uint32(len(ix.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := ix.slots[i]
		if s.id == 0 {
			return nil, -1
		}
		if s.hash != h {
			continue
		}
		lw := &ix.words[s.id-1]
		if lw.n == len(w) && (len(w) <= 8 && lw.key == wordKey(w) || len(w) > 8 && lw.word == string(w)) {
			return lw.entry, s.id - 1
		}
	}
}

// longest finds the longest phrase of two words or more, at most max
// words long, that starts with the first of these words: its entry and
// its length, or nil.
func (ix *lexIndex) longest(words []wordInfo, max int) (*lexEntry, int) {
	var best *lexEntry
	n := 0
	node := words[0].id
	for k := 1; k < max && k < len(words) && words[k].id >= 0; k++ {
		next, ok := ix.children.get(uint64(node)<<32 | uint64(words[k].id))
		if !ok {
			break
		}
		node = next
		if p := ix.phrase[node]; p != nil && p.phrase {
			best, n = p, k+1
		}
	}
	return best, n
}

// edgeTable is the trie's edges in an open-addressing table: looked up
// for every word that starts a phrase, it beats a map.
type edgeTable struct {
	keys  []uint64 // each key plus one, so that 0 marks an empty slot
	nodes []int32
	shift uint
}

func newEdgeTable(edges map[uint64]int32) edgeTable {
	size, shift := 16, uint(60)
	for size < 2*len(edges) {
		size, shift = size*2, shift-1
	}
	t := edgeTable{keys: make([]uint64, size), nodes: make([]int32, size), shift: shift}
	for k, v := range edges {
		i := t.slot(k)
		for t.keys[i] != 0 {
			i = (i + 1) & (size - 1)
		}
		t.keys[i], t.nodes[i] = k+1, v
	}
	return t
}

func (t *edgeTable) slot(k uint64) int { return int((k * 0x9e3779b97f4a7c15) >> t.shift) }

func (t *edgeTable) get(k uint64) (int32, bool) {
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k + 1:
			return t.nodes[i], true
		case 0:
			return 0, false
		}
	}
}
