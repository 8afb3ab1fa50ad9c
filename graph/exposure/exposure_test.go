package exposure

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// ownNet is a hand-built ownership network for the exposure tests.
type ownNet struct {
	ids    map[string]uuid.UUID
	names  map[uuid.UUID]string
	stakes map[uuid.UUID][]Stake
	ctrl   map[uuid.UUID][]Control
	desig  map[uuid.UUID][]graph.Designation
	reads  map[uuid.UUID]int // Owners calls per entity
	fail   error
}

func newOwnNet() *ownNet {
	return &ownNet{ids: map[string]uuid.UUID{}, names: map[uuid.UUID]string{}, stakes: map[uuid.UUID][]Stake{},
		ctrl: map[uuid.UUID][]Control{}, desig: map[uuid.UUID][]graph.Designation{}}
}

func (n *ownNet) id(name string) uuid.UUID {
	if id, ok := n.ids[name]; ok {
		return id
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(name))
	n.ids[name], n.names[id] = id, name
	return id
}

// designate lists name by authority under programme.
func (n *ownNet) designate(name, authority, programme string) *ownNet {
	id := n.id(name)
	n.desig[id] = append(n.desig[id], graph.Designation{Authority: authority, Programme: programme})
	return n
}

// own records that owner holds pct (as the data would state it) of asset.
func (n *ownNet) own(owner, asset string, pct ...string) *ownNet {
	return n.ownDated(owner, asset, "", "", pct...)
}

func (n *ownNet) ownDated(owner, asset, start, end string, pct ...string) *ownNet {
	r := &graph.Relationship{Kind: graph.RelOwns, Ref: owner + "-owns-" + asset, Source: n.id(owner), Target: n.id(asset),
		SourceRef: owner, TargetRef: asset, Props: map[string][]string{}}
	if len(pct) > 0 {
		r.Props["percentage"] = pct
	}
	if start != "" {
		r.Props["startDate"] = []string{start}
	}
	if end != "" {
		r.Props["endDate"] = []string{end}
	}
	n.stakes[r.Target] = append(n.stakes[r.Target], StakeOf(r))
	return n
}

func (n *ownNet) control(controller, controlled string) *ownNet {
	r := &graph.Relationship{Kind: graph.RelControls, Ref: controller + "-controls-" + controlled, Source: n.id(controller), Target: n.id(controlled)}
	n.ctrl[r.Target] = append(n.ctrl[r.Target], Control{Controller: r.Source, From: graph.DayMin, To: graph.DayMax, Rel: r})
	return n
}

func (n *ownNet) Owners(ctx context.Context, id uuid.UUID, limit int) ([]Stake, bool, error) {
	if n.reads == nil {
		n.reads = map[uuid.UUID]int{}
	}
	n.reads[id]++
	if n.fail != nil {
		return nil, false, n.fail
	}
	s := n.stakes[id]
	if len(s) > limit {
		return s[:limit], true, nil
	}
	return s, false, nil
}
func (n *ownNet) Controllers(ctx context.Context, id uuid.UUID) ([]Control, error) {
	return n.ctrl[id], nil
}
func (n *ownNet) Designations(ctx context.Context, id uuid.UUID) ([]graph.Designation, error) {
	return n.desig[id], nil
}
func (n *ownNet) Name(ctx context.Context, id uuid.UUID) (string, error) {
	if s, ok := n.names[id]; ok {
		return s, nil
	}
	return "", graph.ErrNotFound
}

func (n *ownNet) exposure(t *testing.T, name string, q Query) *Result {
	t.Helper()
	q.Entity = n.id(name)
	x, err := Compute(context.Background(), n, q)
	if err != nil {
		t.Fatalf("Compute(%s) error: %v", name, err)
	}
	return x
}

// chainNames renders the chains as "X>A>B".
func (n *ownNet) chainNames(x *Result) []string {
	out := []string{}
	for _, c := range x.Chains {
		var s []string
		for i, id := range c.Entities {
			s = append(s, n.names[id])
			if i > 0 {
				if st := c.Steps[i-1]; st.From != c.Entities[i-1] || st.To != id || st.Kind() != graph.RelOwns || !st.Forward() {
					panic(fmt.Sprintf("chain step %d does not join %v and %v as owner and owned: %+v", i-1, c.Entities[i-1], id, st))
				}
			}
		}
		out = append(out, strings.Join(s, ">"))
	}
	return out
}

