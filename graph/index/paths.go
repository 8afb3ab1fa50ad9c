package index

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

var errStop = errors.New("search stopped")

// scratch holds per-search state, reused through the Index's pool.
// Searches touch nodes at random in arrays of millions of entries, so what
// one step reads of a node is kept small and together: both sides' marks
// of a node in one byte, and the three numbers a search keeps per node in
// one struct.
type scratch struct {
	gen uint32 // counts searches: extract's marks are -(gen+1)
	// seen holds, per node, 1 + the distance from each side's origin at
	// which the side reached it, 0 if it did not: side 0 in the low four
	// bits, side 1 in the high four (paths are at most 10 hops). One byte
	// per node keeps the array a quarter of the size that stamps of 16
	// bits per side took, so that more of it stays in the caches: a
	// search reads it once per relationship it scans.
	seen []uint8
	// touched lists the nodes whose seen byte is set: clearSeen clears
	// those, not the whole array.
	touched []int32
	node    []nodeState
	// level holds the nodes of each side by distance from its origin; the
	// levels are slices of buf, kept between searches.
	level [2][][]int32
	buf   [2][]int32
	// levelCost memoises frontierCost per side and level.
	levelCost [2][]int
	// Buffers of shortest and extract, kept between searches.
	found, meet  []int32
	steps, edges []dagEdge
}

// nodeState is what a search keeps per node besides its distances. In a
// one-sided search: the node's parent, the total weakness of the path to
// it and its order in its level. In extract: its mark and its least
// weakness to the target. It is valid only for nodes the search reached.
type nodeState struct{ a, b, c int32 }

func (sc *scratch) reset(n int) {
	if len(sc.node) < n {
		c := n + n/4
		sc.seen = make([]uint8, c)
		sc.node = make([]nodeState, c)
		sc.touched = sc.touched[:0]
		sc.gen = 0
	}
	sc.clearSeen()
	for s := 0; s < 2; s++ {
		sc.level[s] = sc.level[s][:0]
		sc.buf[s] = sc.buf[s][:0]
		sc.levelCost[s] = sc.levelCost[s][:0]
	}
	sc.gen++
	if sc.gen == 1<<31 { // the marks in node[].a are -(gen+1)
		clear(sc.node)
		sc.gen = 1
	}
}

// clearSeen clears the seen bytes the last search set. The searcher clears
// them as it ends (release), so that a search that reached a million nodes
// pays for clearing them, not the next one.
func (sc *scratch) clearSeen() {
	for _, v := range sc.touched {
		sc.seen[v] = 0
	}
	sc.touched = sc.touched[:0]
}

func (sc *scratch) isSeen(side int, v int32) bool { return sc.seen[v]>>(4*side)&15 != 0 }

// see records that side reached v at distance d (it had not).
func (sc *scratch) see(side int, v int32, d int) {
	if sc.seen[v] == 0 {
		sc.touched = append(sc.touched, v)
	}
	sc.seen[v] |= uint8(d+1) << (4 * side)
}

// dist returns the distance at which side reached v (valid if isSeen).
func (sc *scratch) dist(side int, v int32) int { return int(sc.seen[v]>>(4*side)&15) - 1 }

// addLevel appends the nodes buf[side][start:] as the side's next level.
func (sc *scratch) addLevel(side, start int) []int32 {
	l := sc.buf[side][start:len(sc.buf[side]):len(sc.buf[side])]
	sc.level[side] = append(sc.level[side], l)
	return l
}

// searcher runs searches on a read-locked Index.
type searcher struct {
	ix         *Index
	sc         *scratch
	ctx        context.Context
	allowed    [graph.NumRelTypes]bool
	asOf       graph.Day
	asOf16     day16
	hasAsOf    bool
	maxDeg     int
	avoid      map[int32]bool
	maxVisited int
	res        *graph.PathResult
	ops        int
	// Yen's algorithm blocks nodes and links per spur search.
	blockedNodes map[int32]bool
	blockedLinks map[[2]int32]bool
}

