package schema

import (
	"context"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

type pathsArgs struct {
	From      graphql.ID
	To        graphql.ID
	MaxHops   *int32
	First     *int32
	Via       *[]string
	Avoid     *[]graphql.ID
	MaxDegree *int32
	AsOf      *string
}

type nearestArgs struct {
	ID        graphql.ID
	MaxHops   *int32
	First     *int32
	Authority *string
	Programme *string
	Via       *[]string
	MaxDegree *int32
	AsOf      *string
}

// common reads the arguments paths and linksToSanctioned share.
func common(maxHops, first, maxDegree *int32, asOf *string, via *[]string) (hops, k, deg int, day graph.Day, hasDay bool, kinds []graph.RelType, err error) {
	if maxHops != nil {
		if *maxHops < 1 {
			return 0, 0, 0, 0, false, nil, badInput("maxHops must be at least 1")
		}
		hops = int(*maxHops)
	}
	if first != nil {
		if *first < 1 {
			return 0, 0, 0, 0, false, nil, badInput("first must be at least 1")
		}
		k = int(*first)
	}
	if maxDegree != nil {
		if *maxDegree < 1 {
			return 0, 0, 0, 0, false, nil, badInput("maxDegree must be at least 1")
		}
		deg = int(*maxDegree)
	}
	if asOf != nil {
		d, ok := graph.ParseDay(*asOf, false)
		if !ok || len(*asOf) != 10 {
			return 0, 0, 0, 0, false, nil, badInput("asOf must be a date as YYYY-MM-DD")
		}
		day, hasDay = d, true
	}
	kinds, err = parseKinds(via)
	return
}

func (r *Resolver) Paths(ctx context.Context, args pathsArgs) (*pathResultResolver, error) {
	fromRes, err := r.lookup(ctx, "from", args.From)
	if err != nil {
		return nil, err
	}
	toRes, err := r.lookup(ctx, "to", args.To)
	if err != nil {
		return nil, err
	}
	from, to := fromRes.ID, toRes.ID
	hops, k, deg, day, hasDay, kinds, err := common(args.MaxHops, args.First, args.MaxDegree, args.AsOf, args.Via)
	if err != nil {
		return nil, err
	}
	var avoid []uuid.UUID
	if args.Avoid != nil {
		if len(*args.Avoid) > MaxEntitiesArg {
			return nil, badInput("at most 100 ids in avoid")
		}
		for _, a := range *args.Avoid {
			u, err := r.lookup(ctx, "avoid", a)
			if err != nil {
				return nil, err
			}
			if u.ID == from || u.ID == to {
				return nil, badInput("avoid names an end of the path")
			}
			avoid = append(avoid, u.ID)
		}
	}
	res, err := r.g.Paths(ctx, graph.PathQuery{From: from, To: to, MaxHops: hops, K: k, Via: kinds, Avoid: avoid,
		MaxDegree: deg, AsOf: day, HasAsOf: hasDay, MaxVisited: r.limits.MaxVisited, Load: pathLoad(ctx)})
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return r.pathResult(ctx, res, fromRes, toRes)
}

func (r *Resolver) LinksToSanctioned(ctx context.Context, args nearestArgs) (*pathResultResolver, error) {
	fromRes, err := r.lookup(ctx, "id", args.ID)
	if err != nil {
		return nil, err
	}
	from := fromRes.ID
	hops, k, deg, day, hasDay, kinds, err := common(args.MaxHops, args.First, args.MaxDegree, args.AsOf, args.Via)
	if err != nil {
		return nil, err
	}
	q := graph.NearestQuery{From: from, MaxHops: hops, K: k, Via: kinds, MaxDegree: deg, AsOf: day, HasAsOf: hasDay,
		MaxVisited: r.limits.MaxVisited, Load: pathLoad(ctx)}
	if args.Authority != nil {
		q.Authority = *args.Authority
	}
	if args.Programme != nil {
		q.Programme = *args.Programme
	}
	res, err := r.g.Nearest(ctx, q)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return r.pathResult(ctx, res, fromRes)
}

// pathLoad says what a path query must read with the paths for the
// fields selected under it (ctx is the paths or linksToSanctioned field's):
// a step's kind and direction come with the path; its relationship
// records and the entities on the path are read on the search's snapshot
// only when a field shows them.
func pathLoad(ctx context.Context) graph.PathLoad {
	var load graph.PathLoad
	for _, f := range graphql.SelectedFieldNames(ctx) {
		switch {
		case f == "paths.steps.relationships",
			strings.HasPrefix(f, "paths.steps.relationship.") && f != "paths.steps.relationship.kind" && f != "paths.steps.relationship.label":
			load.Relationships = true
		case isPathEntityField(strings.TrimPrefix(f, "paths.")):
			load.Entities = true
		}
	}
	return load
}

// isPathEntityField reports whether f, a field under Path, is one of the
// entities on the path. pathEntityResolver relies on them being read with
// the path whenever one is selected.
func isPathEntityField(f string) bool {
	return f == "start" || f == "end" || f == "steps.from" || f == "steps.to"
}

// pathResult makes resolvers for the paths found; the entities read with
// them go into the request's cache. resolved says how the ids or names of
// the query were resolved.
func (r *Resolver) pathResult(ctx context.Context, res *graph.PathResult, resolved ...graph.Resolution) (*pathResultResolver, error) {
	if err := r.prime(ctx, res.Entities); err != nil {
		return nil, err
	}
	n := 0
	for _, p := range res.Paths {
		for _, st := range p.Steps {
			n += len(st.Relationships)
		}
	}
	if err := spend(ctx, n); err != nil {
		return nil, err
	}
	out := &pathResultResolver{res: res, paths: make([]*pathResolver, len(res.Paths)), resolved: r.resolutions(resolved)}
	for i := range res.Paths {
		out.paths[i] = r.pathOf(&res.Paths[i], res.Entities)
	}
	return out, nil
}

// pathOf makes the resolver of path p; ents holds the entities on it,
// read with it, when a field under the path shows them (pathLoad).
func (r *Resolver) pathOf(p *graph.Path, ents map[uuid.UUID]*graph.Entity) *pathResolver {
	pr := &pathResolver{r: r, p: p, ents: ents, steps: make([]*stepResolver, len(p.Steps))}
	for i := range p.Steps {
		pr.steps[i] = &stepResolver{r: r, st: &p.Steps[i], ents: ents}
	}
	return pr
}

// pathEntityResolver resolves an entity on a path. The entity was read
// with the path (ents), so its id, kind and name need no read and resolve
// without a context or an error: graphql-go runs every field whose
// resolver takes a context or returns an error on a goroutine of its own,
// and every field above such a field too. Read lazily, a path of four
// steps asked for "steps { forward relationship { kind } to { id name } }"
// ran about 30 goroutines, half the time of BenchmarkPathsQuery. Its other
// fields are the entityResolver's.
type pathEntityResolver struct{ *entityResolver }

// pathEntity returns the resolver of entity id on a path. ents holds every
// entity on the path whenever a field under it shows one (isPathEntityField):
// store.Paths reads them (pathLoad), exposure chains in Chains.
func (r *Resolver) pathEntity(id uuid.UUID, ents map[uuid.UUID]*graph.Entity) pathEntityResolver {
	e := r.entityByID(id)
	if x, ok := ents[id]; ok {
		e.once.Do(func() { e.e = x })
	}
	return pathEntityResolver{e}
}

func (e pathEntityResolver) ID() graphql.ID {
	if e.e == nil { // not read with the path: cannot happen (see pathEntity)
		return graphql.ID(e.id.String())
	}
	return entityID(e.e)
}

func (e pathEntityResolver) Kind() string {
	if e.e == nil {
		return ""
	}
	return e.e.Schema
}

func (e pathEntityResolver) Name() string {
	if e.e == nil {
		return ""
	}
	return e.e.Name()
}

type pathResultResolver struct {
	res      *graph.PathResult
	paths    []*pathResolver
	resolved []*resolutionResolver
}

func (p *pathResultResolver) Paths() []*pathResolver          { return p.paths }
func (p *pathResultResolver) Resolved() []*resolutionResolver { return p.resolved }
func (p *pathResultResolver) Truncated() bool                 { return p.res.Truncated() }
func (p *pathResultResolver) Visited() int32                  { return int32(p.res.Visited) }
func (p *pathResultResolver) Limits() []string {
	if p.res.Limits == nil {
		return []string{}
	}
	return p.res.Limits
}

type pathResolver struct {
	r     *Resolver
	p     *graph.Path
	ents  map[uuid.UUID]*graph.Entity
	steps []*stepResolver
}

func (p *pathResolver) Hops() int32               { return int32(p.p.Hops()) }
func (p *pathResolver) Start() pathEntityResolver { return p.r.pathEntity(p.p.Entities[0], p.ents) }
func (p *pathResolver) End() pathEntityResolver {
	return p.r.pathEntity(p.p.Entities[len(p.p.Entities)-1], p.ents)
}
func (p *pathResolver) Steps() []*stepResolver { return p.steps }

// stepResolver resolves one step of a path as the search handed it back:
// its kind and direction, and its relationships when they were read.
type stepResolver struct {
	r    *Resolver
	st   *graph.Step
	ents map[uuid.UUID]*graph.Entity
}

func (s *stepResolver) From() pathEntityResolver { return s.r.pathEntity(s.st.From, s.ents) }
func (s *stepResolver) To() pathEntityResolver   { return s.r.pathEntity(s.st.To, s.ents) }
func (s *stepResolver) Forward() bool            { return s.st.Forward() }

func (s *stepResolver) Relationship() *relResolver {
	if len(s.st.Relationships) > 0 {
		return &relResolver{r: s.r, rel: s.st.Relationships[0]}
	}
	return &relResolver{r: s.r, kind: s.st.Kind()}
}

func (s *stepResolver) Relationships() []*relResolver {
	out := make([]*relResolver, len(s.st.Relationships))
	for i, rel := range s.st.Relationships {
		out[i] = &relResolver{r: s.r, rel: rel}
	}
	return out
}
