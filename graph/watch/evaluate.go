package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// Source is what an evaluation reads. *store.Store provides it (through
// an adapter that adds Designations).
type Source interface {
	Screen(ctx context.Context, q screen.Query) (*screen.Result, error)
	Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error)
	OwnershipExposure(ctx context.Context, q exposure.Query) (*exposure.Result, error)
	// Resolve returns the canonical id of the entity ref names.
	Resolve(ctx context.Context, ref string) (uuid.UUID, error)
	// Entity returns an entity (a merged party as one).
	Entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error)
	// Designations returns the designations of an entity, ended or not.
	Designations(ctx context.Context, id uuid.UUID) ([]graph.Designation, error)
	// Members returns the records merged as the party of entity id, id
	// alone if it is merged with none.
	Members(id uuid.UUID) []uuid.UUID
}

// Evaluate finds the state of party p under settings s: its screening
// hits, the nearest designated entities within s.Hops of its own entity
// and of its hits, and its ownership exposure. now stamps the state and
// decides which designations are in force. Only the party's definition
// and the graph decide the result, so that evaluating again with nothing
// changed gives the same subjects and fingerprints.
func Evaluate(ctx context.Context, src Source, s Settings, p *Party, now time.Time) (*State, error) {
	set := s.Normalized()
	ev := &evaluation{src: src, set: set, today: now.UTC().Format("2006-01-02"),
		ents: map[uuid.UUID]*graph.Entity{}, desig: map[uuid.UUID][]Designation{}}
	st := &State{Evaluated: now.UTC(), Input: Input(p, set)}
	var own uuid.UUID
	if p.Entity != "" {
		id, err := src.Resolve(ctx, p.Entity)
		switch {
		case errors.Is(err, graph.ErrNotFound), errors.Is(err, graph.ErrAmbiguous):
			st.Notes = append(st.Notes, fmt.Sprintf("entity: %q names no single entity of the graph (yet)", p.Entity))
		case err != nil:
			return nil, err
		default:
			e, err := ev.entity(ctx, id)
			if err != nil {
				return nil, err
			}
			own = id
			ref := RefOf(e)
			st.Entity = &ref
		}
	}
	if err := ev.hits(ctx, p, own, st); err != nil {
		return nil, err
	}
	if err := ev.paths(ctx, own, st); err != nil {
		return nil, err
	}
	if err := ev.exposure(ctx, own, st); err != nil {
		return nil, err
	}
	st.Related = ev.related(own, st)
	return st, nil
}

type evaluation struct {
	src   Source
	set   Settings
	today string
	ents  map[uuid.UUID]*graph.Entity
	desig map[uuid.UUID][]Designation // in force, counting for the watchlist
}

func (ev *evaluation) entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error) {
	if e, ok := ev.ents[id]; ok {
		return e, nil
	}
	e, err := ev.src.Entity(ctx, id)
	if err != nil {
		return nil, err
	}
	ev.ents[id] = e
	return e, nil
}

// designations returns the designations of id in force today by the
// watchlist's authority, sorted.
func (ev *evaluation) designations(ctx context.Context, id uuid.UUID) ([]Designation, error) {
	if d, ok := ev.desig[id]; ok {
		return d, nil
	}
	ds, err := ev.src.Designations(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []Designation
	for _, d := range ds {
		if d.Active(ev.today) && graph.MatchAuthority(ev.set.Authority, d.Authority) {
			out = append(out, DesignationOf(d))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Authority != b.Authority {
			return a.Authority < b.Authority
		}
		if a.Programme != b.Programme {
			return a.Programme < b.Programme
		}
		return a.Reference < b.Reference
	})
	ev.desig[id] = out
	return out, nil
}

// hits screens every name of the party and keeps each entity's best hit.
func (ev *evaluation) hits(ctx context.Context, p *Party, own uuid.UUID, st *State) error {
	best := map[uuid.UUID]screen.Hit{}
	for _, q := range p.Queries(ev.set) {
		res, err := ev.src.Screen(ctx, q)
		if err != nil {
			return fmt.Errorf("screen %q: %w", q.Name, err)
		}
		if res.Truncated {
			st.Notes = appendNote(st.Notes, "screening: more candidates than were scored")
		}
		for _, h := range res.Hits {
			if h.ID == own {
				continue // the party's own entity is not a hit on it
			}
			if b, ok := best[h.ID]; !ok || h.Score > b.Score {
				best[h.ID] = h
			}
		}
	}
	hits := make([]screen.Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return bytes.Compare(hits[i].ID[:], hits[j].ID[:]) < 0
	})
	if len(hits) > ev.set.MaxHits {
		hits = hits[:ev.set.MaxHits]
		st.Notes = appendNote(st.Notes, fmt.Sprintf("screening: more than %d hits; the best kept", ev.set.MaxHits))
	}
	for _, h := range hits {
		e, err := ev.entity(ctx, h.ID)
		if errors.Is(err, graph.ErrNotFound) {
			continue // gone since the screen
		}
		if err != nil {
			return err
		}
		ds, err := ev.designations(ctx, h.ID)
		if err != nil {
			return err
		}
		ref := RefOf(e)
		ref.ID, ref.Members = h.ID, ev.members(h.ID)
		st.Hits = append(st.Hits, Hit{Entity: ref, Score: round3(h.Score), Matched: h.Matched, Explanation: h.Summary(),
			Designated: len(ds) > 0, Designations: ds, Names: StrongNames(e)})
	}
	return nil
}