func (ix *Index) newSearcher(ctx context.Context, via []graph.RelType, asOf graph.Day, hasAsOf bool, maxDeg int, avoid []uuid.UUID, maxVisited int, res *graph.PathResult) *searcher {
	s := &searcher{ix: ix, ctx: ctx, asOf: asOf, asOf16: toDay16(asOf), hasAsOf: hasAsOf, maxDeg: maxDeg, maxVisited: maxVisited, res: res}
	if s.maxVisited <= 0 {
		s.maxVisited = graph.DefaultMaxVisited
	}
	if len(via) == 0 {
		for i := range s.allowed {
			s.allowed[i] = true
		}
	}
	for _, k := range via {
		if k.Valid() {
			s.allowed[k] = true
		}
	}
	for _, a := range avoid {
		if n, ok := ix.linkNum(a, false); ok {
			if s.avoid == nil {
				s.avoid = map[int32]bool{}
			}
			s.avoid[n] = true
		}
	}
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	s.sc = sc
	return s
}

func (s *searcher) release() {
	s.sc.clearSeen()
	s.sc.trim()
	s.ix.scratch.Put(s.sc)
}

// maxKept is the most entries a buffer of a scratch keeps between
// searches: the rare search that reached a million nodes does not leave
// its buffers (up to tens of MB) to every scratch in the pool.
const maxKept = 1 << 18

// trim drops the buffers that grew past maxKept.
func (sc *scratch) trim() {
	for s := 0; s < 2; s++ {
		if cap(sc.buf[s]) > maxKept {
			sc.buf[s], sc.level[s] = nil, nil
		}
	}
	if cap(sc.touched) > maxKept {
		sc.touched = nil
	}
	if cap(sc.found) > maxKept {
		sc.found = nil
	}
	if cap(sc.meet) > maxKept {
		sc.meet = nil
	}
	if cap(sc.steps) > maxKept {
		sc.steps = nil
	}
	if cap(sc.edges) > maxKept {
		sc.edges = nil
	}
}

// tick counts work and stops the search at the deadline.
func (s *searcher) tick(n int) error {
	s.ops += n
	if s.ops >= 4096 {
		s.ops = 0
		if s.ctx.Err() != nil {
			s.res.Limit(graph.LimitTimeout)
			return errStop
		}
	}
	return nil
}

// linkOK reports whether a search may follow l.
func (s *searcher) linkOK(from int32, l Link) bool {
	if !s.allowed[l.Kind] || s.ix.flags[l.Other]&flagStored == 0 || (s.avoid != nil && s.avoid[l.Other]) {
		return false
	}
	if s.hasAsOf && !l.validOn(s.asOf16) {
		return false
	}
	if s.blockedNodes != nil && s.blockedNodes[l.Other] {
		return false
	}
	if s.blockedLinks != nil && s.blockedLinks[pairKey(from, l.Other)] {
		return false
	}
	return true
}

func pairKey(a, b int32) [2]int32 {
	if a > b {
		a, b = b, a
	}
	return [2]int32{a, b}
}

// interior reports whether node v may be passed through: authorities and
// programmes may only end a path (otherwise any two parties designated by
// OFAC would be two hops apart), and hubs above maxDegree are skipped.
func (s *searcher) interior(v int32) bool {
	if s.ix.isDesignator(v) {
		return false
	}
	return s.maxDeg <= 0 || len(s.ix.adj[v]) <= s.maxDeg
}

func (s *searcher) less(a, b int32) bool {
	return bytes.Compare(s.ix.ids[a][:], s.ix.ids[b][:]) < 0
}

