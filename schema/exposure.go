package schema

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
)

// ExposureGraph is the read side ownershipExposure needs (part of Graph).
type ExposureGraph interface {
	OwnershipExposure(ctx context.Context, q exposure.Query) (*exposure.Result, error)
}

type ownershipExposureArgs struct {
	ID        graphql.ID
	Authority *string
	AsOf      *string
	MaxDepth  *int32
}

const maxOwnershipAuthorityArg = 200

// OwnershipExposure answers whether an entity is blocked under the OFAC 50
// Percent Rule.
func (r *Resolver) OwnershipExposure(ctx context.Context, args ownershipExposureArgs) (*ownershipExposureResolver, error) {
	res, err := r.lookup(ctx, "id", args.ID)
	if err != nil {
		return nil, err
	}
	q := exposure.Query{Entity: res.ID, MaxVisited: r.limits.MaxVisited}
	if q.MaxVisited > exposure.DefaultMaxVisited || q.MaxVisited <= 0 {
		q.MaxVisited = exposure.DefaultMaxVisited
	}
	if args.Authority != nil {
		a := strings.TrimSpace(*args.Authority)
		if a == "" || len(a) > maxOwnershipAuthorityArg {
			return nil, badInput("authority must be 1 to 200 bytes (OFAC, UN Security Council, EU, ANY, ...)")
		}
		q.Authority = a
	}
	if args.AsOf != nil {
		d, ok := graph.ParseDay(*args.AsOf, false)
		if !ok || len(*args.AsOf) != 10 {
			return nil, badInput("asOf must be a date as YYYY-MM-DD")
		}
		q.AsOf, q.HasAsOf = d, true
	}
	if args.MaxDepth != nil {
		if *args.MaxDepth < 1 || *args.MaxDepth > exposure.MaxDepth {
			return nil, badInput("maxDepth must be between 1 and 20")
		}
		q.MaxDepth = int(*args.MaxDepth)
	}
	x, err := r.g.OwnershipExposure(ctx, q)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	if err := spend(ctx, x.Visited); err != nil {
		return nil, err
	}
	return &ownershipExposureResolver{r: r, x: x, resolved: res}, nil
}

type ownershipExposureResolver struct {
	r        *Resolver
	x        *exposure.Result
	resolved graph.Resolution
}

func (e *ownershipExposureResolver) Resolved() *resolutionResolver {
	return &resolutionResolver{r: e.r, res: e.resolved}
}

func (e *ownershipExposureResolver) Entity() *entityResolver { return e.r.entityByID(e.x.Entity) }
func (e *ownershipExposureResolver) Blocked() bool           { return e.x.Blocked }
func (e *ownershipExposureResolver) Percentage() float64     { return e.x.Percentage }
func (e *ownershipExposureResolver) MaxPercentage() float64  { return e.x.MaxPercentage }
func (e *ownershipExposureResolver) Complete() bool          { return e.x.Complete }
func (e *ownershipExposureResolver) PossiblyBlocked() bool   { return e.x.PossiblyBlocked }
func (e *ownershipExposureResolver) Designated() bool        { return e.x.Designated }
func (e *ownershipExposureResolver) Explanation() string     { return e.x.Explanation() }
func (e *ownershipExposureResolver) Authority() string       { return e.x.Authority }
func (e *ownershipExposureResolver) AsOf() string            { return e.x.AsOf.String() }
func (e *ownershipExposureResolver) Visited() int32          { return int32(e.x.Visited) }
func (e *ownershipExposureResolver) Truncated() bool         { return e.x.Truncated() }
func (e *ownershipExposureResolver) Limits() []string        { return ownershipNonNil(e.x.Limits) }
func (e *ownershipExposureResolver) DataErrors() []string    { return ownershipNonNil(e.x.DataErrors) }
func (e *ownershipExposureResolver) Designations() []designationResolver {
	return ownershipDesignations(e.x.Designations)
}

func ownershipNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ownershipDesignations(ds []graph.Designation) []designationResolver {
	out := make([]designationResolver, len(ds))
	for i, d := range ds {
		out[i] = designationResolver{d}
	}
	return out
}

// Chains are paths of owns steps, from the designated person down. The
// entities on them are read here when a field shows them, as store.Paths
// reads those of paths (pathEntityResolver relies on it).
func (e *ownershipExposureResolver) Chains(ctx context.Context) ([]*pathResolver, error) {
	var ents map[uuid.UUID]*graph.Entity
	if slices.ContainsFunc(graphql.SelectedFieldNames(ctx), isPathEntityField) {
		ents = map[uuid.UUID]*graph.Entity{}
		for _, p := range e.x.Chains {
			for _, id := range p.Entities {
				if _, ok := ents[id]; ok {
					continue
				}
				x, err := e.r.entity(ctx, id)
				if err != nil {
					return nil, e.r.userError(ctx, err)
				}
				ents[id] = x
			}
		}
	}
	out := make([]*pathResolver, len(e.x.Chains))
	for i := range e.x.Chains {
		out[i] = e.r.pathOf(&e.x.Chains[i], ents)
	}
	return out, nil
}

func (e *ownershipExposureResolver) Owners() []*ownershipStakeResolver {
	out := make([]*ownershipStakeResolver, len(e.x.Owners))
	for i := range e.x.Owners {
		out[i] = &ownershipStakeResolver{r: e.r, s: &e.x.Owners[i]}
	}
	return out
}