// members returns the records of a merged party, sorted; nil for an
// entity merged with none.
func (ev *evaluation) members(id uuid.UUID) []uuid.UUID {
	m := ev.src.Members(id)
	if len(m) < 2 {
		return nil
	}
	m = slices.Clone(m)
	slices.SortFunc(m, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return m
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// StrongNames returns an entity's names, aliases and previous names (not
// its weak aliases), trimmed, sorted and without repeats.
func StrongNames(e *graph.Entity) []string {
	var out []string
	for _, p := range []string{"name", "alias", "previousName"} {
		for _, n := range e.Props[p] {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// anchors returns where the party is in the graph: its own entity first,
// then its hits by id.
func anchors(own uuid.UUID, st *State) []anchor {
	var out []anchor
	if own != uuid.Nil {
		out = append(out, anchor{own, "entity"})
	}
	var hs []anchor
	for _, h := range st.Hits {
		hs = append(hs, anchor{h.Entity.ID, "hit"})
	}
	sort.Slice(hs, func(i, j int) bool { return bytes.Compare(hs[i].id[:], hs[j].id[:]) < 0 })
	return append(out, hs...)
}

type anchor struct {
	id  uuid.UUID
	via string
}

// paths finds, from each anchor, the nearest designated entities within
// the hops; each designated entity keeps its shortest path (from the
// first anchor at equal length). Designated hits and the party's own
// entity are not path ends.
func (ev *evaluation) paths(ctx context.Context, own uuid.UUID, st *State) error {
	skip := map[uuid.UUID]bool{own: true}
	for _, h := range st.Hits {
		if h.Designated {
			skip[h.Entity.ID] = true
		}
	}
	found := map[uuid.UUID]*PathEvidence{}
	for _, a := range anchors(own, st) {
		// More than MaxPaths: designated hits come out too, and are skipped.
		q := graph.NearestQuery{From: a.id, MaxHops: ev.set.Hops, K: min(graph.MaxPathsLimit, ev.set.MaxPaths+len(skip)+1), Authority: ev.set.Authority,
			Load: graph.PathLoad{Relationships: true, Entities: true}}
		res, err := ev.src.Nearest(ctx, q)
		if errors.Is(err, graph.ErrNotFound) {
			continue // not in the graph index (no longer stored)
		}
		if err != nil {
			return err
		}
		if res.Truncated() {
			st.Notes = appendNote(st.Notes, "paths: the search from "+a.id.String()+" was cut ("+strings.Join(res.Limits, ", ")+")")
		}
		for i := range res.Paths {
			gp := &res.Paths[i]
			if gp.Hops() == 0 {
				continue
			}
			t := gp.Entities[len(gp.Entities)-1]
			if skip[t] {
				continue
			}
			if have, ok := found[t]; ok && have.Hops() <= gp.Hops() {
				continue
			}
			ds, err := ev.designations(ctx, t)
			if err != nil {
				return err
			}
			if len(ds) == 0 {
				continue // ends today: no longer in force
			}
			pe := &PathEvidence{Target: entityRef(res.Entities, t), Start: entityRef(res.Entities, a.id), Via: a.via, Designations: ds}
			pe.Target.Members = ev.members(t)
			for j := range gp.Steps {
				pe.Steps = append(pe.Steps, stepOf(&gp.Steps[j], res.Entities))
			}
			found[t] = pe
		}
	}
	for _, p := range found {
		st.Paths = append(st.Paths, *p)
	}
	sort.Slice(st.Paths, func(i, j int) bool {
		a, b := &st.Paths[i], &st.Paths[j]
		if a.Hops() != b.Hops() {
			return a.Hops() < b.Hops()
		}
		return bytes.Compare(a.Target.ID[:], b.Target.ID[:]) < 0
	})
	if len(st.Paths) > ev.set.MaxPaths {
		st.Paths = st.Paths[:ev.set.MaxPaths]
		st.Notes = appendNote(st.Notes, fmt.Sprintf("paths: more than %d designated entities within %d hops; the nearest kept", ev.set.MaxPaths, ev.set.Hops))
	}
	return nil
}

func entityRef(ents map[uuid.UUID]*graph.Entity, id uuid.UUID) EntityRef {
	if e := ents[id]; e != nil {
		r := RefOf(e)
		r.ID = id
		return r
	}
	return EntityRef{ID: id, Ref: id.String(), Name: id.String()}
}

// stepOf describes a step of a path with the sources of its relationships.
func stepOf(gs *graph.Step, ents map[uuid.UUID]*graph.Entity) Step {
	s := Step{From: entityRef(ents, gs.From), To: entityRef(ents, gs.To), Kind: gs.Kind().String(), Forward: gs.Forward()}
	for _, r := range gs.Relationships {
		if s.Role == "" && r.Kind == gs.Kind() {
			s.Role = r.Role()
		}
		for _, src := range r.Sources {
			if !slices.Contains(s.Sources, src) {
				s.Sources = append(s.Sources, src)
			}
		}
	}
	return s
}

// exposure computes the 50% rule for the party's own entity and for its
// hits that are not designated themselves (a designated hit is already
// an alert of its own): the first blocked one is the party's exposure,
// else the first possibly blocked.
func (ev *evaluation) exposure(ctx context.Context, own uuid.UUID, st *State) error {
	authority := ev.set.Authority
	if authority == "" {
		authority = exposure.AnyAuthority
	}
	var possibly *Exposure
	for _, a := range anchors(own, st) {
		if h := st.hit(a.id); h != nil && h.Designated {
			continue
		}
		r, err := ev.src.OwnershipExposure(ctx, exposure.Query{Entity: a.id, Authority: authority})
		if errors.Is(err, graph.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if r.Designated || !(r.Blocked || r.PossiblyBlocked) {
			continue
		}
		e, err := ev.entity(ctx, a.id)
		if err != nil {
			return err
		}
		x := &Exposure{Entity: RefOf(e), Blocked: r.Blocked, PossiblyBlocked: r.PossiblyBlocked,
			Percentage: r.Percentage, MaxPercentage: r.MaxPercentage, Explanation: r.Explanation()}
		x.Entity.ID = a.id
		for _, c := range r.Chains {
			var steps []Step
			for j := range c.Steps {
				s, err := ev.chainStep(ctx, &c.Steps[j])
				if err != nil {
					return err
				}
				steps = append(steps, s)
			}
			x.Chains = append(x.Chains, steps)
		}
		if x.Blocked {
			st.Exposure = x
			return nil
		}
		if possibly == nil {
			possibly = x
		}
	}
	st.Exposure = possibly
	return nil
}

func (ev *evaluation) chainStep(ctx context.Context, gs *graph.Step) (Step, error) {
	ents := map[uuid.UUID]*graph.Entity{}
	for _, id := range []uuid.UUID{gs.From, gs.To} {
		e, err := ev.entity(ctx, id)
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			return Step{}, err
		}
		ents[id] = e
	}
	return stepOf(gs, ents), nil
}

// related lists the entities the state rests on, sorted.
func (ev *evaluation) related(own uuid.UUID, st *State) []uuid.UUID {
	set := map[uuid.UUID]bool{}
	if own != uuid.Nil {
		set[own] = true
	}
	for _, h := range st.Hits {
		set[h.Entity.ID] = true
	}
	for _, p := range st.Paths {
		set[p.Start.ID] = true
		for _, s := range p.Steps {
			set[s.To.ID] = true
		}
	}
	if x := st.Exposure; x != nil {
		set[x.Entity.ID] = true
		for _, c := range x.Chains {
			for _, s := range c {
				set[s.From.ID], set[s.To.ID] = true, true
			}
		}
	}
	out := make([]uuid.UUID, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

func appendNote(notes []string, n string) []string {
	if slices.Contains(notes, n) || len(notes) >= 20 {
		return notes
	}
	return append(notes, n)
}