// shortest finds the canonical shortest path from src to dst of at most
// maxHops: of all paths with the fewest hops, the one whose relationships
// are strongest (least total weakness: owns before controls before ...
// linked-to), and among those the one whose sequence of entity ids is
// smallest, so that the answer never depends on the order relationships
// were stored in. It runs a bidirectional breadth-first search, marks the
// nodes that lie on shortest paths, and walks them.
func (s *searcher) shortest(src, dst int32, maxHops int) ([]int32, error) {
	if src == dst {
		return []int32{src}, nil
	}
	sc := s.sc
	sc.reset(len(s.ix.ids))
	origin := [2]int32{src, dst}
	for side := 0; side < 2; side++ {
		sc.see(side, origin[side], 0)
		sc.buf[side] = append(sc.buf[side], origin[side])
		sc.addLevel(side, 0)
	}
	s.res.Visited += 2
	depth := [2]int{}
	meet := sc.found[:0] // nodes both sides reached in the last level expanded
	// The steps from the level expanded to the meeting nodes, seen while
	// expanding it: extract need not look for them again among the
	// relationships of thousands of meeting nodes.
	steps := sc.steps[:0]
	defer func() { sc.found, sc.steps = meet[:0], steps[:0] }()
	side := 0
	for depth[0]+depth[1] < maxHops && len(meet) == 0 {
		side = 0
		if s.frontierCost(1, depth[1]) < s.frontierCost(0, depth[0]) {
			side = 1
		}
		other, d := 1-side, depth[side]+1
		// meets reports whether v, reached by this side at distance d, is a
		// node where the searches meet.
		meets := func(v int32) bool {
			return sc.isSeen(other, v) && (v == origin[other] || s.interior(v))
		}
		start := len(sc.buf[side])
		for _, u := range sc.level[side][depth[side]] {
			if u != origin[side] && !s.interior(u) {
				continue
			}
			adj := s.ix.adj[u]
			if err := s.tick(len(adj)); err != nil {
				return nil, err
			}
			if len(meet) > 0 {
				// The searches have met: the rest of this level is only
				// scanned for other meeting nodes and the steps to them
				// (all shortest paths are needed to choose among them), not
				// expanded.
				for _, l := range adj {
					v := l.Other
					if !meets(v) {
						continue
					}
					if sc.isSeen(side, v) {
						if sc.dist(side, v) == d && s.linkOK(u, l) {
							steps = append(steps, dagEdge{u, v, int32(l.Kind.Weakness())})
						}
						continue
					}
					if !s.linkOK(u, l) {
						continue
					}
					sc.see(side, v, d)
					meet = append(meet, v)
					steps = append(steps, dagEdge{u, v, int32(l.Kind.Weakness())})
				}
				continue
			}
			for _, l := range adj {
				v := l.Other
				if sc.isSeen(side, v) {
					// Reached before: a meeting node of this level if the
					// searches have met since.
					if len(meet) > 0 && sc.dist(side, v) == d && meets(v) && s.linkOK(u, l) {
						steps = append(steps, dagEdge{u, v, int32(l.Kind.Weakness())})
					}
					continue
				}
				if !s.linkOK(u, l) {
					continue
				}
				sc.see(side, v, d)
				sc.buf[side] = append(sc.buf[side], v)
				if meets(v) {
					meet = append(meet, v)
					steps = append(steps, dagEdge{u, v, int32(l.Kind.Weakness())})
				}
			}
			if n := len(sc.buf[side]) - start; s.res.Visited+n > s.maxVisited {
				s.res.Visited += n
				s.res.Limit(graph.LimitVisited)
				return nil, errStop
			}
		}
		next := sc.addLevel(side, start)
		s.res.Visited += len(next)
		depth[side]++
		if len(next) == 0 {
			return nil, nil
		}
	}
	if len(meet) == 0 {
		return nil, nil
	}
	return s.extract(origin, meet, side, steps), nil
}

// frontierCost estimates the work of expanding a side's level: the
// relationships of its nodes, summed once per level.
func (s *searcher) frontierCost(side, depth int) int {
	sc := s.sc
	for len(sc.levelCost[side]) <= depth {
		sc.levelCost[side] = append(sc.levelCost[side], s.degrees(sc.level[side][len(sc.levelCost[side])]))
	}
	return sc.levelCost[side][depth]
}

// dagEdge is a step of a shortest path: from the node at position p to
// the one at p+1, with the weakness of its relationship.
type dagEdge struct{ from, to, weakness int32 }