type wantExposure struct {
	blocked, possibly, complete bool
	pct, max                    float64
	chains                      []string
}

func (n *ownNet) check(t *testing.T, name string, q Query, want wantExposure) *Result {
	t.Helper()
	x := n.exposure(t, name, q)
	if x.Blocked != want.blocked || x.PossiblyBlocked != want.possibly || x.Complete != want.complete {
		t.Errorf("exposure(%s): blocked=%v possibly=%v complete=%v, want %v %v %v\n%s", name, x.Blocked, x.PossiblyBlocked, x.Complete,
			want.blocked, want.possibly, want.complete, x.Explanation())
	}
	if x.Percentage != want.pct || x.MaxPercentage != want.max {
		t.Errorf("exposure(%s): percentage %v..%v, want %v..%v\n%s", name, x.Percentage, x.MaxPercentage, want.pct, want.max, x.Explanation())
	}
	if want.chains != nil {
		if got := n.chainNames(x); !reflect.DeepEqual(got, want.chains) {
			t.Errorf("exposure(%s): chains %v, want %v", name, got, want.chains)
		}
	}
	return x
}

const sdn = "US OFAC"

// OFAC FAQ 401, example 1: Blocked Person X owns 50% of Entity A, and
// Entity A owns 50% of Entity B. Entity B is blocked.
func TestExposureOFACExample1(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "SDGT").own("X", "A", "50").own("A", "B", "50")
	n.check(t, "A", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50, chains: []string{"X>A"}})
	x := n.check(t, "B", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50, chains: []string{"X>A>B"}})
	if p, ok := x.Party(n.id("A")); !ok || !p.Blocked || p.Designated || p.Percentage != 50 {
		t.Errorf("party A = %+v, %v; want blocked by 50%% ownership", p, ok)
	}
	for _, want := range []string{"B is blocked under the 50 Percent Rule", "A (owned 50% by blocked persons (X 50%)) holds 50% directly", "-> 50% in aggregate: blocked"} {
		if e := x.Explanation(); !strings.Contains(e, want) {
			t.Errorf("explanation %q lacks %q", e, want)
		}
	}
}

// OFAC FAQ 401, example 2: X owns 50% of A and 50% of B; A and B each own
// 25% of C. C is blocked.
func TestExposureOFACExample2(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "SDGT").own("X", "A", "50").own("X", "B", "50").own("A", "C", "25").own("B", "C", "25")
	n.check(t, "C", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50, chains: []string{"X>A>C", "X>B>C"}})
}

// OFAC FAQ 401, example 3: X owns 50% of A and 10% of B; A owns 40% of B.
// B is blocked: X holds 10% directly and 40% through blocked A.
func TestExposureOFACExample3(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "SDGT").own("X", "A", "50").own("X", "B", "10").own("A", "B", "40")
	x := n.check(t, "B", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50})
	if got := n.chainNames(x); len(got) != 2 || !contains(got, "X>B") || !contains(got, "X>A>B") {
		t.Errorf("chains = %v, want X>B and X>A>B", got)
	}
}

// OFAC FAQ 401, example 4: X owns 25% of A and 25% of B; A and B each own
// 50% of C. Neither A nor B is blocked, so X owns nothing of C indirectly.
func TestExposureOFACExample4(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "SDGT").own("X", "A", "25").own("X", "B", "25").own("A", "C", "50").own("B", "C", "50")
	x := n.check(t, "C", Query{}, wantExposure{complete: true, pct: 0, max: 0, chains: []string{}})
	if len(x.Owners) != 2 || x.Owners[0].Counted || x.Owners[0].OwnerBlocked {
		t.Fatalf("owners = %+v, want 2 not counted", x.Owners)
	}
	if !strings.Contains(x.Owners[0].OwnerReason, "25% by blocked persons (X 25%), below 50%") {
		t.Errorf("owner reason = %q", x.Owners[0].OwnerReason)
	}
	if e := x.Explanation(); !strings.Contains(e, "is not blocked") || !strings.Contains(e, "nothing held through it carries") {
		t.Errorf("explanation = %q", e)
	}
	n.check(t, "A", Query{}, wantExposure{complete: true, pct: 25, max: 25})
}

