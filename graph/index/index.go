package index

import (
	"context"
	"runtime"
	"sync"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Index is a compact in-memory adjacency of the graph: entities are
// numbered (int32) and each relationship appears once in the list of each
// of its ends. Path search and name look-up run on it; Badger stays the
// source of truth, and the store rebuilds the Index at open and keeps it in
// step with every committed write. An Index is safe for concurrent use:
// searches hold a read lock, updates a write lock. No other package holds
// that lock: readers of the name postings go through ReadNames.
type Index struct {
	mu          sync.RWMutex
	ids         []uuid.UUID
	nums        idTable
	schema      []uint16 // schema code; 0: not stored (the end of a pending relationship)
	flags       []uint8  // flagStored, flagDesignator: what path searches test for every link
	adj         [][]Link
	codes       map[string]uint16
	schemaNames []string // schema code -> name; [0] = ""
	desig       map[int32]graph.DesignatorInfo
	stored      int
	links       int
	scratch     sync.Pool
	slots       chan struct{} // bounds concurrent searches, and so scratch memory
	names       nameIndex     // name look-up (names.go)
	// alias maps the members of a merged party to its canonical entity:
	// relationships of a member attach to the canonical entity, so paths
	// see one node per party (SetAliases).
	alias map[uuid.UUID]uuid.UUID
}

// Link is one relationship as seen from one of its ends. It takes 12
// bytes: the index holds two per relationship.
type Link struct {
	Other    int32         // the entity at the other end
	from, to day16         // the days it holds
	Kind     graph.RelType //
	Out      bool          // this end is the relationship's source
}

// day16 is a day since 1900-01-01 in 16 bits: 0 is "unbounded before",
// 65535 "unbounded after"; days outside 1900..2079 are clamped.
type day16 uint16

const day1900 = graph.Day(-25567) // 1900-01-01

func toDay16(d graph.Day) day16 {
	switch {
	case d == graph.DayMin || d <= day1900:
		return 0
	case d == graph.DayMax || d-day1900 >= 65535:
		return 65535
	}
	return day16(d - day1900)
}

// validOn reports whether the link holds on day d.
func (l Link) validOn(d day16) bool { return l.from <= d && d <= l.to }

// Validity returns the days the link holds (DayMin, DayMax when unbounded).
func (l Link) Validity() (from, to graph.Day) {
	from, to = graph.DayMin, graph.DayMax
	if l.from != 0 {
		from = day1900 + graph.Day(l.from)
	}
	if l.to != 65535 {
		to = day1900 + graph.Day(l.to)
	}
	return from, to
}

// New returns an empty Index.
func New() *Index { return NewSized(0) }

// NewSized returns an empty Index with room for about n entities.
func NewSized(n int) *Index {
	ix := &Index{ids: make([]uuid.UUID, 0, n), schema: make([]uint16, 0, n),
		flags: make([]uint8, 0, n), adj: make([][]Link, 0, n),
		codes: map[string]uint16{}, schemaNames: []string{""}, desig: map[int32]graph.DesignatorInfo{},
		slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	ix.nums.reserve(nil, n)
	return ix
}

// SetAliases makes the relationships of each key entity attach to the
// entity it maps to: the members of a merged party to the party's
// canonical entity. A relationship between two members of one party is
// left out. Call it on a new index, before adding relationships.
func (ix *Index) SetAliases(alias map[uuid.UUID]uuid.UUID) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.alias = alias
}

// canon maps a merged party's member to its canonical entity. Callers hold mu.
func (ix *Index) canon(id uuid.UUID) uuid.UUID {
	if c, ok := ix.alias[id]; ok {
		return c
	}
	return id
}

// linkNum returns the number of the node id's relationships attach to.
// Callers hold mu.
func (ix *Index) linkNum(id uuid.UUID, create bool) (int32, bool) {
	return ix.num(ix.canon(id), create)
}

// mergedAway reports whether a relationship between src and dst joins two
// members of one merged party (it is then left out). Callers hold mu.
func (ix *Index) mergedAway(src, dst uuid.UUID) bool {
	return src != dst && len(ix.alias) > 0 && ix.canon(src) == ix.canon(dst)
}

// lookupNum returns the number of entity id. Callers hold mu.
func (ix *Index) lookupNum(id uuid.UUID) (int32, bool) { return ix.nums.get(ix.ids, id) }

// num returns the number of id, adding it if create is set. Callers hold mu.
func (ix *Index) num(id uuid.UUID, create bool) (int32, bool) {
	if n, ok := ix.lookupNum(id); ok {
		return n, true
	}
	if !create {
		return 0, false
	}
	n := int32(len(ix.ids))
	ix.ids = append(ix.ids, id)
	ix.nums.put(ix.ids, id, n)
	ix.schema = append(ix.schema, 0)
	ix.flags = append(ix.flags, 0)
	ix.adj = append(ix.adj, nil)
	return n, true
}

// SetNode records that entity id is stored with the given schema;
// designator describes authority and programme nodes (nil otherwise).
func (ix *Index) SetNode(id uuid.UUID, schema string, designator *graph.DesignatorInfo) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.setNode(id, schema, designator)
}