// extract returns the canonical path after a search that met: of the
// shortest paths, the one of least total weakness, then of smallest ids.
//
// All shortest paths pass, at one position, through a node where the two
// searches met; before it lie nodes the source's search reached, after it
// nodes the target's. Walking back from the meeting nodes on each side,
// level by level, finds the nodes on shortest paths and the steps between
// them (the shortest-path DAG). Its steps are kept, by position: the least
// weakness to the target of every node is then one pass over them from the
// target back, and the path one pass forward from the source, taking the
// strongest next step, ties by smallest id. Only the walk back reads
// relationships: meeting sets run to thousands of entities, hubs to 60,000
// relationships, and the steps on shortest paths are few beside them.
func (s *searcher) extract(origin [2]int32, found []int32, last int, lastSteps []dagEdge) []int32 {
	sc, adj := s.sc, s.ix.adj
	// Marks are -(gen+1): never a parent (>= -1) a one-sided search left
	// in the same field. A node's b is its least weakness to the target,
	// -1 until known.
	g := -int32(sc.gen) - 1
	ns := sc.node
	// The length d: the least sum of distances over the nodes where the
	// searches met; the meeting nodes are those achieving it. All were
	// reached in the last level expanded, so all lie at one position.
	d := 1 << 30
	meet := sc.meet[:0]
	defer func() { sc.meet = meet[:0] }()
	for _, v := range found {
		switch t := sc.dist(0, v) + sc.dist(1, v); {
		case t < d:
			d, meet = t, append(meet[:0], v)
		case t == d:
			meet = append(meet, v)
		}
	}
	for _, m := range meet {
		ns[m].a, ns[m].b = g, -1
	}
	// steps[p] is the range of edges from position p to p+1 (d <= maxHops
	// <= MaxHopsLimit).
	var steps [graph.MaxHopsLimit][2]int
	edges := sc.edges[:0]
	defer func() { sc.edges = edges[:0] }()
	// Walk back on each side from the meeting nodes. The node at distance
	// i from the side's origin is at position i on the source's side, d-i
	// on the target's. Each level works from whichever end has fewer
	// relationships to scan: all of the marked nodes' at distance i, or all
	// of the nodes' at distance i-1.
	var frontier, next []int32
	for side := 0; side < 2; side++ {
		frontier = append(frontier[:0], meet...)
		for i := sc.dist(side, meet[0]); i > 0 && len(frontier) > 0; i-- {
			start := len(edges)
			step := func(near, far int32, weakness int32) { // near at distance i, far at i-1
				e := dagEdge{from: far, to: near, weakness: weakness}
				if side == 1 {
					e.from, e.to = near, far
				}
				edges = append(edges, e)
			}
			next = next[:0]
			prev := sc.level[side][i-1] // every node at distance i-1
			switch {
			case side == last && i == sc.dist(side, meet[0]):
				// The level the search expanded last: the steps to the
				// meeting nodes were seen then (u at distance i-1, v at i).
				for _, e := range lastSteps {
					if ns[e.to].a != g { // not a meeting node of the least sum
						continue
					}
					u := e.from
					step(e.to, u, e.weakness)
					if ns[u].a != g {
						ns[u].a, ns[u].b = g, -1
						next = append(next, u)
					}
				}
			case s.degrees(frontier) <= s.degrees(prev):
				for _, v := range frontier {
					for _, l := range adj[v] {
						u := l.Other
						if !sc.isSeen(side, u) || sc.dist(side, u) != i-1 || (u != origin[side] && !s.interior(u)) || !s.linkOK(v, l) {
							continue
						}
						step(v, u, int32(l.Kind.Weakness()))
						if ns[u].a != g {
							ns[u].a, ns[u].b = g, -1
							next = append(next, u)
						}
					}
				}
			default:
				for _, u := range prev {
					if u != origin[side] && !s.interior(u) {
						continue
					}
					on := false
					for _, l := range adj[u] {
						if v := l.Other; ns[v].a == g && sc.isSeen(side, v) && sc.dist(side, v) == i && s.linkOK(u, l) {
							step(v, u, int32(l.Kind.Weakness()))
							on = true
						}
					}
					if on {
						ns[u].a, ns[u].b = g, -1
						next = append(next, u)
					}
				}
			}
			p := i - 1
			if side == 1 {
				p = d - i
			}
			steps[p] = [2]int{start, len(edges)}
			frontier, next = next, frontier
		}
	}
	// From the target back, the least total weakness to reach it.
	ns[origin[1]].b = 0
	for p := d - 1; p >= 0; p-- {
		for _, e := range edges[steps[p][0]:steps[p][1]] {
			if c := ns[e.to].b; c >= 0 {
				if x := c + e.weakness; ns[e.from].b < 0 || x < ns[e.from].b {
					ns[e.from].b = x
				}
			}
		}
	}
	// Walk from the source: the strongest next step, ties by smallest id.
	path := make([]int32, 1, d+1)
	path[0] = origin[0]
	cur := origin[0]
	for p := 0; p < d; p++ {
		bestNode, bestCost := int32(-1), int32(0)
		for _, e := range edges[steps[p][0]:steps[p][1]] {
			if e.from != cur {
				continue
			}
			c := ns[e.to].b
			if c < 0 {
				continue
			}
			x := c + e.weakness
			if bestNode < 0 || x < bestCost || (x == bestCost && s.less(e.to, bestNode)) {
				bestNode, bestCost = e.to, x
			}
		}
		if bestNode < 0 { // cannot happen: every node marked leads on
			return nil
		}
		path = append(path, bestNode)
		cur = bestNode
	}
	return path
}