// Revised Guidance (2014): the stakes of several blocked persons add up,
// whatever programme each is blocked under (X 25% + Y 25% -> blocked).
func TestExposureAggregateAcrossPersonsAndProgrammes(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "UKRAINE-EO13660").designate("Y", "US OFAC", "SDGT").
		own("X", "C", "25").own("Y", "C", "25").own("Z", "C", "50")
	x := n.check(t, "C", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50, chains: []string{"X>C", "Y>C"}})
	if !x.Owners[0].Counted || !x.Owners[1].Counted || x.Owners[2].Counted {
		t.Errorf("counted = %v %v %v, want true true false", x.Owners[0].Counted, x.Owners[1].Counted, x.Owners[2].Counted)
	}
	// Below: 25% + 24.99%.
	n2 := newOwnNet().designate("X", sdn, "A").designate("Y", sdn, "B").own("X", "C", "25").own("Y", "C", "24.99")
	n2.check(t, "C", Query{}, wantExposure{complete: true, pct: 49.99, max: 49.99})
}

// The guidance's X 10% of D directly, plus D's stake through a blocked A;
// and a non-blocked intermediary with less than 50% passes nothing on.
func TestExposureIndirectOnlyThroughBlocked(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "SDGT").
		own("X", "A", "60").own("A", "D", "40").own("X", "D", "10"). // A blocked: 10 + 40
		own("X", "E", "49").own("E", "F", "100")                     // E not blocked: F not
	n.check(t, "D", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50})
	n.check(t, "F", Query{}, wantExposure{complete: true, pct: 0, max: 0, chains: []string{}})
}

func TestExposureCycles(t *testing.T) {
	t.Run("ungrounded ring blocks nothing", func(t *testing.T) {
		// A, B, C own 60% of each other in a ring; X holds 30% of A.
		n := newOwnNet().designate("X", sdn, "P").own("A", "B", "60").own("B", "C", "60").own("C", "A", "60").own("X", "A", "30")
		n.check(t, "A", Query{}, wantExposure{complete: true, pct: 30, max: 30, chains: []string{"X>A"}})
		n.check(t, "C", Query{}, wantExposure{complete: true, pct: 0, max: 0})
	})
	t.Run("grounded cross-ownership", func(t *testing.T) {
		// X 50% of A; A 60% of B; B 20% of A: A is blocked by X alone, then
		// B by A, and B's stake adds to A's aggregate.
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "50").own("A", "B", "60").own("B", "A", "20")
		n.check(t, "A", Query{}, wantExposure{blocked: true, complete: true, pct: 70, max: 70, chains: []string{"X>A"}})
		n.check(t, "B", Query{}, wantExposure{blocked: true, complete: true, pct: 60, max: 60, chains: []string{"X>A>B"}})
	})
	t.Run("cycle needed for the threshold", func(t *testing.T) {
		// X 30% of A and 30% of B; A 30% of B, B 30% of A: each holds 30% of
		// the other, but neither is blocked first, so neither is blocked.
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "30").own("X", "B", "30").own("A", "B", "30").own("B", "A", "30")
		n.check(t, "A", Query{}, wantExposure{complete: true, pct: 30, max: 30})
	})
	t.Run("unknown stake in a cycle terminates", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "40").own("A", "B").own("B", "A", "20").own("B", "C", "50")
		// A could reach 60% only if B were blocked, and B only if A were:
		// the least fixpoint leaves both open only through X's real stake.
		n.check(t, "A", Query{}, wantExposure{complete: true, pct: 40, max: 40})
		n.check(t, "C", Query{}, wantExposure{complete: true, pct: 0, max: 0})
	})
	t.Run("self-ownership", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "40").own("A", "A", "20")
		x := n.check(t, "A", Query{}, wantExposure{complete: true, pct: 40, max: 40})
		if len(x.Owners) != 2 || x.Owners[1].Note != "self-ownership is not counted" {
			t.Errorf("owners = %+v", x.Owners)
		}
	})
}

// chain8 builds X -> E1 -> ... -> E8, each holding pct of the next.
func chain8(pcts [8]string) *ownNet {
	n := newOwnNet().designate("X", sdn, "NPWMD")
	prev := "X"
	for i, p := range pcts {
		e := fmt.Sprintf("E%d", i+1)
		n.own(prev, e, p)
		prev = e
	}
	return n
}

