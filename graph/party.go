package graph

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// The party structure: which entities are one party. Decisions that two
// entities are the same party (same-as links, MergeLink) join them; the
// entities linked directly or indirectly form a party, and its member with
// the smallest id is its canonical entity, under which readers see the
// union of the members (MergeEntities). Keep-apart decisions (KeepApart)
// forbid joining two entities again. A store keeps the decisions and
// builds Parties from them; merging more (Join) is computed here.

// Parties is the party structure built from same-as links and keep-apart
// decisions. It is immutable: a change builds a new one.
type Parties struct {
	canon   map[uuid.UUID]uuid.UUID   // every member of a party of two or more -> canonical entity
	members map[uuid.UUID][]uuid.UUID // canonical entity -> members, canonical first, then in id order
	apart   map[[2]uuid.UUID]bool     // keep-apart pairs (OrderedPair)
}

// NoParties is the structure of a graph without merges.
var NoParties = NewParties(nil, nil)

// NewParties builds the party structure of the same-as links same and the
// keep-apart pairs apart (in either order).
func NewParties(same, apart [][2]uuid.UUID) *Parties {
	u := unionFind{}
	for _, l := range same {
		u.union(l[0], l[1])
	}
	groups := map[uuid.UUID][]uuid.UUID{}
	for x := range u {
		r := u.find(x)
		groups[r] = append(groups[r], x)
	}
	p := &Parties{canon: map[uuid.UUID]uuid.UUID{}, members: map[uuid.UUID][]uuid.UUID{}, apart: map[[2]uuid.UUID]bool{}}
	for _, ms := range groups {
		if len(ms) < 2 {
			continue
		}
		slices.SortFunc(ms, compareIDs)
		canon := ms[0]
		p.members[canon] = ms
		for _, m := range ms {
			p.canon[m] = canon
		}
	}
	for _, a := range apart {
		p.apart[OrderedPair(a[0], a[1])] = true
	}
	return p
}

// Canonical returns the canonical entity of id's party (id itself if it is
// merged with no other).
func (p *Parties) Canonical(id uuid.UUID) uuid.UUID {
	if x, ok := p.canon[id]; ok {
		return x
	}
	return id
}

// Members returns the members of id's party, the canonical one first, then
// in id order ([id] if it is merged with no other). The slice is shared:
// callers must not change it.
func (p *Parties) Members(id uuid.UUID) []uuid.UUID {
	if m, ok := p.members[p.Canonical(id)]; ok {
		return m
	}
	return []uuid.UUID{id}
}

// Apart reports whether a keep-apart decision holds between a and b.
func (p *Parties) Apart(a, b uuid.UUID) bool { return p.apart[OrderedPair(a, b)] }

// Counts returns the number of parties of two or more entities and the
// number of entities in them.
func (p *Parties) Counts() (parties, merged int) { return len(p.members), len(p.canon) }

// Aliases returns member -> canonical entity for every member of a party
// that is not its canonical entity.
func (p *Parties) Aliases() map[uuid.UUID]uuid.UUID {
	out := make(map[uuid.UUID]uuid.UUID, len(p.canon))
	for m, x := range p.canon {
		if m != x {
			out[m] = x
		}
	}
	return out
}

// OrderedPair returns a and b as a pair, the smaller id first, so that a
// pair has one form whichever way round it is named.
func OrderedPair(a, b uuid.UUID) [2]uuid.UUID {
	if compareIDs(a, b) > 0 {
		a, b = b, a
	}
	return [2]uuid.UUID{a, b}
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// unionFind groups ids; the root of a group is its smallest id.
type unionFind map[uuid.UUID]uuid.UUID

func (u unionFind) find(x uuid.UUID) uuid.UUID {
	p, ok := u[x]
	if !ok || p == x {
		return x
	}
	r := u.find(p)
	u[x] = r
	return r
}

func (u unionFind) union(a, b uuid.UUID) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if compareIDs(ra, rb) > 0 {
		ra, rb = rb, ra
	}
	u[ra] = ra
	u[rb] = ra
}

// Merging more: a store finds the entities that share a name or an
// identifier key (blocks), compares each pair of a block once (Blocker,
// then SameParty) and joins the pairs found to be one party (Join).

// MaxBlock bounds the entities compared for one shared name or identifier:
// a name shared by more is too common to merge on.
const MaxBlock = 40

// Blocker turns blocks, the sets of entities that share a name or
// identifier key, into the pairs worth comparing: pairs of entities of
// different parties, each pair once however many keys its entities share.
type Blocker struct {
	parties *Parties
	seen    map[[2]uuid.UUID]bool
	// Crowded counts the blocks of more than MaxBlock entities, skipped.
	Crowded int
}

// NewBlocker returns a Blocker for a graph with the parties p.
func NewBlocker(p *Parties) *Blocker {
	return &Blocker{parties: p, seen: map[[2]uuid.UUID]bool{}}
}