// degrees sums the relationships of nodes.
func (s *searcher) degrees(nodes []int32) int {
	n := 0
	for _, v := range nodes {
		n += len(s.ix.adj[v])
	}
	return n
}

// linkBetween returns the strongest link from u to v the search may follow.
func (s *searcher) linkBetween(u, v int32) (Link, bool) {
	a, b, flip := u, v, false
	if len(s.ix.adj[v]) < len(s.ix.adj[u]) {
		a, b, flip = v, u, true
	}
	var best Link
	found := false
	for _, l := range s.ix.adj[a] {
		if l.Other != b {
			continue
		}
		if flip { // seen from u
			l = Link{Other: v, Kind: l.Kind, from: l.from, to: l.to, Out: !l.Out}
		}
		if !s.linkOK(u, l) {
			continue
		}
		if !found || l.Kind.Weakness() < best.Kind.Weakness() {
			best, found = l, true
		}
	}
	return best, found
}

// stepWeakness is the weakness of the strongest relationship the query
// allows between a and b.
func (s *searcher) stepWeakness(a, b int32) int {
	best := -1
	for _, l := range s.ix.adj[a] {
		if l.Other != b || !s.allowed[l.Kind] || (s.hasAsOf && !l.validOn(s.asOf16)) {
			continue
		}
		if w := l.Kind.Weakness(); best < 0 || w < best {
			best = w
		}
	}
	return best
}

// pathWeakness sums the weakness of a path's steps.
func (s *searcher) pathWeakness(p []int32) int {
	sum := 0
	for i := 0; i+1 < len(p); i++ {
		sum += s.stepWeakness(p[i], p[i+1])
	}
	return sum
}

// Paths returns up to q.K shortest simple paths from q.From to q.To, in
// order of hops, then of total weakness of their relationships, then of
// their entity ids (Yen's algorithm over canonical shortest paths). A path is a sequence of entities; the caller
// reads the relationships between consecutive ones. Returns ErrNotFound if
// an end is not stored.
func (ix *Index) Paths(ctx context.Context, q graph.PathQuery) (*graph.PathResult, error) {
	res := &graph.PathResult{}
	release, err := ix.acquire(ctx)
	if err != nil {
		res.Limit(graph.LimitTimeout)
		return res, nil
	}
	defer release()
	maxHops, k := normalizeLimits(q.MaxHops, q.K, res)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	src, ok1 := ix.linkNum(q.From, false)
	dst, ok2 := ix.linkNum(q.To, false)
	if !ok1 || ix.schema[src] == 0 || !ok2 || ix.schema[dst] == 0 {
		return nil, fmt.Errorf("%w: no such entity", graph.ErrNotFound)
	}
	s := ix.newSearcher(ctx, q.Via, q.AsOf, q.HasAsOf, q.MaxDegree, q.Avoid, q.MaxVisited, res)
	defer s.release()
	if s.avoid[src] || s.avoid[dst] {
		return nil, fmt.Errorf("%w: an end of the path is in avoid", graph.ErrInvalid)
	}
	first, err := s.shortest(src, dst, maxHops)
	if err != nil || first == nil {
		return res, nil
	}
	found := [][]int32{first}
	devs := []int{0} // where each found path left the one it was spurred from
	cands := &pathHeap{s: s}
	seen := map[string]bool{pathString(first): true}
	for len(found) < k {
		prev := found[len(found)-1]
		// Lawler: spur searches before prev's deviation point were done
		// for the path prev deviated from and found nothing new.
		var jobs []*spurJob
		for i := devs[len(devs)-1]; i < len(prev)-1; i++ {
			root := prev[:i+1]
			j := &spurJob{i: i, nodes: map[int32]bool{}, links: map[[2]int32]bool{}}
			for _, n := range root[:i] {
				j.nodes[n] = true
			}
			for _, p := range found {
				if len(p) > i+1 && slices.Equal(p[:i+1], root) {
					j.links[pairKey(p[i], p[i+1])] = true
				}
			}
			jobs = append(jobs, j)
		}
		s.runSpurs(jobs, prev, dst, maxHops)
		for _, j := range jobs { // in spur order: the result does not depend on timing
			if j.err != nil {
				return s.finish(found), nil
			}
			if j.tail == nil {
				continue
			}
			p := append(append([]int32(nil), prev[:j.i]...), j.tail...)
			if key := pathString(p); !seen[key] {
				seen[key] = true
				heap.Push(cands, candidate{nodes: p, weakness: s.pathWeakness(p), dev: j.i})
			}
		}
		if cands.Len() == 0 {
			break
		}
		c := heap.Pop(cands).(candidate)
		found, devs = append(found, c.nodes), append(devs, c.dev)
	}
	return s.finish(found), nil
}

