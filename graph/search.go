package graph

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// The name look-up: an inverted index from name tokens (NameKey words) to
// the entity names that contain them. It lives in the Index, under the same
// lock and with the same entity numbers.

type posting struct {
	node int32
	ntok uint16 // tokens in the name
	slot uint16 // which of the entity's names
}

type nameIndex struct {
	tokens   map[string]int32
	strs     []string    // token id -> token
	postings [][]posting // token id -> names containing it
	sorted   []int32     // token ids in token order, for prefix look-ups
	dirty    bool        // sorted is out of date
	count    []uint16    // node -> names recorded (the next name's slot)
	// gen counts the changes to each node's names: every write of an
	// entity passes through addNames or removeNames, so a cache of entity
	// data (screening's, screen_index.go) is fresh while gen is unchanged.
	gen []uint32
}

func (n *nameIndex) bump(node int32) {
	for int(node) >= len(n.gen) {
		n.gen = append(n.gen, 0)
	}
	n.gen[node]++
}

func (n *nameIndex) init() {
	if n.tokens == nil {
		n.tokens = map[string]int32{}
	}
}

// AddNames records more name keys (NameKey of each name) of entity id.
func (ix *Index) AddNames(id uuid.UUID, keys []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.addNames(id, keys)
}

func (ix *Index) addNames(id uuid.UUID, keys []string) {
	ix.lookup.init()
	node, _ := ix.num(id, true)
	ix.lookup.bump(node)
	for int(node) >= len(ix.lookup.count) {
		ix.lookup.count = append(ix.lookup.count, 0)
	}
	for _, key := range keys {
		slot := ix.lookup.count[node]
		if slot < 65535 {
			ix.lookup.count[node]++
		}
		toks := strings.Fields(key)
		for _, t := range toks {
			tid, ok := ix.lookup.tokens[t]
			if !ok {
				tid = int32(len(ix.lookup.strs))
				ix.lookup.tokens[t] = tid
				ix.lookup.strs = append(ix.lookup.strs, t)
				ix.lookup.postings = append(ix.lookup.postings, nil)
				ix.lookup.dirty = true
			}
			ix.lookup.postings[tid] = append(ix.lookup.postings[tid], posting{node: node, ntok: uint16(min(len(toks), 65535)), slot: slot})
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
	node, ok := ix.lookupNum(id)
	if !ok || ix.lookup.tokens == nil {
		return
	}
	ix.lookup.bump(node)
	if int(node) < len(ix.lookup.count) {
		ix.lookup.count[node] = 0
	}
	for _, key := range keys {
		for _, t := range strings.Fields(key) {
			tid, ok := ix.lookup.tokens[t]
			if !ok {
				continue
			}
			ix.lookup.postings[tid] = slices.DeleteFunc(ix.lookup.postings[tid], func(p posting) bool { return p.node == node })
		}
	}
}

// SearchQuery asks for entities by name.
type SearchQuery struct {
	Text    string
	Schemas []string // only entities of these schemata (or extending them)
	Limit   int      // 0: 10
}

// SearchHit is an entity whose name matches.
type SearchHit struct {
	ID    uuid.UUID
	Score float64 // 1 for a name equal to the query after NameKey; less for partial matches
}

// maxPrefixTokens bounds how many index tokens a typed prefix may expand to.
const maxPrefixTokens = 256

// SearchNames finds entities having a name that contains every word of
// q.Text (after NameKey normalisation: case, accents, punctuation, word
// order and legal forms do not matter); the last word typed may be a prefix
// of at least two letters. The score is the share of the name's words the
// query covers; hits come best first, ties by fewer words, then id.
func (ix *Index) SearchNames(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	words := NameTokens(q.Text)
	if len(words) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	ix.mu.RLock()
	if ix.lookup.dirty {
		ix.mu.RUnlock()
		ix.mu.Lock()
		ix.sortTokens()
		ix.mu.Unlock()
		ix.mu.RLock()
	}
	defer ix.mu.RUnlock()
	nx := &ix.lookup
	if nx.tokens == nil {
		return nil, nil
	}
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
		add := func(tid int32, weight float64) {
			for _, p := range nx.postings[tid] {
				k := [2]int32{p.node, int32(p.slot)}
				if weight > set[k].weight {
					set[k] = cand{weight: weight, ntok: int(p.ntok)}
				}
			}
		}
		if tid, ok := nx.tokens[w]; ok {
			add(tid, 1)
		}
		if i == last && len(w) >= 2 {
			lo := sort.Search(len(nx.sorted), func(j int) bool { return nx.strs[nx.sorted[j]] >= w })
			for j := lo; j < len(nx.sorted) && j-lo < maxPrefixTokens; j++ {
				t := nx.strs[nx.sorted[j]]
				if !strings.HasPrefix(t, w) {
					break
				}
				if t != w {
					add(nx.sorted[j], float64(len(w))/float64(len(t)))
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
		hit  SearchHit
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
			byNode[k[0]] = best{hit: SearchHit{ID: ix.ids[k[0]], Score: score}, ntok: c0.ntok}
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
	hits := make([]SearchHit, 0, min(limit, len(all)))
	for _, b := range all[:min(limit, len(all))] {
		hits = append(hits, b.hit)
	}
	return hits, nil
}

func (ix *Index) sortTokens() {
	nx := &ix.lookup
	if !nx.dirty {
		return
	}
	nx.sorted = make([]int32, len(nx.strs))
	for i := range nx.sorted {
		nx.sorted[i] = int32(i)
	}
	slices.SortFunc(nx.sorted, func(a, b int32) int { return strings.Compare(nx.strs[a], nx.strs[b]) })
	nx.dirty = false
}

func schemaIn(schema string, want []string) bool {
	s, ok := LookupSchema(schema)
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
	words := NameTokens(query)
	toks := strings.Fields(NameKey(name))
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

// NameKeys returns the distinct non-empty NameKeys of an entity's names,
// in the order of Names.
func NameKeys(e *Entity) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range e.Names() {
		if k := NameKey(n); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
