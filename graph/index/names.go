package index

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The name look-up: an inverted index from name words (the words of
// graph.NameKey) to the entity names that contain them. It lives in the
// Index, under the same lock and with the same entity numbers.

// Posting is one name that contains a word.
type Posting struct {
	Node  Node   // the entity
	Words uint16 // words in the name
	Slot  uint16 // which of the entity's names
}

// Node is an entity's number in the Index. Numbers are valid for the
// Index that gave them; they never change while it lives.
type Node = int32

// WordID is a word's number in the name look-up. Words are only ever
// added: the first n words stay as they are.
type WordID = int32

type nameIndex struct {
	tokens   map[string]WordID
	strs     []string    // word id -> word
	postings [][]Posting // word id -> names containing it
	count    []uint16    // node -> names recorded (the next name's slot)
	// gen counts the changes to each node's names: every write of an
	// entity passes through addNames or removeNames, so a cache of entity
	// data (screening's) is fresh while gen is unchanged.
	gen []uint32
	// sorted lists the word ids in word order, for prefix look-ups. It is
	// rebuilt lazily by the first reader that needs it after words were
	// added (dirty, set under the Index's write lock), under sortMu: readers
	// hold the Index's read lock, so they never see it change under them
	// except through that mutex.
	sortMu sync.Mutex
	sorted []WordID
	dirty  bool
}

func (n *nameIndex) bump(node Node) {
	for int(node) >= len(n.gen) {
		n.gen = append(n.gen, 0)
	}
	n.gen[node]++
}

func (n *nameIndex) init() {
	if n.tokens == nil {
		n.tokens = map[string]WordID{}
	}
}

// sortedWords returns the word ids in word order. Callers hold the Index's
// lock (either mode).
func (n *nameIndex) sortedWords() []WordID {
	n.sortMu.Lock()
	defer n.sortMu.Unlock()
	if n.dirty {
		s := make([]WordID, len(n.strs))
		for i := range s {
			s[i] = WordID(i)
		}
		slices.SortFunc(s, func(a, b WordID) int { return strings.Compare(n.strs[a], n.strs[b]) })
		n.sorted, n.dirty = s, false
	}
	return n.sorted
}

// compact moves the postings into one exactly sized block. Callers hold
// the write lock.
func (n *nameIndex) compact() {
	total := 0
	for _, p := range n.postings {
		total += len(p)
	}
	slab := make([]Posting, total)
	off := 0
	for t, p := range n.postings {
		copy(slab[off:], p)
		n.postings[t] = slab[off : off+len(p) : off+len(p)]
		off += len(p)
	}
	n.sortedWords()
}

// AddNames records more name keys (graph.NameKey of each name) of entity id.
func (ix *Index) AddNames(id uuid.UUID, keys []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.addNames(id, keys)
}

func (ix *Index) addNames(id uuid.UUID, keys []string) {
	nx := &ix.names
	nx.init()
	node, _ := ix.num(id, true)
	nx.bump(node)
	for int(node) >= len(nx.count) {
		nx.count = append(nx.count, 0)
	}
	for _, key := range keys {
		slot := nx.count[node]
		if slot < 65535 {
			nx.count[node]++
		}
		toks := strings.Fields(key)
		for _, t := range toks {
			tid, ok := nx.tokens[t]
			if !ok {
				tid = WordID(len(nx.strs))
				nx.tokens[t] = tid
				nx.strs = append(nx.strs, t)
				nx.postings = append(nx.postings, nil)
				nx.dirty = true
			}
			nx.postings[tid] = append(nx.postings[tid], Posting{Node: node, Words: uint16(min(len(toks), 65535)), Slot: slot})
		}
	}
}

// RemoveNames forgets all names of entity id; keys are its name keys as
// given to AddNames.
func (ix *Index) RemoveNames(id uuid.UUID, keys []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeNames(id, keys)
}

func (ix *Index) removeNames(id uuid.UUID, keys []string) {
	nx := &ix.names
	node, ok := ix.lookupNum(id)
	if !ok || nx.tokens == nil {
		return
	}
	nx.bump(node)
	if int(node) < len(nx.count) {
		nx.count[node] = 0
	}
	for _, key := range keys {
		for _, t := range strings.Fields(key) {
			tid, ok := nx.tokens[t]
			if !ok {
				continue
			}
			nx.postings[tid] = slices.DeleteFunc(nx.postings[tid], func(p Posting) bool { return p.Node == node })
		}
	}
}

// Names is a read-only view of the name look-up and of the entities it
// names, valid only inside the ReadNames call that gave it.
type Names struct{ ix *Index }

// ReadNames calls fn with a view of the name look-up, under the Index's
// read lock: what fn reads is one consistent state. fn must not call
// methods of the Index that take its lock.
func (ix *Index) ReadNames(fn func(n Names)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	fn(Names{ix})
}

// Word returns the id of word w.
func (n Names) Word(w string) (WordID, bool) {
	id, ok := n.ix.names.tokens[w]
	return id, ok
}

// Words returns the number of words; ids run from 0 to Words()-1.
func (n Names) Words() int { return len(n.ix.names.strs) }

// WordText returns word id's text.
func (n Names) WordText(id WordID) string { return n.ix.names.strs[id] }

// Postings returns the names that contain word id. The slice must not be
// changed or kept beyond the ReadNames call.
func (n Names) Postings(id WordID) []Posting { return n.ix.names.postings[id] }

// Nodes returns the number of entities numbered (stored or not).
func (n Names) Nodes() int { return len(n.ix.ids) }

// Schema returns the schema of entity node, or "" if it is not stored.
func (n Names) Schema(node Node) string {
	if c := n.ix.schema[node]; c != 0 {
		return n.ix.schemaNames[c]
	}
	return ""
}

// ID returns the id of entity node.
func (n Names) ID(node Node) uuid.UUID { return n.ix.ids[node] }

// Generation returns a number that changes whenever the names of entity
// id are written (every write of an entity re-indexes its names): a cache
// of entity data is fresh while it is unchanged.
func (n Names) Generation(id uuid.UUID) uint32 {
	if node, ok := n.ix.lookupNum(id); ok && int(node) < len(n.ix.names.gen) {
		return n.ix.names.gen[node]
	}
	return 0
}

// maxPrefixTokens bounds how many index words a typed prefix may expand to.
const maxPrefixTokens = 256

// SearchNames finds entities having a name that contains every word of
// q.Text (after NameKey normalisation: case, accents, punctuation, word
// order and legal forms do not matter); the last word typed may be a prefix
// of at least two letters. The score is the share of the name's words the
// query covers; hits come best first, ties by fewer words, then id.
func (ix *Index) SearchNames(ctx context.Context, q graph.SearchQuery) ([]graph.SearchHit, error) {
	words := graph.NameTokens(q.Text)
	if len(words) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	nx := &ix.names
	if nx.tokens == nil {
		return nil, nil
	}
	sorted := nx.sortedWords()
	// For each query word, the names containing it with the weight of the
	// match: 1 for the whole word, the share of the word typed for a prefix.
	type cand struct {
		weight float64
		ntok   int
	}
	last := len(words) - 1
	var sets []map[[2]int32]cand // (node, name slot) -> match
	for i, w := range words {
		set := map[[2]int32]cand{}
		add := func(tid WordID, weight float64) {
			for _, p := range nx.postings[tid] {
				k := [2]int32{p.Node, int32(p.Slot)}
				if weight > set[k].weight {
					set[k] = cand{weight: weight, ntok: int(p.Words)}
				}
			}
		}
		if tid, ok := nx.tokens[w]; ok {
			add(tid, 1)
		}
		if i == last && len(w) >= 2 {
			lo := sort.Search(len(sorted), func(j int) bool { return nx.strs[sorted[j]] >= w })
			for j := lo; j < len(sorted) && j-lo < maxPrefixTokens; j++ {
				t := nx.strs[sorted[j]]
				if !strings.HasPrefix(t, w) {
					break
				}
				if t != w {
					add(sorted[j], float64(len(w))/float64(len(t)))
				}
			}
		}
		if len(set) == 0 {
			return nil, nil
		}
		sets = append(sets, set)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	// Names that contain every word; per entity its best name.
	slices.SortFunc(sets, func(a, b map[[2]int32]cand) int { return len(a) - len(b) })
	type best struct {
		hit  graph.SearchHit
		ntok int
	}
	byNode := map[int32]best{}
	for k, c0 := range sets[0] {
		sum := c0.weight
		ok := true
		for _, set := range sets[1:] {
			c, in := set[k]
			if !in {
				ok = false
				break
			}
			sum += c.weight
		}
		if !ok || ix.schema[k[0]] == 0 {
			continue
		}
		if len(q.Schemas) > 0 && !schemaIn(ix.schemaNames[ix.schema[k[0]]], q.Schemas) {
			continue
		}
		score := sum / float64(max(c0.ntok, len(words)))
		b, seen := byNode[k[0]]
		if !seen || score > b.hit.Score || (score == b.hit.Score && c0.ntok < b.ntok) {
			byNode[k[0]] = best{hit: graph.SearchHit{ID: ix.ids[k[0]], Score: score}, ntok: c0.ntok}
		}
	}
	all := make([]best, 0, len(byNode))
	for _, b := range byNode {
		all = append(all, b)
	}
	slices.SortFunc(all, func(a, b best) int {
		switch {
		case a.hit.Score > b.hit.Score:
			return -1
		case a.hit.Score < b.hit.Score:
			return 1
		case a.ntok != b.ntok:
			return a.ntok - b.ntok
		}
		return bytes.Compare(a.hit.ID[:], b.hit.ID[:])
	})
	hits := make([]graph.SearchHit, 0, min(limit, len(all)))
	for _, b := range all[:min(limit, len(all))] {
		hits = append(hits, b.hit)
	}
	return hits, nil
}

func schemaIn(schema string, want []string) bool {
	s, ok := graph.LookupSchema(schema)
	for _, w := range want {
		if strings.EqualFold(w, schema) || (ok && s.Is(w)) {
			return true
		}
	}
	return false
}

// MatchName scores one name against a query the way SearchNames does, so
// that a caller can show which of an entity's names matched.
func MatchName(query, name string) (float64, bool) {
	words := graph.NameTokens(query)
	toks := strings.Fields(graph.NameKey(name))
	if len(words) == 0 || len(toks) == 0 {
		return 0, false
	}
	sum := 0.0
	for i, w := range words {
		best := 0.0
		for _, t := range toks {
			switch {
			case t == w:
				best = 1
			case i == len(words)-1 && len(w) >= 2 && strings.HasPrefix(t, w):
				best = max(best, float64(len(w))/float64(len(t)))
			}
		}
		if best == 0 {
			return 0, false
		}
		sum += best
	}
	return sum / float64(max(len(toks), len(words))), true
}