func TestExposureChainOf8Levels(t *testing.T) {
	all := [8]string{"100", "51", "50", "75", "50.0", "50%", "99", "50"}
	n := chain8(all)
	x := n.check(t, "E8", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50,
		chains: []string{"X>E1>E2>E3>E4>E5>E6>E7>E8"}})
	if len(x.Parties) != 9 || x.Parties[8].Depth != 8 || !x.Parties[8].Designated {
		t.Errorf("parties = %d, last %+v; want 9 up to X at depth 8", len(x.Parties), x.Parties[len(x.Parties)-1])
	}

	// One level at 49% breaks the chain below it.
	broken := all
	broken[3] = "49"
	n = chain8(broken)
	n.check(t, "E8", Query{}, wantExposure{complete: true, pct: 0, max: 0, chains: []string{}})
	n.check(t, "E4", Query{}, wantExposure{complete: true, pct: 49, max: 49})

	// A depth cap of 5 stops at E3, whose owner E2 stays unknown.
	n = chain8(all)
	x = n.check(t, "E8", Query{MaxDepth: 5}, wantExposure{possibly: true, pct: 0, max: 50})
	if !reflect.DeepEqual(x.Limits, []string{"max-depth"}) || !x.Truncated() {
		t.Errorf("limits = %v, want [max-depth]", x.Limits)
	}
	if !strings.Contains(x.Explanation(), "A limit cut the search (max-depth)") {
		t.Errorf("explanation = %q", x.Explanation())
	}
}

func TestExposureUnknownPercentages(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A")
		x := n.check(t, "A", Query{}, wantExposure{possibly: true, pct: 0, max: 100, chains: []string{"X>A"}})
		if o := x.Owners[0]; o.Share.Known() || o.Counted != true || o.Share.Stated != "" {
			t.Errorf("owner = %+v, want counted with an unknown share", o)
		}
		if e := x.Explanation(); !strings.Contains(e, "holds an unknown share directly") || !strings.Contains(e, "could be") {
			t.Errorf("explanation = %q", e)
		}
	})
	t.Run("capped by what others hold", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A").own("Y", "A", "60")
		n.check(t, "A", Query{}, wantExposure{pct: 0, max: 40})
	})
	t.Run("unknown stake of a non-blocked owner does not matter", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "50").own("Y", "A")
		n.check(t, "A", Query{}, wantExposure{blocked: true, complete: true, pct: 50, max: 50})
	})
	t.Run("range", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").designate("Y", sdn, "P").own("X", "A", "25-50%").own("Y", "A", "25")
		n.check(t, "A", Query{}, wantExposure{blocked: true, pct: 50, max: 75})
	})
	t.Run("unknown upstream makes an intermediate possibly blocked", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A").own("A", "B", "80")
		x := n.check(t, "B", Query{}, wantExposure{possibly: true, pct: 0, max: 80, chains: []string{}})
		if o := x.Owners[0]; o.Counted || !o.OwnerPossiblyBlocked {
			t.Errorf("owner A = %+v, want possibly blocked, not counted", o)
		}
	})
	t.Run("data errors are reported, not used", func(t *testing.T) {
		n := newOwnNet().designate("X", sdn, "P").own("X", "A", "120").own("Y", "A", "-5")
		x := n.check(t, "A", Query{}, wantExposure{possibly: true, pct: 0, max: 100})
		if len(x.DataErrors) != 2 || !strings.Contains(x.DataErrors[0], `percentage "120" is outside 0-100`) {
			t.Errorf("data errors = %v", x.DataErrors)
		}
	})
}

func TestExposureControlReportedApart(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "NPWMD").control("X", "A").own("X", "A", "10")
	x := n.check(t, "A", Query{}, wantExposure{complete: true, pct: 10, max: 10})
	if len(x.Controllers) != 1 || !x.Controllers[0].Blocked || !x.Controllers[0].Designated {
		t.Fatalf("controllers = %+v, want X, designated", x.Controllers)
	}
	if e := x.Explanation(); !strings.Contains(e, "Control, reported apart and not counted under the 50 Percent Rule: X (designated by US OFAC (NPWMD)) controls it") {
		t.Errorf("explanation = %q", e)
	}
	// A controller blocked by ownership is found as such.
	n = newOwnNet().designate("X", sdn, "P").own("X", "K", "50").control("K", "A")
	x = n.exposure(t, "A", Query{})
	if x.Blocked || len(x.Controllers) != 1 || !x.Controllers[0].Blocked || x.Controllers[0].Designated {
		t.Errorf("exposure(A) blocked=%v controllers=%+v; want not blocked, K blocked by ownership", x.Blocked, x.Controllers)
	}
}

