package screen

import (
	"context"
	"math"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// Lookup finds screening candidates in an Index's name look-up: entities
// having a name with words equal to, variants of, or a few letters off the
// query's words, ranked by the share of the query's weight (IDF) they
// cover. It keeps a fuzzy key table of the index's words (their Skeleton
// and its one-letter deletions), extended as words are added: the index's
// word list only grows, so the table is a cache derived from it.
type Lookup struct {
	ix    *index.Index
	mu    sync.RWMutex
	done  int                // index words already in keys
	keys  map[string][]int32 // fuzzy key -> word ids
	roman []string           // word id -> RomanKey
	// fz caches fuzzyOf's answers while the index has fzWords words.
	fzMu    sync.Mutex
	fz      map[fuzzyCacheKey][]fuzzyWord
	fzWords int
	// pairs remembers word similarities across the queries prepared for
	// this Lookup (simCache).
	pairs *pairTable
}

// NewLookup returns a Lookup over ix.
func NewLookup(ix *index.Index) *Lookup {
	return &Lookup{ix: ix, keys: map[string][]int32{}, pairs: newPairTable()}
}

// Index returns the index the screener reads.
func (sc *Lookup) Index() *index.Index { return sc.ix }

// Candidate is an entity worth scoring, with the share of the query's
// weight its best name covers.
type Candidate struct {
	ID       uuid.UUID
	Coverage float64
}

// Screening bounds.
const (
	maxFuzzyPerWord    = 24    // index words one query word may expand to
	maxWordPostings    = 50000 // names of a word beyond which it does not generate candidates alone
	minCandidateCover  = 0.25  // least share of the query weight a candidate covers
	maxScreenCandidate = 400   // entities scored per query at most
)

// fuzzyKeys returns the keys a word is filed under: its skeleton, and for
// skeletons of four letters or more, each one-letter deletion of it. A
// word of a variant group ("mohammad") is filed under its letters'
// skeleton too, so that a misspelling of it ("mohaammad"), which is in no
// group, finds it.
func fuzzyKeys(w string, out []string) []string {
	out = skeletonKeys(Skeleton(w), out)
	if r := RomanKey(w); r != "" && r[0] == '=' {
		out = skeletonKeys(ConsonantKey(w), out)
	}
	return out
}

func skeletonKeys(s string, out []string) []string {
	if len(s) < 2 {
		return out
	}
	out = append(out, s)
	if len(s) >= 4 { // deletions of shorter skeletons match too many words
		for i := 0; i < len(s); i++ {
			out = append(out, s[:i]+s[i+1:])
		}
	}
	return out
}

// queryForms returns a query word and, for words of four letters or
// more, the word with its first two letters swapped ("omhammed"): a swap
// there changes the skeleton, which every other typo leaves recognisable.
func queryForms(w string) []string {
	if len(w) < 4 || w[0] == w[1] {
		return []string{w}
	}
	return []string{w, string(w[1]) + string(w[0]) + w[2:]}
}

// abjadKeyPrefix marks the consonant keys (abjadKey) in the key table.
const abjadKeyPrefix = "~"

// sync adds the index words not yet in the key table.
func (sc *Lookup) sync() {
	sc.mu.RLock()
	done := sc.done
	sc.mu.RUnlock()
	var words []string
	sc.ix.ReadNames(func(n index.Names) {
		for i := done; i < n.Words(); i++ {
			words = append(words, n.WordText(index.WordID(i)))
		}
	})
	if len(words) == 0 {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var buf []string
	// Words are only ever added, so word done+j is words[j]; another
	// goroutine may have filed some of them meanwhile.
	for i := sc.done; i < done+len(words); i++ {
		w := words[i-done]
		sc.roman = append(sc.roman, RomanKey(w))
		if len(w) < 3 {
			continue
		}
		buf = fuzzyKeys(w, buf[:0])
		// Filed by its consonants too, for queries romanised from the
		// Arabic script (see abjadSim).
		if c := abjadKey(w); len(c) >= 2 {
			buf = append(buf, abjadKeyPrefix+c)
		}
		for _, k := range buf {
			if l := sc.keys[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
				sc.keys[k] = append(l, int32(i))
			}
		}
	}
	sc.done = max(sc.done, done+len(words))
}

// Weight returns the weight of a word: its IDF over the index's names,
// scaled to (0,1] (a word no name has weighs 1).
func (sc *Lookup) Weight(tok string) (w float64) {
	sc.ix.ReadNames(func(n index.Names) { w = weight(n, tok) })
	return w
}

// WithWeights calls fn with a Weigher that reads the index without taking
// its lock for each word: the lock is held (shared) until fn returns, so fn
// must not write to the index.
func (sc *Lookup) WithWeights(fn func(Weigher)) {
	sc.ix.ReadNames(func(n index.Names) {
		fn(func(tok string) float64 { return weight(n, tok) })
	})
}

func weight(n index.Names, tok string) float64 {
	df := 0
	if tid, ok := n.Word(tok); ok {
		df = len(n.Postings(tid))
	}
	// A word only one name has weighs 1; one every name has, 0.
	total := float64(n.Nodes()) + 2
	w := 1.0
	if df > 0 {
		w = math.Log(total/float64(df)) / math.Log(total)
	}
	// Initials and two-letter words carry little, however rare.
	switch len(tok) {
	case 1:
		w = math.Min(w, 0.3)
	case 2:
		w = math.Min(w, 0.6)
	}
	return math.Max(0.05, math.Min(1, w))
}

// Prepare is Prepare for a query to be scored with this Lookup's word
// weights (ScoreRecord): the query remembers the similarities of the word
// pairs it compares in the table the Lookup's candidate searches share,
// where other queries find them.
func (sc *Lookup) Prepare(q Query) (*Prepared, error) {
	p, err := Prepare(q)
	if err != nil {
		return nil, err
	}
	p.sims.shared = sc.pairs
	return p, nil
}

type slotKey struct {
	node index.Node
	slot uint16
}

// Candidates returns the entities worth scoring for query words, best
// covered first, at most limit (0: a default). Entities whose kind does not
// fit p are left out. It reports truncated when the limit cut the list.
func (sc *Lookup) Candidates(ctx context.Context, p *Prepared, limit int) (cands []Candidate, truncated bool, err error) {
	if limit <= 0 || limit > maxScreenCandidate {
		limit = maxScreenCandidate
	}
	words := p.indexWords
	if len(words) == 0 {
		return nil, false, nil
	}
	sc.sync()
	if p.sims != nil && p.sims.shared == nil {
		p.sims.shared = sc.pairs
	}
	sc.ix.ReadNames(func(n index.Names) {
		cands, truncated, err = sc.candidates(ctx, n, p, limit)
	})
	return cands, truncated, err
}

func (sc *Lookup) candidates(ctx context.Context, n index.Names, p *Prepared, limit int) (cands []Candidate, truncated bool, err error) {
	if n.Words() == 0 {
		return nil, false, nil
	}
	sc.mu.RLock()
	defer sc.mu.RUnlock()
	byNode, err := sc.cover(ctx, n, p.indexWords, false, p.sims)
	if err != nil {
		return nil, false, err
	}
	// A name in a script the index does not fold is also looked up by its
	// romanisation, with coverage of its own: the words as written weigh
	// as unseen (rare) words and would bury every Latin name.
	if len(p.romanWords) > 0 {
		more, err := sc.cover(ctx, n, p.romanWords, p.abjad, p.sims)
		if err != nil {
			return nil, false, err
		}
		for node, c := range more {
			byNode[node] = max(byNode[node], c)
		}
	}
	for node, c := range byNode {
		schema := n.Schema(node)
		if schema == "" || !Screenable(schema) || !p.KindFits(schema) {
			continue
		}
		cands = append(cands, Candidate{ID: n.ID(node), Coverage: c})
	}
	slices.SortFunc(cands, func(a, b Candidate) int {
		switch {
		case a.Coverage > b.Coverage:
			return -1
		case a.Coverage < b.Coverage:
			return 1
		}
		return compareUUID(a.ID, b.ID)
	})
	if len(cands) > limit {
		cands, truncated = cands[:limit], true
	}
	return cands, truncated, nil
}

// cover returns, per entity, the largest share of the weight of words
// that one of its names covers (at least minCandidateCover). The caller
// holds sc.mu for reading.
// With abjad, the words were romanised from the Arabic script and also
// stand for the index words with their consonants (abjadSim).
func (sc *Lookup) cover(ctx context.Context, n index.Names, words []string, abjad bool, sims *simCache) (map[index.Node]float64, error) {
	weights := make([]float64, len(words))
	total := 0.0
	for i, w := range words {
		weights[i] = weight(n, w)
		total += weights[i]
	}
	// Per name: the sum over the query's words of the best each
	// contributes (cur holds word's best so far).
	type sums struct {
		sum, cur float64
		word     int
	}
	acc := make(map[slotKey]sums, 256)
	for i, w := range words {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// The index words this query word may stand for, with their similarity.
		exp := map[index.WordID]float64{}
		if tid, ok := n.Word(w); ok {
			exp[tid] = 1
		}
		for _, v := range variantsOf(w) {
			if tid, ok := n.Word(v); ok && exp[tid] == 0 {
				exp[tid] = 0.97
			}
		}
		for _, v := range equivalentsOf(w) {
			if tid, ok := n.Word(v); ok && exp[tid] == 0 {
				exp[tid] = equivalentSimilarity
			}
		}
		if len(w) >= 3 {
			taken := 0
			for _, f := range sc.fuzzyOf(n, w, abjad, sims) {
				if taken == maxFuzzyPerWord {
					break
				}
				if exp[f.tid] == 0 {
					exp[f.tid] = f.s
					taken++
				}
			}
		}
		for tid, s := range exp {
			ps := n.Postings(tid)
			if len(ps) > maxWordPostings && len(words) > 1 {
				continue
			}
			v := s * weights[i]
			for _, ps := range ps {
				k := slotKey{ps.Node, ps.Slot}
				e, ok := acc[k]
				if !ok {
					e.word = i
				} else if e.word != i {
					e.sum, e.cur, e.word = e.sum+e.cur, 0, i
				}
				if v > e.cur {
					e.cur = v
				}
				acc[k] = e
			}
		}
	}
	byNode := map[index.Node]float64{}
	for k, e := range acc {
		c := (e.sum + e.cur) / total
		if c < minCandidateCover || c <= byNode[k.node] {
			continue
		}
		byNode[k.node] = c
	}
	return byNode, nil
}

// fuzzyWord is an index word a query word may be a misspelling of.
type fuzzyWord struct {
	tid index.WordID
	s   float64
}

// fuzzyOf returns the index words filed under the fuzzy keys of a query
// word (fuzzyKeys, and its consonants for a word romanised from the
// Arabic script), most alike first, at most maxFuzzyPerWord plus room for
// the exact and variant words the caller takes first. Query words recur
// across queries (given names, common surnames), so the answers are kept
// until the index gains words; the caller holds sc.mu for reading.
func (sc *Lookup) fuzzyOf(n index.Names, w string, abjad bool, sims *simCache) []fuzzyWord {
	key := fuzzyCacheKey{w, abjad}
	sc.fzMu.Lock()
	if sc.fzWords != sc.done {
		sc.fz, sc.fzWords = map[fuzzyCacheKey][]fuzzyWord{}, sc.done
	}
	if f, ok := sc.fz[key]; ok {
		sc.fzMu.Unlock()
		return f
	}
	sc.fzMu.Unlock()
	rw := RomanKey(w)
	var keys []string
	for _, f := range queryForms(w) {
		keys = fuzzyKeys(f, keys)
	}
	if abjad {
		if c := abjadKey(w); len(c) >= 2 {
			keys = append(keys, abjadKeyPrefix+c)
		}
	}
	var fuzzy []fuzzyWord
	seen := map[index.WordID]bool{}
	for _, k := range keys {
		for _, tid := range sc.keys[k] {
			if seen[tid] || int(tid) >= len(sc.roman) {
				continue
			}
			seen[tid] = true
			text := n.WordText(tid)
			if text == w {
				continue // the word itself: an exact match, not a fuzzy one
			}
			s, _ := sims.tokenSim(w, rw, text, sc.roman[tid])
			if abjad && s < abjadSimilarity && abjadSim(w, text) {
				s = abjadSimilarity
			}
			if s > 0 {
				fuzzy = append(fuzzy, fuzzyWord{tid, s})
			}
		}
	}
	slices.SortFunc(fuzzy, func(a, b fuzzyWord) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		return int(a.tid - b.tid)
	})
	// Room for the words the caller takes as exact or variants first
	// (a variant group has at most about twenty spellings).
	fuzzy = slices.Clip(fuzzy[:min(len(fuzzy), maxFuzzyPerWord+32)])
	sc.fzMu.Lock()
	if len(sc.fz) >= maxFuzzyCache {
		clear(sc.fz)
	}
	sc.fz[key] = fuzzy
	sc.fzMu.Unlock()
	return fuzzy
}

type fuzzyCacheKey struct {
	w     string
	abjad bool
}

// maxFuzzyCache bounds the query words whose expansions are kept.
const maxFuzzyCache = 200_000

func compareUUID(a, b uuid.UUID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

// Generations returns, for each id, a number that changes whenever the
// entity is written (its names are re-indexed on every write): a cache of
// entity data is fresh while it is unchanged. Read the generations before
// opening the snapshot the data is read from.
func (sc *Lookup) Generations(ids []uuid.UUID, out []uint32) []uint32 {
	out = out[:0]
	sc.ix.ReadNames(func(n index.Names) {
		for _, id := range ids {
			out = append(out, n.Generation(id))
		}
	})
	return out
}
