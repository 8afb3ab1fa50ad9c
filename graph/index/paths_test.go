package index

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// testGraph builds an Index from a compact description: nodes are named by
// letters, whose ids sort in name order.
type testGraph struct {
	ix  *Index
	ids map[string]uuid.UUID
}

func nodeID(name string) uuid.UUID {
	var u uuid.UUID
	copy(u[:], fmt.Sprintf("%-16s", name))
	return u
}

func newTestGraph(nodes string, links ...string) *testGraph {
	g := &testGraph{ix: New(), ids: map[string]uuid.UUID{}}
	for _, n := range strings.Fields(nodes) {
		schema := "Company"
		var d *graph.DesignatorInfo
		if strings.HasPrefix(n, "P") { // P... are programmes
			schema, d = graph.SchemaProgramme, &graph.DesignatorInfo{Authority: "US OFAC", Programme: n[1:], Name: "US OFAC / " + n[1:]}
		}
		g.ids[n] = nodeID(n)
		g.ix.SetNode(nodeID(n), schema, d)
	}
	for _, l := range links {
		g.link(l)
	}
	return g
}

// link adds "a-b" (linked-to), "a>b:owns", or "a>b:owns@2018..2019".
func (g *testGraph) link(spec string) {
	kind := graph.RelLinkedTo
	from, to := graph.DayMin, graph.DayMax
	if i := strings.IndexByte(spec, '@'); i > 0 {
		f, t, _ := strings.Cut(spec[i+1:], "..")
		if d, ok := graph.ParseDay(f, false); ok {
			from = d
		}
		if d, ok := graph.ParseDay(t, true); ok {
			to = d
		}
		spec = spec[:i]
	}
	if i := strings.IndexByte(spec, ':'); i > 0 {
		kind, _ = graph.ParseRelType(spec[i+1:])
		spec = spec[:i]
	}
	a, b, _ := strings.Cut(strings.ReplaceAll(spec, ">", "-"), "-")
	g.ix.AddLink(nodeID(a), nodeID(b), kind, from, to)
}

func (g *testGraph) name(id uuid.UUID) string { return strings.TrimSpace(string(id[:])) }

func (g *testGraph) paths(t *testing.T, q graph.PathQuery) ([]string, *graph.PathResult) {
	t.Helper()
	res, err := g.ix.Paths(context.Background(), q)
	if err != nil {
		t.Fatalf("Paths: %v", err)
	}
	return g.render(res), res
}

func (g *testGraph) render(res *graph.PathResult) []string {
	var out []string
	for _, p := range res.Paths {
		var names []string
		for _, id := range p.Entities {
			names = append(names, g.name(id))
		}
		out = append(out, strings.Join(names, " "))
	}
	return out
}