func (e *ownershipExposureResolver) BlockedParties() []*ownershipPartyResolver {
	out := make([]*ownershipPartyResolver, len(e.x.Parties))
	for i := range e.x.Parties {
		out[i] = &ownershipPartyResolver{r: e.r, p: &e.x.Parties[i]}
	}
	return out
}

func (e *ownershipExposureResolver) ControlledBy() []*ownershipControlResolver {
	out := make([]*ownershipControlResolver, len(e.x.Controllers))
	for i := range e.x.Controllers {
		out[i] = &ownershipControlResolver{r: e.r, c: &e.x.Controllers[i]}
	}
	return out
}

func (e *ownershipExposureResolver) ControlledByBlocked() bool {
	for _, c := range e.x.Controllers {
		if c.Blocked {
			return true
		}
	}
	return false
}

// ownershipEntity returns the entity's resolver, or nil when no entity has id
// (a relationship may name one not ingested).
func (r *Resolver) ownershipEntity(ctx context.Context, id uuid.UUID) (*entityResolver, error) {
	if _, err := r.entity(ctx, id); err != nil {
		if errors.Is(err, graph.ErrNotFound) {
			return nil, nil
		}
		return nil, r.userError(ctx, err)
	}
	return r.entityByID(id), nil
}

func ownershipRels(r *Resolver, rels []*graph.Relationship) []*relResolver {
	out := make([]*relResolver, len(rels))
	for i, rel := range rels {
		out[i] = &relResolver{r: r, rel: rel}
	}
	return out
}

// ownershipRef is the id of entity id as readers see it (a merged
// party's one id), or, while it is not in the graph, the id a relationship
// states for it.
func (r *Resolver) ownershipRef(ctx context.Context, id uuid.UUID, rels []*graph.Relationship, source bool) (graphql.ID, error) {
	stated := ""
	for _, rel := range rels {
		if source && rel.Source == id && rel.SourceRef != "" {
			stated = rel.SourceRef
			break
		}
		if !source && rel.Target == id && rel.TargetRef != "" {
			stated = rel.TargetRef
			break
		}
	}
	return r.publicID(ctx, id, stated)
}

type ownershipStakeResolver struct {
	r *Resolver
	s *exposure.OwnerStake
}

func (s *ownershipStakeResolver) Owner(ctx context.Context) (*entityResolver, error) {
	return s.r.ownershipEntity(ctx, s.s.Owner)
}
func (s *ownershipStakeResolver) OwnerID(ctx context.Context) (graphql.ID, error) {
	return s.r.ownershipRef(ctx, s.s.Owner, s.s.Rels, true)
}
func (s *ownershipStakeResolver) Relationships() []*relResolver {
	return ownershipRels(s.r, s.s.Rels)
}
func (s *ownershipStakeResolver) Percentage() *float64 {
	if !s.s.Share.Known() {
		return nil
	}
	v := s.s.Share.Min
	return &v
}
func (s *ownershipStakeResolver) MinPercentage() float64     { return s.s.Share.Min }
func (s *ownershipStakeResolver) MaxPercentage() float64     { return s.s.Share.Max }
func (s *ownershipStakeResolver) Stated() *string            { return opt(s.s.Share.Stated) }
func (s *ownershipStakeResolver) Counted() bool              { return s.s.Counted }
func (s *ownershipStakeResolver) OwnerBlocked() bool         { return s.s.OwnerBlocked }
func (s *ownershipStakeResolver) OwnerPossiblyBlocked() bool { return s.s.OwnerPossiblyBlocked }
func (s *ownershipStakeResolver) OwnerReason() string        { return s.s.OwnerReason }
func (s *ownershipStakeResolver) Note() *string              { return opt(s.s.Note) }

type ownershipPartyResolver struct {
	r *Resolver
	p *exposure.Party
}

func (p *ownershipPartyResolver) Entity(ctx context.Context) (*entityResolver, error) {
	return p.r.ownershipEntity(ctx, p.p.ID)
}
func (p *ownershipPartyResolver) EntityID(ctx context.Context) (graphql.ID, error) {
	return p.r.publicID(ctx, p.p.ID, "")
}
func (p *ownershipPartyResolver) Blocked() bool          { return p.p.Blocked }
func (p *ownershipPartyResolver) PossiblyBlocked() bool  { return p.p.PossiblyBlocked }
func (p *ownershipPartyResolver) Designated() bool       { return p.p.Designated }
func (p *ownershipPartyResolver) Percentage() float64    { return p.p.Percentage }
func (p *ownershipPartyResolver) MaxPercentage() float64 { return p.p.MaxPercentage }
func (p *ownershipPartyResolver) Depth() int32           { return int32(p.p.Depth) }
func (p *ownershipPartyResolver) Reason() string         { return p.p.Reason }
func (p *ownershipPartyResolver) Designations() []designationResolver {
	return ownershipDesignations(p.p.Designations)
}

type ownershipControlResolver struct {
	r *Resolver
	c *exposure.ControlLink
}

func (c *ownershipControlResolver) Controller(ctx context.Context) (*entityResolver, error) {
	return c.r.ownershipEntity(ctx, c.c.Controller)
}
func (c *ownershipControlResolver) ControllerID(ctx context.Context) (graphql.ID, error) {
	return c.r.ownershipRef(ctx, c.c.Controller, c.c.Rels, true)
}
func (c *ownershipControlResolver) Relationships() []*relResolver {
	return ownershipRels(c.r, c.c.Rels)
}
func (c *ownershipControlResolver) Blocked() bool    { return c.c.Blocked }
func (c *ownershipControlResolver) Designated() bool { return c.c.Designated }
func (c *ownershipControlResolver) Reason() string   { return c.c.Reason }