func TestExposureDates(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "P").ownDated("X", "A", "2010-01-01", "2019-12-31", "60")
	day := func(s string) graph.Day { d, _ := graph.ParseDay(s, false); return d }
	x := n.check(t, "A", Query{AsOf: day("2025-01-01"), HasAsOf: true}, wantExposure{complete: true})
	if len(x.Owners) != 1 || x.Owners[0].InForce || x.Owners[0].Note != "ended 2019-12-31" {
		t.Errorf("owners = %+v, want the ended stake, not counted", x.Owners)
	}
	n.check(t, "A", Query{AsOf: day("2015-06-01"), HasAsOf: true}, wantExposure{blocked: true, complete: true, pct: 60, max: 60})
	n.check(t, "A", Query{AsOf: day("2009-06-01"), HasAsOf: true}, wantExposure{complete: true})

	// A designation that ended no longer blocks; one not yet made does not either.
	n = newOwnNet().own("X", "A", "60")
	n.desig[n.id("X")] = []graph.Designation{{Authority: sdn, Programme: "P", ListedOn: "2014-03-01", EndedOn: "2020-05-01"}}
	n.check(t, "A", Query{AsOf: day("2021-01-01"), HasAsOf: true}, wantExposure{complete: true})
	n.check(t, "A", Query{AsOf: day("2013-01-01"), HasAsOf: true}, wantExposure{complete: true})
	n.check(t, "A", Query{AsOf: day("2016-01-01"), HasAsOf: true}, wantExposure{blocked: true, complete: true, pct: 60, max: 60})
}

func TestExposureRoundingAt50(t *testing.T) {
	tests := []struct {
		name    string
		pcts    []string
		blocked bool
		pct     float64
	}{
		{"exactly 50", []string{"50"}, true, 50},
		{"25.5 + 24.5", []string{"25.5", "24.5"}, true, 50},
		{"16.7 + 16.7 + 16.6", []string{"16.7", "16.7", "16.6"}, true, 50},
		{"0.1 x 500 as 10 x 5", []string{"5", "5", "5", "5", "5", "5", "5", "5", "5", "5"}, true, 50},
		{"decimal comma 49,99", []string{"49,99"}, false, 49.99},
		{"49.9999", []string{"49.9999"}, false, 49.9999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newOwnNet()
			for i, p := range tt.pcts {
				o := fmt.Sprintf("X%d", i)
				n.designate(o, sdn, "P").own(o, "A", p)
			}
			n.check(t, "A", Query{}, wantExposure{blocked: tt.blocked, complete: true, pct: tt.pct, max: tt.pct})
		})
	}
}

func TestExposureAuthority(t *testing.T) {
	n := newOwnNet().designate("X", "UN Security Council", "1718 Committee").own("X", "A", "60")
	n.check(t, "A", Query{}, wantExposure{complete: true})
	n.check(t, "A", Query{Authority: "un security council"}, wantExposure{blocked: true, complete: true, pct: 60, max: 60})
	x := n.check(t, "A", Query{Authority: AnyAuthority}, wantExposure{blocked: true, complete: true, pct: 60, max: 60})
	if x.Authority != AnyAuthority {
		t.Errorf("authority = %q", x.Authority)
	}
	x = n.exposure(t, "X", Query{Authority: "OFAC"})
	if x.Designated || x.Authority != "US OFAC" {
		t.Errorf("X under OFAC: designated=%v authority=%q", x.Designated, x.Authority)
	}
}

func TestExposureDesignatedEntity(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "NPWMD").designate("D", sdn, "NPWMD").own("X", "D")
	x := n.check(t, "D", Query{}, wantExposure{blocked: true, pct: 0, max: 100})
	if !x.Designated || len(x.Designations) != 1 {
		t.Errorf("designated = %v %v", x.Designated, x.Designations)
	}
	if e := x.Explanation(); !strings.HasPrefix(e, "D is blocked: it is designated by US OFAC (NPWMD) in its own right.") {
		t.Errorf("explanation = %q", e)
	}
}

