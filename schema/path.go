package schema

import (
	"context"
	"slices"
	"sync"

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
	from, err := r.resolve(ctx, args.From)
	if err != nil {
		return nil, err
	}
	to, err := r.resolve(ctx, args.To)
	if err != nil {
		return nil, err
	}
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
			u, err := r.resolve(ctx, a)
			if err != nil {
				return nil, err
			}
			if u == from || u == to {
				return nil, badInput("avoid names an end of the path")
			}
			avoid = append(avoid, u)
		}
	}
	res, err := r.g.Paths(ctx, graph.PathQuery{From: from, To: to, MaxHops: hops, K: k, Via: kinds, Avoid: avoid,
		MaxDegree: deg, AsOf: day, HasAsOf: hasDay, MaxVisited: r.limits.MaxVisited})
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return r.pathResult(ctx, res, kinds, day, hasDay)
}

func (r *Resolver) LinksToSanctioned(ctx context.Context, args nearestArgs) (*pathResultResolver, error) {
	from, err := r.resolve(ctx, args.ID)
	if err != nil {
		return nil, err
	}
	hops, k, deg, day, hasDay, kinds, err := common(args.MaxHops, args.First, args.MaxDegree, args.AsOf, args.Via)
	if err != nil {
		return nil, err
	}
	q := graph.NearestQuery{From: from, MaxHops: hops, K: k, Via: kinds, MaxDegree: deg, AsOf: day, HasAsOf: hasDay, MaxVisited: r.limits.MaxVisited}
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
	return r.pathResult(ctx, res, kinds, day, hasDay)
}

// pathResult makes resolvers for the paths found. A step's relationships
// are read only when a field needs more than their kind and direction,
// which the graph index gives.
func (r *Resolver) pathResult(ctx context.Context, res *graph.PathSearch, via []graph.RelType, day graph.Day, hasDay bool) (*pathResultResolver, error) {
	out := &pathResultResolver{res: res, paths: []*pathResolver{}}
	for _, nodes := range res.Paths {
		p := &pathResolver{r: r, nodes: nodes, steps: []*stepResolver{}}
		for i := 0; i+1 < len(nodes); i++ {
			p.steps = append(p.steps, &stepResolver{r: r, from: nodes[i], to: nodes[i+1], via: via, day: day, hasDay: hasDay})
		}
		out.paths = append(out.paths, p)
	}
	return out, nil
}

type pathResultResolver struct {
	res   *graph.PathSearch
	paths []*pathResolver
}

func (p *pathResultResolver) Paths() []*pathResolver { return p.paths }
func (p *pathResultResolver) Truncated() bool        { return p.res.Truncated() }
func (p *pathResultResolver) Visited() int32         { return int32(p.res.Visited) }
func (p *pathResultResolver) Limits() []string {
	if p.res.Limits == nil {
		return []string{}
	}
	return p.res.Limits
}

type pathResolver struct {
	r     *Resolver
	nodes []uuid.UUID
	steps []*stepResolver
}

func (p *pathResolver) Hops() int32            { return int32(len(p.nodes) - 1) }
func (p *pathResolver) Start() *entityResolver { return p.r.entityByID(p.nodes[0]) }
func (p *pathResolver) End() *entityResolver   { return p.r.entityByID(p.nodes[len(p.nodes)-1]) }
func (p *pathResolver) Steps() []*stepResolver { return p.steps }

type stepResolver struct {
	r        *Resolver
	from, to uuid.UUID
	via      []graph.RelType
	day      graph.Day
	hasDay   bool

	once sync.Once
	rels []*graph.Relationship // strongest kind first, then by id
	err  error
}

// load reads the relationships between the step's entities.
func (s *stepResolver) load(ctx context.Context) ([]*graph.Relationship, error) {
	s.once.Do(func() {
		rels, err := s.r.g.Between(ctx, s.from, s.to, s.via, s.day, s.hasDay)
		if err == nil {
			err = spend(ctx, len(rels))
		}
		if err == nil && len(rels) == 0 {
			err = &Error{Code: CodeConflict, Message: "the relationships of this step changed while the query ran; ask again"}
		}
		if err != nil {
			s.err = s.r.userError(ctx, err)
			return
		}
		slices.SortStableFunc(rels, func(a, b *graph.Relationship) int { return a.Kind.Weakness() - b.Kind.Weakness() })
		s.rels = rels
	})
	return s.rels, s.err
}

// primary returns what the index says of the step's strongest relationship:
// its kind, and its direction if that is unambiguous.
func (s *stepResolver) primary() (kind graph.RelType, forward, known bool) {
	best := -1
	dirs := 0 // 1: forward seen, 2: backward seen, for the best kind
	for _, l := range s.r.g.LinksBetween(s.from, s.to) {
		if len(s.via) > 0 && !slices.Contains(s.via, l.Kind) {
			continue
		}
		if s.hasDay {
			if from, to := l.Validity(); s.day < from || s.day > to {
				continue
			}
		}
		d := 2
		if l.Out {
			d = 1
		}
		switch w := l.Kind.Weakness(); {
		case best < 0 || w < best:
			best, kind, dirs = w, l.Kind, d
		case w == best:
			dirs |= d
		}
	}
	return kind, dirs == 1, best >= 0 && dirs != 3
}

func (s *stepResolver) From() *entityResolver { return s.r.entityByID(s.from) }
func (s *stepResolver) To() *entityResolver   { return s.r.entityByID(s.to) }

func (s *stepResolver) Relationship(ctx context.Context) (*relResolver, error) {
	if kind, _, ok := s.primary(); ok {
		return &relResolver{r: s.r, step: s, kind: kind}, nil
	}
	rels, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return &relResolver{r: s.r, rel: rels[0]}, nil
}

func (s *stepResolver) Relationships(ctx context.Context) ([]*relResolver, error) {
	rels, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*relResolver, len(rels))
	for i, rel := range rels {
		out[i] = &relResolver{r: s.r, rel: rel}
	}
	return out, nil
}

func (s *stepResolver) Forward(ctx context.Context) (bool, error) {
	if _, fwd, ok := s.primary(); ok {
		return fwd, nil
	}
	rels, err := s.load(ctx)
	if err != nil {
		return false, err
	}
	return rels[0].Source == s.from, nil
}