func (ix *Index) setNode(id uuid.UUID, schema string, designator *graph.DesignatorInfo) {
	n, _ := ix.num(id, true)
	code, ok := ix.codes[schema]
	if !ok {
		code = uint16(len(ix.schemaNames))
		ix.codes[schema] = code
		ix.schemaNames = append(ix.schemaNames, schema)
	}
	if ix.schema[n] == 0 {
		ix.stored++
	}
	ix.schema[n] = code
	ix.flags[n] = flagStored
	if designator != nil {
		ix.desig[n] = *designator
		ix.flags[n] |= flagDesignator
	} else {
		delete(ix.desig, n)
	}
}

// DeleteNode records that entity id is no longer stored. Its relationships
// stay (they are pending until it comes back).
func (ix *Index) DeleteNode(id uuid.UUID) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.deleteNode(id)
}

func (ix *Index) deleteNode(id uuid.UUID) {
	if n, ok := ix.num(id, false); ok && ix.schema[n] != 0 {
		ix.schema[n] = 0
		ix.flags[n] = 0
		ix.stored--
		delete(ix.desig, n)
	}
}

// AddLink records a relationship src -kind-> dst valid from..to.
func (ix *Index) AddLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.addLink(src, dst, kind, from, to)
}

func (ix *Index) addLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	if ix.mergedAway(src, dst) {
		return
	}
	s, _ := ix.linkNum(src, true)
	d, _ := ix.linkNum(dst, true)
	f, t := toDay16(from), toDay16(to)
	ix.adj[s] = append(ix.adj[s], Link{Other: d, from: f, to: t, Kind: kind, Out: true})
	ix.adj[d] = append(ix.adj[d], Link{Other: s, from: f, to: t, Kind: kind, Out: false})
	ix.links++
}

// RemoveLink removes one relationship src -kind-> dst valid from..to.
func (ix *Index) RemoveLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLink(src, dst, kind, from, to)
}

func (ix *Index) removeLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	if ix.mergedAway(src, dst) {
		return
	}
	s, ok1 := ix.linkNum(src, false)
	d, ok2 := ix.linkNum(dst, false)
	if !ok1 || !ok2 {
		return
	}
	f, t := toDay16(from), toDay16(to)
	if dropLink(&ix.adj[s], Link{Other: d, from: f, to: t, Kind: kind, Out: true}) &&
		dropLink(&ix.adj[d], Link{Other: s, from: f, to: t, Kind: kind, Out: false}) {
		ix.links--
	}
}

func dropLink(list *[]Link, l Link) bool {
	a := *list
	for i := range a {
		if a[i] == l {
			a[i] = a[len(a)-1]
			*list = a[:len(a)-1]
			return true
		}
	}
	return false
}

// Counts returns the number of stored entities and of relationships.
func (ix *Index) Counts() (entities, relationships int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.stored, ix.links
}

// Degree returns the number of relationships of entity id.
func (ix *Index) Degree(id uuid.UUID) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if n, ok := ix.linkNum(id, false); ok {
		return len(ix.adj[n])
	}
	return 0
}

const (
	flagStored     = 1 << iota // the entity is stored
	flagDesignator             // an authority or programme
)

// isDesignator reports whether node n is an authority or programme.
// Callers hold mu.
func (ix *Index) isDesignator(n int32) bool { return ix.flags[n]&flagDesignator != 0 }

// Contents returns every stored entity with its schema and every link
// (each relationship once), for tests comparing the Index with the store.
func (ix *Index) Contents() (nodes map[uuid.UUID]string, links map[[2]uuid.UUID]map[graph.RelType]int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	nodes = map[uuid.UUID]string{}
	links = map[[2]uuid.UUID]map[graph.RelType]int{}
	for n, id := range ix.ids {
		if ix.schema[n] != 0 {
			nodes[id] = ix.schemaNames[ix.schema[n]]
		}
		for _, l := range ix.adj[n] {
			if l.Out {
				k := [2]uuid.UUID{id, ix.ids[l.Other]}
				if links[k] == nil {
					links[k] = map[graph.RelType]int{}
				}
				links[k][l.Kind]++
			}
		}
	}
	return nodes, links
}