// Pairs returns the pairs of block not seen in an earlier block whose
// entities are of different parties and, if scopes is not nil (the scope of
// each entity of block, in its order), may be compared at all
// (MergeScope.Comparable). A block of more than MaxBlock entities gives no
// pair, whatever their scopes.
func (b *Blocker) Pairs(block []uuid.UUID, scopes []*MergeScope) [][2]uuid.UUID {
	if len(block) < 2 {
		return nil
	}
	if len(block) > MaxBlock {
		b.Crowded++
		return nil
	}
	var out [][2]uuid.UUID
	for i := range block {
		for j := i + 1; j < len(block); j++ {
			if scopes != nil && !scopes[i].Comparable(scopes[j]) {
				continue
			}
			x, y := block[i], block[j]
			pair := OrderedPair(x, y)
			if b.parties.Canonical(x) == b.parties.Canonical(y) || b.seen[pair] {
				continue
			}
			b.seen[pair] = true
			out = append(out, [2]uuid.UUID{x, y})
		}
	}
	return out
}

// MergeCandidate is a pair of entities SameParty found to be one party.
type MergeCandidate struct {
	A, B     uuid.UUID
	Evidence MergeEvidence
}

// ReasonKeptApart is the Reason of a Refusal that a keep-apart decision
// forbids.
const ReasonKeptApart = "kept apart by a person's decision"

// Refusal is a candidate Join did not join, and why.
type Refusal struct {
	MergeCandidate
	Reason string
}

// Join decides which candidates join parties, and returns them with those
// it refused. It takes them strongest evidence first (by rule, then by how
// many place and name words the records share), then by ids, so that the same
// candidates give the same parties whatever order they came in. A
// candidate is refused when the two parties it would join hold a pair of
// members kept apart, or two members that contradict each other (records
// of one list, different registry numbers, birth dates, ...; see
// Compare). entity returns a member's record as stored, nil if it is not
// (its errors stop Join). p itself does not change.
func (p *Parties) Join(cands []MergeCandidate, entity func(uuid.UUID) (*Entity, error)) (joined []MergeCandidate, refused []Refusal, err error) {
	cands = slices.Clone(cands)
	slices.SortFunc(cands, func(x, y MergeCandidate) int {
		if rx, ry := ruleRank(x.Evidence.Rule), ruleRank(y.Evidence.Rule); rx != ry {
			return rx - ry
		}
		if x.Evidence.score != y.Evidence.score {
			return y.Evidence.score - x.Evidence.score
		}
		if d := compareIDs(x.A, y.A); d != 0 {
			return d
		}
		return compareIDs(x.B, y.B)
	})
	u := unionFind{}
	groups := map[uuid.UUID][]uuid.UUID{} // union-find root -> members
	for canon, ms := range p.members {
		for _, m := range ms {
			u.union(canon, m)
		}
		groups[u.find(canon)] = slices.Clone(ms)
	}
	membersOf := func(x uuid.UUID) []uuid.UUID {
		if ms, ok := groups[u.find(x)]; ok {
			return ms
		}
		return []uuid.UUID{x}
	}
	views := map[uuid.UUID]*MergeView{}
	view := func(id uuid.UUID) (*MergeView, error) {
		if v, ok := views[id]; ok {
			return v, nil
		}
		e, err := entity(id)
		if err != nil {
			return nil, err
		}
		var v *MergeView
		if e != nil {
			v = NewMergeView(e)
		}
		views[id] = v
		return v, nil
	}
	for _, c := range cands {
		ra, rb := u.find(c.A), u.find(c.B)
		if ra == rb {
			continue
		}
		ma, mb := membersOf(c.A), membersOf(c.B)
		reason, err := p.incompatible(ma, mb, view)
		if err != nil {
			return nil, nil, err
		}
		if reason != "" {
			refused = append(refused, Refusal{MergeCandidate: c, Reason: reason})
			continue
		}
		merged := append(slices.Clone(ma), mb...)
		delete(groups, ra)
		delete(groups, rb)
		u.union(c.A, c.B)
		groups[u.find(c.A)] = merged
		joined = append(joined, c)
	}
	return joined, refused, nil
}

// incompatible returns why the parties ma and mb may not be one, "" if
// they may: no pair of their members is kept apart or contradicts each
// other (but for what a shared UN listing overrides).
func (p *Parties) incompatible(ma, mb []uuid.UUID, view func(uuid.UUID) (*MergeView, error)) (string, error) {
	for _, x := range ma {
		for _, y := range mb {
			if p.Apart(x, y) {
				return ReasonKeptApart, nil
			}
			vx, err := view(x)
			if err != nil {
				return "", err
			}
			vy, err := view(y)
			if err != nil {
				return "", err
			}
			if vx == nil || vy == nil {
				continue
			}
			c := contradiction(vx, vy, nil)
			if c == nil || c.overridable() && sharedString(vx.unRefs, vy.unRefs) != "" {
				continue
			}
			return fmt.Sprintf("%s and %s: %s", vx.e.Ref, vy.e.Ref, c.Detail), nil
		}
	}
	return "", nil
}