// spurJob is one spur search of Yen's algorithm.
type spurJob struct {
	i     int               // spur index on the previous path
	nodes map[int32]bool    // blocked: the root before the spur
	links map[[2]int32]bool // blocked: the next steps of found paths with this root
	tail  []int32
	err   error
}

// runSpurs runs the spur searches of one iteration: on a second core when a
// search slot is free, else one after the other.
func (s *searcher) runSpurs(jobs []*spurJob, prev []int32, dst int32, maxHops int) {
	run := func(sr *searcher, j *spurJob) {
		sr.blockedNodes, sr.blockedLinks = j.nodes, j.links
		j.tail, j.err = sr.shortest(prev[j.i], dst, maxHops-j.i)
		sr.blockedNodes, sr.blockedLinks = nil, nil
	}
	var helper *searcher
	if len(jobs) > 1 {
		select {
		case s.ix.slots <- struct{}{}:
			helper = s.clone()
		default:
		}
	}
	if helper == nil {
		for _, j := range jobs {
			run(s, j)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for x := 1; x < len(jobs); x += 2 {
			run(helper, jobs[x])
		}
	}()
	for x := 0; x < len(jobs); x += 2 {
		run(s, jobs[x])
	}
	wg.Wait()
	s.res.Visited += helper.res.Visited
	for _, l := range helper.res.Limits {
		s.res.Limit(l)
	}
	helper.release()
	<-s.ix.slots
}

// clone returns a searcher with the same query and its own scratch state
// and counts, sharing what is left of the visited budget.
func (s *searcher) clone() *searcher {
	c := *s
	c.res = &graph.PathResult{}
	c.maxVisited = max(0, s.maxVisited-s.res.Visited)
	c.ops = 0
	sc, _ := s.ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	c.sc = sc
	return &c
}

// finish turns the paths found into the result: each step with the
// kinds and directions of relationship the query allows between its
// entities, read now, under the same lock as the search.
func (s *searcher) finish(found [][]int32) *graph.PathResult {
	for _, p := range found {
		path := graph.Path{Entities: make([]uuid.UUID, len(p)), Steps: make([]graph.Step, 0, len(p)-1)}
		for i, n := range p {
			path.Entities[i] = s.ix.ids[n]
			if i > 0 {
				path.Steps = append(path.Steps, graph.Step{From: s.ix.ids[p[i-1]], To: s.ix.ids[n], Links: s.stepLinks(p[i-1], n)})
			}
		}
		s.res.Paths = append(s.res.Paths, path)
	}
	return s.res
}

// stepLinks returns the distinct kinds and directions of relationship
// from u to v that the query allows, in the order of graph.Step.Links.
func (s *searcher) stepLinks(u, v int32) []graph.StepLink {
	a, b, flip := u, v, false
	if len(s.ix.adj[v]) < len(s.ix.adj[u]) {
		a, b, flip = v, u, true
	}
	var out []graph.StepLink
	for _, l := range s.ix.adj[a] {
		if l.Other != b || !s.allowed[l.Kind] || (s.hasAsOf && !l.validOn(s.asOf16)) {
			continue
		}
		sl := graph.StepLink{Kind: l.Kind, Forward: l.Out != flip}
		if !slices.Contains(out, sl) {
			out = append(out, sl)
		}
	}
	graph.SortStepLinks(out)
	return out
}

func normalizeLimits(maxHops, k int, res *graph.PathResult) (int, int) {
	switch {
	case maxHops <= 0:
		maxHops = graph.DefaultMaxHops
	case maxHops > graph.MaxHopsLimit:
		maxHops = graph.MaxHopsLimit
		res.Limit(graph.LimitHops)
	}
	switch {
	case k <= 0:
		k = graph.DefaultPaths
	case k > graph.MaxPathsLimit:
		k = graph.MaxPathsLimit
		res.Limit(graph.LimitPaths)
	}
	return maxHops, k
}

func pathString(p []int32) string {
	b := make([]byte, 0, 4*len(p))
	for _, n := range p {
		b = append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return string(b)
}

type candidate struct {
	nodes    []int32
	weakness int
	dev      int // the spur index it was found at
}

// pathHeap orders candidate paths by hops, weakness, then entity ids.
type pathHeap struct {
	s     *searcher
	items []candidate
}

func (h *pathHeap) Len() int { return len(h.items) }
func (h *pathHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if len(a.nodes) != len(b.nodes) {
		return len(a.nodes) < len(b.nodes)
	}
	if a.weakness != b.weakness {
		return a.weakness < b.weakness
	}
	for x := range a.nodes {
		if a.nodes[x] != b.nodes[x] {
			return h.s.less(a.nodes[x], b.nodes[x])
		}
	}
	return false
}
func (h *pathHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *pathHeap) Push(x any)    { h.items = append(h.items, x.(candidate)) }
func (h *pathHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// Nearest returns paths from q.From to the nearest entities that are
// designated (have a designated-by relationship in force, matching the
// authority and programme filters), nearest first; at equal distance the
// one reached through stronger relationships first, then by entity ids.
// Each path is the strongest shortest path to its target. The entity itself
// counts, at 0 hops, if it is designated.
func (ix *Index) Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error) {
	res := &graph.PathResult{}
	release, err := ix.acquire(ctx)
	if err != nil {
		res.Limit(graph.LimitTimeout)
		return res, nil
	}
	defer release()
	maxHops, k := normalizeLimits(q.MaxHops, q.K, res)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	src, ok := ix.linkNum(q.From, false)
	if !ok || ix.schema[src] == 0 {
		return nil, fmt.Errorf("%w: no such entity", graph.ErrNotFound)
	}
	day := q.AsOf
	if !q.HasAsOf {
		day = graph.Today()
	}
	day16 := toDay16(day)
	s := ix.newSearcher(ctx, q.Via, q.AsOf, q.HasAsOf, q.MaxDegree, nil, q.MaxVisited, res)
	defer s.release()
	designated := func(v int32) bool {
		if s.ix.isDesignator(v) {
			return false
		}
		for _, l := range s.ix.adj[v] {
			if l.Kind != graph.RelDesignatedBy || !l.Out || !l.validOn(day16) {
				continue
			}
			d, ok := s.ix.desig[l.Other]
			if ok && graph.MatchAuthority(q.Authority, d.Authority) && graph.MatchProgramme(q.Programme, d.Programme, d.Name) {
				return true
			}
		}
		return false
	}
	sc := s.sc
	sc.reset(len(ix.ids))
	// A breadth-first search that keeps, for each entity, its strongest
	// shortest path: least total weakness, then the order of its parent in
	// the previous level, then its id. Levels are kept in that order, so the
	// nearest designated entities come out in it too.
	ns := sc.node // a: parent, b: cost, c: order in its level
	ns[src] = nodeState{-1, 0, 0}
	sc.see(0, src, 0)
	res.Visited = 1
	var targets []int32
	if designated(src) {
		targets = append(targets, src)
	}
	level := []int32{src}
	for depth := 0; depth < maxHops && len(targets) < k && len(level) > 0; depth++ {
		var next []int32
		for ui, u := range level {
			if u != src && !s.interior(u) {
				continue
			}
			adj := ix.adj[u]
			if err := s.tick(len(adj)); err != nil {
				return s.paths(targets), nil
			}
			for _, l := range adj {
				v := l.Other
				if !s.linkOK(u, l) || ix.isDesignator(v) {
					continue
				}
				c := ns[u].b + int32(l.Kind.Weakness())
				switch {
				case !sc.isSeen(0, v):
					sc.see(0, v, depth+1)
					ns[v] = nodeState{u, c, int32(ui)}
					next = append(next, v)
				case sc.dist(0, v) == depth+1 && (c < ns[v].b || (c == ns[v].b && int32(ui) < ns[v].c)):
					ns[v] = nodeState{u, c, int32(ui)}
				}
			}
			if res.Visited+len(next) > s.maxVisited {
				res.Visited += len(next)
				res.Limit(graph.LimitVisited)
				return s.paths(targets), nil
			}
		}
		res.Visited += len(next)
		slices.SortFunc(next, func(a, b int32) int {
			switch {
			case ns[a].b != ns[b].b:
				return int(ns[a].b - ns[b].b)
			case ns[a].c != ns[b].c:
				return int(ns[a].c - ns[b].c)
			}
			return bytes.Compare(ix.ids[a][:], ix.ids[b][:])
		})
		for i, v := range next {
			ns[v].c = int32(i)
			if len(targets) < k && designated(v) {
				targets = append(targets, v)
			}
		}
		level = next
	}
	return s.paths(targets), nil
}

// paths returns the paths to targets a one-sided search found: each
// node's parent is in node[].a.
func (s *searcher) paths(targets []int32) *graph.PathResult {
	var found [][]int32
	for _, t := range targets {
		var p []int32
		for n := t; n >= 0; n = s.sc.node[n].a {
			p = append(p, n)
		}
		slices.Reverse(p)
		found = append(found, p)
	}
	return s.finish(found)
}

// Neighbourhood returns the entities within q.Hops of q.From (q.From
// first, then by distance and id), at most q.MaxNodes, and whether the limit
// cut the list. Authorities and programmes are included but not expanded.
func (ix *Index) Neighbourhood(ctx context.Context, q graph.NeighbourhoodQuery) ([]uuid.UUID, bool, error) {
	if q.Hops <= 0 {
		q.Hops = 1
	}
	q.Hops = min(q.Hops, graph.MaxHopsLimit) // distances are kept in 4 bits (scratch.seen)
	if q.MaxNodes <= 0 {
		q.MaxNodes = graph.DefaultNeighbours
	}
	res := &graph.PathResult{}
	release, err := ix.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer release()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	src, ok := ix.linkNum(q.From, false)
	if !ok || ix.schema[src] == 0 {
		return nil, false, fmt.Errorf("%w: no such entity", graph.ErrNotFound)
	}
	s := ix.newSearcher(ctx, q.Via, 0, false, q.MaxDegree, nil, 0, res)
	defer s.release()
	sc := s.sc
	sc.reset(len(ix.ids))
	sc.see(0, src, 0)
	out := []int32{src}
	level := []int32{src}
	truncated := false
	for depth := 0; depth < q.Hops && len(level) > 0 && !truncated; depth++ {
		var next []int32
		for _, u := range level {
			if u != src && !s.interior(u) {
				continue
			}
			if err := s.tick(len(ix.adj[u])); err != nil {
				return nil, false, ctx.Err()
			}
			for _, l := range ix.adj[u] {
				if !sc.isSeen(0, l.Other) && s.linkOK(u, l) {
					sc.see(0, l.Other, depth+1)
					next = append(next, l.Other)
				}
			}
		}
		slices.SortFunc(next, func(a, b int32) int { return bytes.Compare(ix.ids[a][:], ix.ids[b][:]) })
		if len(out)+len(next) > q.MaxNodes {
			next = next[:q.MaxNodes-len(out)]
			truncated = true
		}
		out = append(out, next...)
		level = next
	}
	ids := make([]uuid.UUID, len(out))
	for i, n := range out {
		ids[i] = ix.ids[n]
	}
	return ids, truncated, nil
}