func TestExposureSeveralRecordsOfOneStake(t *testing.T) {
	// Two lists state the same 30%: one holding, not 60%.
	n := newOwnNet().designate("X", sdn, "P").own("X", "A", "30").own("X", "A", "30%")
	x := n.check(t, "A", Query{}, wantExposure{complete: true, pct: 30, max: 30})
	if len(x.Owners) != 1 {
		t.Errorf("owners = %d, want one per owner", len(x.Owners))
	}
	// Different figures: one holding or two.
	n = newOwnNet().designate("X", sdn, "P").own("X", "A", "30").own("X", "A", "25")
	x = n.check(t, "A", Query{}, wantExposure{possibly: true, pct: 30, max: 55})
	if !strings.Contains(x.Owners[0].Note, "2 records state different stakes") {
		t.Errorf("note = %q", x.Owners[0].Note)
	}
}

func TestExposureLimits(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "P").own("X", "A", "50")
	for i := 0; i < 30; i++ {
		n.own(fmt.Sprintf("O%d", i), "A", "1")
	}
	x := n.exposure(t, "A", Query{MaxOwners: 10})
	if !contains(x.Limits, "owners-per-entity") || x.Complete {
		t.Errorf("limits = %v complete = %v, want owners-per-entity", x.Limits, x.Complete)
	}
	x = n.exposure(t, "A", Query{MaxVisited: 5})
	if !contains(x.Limits, "visited-nodes") || x.Visited > 5 {
		t.Errorf("limits = %v visited = %d, want visited-nodes at 5", x.Limits, x.Visited)
	}
	// Many chains are cut.
	n = newOwnNet()
	for i := 0; i < 30; i++ {
		o := fmt.Sprintf("X%d", i)
		n.designate(o, sdn, "P").own(o, "A", "2")
	}
	x = n.exposure(t, "A", Query{MaxChains: 30})
	if len(x.Chains) != 30 || contains(x.Limits, "chains") {
		t.Errorf("30 chains of 30: %d, limits %v", len(x.Chains), x.Limits)
	}
	x = n.exposure(t, "A", Query{MaxChains: 5})
	if len(x.Chains) != 5 || !contains(x.Limits, "chains") || !x.Blocked || !x.Complete {
		t.Errorf("chains = %d limits = %v blocked = %v complete = %v", len(x.Chains), x.Limits, x.Blocked, x.Complete)
	}
	if _, err := Compute(context.Background(), n, Query{Entity: n.id("A"), MaxDepth: 21}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("MaxDepth 21: err = %v, want ErrInvalid", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compute(ctx, n, Query{Entity: n.id("A")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	n.fail = errors.New("disk")
	if _, err := Compute(context.Background(), n, Query{Entity: n.id("A")}); err == nil || !strings.Contains(err.Error(), "disk") {
		t.Errorf("failing data: err = %v", err)
	}
}

func TestExposureDoesNotReadOwnersOfDesignated(t *testing.T) {
	n := newOwnNet().designate("X", sdn, "P").own("X", "A", "60")
	for i := 0; i < 10; i++ {
		n.own(fmt.Sprintf("P%d", i), "X", "10")
	}
	n.exposure(t, "A", Query{})
	if n.reads[n.id("X")] != 0 || n.reads[n.id("A")] == 0 {
		t.Errorf("Owners read %v, want A's, not X's", n.reads)
	}
}

func TestParseShare(t *testing.T) {
	tests := []struct {
		in       []string
		min, max float64
		problem  bool
	}{
		{[]string{"50"}, 50, 50, false},
		{[]string{"50.0"}, 50, 50, false},
		{[]string{" 50% "}, 50, 50, false},
		{[]string{"50,5"}, 50.5, 50.5, false},
		{[]string{"12.5 percent"}, 12.5, 12.5, false},
		{[]string{"25-50%"}, 25, 50, false},
		{[]string{"25 to 50"}, 25, 50, false},
		{[]string{"more than 25%"}, 25, 100, false},
		{[]string{">50"}, 50, 100, false},
		{[]string{"less than 10"}, 0, 10, false},
		{[]string{"majority"}, 50, 100, false},
		{[]string{"20", "30"}, 20, 30, false},
		{nil, 0, 100, false},
		{[]string{""}, 0, 100, false},
		{[]string{"120"}, 0, 100, true},
		{[]string{"-5"}, 0, 100, true},
		{[]string{"about half"}, 0, 100, true},
		{[]string{"50-25"}, 0, 100, true},
		{[]string{"NaN"}, 0, 100, true},
		{[]string{"Inf"}, 0, 100, true},
	}
	for _, tt := range tests {
		got := ParseShare(tt.in...)
		if got.Min != tt.min || got.Max != tt.max || (got.Problem != "") != tt.problem {
			t.Errorf("ParseShare(%q) = %+v, want %v..%v problem=%v", tt.in, got, tt.min, tt.max, tt.problem)
		}
	}
}

func FuzzParseShare(f *testing.F) {
	for _, s := range []string{"50", "25-50%", "more than 10", "50,5", "1e400", "--", "≥ 50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh := ParseShare(s)
		if !(0 <= sh.Min && sh.Min <= sh.Max && sh.Max <= 100) {
			t.Fatalf("ParseShare(%q) = %+v, out of 0 <= min <= max <= 100", s, sh)
		}
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkComputeExposure runs the pure computation on a layered network:
// 10 levels of 200 companies, each owned by 4 of the level above (5-25%
// each, one stake in 10 unknown), 10% of the top level designated, and one
// cross-ownership back up in 20.
func BenchmarkComputeExposure(b *testing.B) {
	n := newOwnNet()
	const levels, width = 10, 200
	name := func(l, i int) string { return fmt.Sprintf("L%d-%d", l, i) }
	seed := uint32(1)
	rnd := func(k int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % k }
	for i := 0; i < width; i += 10 {
		n.designate(name(0, i), sdn, "P")
	}
	for l := 1; l < levels; l++ {
		for i := 0; i < width; i++ {
			for k := 0; k < 4; k++ {
				if rnd(10) == 0 {
					n.own(name(l-1, rnd(width)), name(l, i))
				} else {
					n.own(name(l-1, rnd(width)), name(l, i), fmt.Sprint(5+rnd(21)))
				}
			}
			if rnd(20) == 0 && l > 1 {
				n.own(name(l, i), name(l-1, rnd(width)), "5")
			}
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	visited := 0
	for i := 0; i < b.N; i++ {
		x, err := Compute(ctx, n, Query{Entity: n.id(name(levels-1, i%width))})
		if err != nil {
			b.Fatal(err)
		}
		visited += x.Visited
	}
	b.ReportMetric(float64(visited)/float64(b.N), "visited/op")
}

// Register snapshots of one holding left open (ZAKHAROV 50%, 48% and 51%
// of LLC CST in the OpenSanctions ZALA data) overcommit the entity: the
// answer says so and is not complete.
func TestExposureStakesOver100(t *testing.T) {
	z := newOwnNet().designate("Z", sdn, "RUSSIA").own("Z", "CST", "50").own("Z", "CST", "48").own("Z", "CST", "51").own("K", "CST", "49").
		own("T", "CST", "2").own("S", "CST", "1")
	x := z.check(t, "CST", Query{}, wantExposure{blocked: true, pct: 51, max: 100})
	if !reflect.DeepEqual(x.DataErrors, []string{"the stakes in force in CST add up to at least 103%, more than 100%"}) {
		t.Errorf("data errors = %q", x.DataErrors)
	}
	// Without the small stakes the figures are consistent: K's 49% leaves
	// Z exactly 51%, whichever record is right.
	z = newOwnNet().designate("Z", sdn, "RUSSIA").own("Z", "CST", "50").own("Z", "CST", "48").own("Z", "CST", "51").own("K", "CST", "49")
	z.check(t, "CST", Query{}, wantExposure{blocked: true, complete: true, pct: 51, max: 51})

	n := newOwnNet().designate("X", sdn, "P").own("X", "A", "70").own("Y", "A", "60")
	x = n.check(t, "A", Query{}, wantExposure{blocked: true, pct: 70, max: 70})
	if len(x.DataErrors) != 1 || !strings.Contains(x.DataErrors[0], "the stakes in force in A add up to at least 130%") {
		t.Errorf("data errors = %v", x.DataErrors)
	}
}