func TestPathsKnownAnswers(t *testing.T) {
	tests := []struct {
		name  string
		nodes string
		links []string
		from  string
		to    string
		q     graph.PathQuery
		want  []string
	}{
		{"direct", "a b", []string{"a-b"}, "a", "b", graph.PathQuery{}, []string{"a b"}},
		{"from equals to", "a b", []string{"a-b"}, "a", "a", graph.PathQuery{}, []string{"a"}},
		{"unreachable", "a b c", []string{"a-b"}, "a", "c", graph.PathQuery{}, nil},
		{"a link is a link: direction ignored", "a b c", []string{"b>a:owns", "c>b:owns"}, "a", "c", graph.PathQuery{}, []string{"a b c"}},
		{"ties broken by ids", "a b c d e", []string{"a-d", "d-e", "a-c", "c-e", "a-b", "b-e"}, "a", "e", graph.PathQuery{K: 2},
			[]string{"a b e", "a c e"}},
		{"k shortest in hop order", "a b c d e f", []string{"a-b", "b-f", "a-c", "c-d", "d-f", "a-e", "e-f", "c-e"}, "a", "f", graph.PathQuery{K: 5},
			[]string{"a b f", "a e f", "a c d f", "a c e f", "a e c d f"}},
		{"cycle does not loop", "a b c d", []string{"a-b", "b-c", "c-a", "c-d"}, "a", "d", graph.PathQuery{K: 5},
			[]string{"a c d", "a b c d"}},
		{"max hops", "a b c d", []string{"a-b", "b-c", "c-d"}, "a", "d", graph.PathQuery{MaxHops: 2}, nil},
		{"avoid", "a b c d", []string{"a-b", "b-d", "a-c", "c-d"}, "a", "d", graph.PathQuery{Avoid: []uuid.UUID{nodeID("b")}},
			[]string{"a c d"}},
		{"via", "a b c d", []string{"a>b:owns", "b>d:owns", "a-c", "c-d"}, "a", "d", graph.PathQuery{Via: []graph.RelType{graph.RelOwns}, K: 3},
			[]string{"a b d"}},
		{"programme never passed through", "a b Pdprk", []string{"a>Pdprk:designated-by", "b>Pdprk:designated-by"}, "a", "b", graph.PathQuery{}, nil},
		{"programme may end a path", "a b Pdprk", []string{"a-b", "b>Pdprk:designated-by"}, "a", "Pdprk", graph.PathQuery{}, []string{"a b Pdprk"}},
		{"hub skipped by maxDegree", "a h x y z b c", []string{"a-h", "h-b", "h-x", "h-y", "h-z", "a-c", "c-x", "x-b"}, "a", "b", graph.PathQuery{MaxDegree: 3, K: 3},
			[]string{"a c x b"}},
		{"hub passed without maxDegree", "a h x y z b c", []string{"a-h", "h-b", "h-x", "h-y", "h-z", "a-c", "c-x", "x-b"}, "a", "b", graph.PathQuery{K: 1},
			[]string{"a h b"}},
		{"asOf: ended ownership not walked", "a b c", []string{"a>b:owns@2010..2015", "b>c:owns"}, "a", "c",
			graph.PathQuery{AsOf: mustDay("2020-01-01"), HasAsOf: true}, nil},
		{"asOf: valid then", "a b c", []string{"a>b:owns@2010..2015", "b>c:owns"}, "a", "c",
			graph.PathQuery{AsOf: mustDay("2012-06-30"), HasAsOf: true}, []string{"a b c"}},
		{"parallel links are one path", "a b c", []string{"a>b:owns", "a>b:controls", "b-c"}, "a", "c", graph.PathQuery{K: 3}, []string{"a b c"}},
		{"stronger relationships before smaller ids", "a b c d", []string{"a-b", "b-d", "a>c:opened-accounts-for", "d>c:owns"}, "a", "d", graph.PathQuery{K: 2},
			[]string{"a c d", "a b d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newTestGraph(tt.nodes, tt.links...)
			tt.q.From, tt.q.To = nodeID(tt.from), nodeID(tt.to)
			got, _ := g.paths(t, tt.q)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Paths(%s, %s) = %q, want %q", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func mustDay(s string) graph.Day {
	d, ok := graph.ParseDay(s, false)
	if !ok {
		panic(s)
	}
	return d
}

func TestPathsLimits(t *testing.T) {
	// A long chain: the visited cap cuts the search and says so.
	var links []string
	var nodes []string
	for i := 0; i < 200; i++ {
		nodes = append(nodes, fmt.Sprintf("n%03d", i))
		if i > 0 {
			links = append(links, fmt.Sprintf("n%03d-n%03d", i-1, i))
		}
		links = append(links, fmt.Sprintf("n%03d-x%03d", i, i))
		nodes = append(nodes, fmt.Sprintf("x%03d", i))
	}
	g := newTestGraph(strings.Join(nodes, " "), links...)
	_, res := g.paths(t, graph.PathQuery{From: nodeID("n000"), To: nodeID("n009"), MaxVisited: 5, MaxHops: 10})
	if !res.Truncated() || res.Limits[0] != graph.LimitVisited || len(res.Paths) != 0 {
		t.Errorf("visited cap: %+v", res)
	}
	got, res := g.paths(t, graph.PathQuery{From: nodeID("n000"), To: nodeID("n009"), MaxHops: 99, K: 99})
	if !slices.Equal(res.Limits, []string{graph.LimitHops, graph.LimitPaths}) || len(got) != 1 {
		t.Errorf("clamped limits: %v %v", res.Limits, got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := g.ix.Paths(ctx, graph.PathQuery{From: nodeID("n000"), To: nodeID("n199"), MaxHops: 10})
	if err != nil || res.Truncated() && res.Limits[0] != graph.LimitTimeout {
		t.Errorf("cancelled: %+v %v", res, err)
	}
	if _, err := g.ix.Paths(context.Background(), graph.PathQuery{From: nodeID("n000"), To: nodeID("nope")}); err == nil {
		t.Error("unknown end accepted")
	}
}

func TestNearest(t *testing.T) {
	g := newTestGraph("rfs dandong ftb han Pnpwmd Pdprk3 Pun x",
		"rfs>dandong:opened-accounts-for", "ftb>dandong:owns", "han>ftb:represents",
		"ftb>Pnpwmd:designated-by", "ftb>Pdprk3:designated-by", "dandong>Pnpwmd:designated-by@2018..",
		"rfs-x", "x-han", "han>Pun:designated-by",
	)
	g.ix.SetNode(nodeID("Pun"), graph.SchemaProgramme, &graph.DesignatorInfo{Authority: "UN Security Council", Programme: "1718 Committee", Name: "UN Security Council / 1718 Committee"})
	ctx := context.Background()
	res, err := g.ix.Nearest(ctx, graph.NearestQuery{From: nodeID("rfs"), K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.render(res), []string{"rfs dandong", "rfs dandong ftb", "rfs x han"}; !slices.Equal(got, want) {
		t.Errorf("Nearest = %q, want %q", got, want)
	}
	res, _ = g.ix.Nearest(ctx, graph.NearestQuery{From: nodeID("rfs"), K: 3, Authority: "security council"})
	if got, want := g.render(res), []string{"rfs x han"}; !slices.Equal(got, want) {
		t.Errorf("Nearest(UN) = %q, want %q", got, want)
	}
	res, _ = g.ix.Nearest(ctx, graph.NearestQuery{From: nodeID("rfs"), K: 3, Programme: "DPRK3"})
	if got, want := g.render(res), []string{"rfs dandong ftb"}; !slices.Equal(got, want) {
		t.Errorf("Nearest(DPRK3) = %q, want %q", got, want)
	}
	// Before Dandong Zhongsheng's designation, FTB is nearest through it.
	res, _ = g.ix.Nearest(ctx, graph.NearestQuery{From: nodeID("rfs"), K: 1, AsOf: mustDay("2017-01-01"), HasAsOf: true, Authority: "OFAC"})
	if got, want := g.render(res), []string{"rfs dandong ftb"}; !slices.Equal(got, want) {
		t.Errorf("Nearest(asOf 2017) = %q, want %q", got, want)
	}
	res, _ = g.ix.Nearest(ctx, graph.NearestQuery{From: nodeID("ftb"), K: 1})
	if got := g.render(res); !slices.Equal(got, []string{"ftb"}) {
		t.Errorf("a designated entity is its own nearest: %q", got)
	}
}

func TestNeighbourhood(t *testing.T) {
	g := newTestGraph("a b c d e Pp", "a-b", "b-c", "c-d", "a-e", "a>Pp:designated-by", "b>Pp:designated-by")
	ids, trunc, err := g.ix.Neighbourhood(context.Background(), graph.NeighbourhoodQuery{From: nodeID("a"), Hops: 2})
	if err != nil || trunc {
		t.Fatal(err, trunc)
	}
	var names []string
	for _, id := range ids {
		names = append(names, g.name(id))
	}
	if want := []string{"a", "Pp", "b", "e", "c"}; !slices.Equal(names, want) {
		t.Errorf("Neighbourhood = %v, want %v (the programme is not expanded)", names, want)
	}
	_, trunc, _ = g.ix.Neighbourhood(context.Background(), graph.NeighbourhoodQuery{From: nodeID("a"), Hops: 2, MaxNodes: 3})
	if !trunc {
		t.Error("MaxNodes did not truncate")
	}
}

// bruteForce lists every simple path from a to b of at most maxHops hops
// whose interior avoids programmes, sorted by hops, then total weakness of
// the strongest relationship of each step, then ids.
func bruteForce(g *testGraph, a, b uuid.UUID, maxHops int) [][]uuid.UUID {
	ix := g.ix
	src, dst := must(ix.lookupNum(a)), must(ix.lookupNum(b))
	var out [][]uuid.UUID
	var walk func(path []int32)
	walk = func(path []int32) {
		u := path[len(path)-1]
		if u == dst {
			p := make([]uuid.UUID, len(path))
			for i, n := range path {
				p[i] = ix.ids[n]
			}
			out = append(out, p)
			return
		}
		if len(path)-1 == maxHops || (u != src && ix.isDesignator(u)) {
			return
		}
		seen := map[int32]bool{}
		for _, l := range ix.adj[u] {
			if slices.Contains(path, l.Other) || seen[l.Other] {
				continue
			}
			seen[l.Other] = true
			walk(append(slices.Clone(path), l.Other))
		}
	}
	if src == dst {
		return [][]uuid.UUID{{a}}
	}
	walk([]int32{src})
	weakness := func(p []uuid.UUID) int {
		sum := 0
		for i := 0; i+1 < len(p); i++ {
			best := 1 << 20
			for _, l := range ix.adj[must(ix.lookupNum(p[i]))] {
				if l.Other == must(ix.lookupNum(p[i+1])) && l.Kind.Weakness() < best {
					best = l.Kind.Weakness()
				}
			}
			sum += best
		}
		return sum
	}
	slices.SortFunc(out, func(p, q []uuid.UUID) int {
		if len(p) != len(q) {
			return len(p) - len(q)
		}
		if wp, wq := weakness(p), weakness(q); wp != wq {
			return wp - wq
		}
		for i := range p {
			if c := bytes.Compare(p[i][:], q[i][:]); c != 0 {
				return c
			}
		}
		return 0
	})
	return out
}

// On random graphs, Paths returns exactly the first k of all simple paths
// in (hops, ids) order, and Nearest the nearest designated entities.
func TestPathsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 1000; trial++ {
		n := 5 + r.IntN(8)
		var nodes []string
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("n%02d", r.IntN(90)+10*i/10+i*100)
			if r.IntN(8) == 0 {
				name = "P" + name
			}
			nodes = append(nodes, name)
		}
		var links []string
		kinds := []string{"owns", "controls", "linked-to", "family", "opened-accounts-for"}
		for i := 0; i < n*3/2+r.IntN(n); i++ {
			a, b := nodes[r.IntN(n)], nodes[r.IntN(n)]
			if a != b {
				links = append(links, a+">"+b+":"+kinds[r.IntN(len(kinds))])
			}
		}
		g := newTestGraph(strings.Join(nodes, " "), links...)
		a, b := nodes[r.IntN(n)], nodes[r.IntN(n)]
		if strings.HasPrefix(a, "P") {
			continue
		}
		k, hops := 1+r.IntN(6), 1+r.IntN(5)
		want := bruteForce(g, nodeID(a), nodeID(b), hops)
		if len(want) > k {
			want = want[:k]
		}
		res, err := g.ix.Paths(context.Background(), graph.PathQuery{From: nodeID(a), To: nodeID(b), K: k, MaxHops: hops})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(res.Paths, want, func(p graph.Path, q []uuid.UUID) bool { return slices.Equal(p.Entities, q) }) {
			var wantRes graph.PathResult
			for _, w := range want {
				wantRes.Paths = append(wantRes.Paths, graph.Path{Entities: w})
			}
			t.Fatalf("trial %d: graph %v %v, Paths(%s, %s, k=%d, hops=%d)\n got  %q\n want %q", trial, nodes, links, a, b, k, hops,
				g.render(res), g.render(&wantRes))
		}
	}
}

// The answer does not depend on the order relationships were added in.
func TestPathsIndependentOfInsertionOrder(t *testing.T) {
	links := []string{"a-b", "b-f", "a-c", "c-d", "d-f", "a-e", "e-f", "c-e", "b-d"}
	var first []string
	for i := 0; i < 20; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		shuffled := slices.Clone(links)
		r.Shuffle(len(shuffled), func(x, y int) { shuffled[x], shuffled[y] = shuffled[y], shuffled[x] })
		g := newTestGraph("a b c d e f", shuffled...)
		got, _ := g.paths(t, graph.PathQuery{From: nodeID("a"), To: nodeID("f"), K: 6})
		if i == 0 {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("order %v gives %q, first order gave %q", shuffled, got, first)
		}
	}
}

func TestUpdaters(t *testing.T) {
	g := newTestGraph("a b c", "a>b:owns", "b>c:owns")
	g.ix.RemoveLink(nodeID("a"), nodeID("b"), graph.RelOwns, graph.DayMin, graph.DayMax)
	if got, _ := g.paths(t, graph.PathQuery{From: nodeID("a"), To: nodeID("c")}); got != nil {
		t.Errorf("removed link still walked: %q", got)
	}
	g.link("a>b:owns")
	g.ix.DeleteNode(nodeID("b"))
	if got, _ := g.paths(t, graph.PathQuery{From: nodeID("a"), To: nodeID("c")}); got != nil {
		t.Errorf("deleted node still walked: %q", got)
	}
	g.ix.SetNode(nodeID("b"), "Company", nil)
	if got, _ := g.paths(t, graph.PathQuery{From: nodeID("a"), To: nodeID("c")}); !slices.Equal(got, []string{"a b c"}) {
		t.Errorf("restored node: %q", got)
	}
	if n, l := g.ix.Counts(); n != 3 || l != 2 {
		t.Errorf("Counts = %d, %d", n, l)
	}
}

func BenchmarkPathsGrid(b *testing.B) {
	// A 300x300 grid with shortcuts: 90k nodes, worst-case many ties.
	ix := New()
	id := func(x, y int) uuid.UUID { return nodeID(fmt.Sprintf("%d,%d", x, y)) }
	for x := 0; x < 300; x++ {
		for y := 0; y < 300; y++ {
			ix.SetNode(id(x, y), "Company", nil)
			if x > 0 {
				ix.AddLink(id(x-1, y), id(x, y), graph.RelOwns, graph.DayMin, graph.DayMax)
			}
			if y > 0 {
				ix.AddLink(id(x, y-1), id(x, y), graph.RelOwns, graph.DayMin, graph.DayMax)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Paths(ctx, graph.PathQuery{From: id(10, 10), To: id(13, 12), K: 3})
	}
}

func must(n int32, ok bool) int32 {
	if !ok {
		panic("no such node")
	}
	return n
}

func TestIDTable(t *testing.T) {
	var ids []uuid.UUID
	var tab idTable
	for i := 0; i < 100_000; i++ {
		id := uuid.New()
		ids = append(ids, id)
		tab.put(ids, id, int32(i))
	}
	for i, id := range ids {
		if n, ok := tab.get(ids, id); !ok || n != int32(i) {
			t.Fatalf("get(%d) = %d, %v", i, n, ok)
		}
	}
	if _, ok := tab.get(ids, uuid.New()); ok {
		t.Error("unknown id found")
	}
	if len(tab.slots) < 2*len(ids) {
		t.Errorf("table over half full: %d slots for %d ids", len(tab.slots), len(ids))
	}
}

// A change applied with Update is seen whole: while a writer rewrites b
// (deletes it and its links, then adds them back) over and over, a reader
// always finds the path a-b-c, never a missing b or a half-linked one.
func TestUpdaterIsAtomic(t *testing.T) {
	g := newTestGraph("a b c", "a>b:owns", "b>c:owns")
	a, b, c := nodeID("a"), nodeID("b"), nodeID("c")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 2000; i++ {
			g.ix.Update(func(u Updater) {
				u.DeleteNode(b)
				u.RemoveNames(b, []string{"b"})
				u.RemoveLink(a, b, graph.RelOwns, graph.DayMin, graph.DayMax)
				u.RemoveLink(b, c, graph.RelOwns, graph.DayMin, graph.DayMax)
				u.SetNode(b, "Company", nil)
				u.AddNames(b, []string{"b"})
				u.AddLink(a, b, graph.RelOwns, graph.DayMin, graph.DayMax)
				u.AddLink(b, c, graph.RelOwns, graph.DayMin, graph.DayMax)
			})
		}
	}()
	ctx := context.Background()
	for reads := 0; ; reads++ {
		select {
		case <-done:
			if reads == 0 {
				t.Fatal("no read ran while the writer did")
			}
			if n, l := g.ix.Counts(); n != 3 || l != 2 {
				t.Errorf("Counts = %d, %d after the rewrites", n, l)
			}
			return
		default:
		}
		res, err := g.ix.Paths(ctx, graph.PathQuery{From: a, To: c, K: 1})
		if err != nil || len(res.Paths) != 1 || len(res.Paths[0].Entities) != 3 {
			t.Fatalf("read %d during rewrites: %v %+v", reads, err, res)
		}
	}
}

func TestDay16(t *testing.T) {
	for _, s := range []string{"1900-01-02", "1969-12-31", "2019-06-19", "2079-06-05"} {
		d := mustDay(s)
		l := Link{from: toDay16(d), to: toDay16(d)}
		if f, to := l.Validity(); f != d || to != d || !l.validOn(toDay16(d)) || l.validOn(toDay16(d+1)) {
			t.Errorf("%s: round trip %v..%v", s, f, to)
		}
	}
	l := Link{from: toDay16(graph.DayMin), to: toDay16(graph.DayMax)}
	if f, to := l.Validity(); f != graph.DayMin || to != graph.DayMax || !l.validOn(toDay16(mustDay("1850-01-01"))) {
		t.Errorf("unbounded: %v..%v", f, to)
	}
}

// A path hands back, per step, the kinds and directions it may walk
// between the two entities, strongest first and forward before backward,
// filtered like the search itself (via, asOf).
func TestPathSteps(t *testing.T) {
	g := newTestGraph("a b c",
		"a>b:linked-to", "b>a:owns", "a>b:owns", // parallel links of two kinds, both directions
		"c>b:controls@2010..2015", "b>c:linked-to")
	render := func(steps []graph.Step) string {
		var parts []string
		for _, s := range steps {
			var ls []string
			for _, l := range s.Links {
				dir := "<"
				if l.Forward {
					dir = ">"
				}
				ls = append(ls, dir+l.Kind.String())
			}
			parts = append(parts, g.name(s.From)+"-"+g.name(s.To)+"["+strings.Join(ls, " ")+"]")
		}
		return strings.Join(parts, " ")
	}
	tests := []struct {
		name string
		q    graph.PathQuery
		want string
	}{
		{"all kinds", graph.PathQuery{}, "a-b[>owns <owns >linked-to] b-c[<controls >linked-to]"},
		{"via", graph.PathQuery{Via: []graph.RelType{graph.RelLinkedTo}}, "a-b[>linked-to] b-c[>linked-to]"},
		{"asOf drops the ended control", graph.PathQuery{AsOf: mustDay("2020-01-01"), HasAsOf: true}, "a-b[>owns <owns >linked-to] b-c[>linked-to]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.From, tt.q.To = nodeID("a"), nodeID("c")
			_, res := g.paths(t, tt.q)
			if len(res.Paths) != 1 {
				t.Fatalf("Paths = %v, want one path", g.render(res))
			}
			p := res.Paths[0]
			if got := render(p.Steps); got != tt.want {
				t.Errorf("steps = %s, want %s", got, tt.want)
			}
			if p.Hops() != 2 || p.Steps[0].Kind() != p.Steps[0].Links[0].Kind || p.Steps[1].Forward() != p.Steps[1].Links[0].Forward {
				t.Errorf("Hops/Kind/Forward disagree with Links: %+v", p)
			}
		})
	}
}

// canonicalGraph is a random graph for the tests of the canonical choice:
// few kinds of close weakness, so that many shortest paths tie on hops and
// on total weakness, and ids in random order.
type canonicalGraph struct {
	ix     *Index
	nodes  []uuid.UUID
	stored map[uuid.UUID]bool
}

// newCanonicalGraph makes a graph of n nodes: about one in ten a programme,
// a few hubs, some relationships to entities never stored and some valid
// only in 2018.
func newCanonicalGraph(r *rand.Rand, n, links, hubs int) *canonicalGraph {
	g := &canonicalGraph{ix: New(), stored: map[uuid.UUID]bool{}}
	for i := 0; i < n; i++ {
		var id uuid.UUID
		for j := range id {
			id[j] = byte(r.IntN(256))
		}
		g.nodes = append(g.nodes, id)
		g.stored[id] = true
		if r.IntN(10) == 0 {
			g.ix.SetNode(id, graph.SchemaProgramme, &graph.DesignatorInfo{Authority: "US OFAC", Programme: "X"})
		} else {
			g.ix.SetNode(id, "Company", nil)
		}
	}
	kinds := []graph.RelType{graph.RelOwns, graph.RelControls, graph.RelDirectorOf, graph.RelOwns, graph.RelControls}
	end := func() uuid.UUID {
		if hubs > 0 && r.IntN(3) == 0 {
			return g.nodes[r.IntN(hubs)]
		}
		if r.IntN(40) == 0 {
			return uuid.UUID{0xff, byte(r.IntN(4))} // never stored
		}
		return g.nodes[r.IntN(n)]
	}
	for i := 0; i < links; i++ {
		a, b := end(), end()
		if a == b {
			continue
		}
		from, to := graph.DayMin, graph.DayMax
		if r.IntN(6) == 0 {
			from, to = mustDay("2018-01-01"), mustDay("2018-12-31")
		}
		g.ix.AddLink(a, b, kinds[r.IntN(len(kinds))], from, to)
	}
	return g
}

// randomQuery picks a query between two entities with random options.
func (g *canonicalGraph) randomQuery(r *rand.Rand) graph.PathQuery {
	q := graph.PathQuery{From: g.nodes[r.IntN(len(g.nodes))], To: g.nodes[r.IntN(len(g.nodes))], K: 1, MaxHops: 1 + r.IntN(6)}
	if r.IntN(4) == 0 {
		q.Via = []graph.RelType{graph.RelOwns, graph.RelDirectorOf}
	}
	if r.IntN(4) == 0 {
		q.AsOf, q.HasAsOf = mustDay([]string{"2017-06-01", "2018-06-01"}[r.IntN(2)]), true
	}
	if r.IntN(4) == 0 {
		q.MaxDegree = 2 + r.IntN(6)
	}
	for i := r.IntN(3); i > 0; i-- {
		if a := g.nodes[r.IntN(len(g.nodes))]; a != q.From && a != q.To {
			q.Avoid = append(q.Avoid, a)
		}
	}
	return q
}

// queryRules are the rules of a query, read without the searcher: which
// relationships a path may follow and which entities it may pass through.
type queryRules struct {
	ix     *Index
	q      graph.PathQuery
	avoid  map[int32]bool
	stored func(int32) bool
}

func newQueryRules(ix *Index, q graph.PathQuery) *queryRules {
	r := &queryRules{ix: ix, q: q, avoid: map[int32]bool{}}
	for _, a := range q.Avoid {
		r.avoid[must(ix.lookupNum(a))] = true
	}
	r.stored = func(n int32) bool { return ix.schema[n] != 0 }
	return r
}

// follows reports whether the query allows link l.
func (r *queryRules) follows(l Link) bool {
	if len(r.q.Via) > 0 && !slices.Contains(r.q.Via, l.Kind) {
		return false
	}
	if r.q.HasAsOf {
		from, to := l.Validity()
		if r.q.AsOf < from || r.q.AsOf > to {
			return false
		}
	}
	return r.stored(l.Other) && !r.avoid[l.Other]
}

// interior reports whether a path may pass through n.
func (r *queryRules) interior(n int32) bool {
	return !r.ix.isDesignator(n) && (r.q.MaxDegree <= 0 || len(r.ix.adj[n]) <= r.q.MaxDegree)
}

// stepWeakness is the least weakness of the links from a to b the query
// allows, or -1.
func (r *queryRules) stepWeakness(a, b int32) int {
	best := -1
	for _, l := range r.ix.adj[a] {
		if l.Other == b && r.follows(l) && (best < 0 || l.Kind.Weakness() < best) {
			best = l.Kind.Weakness()
		}
	}
	return best
}

// bruteShortest enumerates every path the query allows and returns the
// canonical one: fewest hops, then least total weakness, then smallest
// sequence of ids.
func bruteShortest(ix *Index, q graph.PathQuery) []uuid.UUID {
	rules := newQueryRules(ix, q)
	src, dst := must(ix.lookupNum(q.From)), must(ix.lookupNum(q.To))
	if src == dst {
		return []uuid.UUID{q.From}
	}
	var best []int32
	bestWeakness := 0
	better := func(p []int32, w int) bool {
		switch {
		case best == nil || len(p) != len(best):
			return best == nil || len(p) < len(best)
		case w != bestWeakness:
			return w < bestWeakness
		}
		for i := range p {
			if p[i] != best[i] {
				return bytes.Compare(ix.ids[p[i]][:], ix.ids[best[i]][:]) < 0
			}
		}
		return false
	}
	var walk func(path []int32, w int)
	walk = func(path []int32, w int) {
		u := path[len(path)-1]
		if u == dst {
			if better(path, w) {
				best, bestWeakness = slices.Clone(path), w
			}
			return
		}
		if len(path)-1 == q.MaxHops || (u != src && !rules.interior(u)) {
			return
		}
		for _, l := range ix.adj[u] {
			if slices.Contains(path, l.Other) || !rules.follows(l) {
				continue
			}
			walk(append(path, l.Other), w+l.Kind.Weakness())
		}
	}
	walk([]int32{src}, 0)
	var out []uuid.UUID
	for _, n := range best {
		out = append(out, ix.ids[n])
	}
	return out
}

// TestShortestMatchesBruteForce compares the canonical path of the
// search (breadth-first from both ends, then the shortest-path DAG) with
// every path enumerated, on small random graphs where many paths tie on
// hops and weakness, with every query option.
func TestShortestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	for trial := 0; trial < 3000; trial++ {
		n := 4 + r.IntN(10)
		g := newCanonicalGraph(r, n, n*2+r.IntN(2*n), r.IntN(3))
		q := g.randomQuery(r)
		if g.ix.isDesignator(must(g.ix.lookupNum(q.From))) {
			continue
		}
		res, err := g.ix.Paths(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var got []uuid.UUID
		if len(res.Paths) > 0 {
			got = res.Paths[0].Entities
		}
		if want := bruteShortest(g.ix, q); !slices.Equal(got, want) {
			t.Fatalf("trial %d: Paths(%+v) = %v, want %v", trial, q, got, want)
		}
	}
}

// refShortest is the canonical path computed plainly: the distances from
// each end by breadth-first search, the nodes and steps on shortest paths
// from them, each node's least weakness to the target by recursion, and
// the walk from the source.
func refShortest(ix *Index, q graph.PathQuery) []uuid.UUID {
	rules := newQueryRules(ix, q)
	src, dst := must(ix.lookupNum(q.From)), must(ix.lookupNum(q.To))
	if src == dst {
		return []uuid.UUID{q.From}
	}
	bfs := func(origin int32) map[int32]int {
		dist := map[int32]int{origin: 0}
		level := []int32{origin}
		for d := 1; len(level) > 0 && d <= q.MaxHops; d++ {
			var next []int32
			for _, u := range level {
				if u != origin && !rules.interior(u) {
					continue
				}
				for _, l := range ix.adj[u] {
					if _, ok := dist[l.Other]; !ok && rules.follows(l) {
						dist[l.Other] = d
						next = append(next, l.Other)
					}
				}
			}
			level = next
		}
		return dist
	}
	ds, dt := bfs(src), bfs(dst)
	d, ok := ds[dst]
	if !ok {
		return nil
	}
	on := func(v int32) bool {
		a, ok1 := ds[v]
		b, ok2 := dt[v]
		return ok1 && ok2 && a+b == d && (v == src || v == dst || rules.interior(v))
	}
	memo := map[int32]int{dst: 0}
	var cost func(v int32) int
	cost = func(v int32) int {
		if c, ok := memo[v]; ok {
			return c
		}
		best := -1
		for _, l := range ix.adj[v] {
			if w := l.Other; on(w) && ds[w] == ds[v]+1 && rules.follows(l) {
				if c := l.Kind.Weakness() + cost(w); best < 0 || c < best {
					best = c
				}
			}
		}
		memo[v] = best
		return best
	}
	path := []uuid.UUID{q.From}
	for cur := src; cur != dst; {
		next, nextCost := int32(-1), 0
		for _, l := range ix.adj[cur] {
			w := l.Other
			if !on(w) || ds[w] != ds[cur]+1 || !rules.follows(l) {
				continue
			}
			c := l.Kind.Weakness() + cost(w)
			if next < 0 || c < nextCost || (c == nextCost && bytes.Compare(ix.ids[w][:], ix.ids[next][:]) < 0) {
				next, nextCost = w, c
			}
		}
		path = append(path, ix.ids[next])
		cur = next
	}
	return path
}

// TestShortestMatchesReference compares the search with refShortest on
// larger random graphs with hubs: meeting sets of many nodes, and walks
// back that scan either end of a level.
func TestShortestMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	trials := 300
	if testing.Short() {
		trials = 50
	}
	for trial := 0; trial < trials; trial++ {
		n := 50 + r.IntN(1500)
		g := newCanonicalGraph(r, n, n*(1+r.IntN(3)), r.IntN(6))
		for i := 0; i < 20; i++ {
			q := g.randomQuery(r)
			if g.ix.isDesignator(must(g.ix.lookupNum(q.From))) {
				continue
			}
			// Searches cut short, one-sided searches and neighbourhoods
			// in between reuse the same scratch state: none may leave a
			// trace in the next search.
			ctx := context.Background()
			switch r.IntN(4) {
			case 0:
				cut := q
				cut.MaxVisited, cut.K = 1+r.IntN(n), 1+r.IntN(3)
				g.ix.Paths(ctx, cut)
			case 1:
				g.ix.Nearest(ctx, graph.NearestQuery{From: q.From, MaxHops: 1 + r.IntN(6), K: 1 + r.IntN(3), MaxVisited: 1 + r.IntN(2*n)})
			case 2:
				g.ix.Neighbourhood(ctx, graph.NeighbourhoodQuery{From: q.From, Hops: 1 + r.IntN(4), MaxNodes: 1 + r.IntN(n)})
			}
			res, err := g.ix.Paths(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []uuid.UUID
			if len(res.Paths) > 0 {
				got = res.Paths[0].Entities
			}
			if want := refShortest(g.ix, q); !slices.Equal(got, want) {
				t.Fatalf("trial %d: Paths(%+v) = %v, want %v", trial, q, got, want)
			}
		}
	}
}
