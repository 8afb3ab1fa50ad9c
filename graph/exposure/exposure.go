package exposure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Ownership exposure under the OFAC 50 Percent Rule (Revised Guidance on
// Entities Owned by Persons Whose Property and Interests in Property Are
// Blocked, 2014; OFAC FAQs 398-402):
//
//   - a blocked person is one designated by the authority, or an entity
//     owned 50% or more, in aggregate, directly or indirectly, by blocked
//     persons;
//   - stakes of several blocked persons, under any programme, add up;
//   - "indirectly" means through entities that are themselves blocked: the
//     stake of an entity owned less than 50% by blocked persons does not
//     carry (FAQ 401, example 4);
//   - control without ownership does not block (FAQ 398); it is reported
//     apart.
//
// Percentages the data does not state are unknown, never guessed: each
// stake is an interval (Share), and the computation runs two least
// fixpoints, one on the lowest percentages (what is certainly blocked) and
// one on the highest (what could be). Least fixpoints starting from the
// designated persons terminate on cycles of cross-ownership and never let
// a cycle block itself.

// Defaults and caps of an exposure computation.
const (
	DefaultDepth      = 10
	MaxDepth          = 20
	DefaultMaxVisited = 20_000
	DefaultOwners     = 2_000 // owners read per entity
	DefaultChains     = 20
	// BlockingThreshold is the aggregate percentage that blocks.
	BlockingThreshold = 50.0
	// pctEpsilon absorbs float noise in sums: 16.7+16.7+16.6 is 50.
	pctEpsilon = 1e-9
)

// AnyAuthority, as Query.Authority, counts designations by every
// authority.
const AnyAuthority = "ANY"

// DefaultAuthority is the authority of the OFAC 50 Percent Rule.
const DefaultAuthority = "US OFAC"

// Stake is one ownership relationship into an entity.
type Stake struct {
	Owner uuid.UUID
	Share Share
	// From and To bound the days it holds (DayMin, DayMax when unknown).
	From, To graph.Day
	Rel      *graph.Relationship // the relationship it was read from; nil in hand-built cases
}

// StakeOf reads a stake from an owns relationship (Source owns Target).
func StakeOf(r *graph.Relationship) Stake {
	from, to := r.Validity()
	return Stake{Owner: r.Source, Share: ParseShare(r.Props["percentage"]...), From: from, To: to, Rel: r}
}

// Control is one control relationship into an entity.
type Control struct {
	Controller uuid.UUID
	From, To   graph.Day
	Rel        *graph.Relationship
}

// Data is what the exposure computation reads. The store
// implements it over one read snapshot.
type Data interface {
	// Owners returns the stakes held in id: its incoming owns
	// relationships, at most limit of them (more reports whether there
	// were more).
	Owners(ctx context.Context, id uuid.UUID, limit int) (stakes []Stake, more bool, err error)
	// Controllers returns the incoming control relationships of id.
	Controllers(ctx context.Context, id uuid.UUID) ([]Control, error)
	// Designations returns every designation of id, of any authority.
	Designations(ctx context.Context, id uuid.UUID) ([]graph.Designation, error)
	// Name returns a display name for id ("" if unknown).
	Name(ctx context.Context, id uuid.UUID) (string, error)
}

// Query asks for the exposure of one entity.
type Query struct {
	Entity uuid.UUID
	// Authority whose designations make blocked persons (MatchAuthority);
	// "" is DefaultAuthority, AnyAuthority counts every one.
	Authority string
	// AsOf is the day stakes and designations must be in force on;
	// HasAsOf false means today.
	AsOf    graph.Day
	HasAsOf bool
	// Bounds; 0 means the default.
	MaxDepth   int // levels of owners above the entity
	MaxVisited int // entities looked at
	MaxOwners  int // owners read per entity
	MaxChains  int // chains of evidence returned
}

// OwnerStake is one direct stake in the entity asked about, with what
// makes it count or not.
type OwnerStake struct {
	Owner uuid.UUID
	// Rels are the relationships stating the stake (several records may
	// state one holding).
	Rels  []*graph.Relationship
	Share Share
	// Counted: the stake is in force and its owner is blocked.
	Counted              bool
	InForce              bool
	OwnerBlocked         bool
	OwnerPossiblyBlocked bool
	OwnerReason          string
	Note                 string
}

// Party is an entity on the way up and its standing.
type Party struct {
	ID                        uuid.UUID
	Depth                     int
	Blocked, PossiblyBlocked  bool
	Designated                bool
	Designations              []graph.Designation // those that count
	Percentage, MaxPercentage float64
	Reason                    string
	Explored                  bool // its owners were read
}

// ControlLink is a controller of the entity asked about.
type ControlLink struct {
	Controller          uuid.UUID
	Rels                []*graph.Relationship
	Blocked, Designated bool
	PossiblyBlocked     bool
	Reason              string
}

// Result is the answer: whether the entity is blocked, the aggregate
// held by blocked persons and the evidence.
type Result struct {
	Entity    uuid.UUID
	Authority string // the authority filter as applied ("US OFAC", AnyAuthority)
	AsOf      graph.Day

	Blocked         bool
	PossiblyBlocked bool // not blocked, but unknown percentages could make it so
	Designated      bool
	// Percentage is the aggregate held by blocked persons from the lowest
	// percentages; MaxPercentage from the highest the data allows.
	Percentage, MaxPercentage float64
	// Complete: the percentage is exact (no unknown on the way, no limit hit).
	Complete bool

	Designations []graph.Designation // the entity's own, that count
	Owners       []OwnerStake
	Parties      []Party // blocked or possibly blocked, by depth
	Controllers  []ControlLink
	// Chains are ownership paths from a designated person down to the
	// entity, each from the designated end (X owns A owns the entity):
	// every step an owns relationship, forward, with the relationships in
	// force that state it.
	Chains []graph.Path

	Visited    int
	Limits     []string // max-depth, visited-nodes, owners-per-entity, chains
	DataErrors []string
	Names      map[uuid.UUID]string
}

// Truncated reports whether a limit cut the computation.
func (e *Result) Truncated() bool { return len(e.Limits) > 0 }

// Party returns the standing of id if the computation met it.
func (e *Result) Party(id uuid.UUID) (Party, bool) {
	for _, p := range e.Parties {
		if p.ID == id {
			return p, true
		}
	}
	return Party{}, false
}

// expoStake is a stake after grouping by owner: one per owner.
type expoStake struct {
	owner *expoNode
	share Share
	rels  []*graph.Relationship // kept for the entity asked about only
	note  string
	extra []Share // while grouping: the shares of several records
}

// stakeRef is stake i of entity n.
type stakeRef struct {
	n *expoNode
	i int
}

type expoNode struct {
	id       uuid.UUID
	depth    int
	desig    []graph.Designation // counted designations
	stakes   []expoStake         // in force, one per owner
	holds    []stakeRef          // the stakes it holds (reverse of stakes)
	explored bool                // owners read
	unknown  bool                // not explored: its standing is unknown

	// fixpoint state
	lo, hi   bool    // certainly / possibly blocked
	order    int     // position in which it became certainly blocked
	sumLo    float64 // Σ Min of stakes of certainly blocked owners
	sumHi    float64 // Σ Max of stakes of possibly blocked owners
	sumMinHi float64 // Σ Min of stakes of possibly blocked owners
	totalMin float64 // Σ Min of all stakes
}

func (n *expoNode) designated() bool { return len(n.desig) > 0 }

// hiPct is the largest aggregate the data allows: the highest stakes of
// possibly blocked owners, but no more than what the others leave.
func (n *expoNode) hiPct() float64 {
	if n.totalMin > 100+pctEpsilon {
		return math.Min(100, n.sumHi) // the others' figures are wrong: no cap from them
	}
	return math.Min(100, math.Min(n.sumHi, 100-(n.totalMin-n.sumMinHi)))
}

func (n *expoNode) loPct() float64 { return math.Min(100, n.sumLo) }

// Compute answers q over data. Every traversal is bounded by
// q's limits and ctx; the limits hit are in Result.Limits.
// Returns ErrInvalid for a bad query.
func Compute(ctx context.Context, data Data, q Query) (*Result, error) {
	if q.Entity == uuid.Nil {
		return nil, fmt.Errorf("%w: no entity", graph.ErrInvalid)
	}
	if q.MaxDepth < 0 || q.MaxDepth > MaxDepth {
		return nil, fmt.Errorf("%w: maxDepth must be between 1 and %d", graph.ErrInvalid, MaxDepth)
	}
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	depthCap := def(q.MaxDepth, DefaultDepth)
	maxVisited := def(q.MaxVisited, DefaultMaxVisited)
	maxOwners := def(q.MaxOwners, DefaultOwners)
	maxChains := def(q.MaxChains, DefaultChains)
	auth := q.Authority
	if strings.TrimSpace(auth) == "" {
		auth = DefaultAuthority
	}
	anyAuth := strings.EqualFold(strings.TrimSpace(auth), AnyAuthority) || strings.TrimSpace(auth) == "*"
	if anyAuth {
		auth = AnyAuthority
	} else {
		auth = graph.CanonicalAuthority(auth, "")
	}
	day := q.AsOf
	if !q.HasAsOf {
		day = graph.Today()
	}
	c := &exposureRun{ctx: ctx, data: data, day: day, auth: auth, anyAuth: anyAuth,
		depthCap: depthCap, maxVisited: maxVisited, maxOwners: maxOwners, maxChains: maxChains,
		nodes: map[uuid.UUID]*expoNode{}, limits: map[string]bool{}, cut: map[uuid.UUID]*expoNode{},
		res: &Result{Entity: q.Entity, Authority: auth, AsOf: day, Names: map[uuid.UUID]string{}}}
	if err := c.explore(); err != nil {
		return nil, err
	}
	c.fixpoint()
	if err := c.answer(); err != nil {
		return nil, err
	}
	return c.res, nil
}

type exposureRun struct {
	ctx                                        context.Context
	data                                       Data
	day                                        graph.Day
	auth                                       string
	anyAuth                                    bool
	depthCap, maxVisited, maxOwners, maxChains int

	nodes        map[uuid.UUID]*expoNode
	order        []*expoNode // explore order
	target       *expoNode
	targetStakes []Stake   // every stake read into the target, in force or not
	ctrl         []Control // controls into the target, in force
	limits       map[string]bool
	cut          map[uuid.UUID]*expoNode // owners not explored because a limit cut the search
	cutList      []*expoNode             // the same, in the order met
	res          *Result
	err          error // the first error reading names
}

func (c *exposureRun) limit(name string) { c.limits[name] = true }

func (c *exposureRun) inForce(from, to graph.Day) bool { return from <= c.day && c.day <= to }

// counts reports whether a designation makes a blocked person on the day.
func (c *exposureRun) counts(d graph.Designation) bool {
	if !c.anyAuth && !graph.MatchAuthority(c.auth, d.Authority) {
		return false
	}
	if from, ok := graph.ParseDay(d.ListedOn, false); ok && from > c.day {
		return false
	}
	if to, ok := graph.ParseDay(d.EndedOn, false); ok && to <= c.day {
		return false // ended on that day: no longer in force
	}
	return true
}

func (c *exposureRun) node(id uuid.UUID, depth int) (*expoNode, bool) {
	if n, ok := c.nodes[id]; ok {
		return n, true
	}
	if len(c.nodes) >= c.maxVisited {
		return nil, false
	}
	n := &expoNode{id: id, depth: depth, unknown: true}
	c.nodes[id] = n
	c.order = append(c.order, n)
	return n, true
}

// cutNode stands for an owner a limit kept from being explored: its
// standing is unknown.
func (c *exposureRun) cutNode(id uuid.UUID, depth int) *expoNode {
	if n, ok := c.cut[id]; ok {
		return n
	}
	n := &expoNode{id: id, depth: depth, unknown: true}
	c.cut[id] = n
	c.cutList = append(c.cutList, n)
	return n
}

// explore walks owners upward, breadth first, from the entity (and from
// its controllers, whose standing is reported): it reads the designations
// of each entity met and the owners of each that is not designated.
func (c *exposureRun) explore() error {
	c.target, _ = c.node(c.res.Entity, 0)
	ctrl, err := c.data.Controllers(c.ctx, c.res.Entity)
	if err != nil {
		return fmt.Errorf("controllers of %s: %w", c.res.Entity, err)
	}
	for _, k := range ctrl {
		if !c.inForce(k.From, k.To) || k.Controller == c.res.Entity {
			continue
		}
		c.ctrl = append(c.ctrl, k)
		if _, ok := c.node(k.Controller, 1); !ok {
			c.limit("visited-nodes")
		}
	}
	for i := 0; i < len(c.order); i++ {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		n := c.order[i]
		ds, err := c.data.Designations(c.ctx, n.id)
		if err != nil {
			return fmt.Errorf("designations of %s: %w", n.id, err)
		}
		for _, d := range ds {
			if c.counts(d) {
				n.desig = append(n.desig, d)
			}
		}
		n.unknown = false
		// A designated entity is blocked whatever its owners; only the
		// entity asked about needs its aggregate.
		if n.designated() && n != c.target {
			continue
		}
		stakes, more, err := c.data.Owners(c.ctx, n.id, c.maxOwners)
		if err != nil {
			return fmt.Errorf("owners of %s: %w", n.id, err)
		}
		if more {
			c.limit("owners-per-entity")
			n.unknown = true // an owner not read may be blocked
		}
		n.explored = true
		if n == c.target {
			c.targetStakes = stakes
		}
		c.group(n, stakes, n.depth >= c.depthCap)
	}
	c.res.Visited = len(c.nodes)
	return nil
}

// group keeps the stakes in force, one per owner, and links the owners;
// at the depth cap, owners not met already are left unknown.
func (c *exposureRun) group(n *expoNode, stakes []Stake, atCap bool) {
	// Most entities have a few owners: find an owner's group by a linear
	// scan, and build a map only for the long lists (measured: the map and
	// per-owner slices were most of the allocations, BenchmarkComputeExposure).
	var byOwner map[uuid.UUID]int
	grouped := make([]expoStake, 0, len(stakes))
	keepRels := n == c.target // only the entity asked about shows its relationships
	for _, s := range stakes {
		if s.Owner == n.id {
			continue // self-ownership (own shares, or two records merged as one party)
		}
		if !c.inForce(s.From, s.To) {
			continue
		}
		if s.Share.Problem != "" {
			c.dataError(s, n.id)
		}
		i := -1
		if byOwner != nil {
			if j, ok := byOwner[s.Owner]; ok {
				i = j
			}
		} else {
			for j := range grouped {
				if grouped[j].owner.id == s.Owner {
					i = j
					break
				}
			}
		}
		if i < 0 {
			o, ok := c.nodes[s.Owner]
			if !ok {
				if atCap {
					c.limit("max-depth")
					o = c.cutNode(s.Owner, n.depth+1)
				} else if o, ok = c.node(s.Owner, n.depth+1); !ok {
					c.limit("visited-nodes")
					o = c.cutNode(s.Owner, n.depth+1)
				}
			}
			i = len(grouped)
			grouped = append(grouped, expoStake{owner: o, share: s.Share})
			if byOwner != nil {
				byOwner[s.Owner] = i
			} else if len(grouped) == 32 {
				byOwner = make(map[uuid.UUID]int, len(stakes))
				for j := range grouped {
					byOwner[grouped[j].owner.id] = j
				}
			}
		} else {
			g := &grouped[i]
			if g.extra == nil {
				g.extra = []Share{g.share}
			}
			g.extra = append(g.extra, s.Share)
		}
		if keepRels && s.Rel != nil {
			grouped[i].rels = append(grouped[i].rels, s.Rel)
		}
	}
	for i := range grouped {
		g := &grouped[i]
		if g.extra != nil {
			g.share, g.note = combineShares(g.extra)
			g.extra = nil
		}
		n.totalMin += g.share.Min
		g.owner.holds = append(g.owner.holds, stakeRef{n, i})
	}
	n.stakes = grouped
}

// combineShares makes one share of the stakes one owner holds in one
// entity. Records that state the same percentage are one holding stated
// twice (two lists, two merged records); different percentages may be one
// holding or several, so the share spans the largest one to their sum.
func combineShares(ss []Share) (Share, string) {
	var distinct []Share
	for _, s := range ss {
		if !slices.ContainsFunc(distinct, func(d Share) bool { return d.Min == s.Min && d.Max == s.Max }) {
			distinct = append(distinct, s)
		}
	}
	if len(distinct) == 1 {
		return distinct[0], ""
	}
	out := Share{}
	var stated []string
	for _, s := range distinct {
		out.Min = math.Max(out.Min, s.Min)
		out.Max += s.Max
		stated = append(stated, s.String())
		if s.Problem != "" {
			out.Problem = s.Problem
		}
	}
	out.Max = math.Min(100, out.Max)
	out.Stated = strings.Join(stated, "; ")
	return out, fmt.Sprintf("%d records state different stakes (%s): one holding or several is unknown", len(distinct), out.Stated)
}

func (c *exposureRun) dataError(s Stake, owned uuid.UUID) {
	where := owned.String()
	if s.Rel != nil && s.Rel.Ref != "" {
		where = s.Rel.Ref
	}
	msg := where + ": " + s.Share.Problem
	if !slices.Contains(c.res.DataErrors, msg) {
		c.res.DataErrors = append(c.res.DataErrors, msg)
	}
}

// fixpoint computes the least fixpoints of "certainly blocked" (lowest
// percentages) and "possibly blocked" (highest percentages, and every
// entity whose standing is unknown) with work lists: each entity that
// becomes blocked adds its stakes to the entities it holds them in.
// Each entity enters each set at most once, so it ends after at most
// (entities + stakes) steps, cycles included.
func (c *exposureRun) fixpoint() {
	// Owners cut by a limit are not explored but hold stakes.
	all := append(append(make([]*expoNode, 0, len(c.order)+len(c.cutList)), c.order...), c.cutList...)
	// Certainly blocked.
	var queue []*expoNode
	order := 0
	for _, n := range all {
		n.order = math.MaxInt // not blocked
	}
	for _, n := range all {
		if n.designated() {
			n.lo, n.order = true, order
			order++
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		for _, r := range o.holds {
			n := r.n
			n.sumLo += n.stakes[r.i].share.Min
			if !n.lo && n.sumLo >= BlockingThreshold-pctEpsilon {
				n.lo, n.order = true, order
				order++
				queue = append(queue, n)
			}
		}
	}
	// Possibly blocked.
	queue = queue[:0]
	for _, n := range all {
		if n.lo || n.unknown {
			n.hi = true
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		for _, r := range o.holds {
			n := r.n
			n.sumHi += n.stakes[r.i].share.Max
			n.sumMinHi += n.stakes[r.i].share.Min
			if !n.hi && n.hiPct() >= BlockingThreshold-pctEpsilon {
				n.hi = true
				queue = append(queue, n)
			}
		}
	}
}

// answer fills the result from the fixpoints.
func (c *exposureRun) answer() error {
	t, res := c.target, c.res
	res.Designated = t.designated()
	res.Designations = t.desig
	res.Percentage = roundPct(t.loPct())
	res.MaxPercentage = roundPct(math.Max(t.hiPct(), t.loPct()))
	res.Blocked = t.lo
	res.PossiblyBlocked = !t.lo && t.hi
	// Stakes adding up to more than 100% are a data error (often several
	// register snapshots of one holding, all left open); where the owners
	// could be blocked, the aggregate is then not exact.
	overcommitted := false
	for _, n := range c.order {
		if n.totalMin > 100+pctEpsilon {
			res.DataErrors = append(res.DataErrors, fmt.Sprintf("the stakes in force in %s add up to at least %s, more than 100%%", c.name(n.id), fmtPct(n.totalMin)))
			overcommitted = overcommitted || n.hi
		}
	}

	// Direct stakes, including those not in force.
	for _, s := range t.stakes {
		res.Owners = append(res.Owners, c.ownerStake(s))
	}
	for _, s := range c.targetStakes {
		if s.Owner == t.id {
			res.Owners = append(res.Owners, OwnerStake{Owner: s.Owner, Rels: rels(s.Rel), Share: s.Share, InForce: c.inForce(s.From, s.To),
				OwnerReason: "the entity itself", Note: "self-ownership is not counted"})
			continue
		}
		if c.inForce(s.From, s.To) {
			continue
		}
		note := "not in force on " + c.day.String()
		if s.To < c.day {
			note = "ended " + s.To.String()
		} else if s.From > c.day {
			note = "starts " + s.From.String()
		}
		os := OwnerStake{Owner: s.Owner, Rels: rels(s.Rel), Share: s.Share, Note: note}
		if o, ok := c.nodes[s.Owner]; ok {
			os.OwnerBlocked, os.OwnerPossiblyBlocked, os.OwnerReason = o.lo, !o.lo && o.hi, c.reason(o)
		} else {
			os.OwnerReason = "not examined (the stake is not in force)"
		}
		res.Owners = append(res.Owners, os)
	}
	sort.SliceStable(res.Owners, func(i, j int) bool {
		a, b := res.Owners[i], res.Owners[j]
		if a.Counted != b.Counted {
			return a.Counted
		}
		if a.Share.Max != b.Share.Max {
			return a.Share.Max > b.Share.Max
		}
		return a.Owner.String() < b.Owner.String()
	})

	// Controllers.
	byCtrl := map[uuid.UUID]int{}
	for _, k := range c.ctrl {
		i, ok := byCtrl[k.Controller]
		if !ok {
			i = len(res.Controllers)
			byCtrl[k.Controller] = i
			cl := ControlLink{Controller: k.Controller}
			if o, ok := c.nodes[k.Controller]; ok {
				cl.Blocked, cl.Designated, cl.PossiblyBlocked, cl.Reason = o.lo, o.designated(), !o.lo && o.hi, c.reason(o)
			} else {
				cl.PossiblyBlocked, cl.Reason = true, "not examined (a limit cut the search)"
			}
			res.Controllers = append(res.Controllers, cl)
		}
		if k.Rel != nil {
			res.Controllers[i].Rels = append(res.Controllers[i].Rels, k.Rel)
		}
	}

	// Parties blocked or possibly blocked.
	for _, n := range c.order {
		if !n.lo && !n.hi {
			continue
		}
		res.Parties = append(res.Parties, Party{ID: n.id, Depth: n.depth, Blocked: n.lo, PossiblyBlocked: !n.lo && n.hi,
			Designated: n.designated(), Designations: n.desig, Percentage: roundPct(n.loPct()),
			MaxPercentage: roundPct(math.Max(n.hiPct(), n.loPct())), Reason: c.reason(n), Explored: n.explored})
	}
	sort.SliceStable(res.Parties, func(i, j int) bool { return res.Parties[i].Depth < res.Parties[j].Depth })

	c.chains()

	for _, l := range []string{"max-depth", "visited-nodes", "owners-per-entity", "chains"} {
		if c.limits[l] {
			res.Limits = append(res.Limits, l)
		}
	}
	cut := c.limits["max-depth"] || c.limits["visited-nodes"] || c.limits["owners-per-entity"]
	res.Complete = !cut && !overcommitted && res.MaxPercentage-res.Percentage < 1e-6
	return c.names()
}

func rels(r *graph.Relationship) []*graph.Relationship {
	if r == nil {
		return nil
	}
	return []*graph.Relationship{r}
}

func (c *exposureRun) ownerStake(s expoStake) OwnerStake {
	o := s.owner
	os := OwnerStake{Owner: o.id, Rels: s.rels, Share: s.share, InForce: true, Counted: o.lo,
		OwnerBlocked: o.lo, OwnerPossiblyBlocked: !o.lo && o.hi, OwnerReason: c.reason(o), Note: s.note}
	if s.share.Problem != "" {
		os.Note = strings.TrimPrefix(os.Note+"; data error: "+s.share.Problem, "; ")
	}
	return os
}

// chains lists ownership paths from designated persons down to the
// entity. Above a direct owner they follow only owners that were blocked
// before the entity they hold (fixpoint order), so every chain is
// grounded in a designation and none goes round a cycle.
func (c *exposureRun) chains() {
	const maxSteps = 100_000
	steps := 0
	var path []*expoNode
	onPath := map[*expoNode]bool{}
	var walk func(n *expoNode) bool // false: stop
	walk = func(n *expoNode) bool {
		steps++
		if steps > maxSteps {
			c.limit("chains")
			return false
		}
		path = append(path, n)
		onPath[n] = true
		defer func() { path = path[:len(path)-1]; delete(onPath, n) }()
		if n.designated() && n != c.target {
			if len(c.res.Chains) == c.maxChains {
				c.limit("chains") // one more than fits
				return false
			}
			ids := make([]uuid.UUID, len(path))
			for i, p := range path {
				ids[len(path)-1-i] = p.id
			}
			chain, err := c.chain(ids)
			if err != nil {
				c.err = err
				return false
			}
			c.res.Chains = append(c.res.Chains, chain)
			return true
		}
		for _, s := range n.stakes {
			o := s.owner
			if !o.lo || onPath[o] {
				continue
			}
			if n != c.target && (o.order >= n.order || s.share.Min <= 0) {
				continue
			}
			if !walk(o) {
				return false
			}
		}
		return true
	}
	walk(c.target)
}

// chain makes a path of owners: each step from an owner to what it owns,
// with the owns relationships in force between the two, read again (the
// exploration keeps only the shares, to bound its memory).
func (c *exposureRun) chain(ids []uuid.UUID) (graph.Path, error) {
	p := graph.Path{Entities: ids, Steps: make([]graph.Step, 0, len(ids)-1)}
	for i := 0; i+1 < len(ids); i++ {
		st := graph.Step{From: ids[i], To: ids[i+1], Links: []graph.StepLink{{Kind: graph.RelOwns, Forward: true}}}
		stakes, _, err := c.data.Owners(c.ctx, ids[i+1], c.maxOwners)
		if err != nil {
			return p, err
		}
		for _, s := range stakes {
			if s.Owner == ids[i] && s.Rel != nil && c.inForce(s.From, s.To) {
				st.Relationships = append(st.Relationships, s.Rel)
			}
		}
		p.Steps = append(p.Steps, st)
	}
	return p, nil
}

// name returns the display name of id, read once.
func (c *exposureRun) name(id uuid.UUID) string {
	if n, ok := c.res.Names[id]; ok {
		return n
	}
	name, err := c.data.Name(c.ctx, id)
	if err != nil && !errors.Is(err, graph.ErrNotFound) && c.err == nil {
		c.err = fmt.Errorf("name of %s: %w", id, err)
	}
	if name == "" {
		name = id.String()
	}
	c.res.Names[id] = name
	return name
}

// names reads the names of the entities the answer mentions.
func (c *exposureRun) names() error {
	c.name(c.target.id)
	for _, o := range c.res.Owners {
		c.name(o.Owner)
	}
	for _, p := range c.res.Parties {
		c.name(p.ID)
	}
	for _, k := range c.res.Controllers {
		c.name(k.Controller)
	}
	for _, ch := range c.res.Chains {
		for _, id := range ch.Entities {
			c.name(id)
		}
	}
	return c.err
}