// LinksAmong returns the distinct (source, kind, target) triples of the
// relationships whose both ends are in ids and whose kind is in via (all if
// empty), at most limit of them, and whether the limit cut the list.
func (ix *Index) LinksAmong(ids []uuid.UUID, via []graph.RelType, limit int) (triples []graph.LinkTriple, truncated bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	in := make(map[int32]bool, len(ids))
	for _, id := range ids {
		if n, ok := ix.linkNum(id, false); ok {
			in[n] = true
		}
	}
	seen := map[graph.LinkTriple]bool{}
	done := make(map[int32]bool, len(ids))
	for _, id := range ids {
		n, ok := ix.linkNum(id, false)
		if !ok || done[n] {
			continue
		}
		done[n] = true
		for _, l := range ix.adj[n] {
			if !l.Out || !in[l.Other] || (len(via) > 0 && !containsKind(via, l.Kind)) {
				continue
			}
			t := graph.LinkTriple{Source: ix.ids[n], Kind: l.Kind, Target: ix.ids[l.Other]}
			if seen[t] {
				continue
			}
			if len(triples) == limit {
				return triples, true
			}
			seen[t] = true
			triples = append(triples, t)
		}
	}
	return triples, false
}

func containsKind(kinds []graph.RelType, k graph.RelType) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// acquire takes a search slot: searches are CPU-bound, so running more at
// once than there are cores only multiplies their scratch memory (about 16
// bytes per entity each, and 4 per node a search reaches).
func (ix *Index) acquire(ctx context.Context) (func(), error) {
	select {
	case ix.slots <- struct{}{}:
		return func() { <-ix.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Compact moves every adjacency list into one exactly sized block, and
// trims the name look-up lists. Call it after a bulk build: appends leave
// lists up to twice the size they need, and millions of small allocations.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	total := 0
	for _, a := range ix.adj {
		total += len(a)
	}
	slab := make([]Link, total)
	off := 0
	for n, a := range ix.adj {
		copy(slab[off:], a)
		ix.adj[n] = slab[off : off+len(a) : off+len(a)] // appending reallocates this node only
		off += len(a)
	}
	ix.names.compact()
}

// LinkSpec is a relationship to add with AddLinks.
type LinkSpec struct {
	Src, Dst uuid.UUID
	Kind     graph.RelType
	From, To graph.Day
}

// AddLinks adds many relationships under one lock; runs of the same
// destination (as a scan of in-edge keys yields them) are looked up once.
func (ix *Index) AddLinks(links []LinkSpec) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var lastDst uuid.UUID
	var d int32 = -1
	for _, l := range links {
		if ix.mergedAway(l.Src, l.Dst) {
			continue
		}
		if d < 0 || l.Dst != lastDst {
			d, _ = ix.linkNum(l.Dst, true)
			lastDst = l.Dst
		}
		s, _ := ix.linkNum(l.Src, true)
		f, t := toDay16(l.From), toDay16(l.To)
		ix.adj[s] = append(ix.adj[s], Link{Other: d, from: f, to: t, Kind: l.Kind, Out: true})
		ix.adj[d] = append(ix.adj[d], Link{Other: s, from: f, to: t, Kind: l.Kind, Out: false})
		ix.links++
	}
}

// Updater changes an Index inside Update; its methods are those of Index
// without their locking.
type Updater struct{ ix *Index }

// Update applies the changes fn makes as one: readers (path searches, name
// look-ups) see all of them or none. The store applies each committed
// transaction this way, so that a record rewritten by an ingest never
// shows as missing or half-linked to a query running at the same time.
func (ix *Index) Update(fn func(u Updater)) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	fn(Updater{ix})
}

// SetNode: see Index.SetNode.
func (u Updater) SetNode(id uuid.UUID, schema string, designator *graph.DesignatorInfo) {
	u.ix.setNode(id, schema, designator)
}

// DeleteNode: see Index.DeleteNode.
func (u Updater) DeleteNode(id uuid.UUID) { u.ix.deleteNode(id) }

// AddLink: see Index.AddLink.
func (u Updater) AddLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	u.ix.addLink(src, dst, kind, from, to)
}

// RemoveLink: see Index.RemoveLink.
func (u Updater) RemoveLink(src, dst uuid.UUID, kind graph.RelType, from, to graph.Day) {
	u.ix.removeLink(src, dst, kind, from, to)
}

// AddNames: see Index.AddNames.
func (u Updater) AddNames(id uuid.UUID, keys []string) { u.ix.addNames(id, keys) }

// RemoveNames: see Index.RemoveNames.
func (u Updater) RemoveNames(id uuid.UUID, keys []string) { u.ix.removeNames(id, keys) }
