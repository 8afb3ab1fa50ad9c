package schema

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// Caps on list arguments.
const (
	MaxEntitiesArg    = 100
	MaxSearchResults  = 100
	MaxNeighbourhood  = 500
	MaxNeighbourHops  = 3
	MaxSubgraphLinks  = 5000
	maxIDLength       = 1024
	maxSearchTextSize = 500
)

func (r *Resolver) Entity(ctx context.Context, args struct{ ID graphql.ID }) (*entityResolver, error) {
	id, err := r.resolve(ctx, args.ID)
	if err != nil {
		return nil, err
	}
	e := r.entityByID(id)
	if _, err := e.load(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (r *Resolver) Entities(ctx context.Context, args struct{ IDs []graphql.ID }) ([]*entityResolver, error) {
	if len(args.IDs) > MaxEntitiesArg {
		return nil, badInput("at most 100 ids")
	}
	out := make([]*entityResolver, len(args.IDs))
	for i, id := range args.IDs {
		u, err := r.resolve(ctx, id)
		var e *Error
		if errors.As(err, &e) && (e.Code == CodeNotFound || e.Code == CodeBadUserInput) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = r.entityByID(u)
	}
	return out, nil
}

func (r *Resolver) Relationship(ctx context.Context, args struct{ ID graphql.ID }) (*relResolver, error) {
	if len(args.ID) == 0 || len(args.ID) > maxIDLength {
		return nil, badInput("bad id")
	}
	rel, err := r.g.Relationship(ctx, string(args.ID))
	if errors.Is(err, graph.ErrNotFound) {
		return nil, notFound("relationship", string(args.ID))
	}
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return &relResolver{r: r, rel: rel}, nil
}

type searchArgs struct {
	Query string
	Kinds *[]string
	First int32
}

type searchHitResolver struct {
	r       *Resolver
	id      uuid.UUID
	score   float64
	query   string
	matched string // set for identifier hits
}

func (h *searchHitResolver) Entity() *entityResolver { return h.r.entityByID(h.id) }
func (h *searchHitResolver) Score() float64          { return h.score }

// Matched returns the name, alias or identifier that matched.
func (h *searchHitResolver) Matched(ctx context.Context) (string, error) {
	if h.matched != "" {
		return h.matched, nil
	}
	e, err := h.r.entity(ctx, h.id)
	if err != nil {
		return "", h.r.userError(ctx, err)
	}
	best, bestScore := e.Name(), -1.0
	for _, n := range e.Names() {
		if s, ok := index.MatchName(h.query, n); ok && s > bestScore {
			best, bestScore = n, s
		}
	}
	return best, nil
}

func (r *Resolver) Search(ctx context.Context, args searchArgs) ([]*searchHitResolver, error) {
	q := strings.TrimSpace(args.Query)
	if q == "" || len(q) > maxSearchTextSize {
		return nil, badInput("query must be 1 to 500 bytes")
	}
	if args.First < 1 || args.First > MaxSearchResults {
		return nil, badInput("first must be between 1 and 100")
	}
	limit := int(args.First)
	var kinds []string
	if args.Kinds != nil {
		kinds = *args.Kinds
	}
	var out []*searchHitResolver
	seen := map[uuid.UUID]bool{}
	// An exact identifier is a certain match.
	if key := graph.IdentifierKey(q); len(key) >= 4 {
		ids, err := r.g.EntitiesByIdentifier(ctx, q)
		if err != nil {
			return nil, r.userError(ctx, err)
		}
		for _, id := range ids {
			if len(out) == limit {
				break
			}
			e, err := r.entity(ctx, id)
			if err != nil {
				if errors.Is(err, graph.ErrNotFound) {
					continue
				}
				return nil, r.userError(ctx, err)
			}
			if len(kinds) > 0 && !slices.ContainsFunc(kinds, e.Is) {
				continue
			}
			matched := q
			for _, x := range e.Identifiers() {
				if graph.IdentifierKey(x.Value) == key {
					matched = x.Value
				}
			}
			seen[id] = true
			out = append(out, &searchHitResolver{r: r, id: id, score: 1, query: q, matched: matched})
		}
	}
	hits, err := r.g.SearchNames(ctx, graph.SearchQuery{Text: q, Schemas: kinds, Limit: limit})
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		if !seen[h.ID] {
			seen[h.ID] = true
			out = append(out, &searchHitResolver{r: r, id: h.ID, score: h.Score, query: q})
		}
	}
	if len(out) < limit {
		// Names the index does not hold word for word ("Dandong
		// Zongsheng", "Foreign Trade Bank of the DPRK"): matched as
		// screening matches them, typos and country names included.
		more, err := r.searchScreened(ctx, q, kinds, limit-len(out), seen)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if out == nil {
		out = []*searchHitResolver{}
	}
	return out, nil
}

type neighbourhoodArgs struct {
	ID        graphql.ID
	Hops      int32
	Via       *[]string
	First     int32
	MaxDegree *int32
}

type subgraphResolver struct {
	r         *Resolver
	ids       []uuid.UUID
	rels      []*graph.Relationship
	truncated bool
	resolved  graph.Resolution
}

func (s *subgraphResolver) Resolved() *resolutionResolver {
	return &resolutionResolver{r: s.r, res: s.resolved}
}

func (s *subgraphResolver) Entities() []*entityResolver {
	out := make([]*entityResolver, len(s.ids))
	for i, id := range s.ids {
		out[i] = s.r.entityByID(id)
	}
	return out
}
func (s *subgraphResolver) Relationships() []*relResolver {
	out := make([]*relResolver, len(s.rels))
	for i, rel := range s.rels {
		out[i] = &relResolver{r: s.r, rel: rel}
	}
	return out
}
func (s *subgraphResolver) Truncated() bool { return s.truncated }

func (r *Resolver) Neighbourhood(ctx context.Context, args neighbourhoodArgs) (*subgraphResolver, error) {
	res, err := r.lookup(ctx, "id", args.ID)
	if err != nil {
		return nil, err
	}
	id := res.ID
	if args.Hops < 1 || args.Hops > MaxNeighbourHops {
		return nil, badInput("hops must be between 1 and 3")
	}
	if args.First < 1 || args.First > MaxNeighbourhood {
		return nil, badInput("first must be between 1 and 500")
	}
	q := graph.NeighbourhoodQuery{From: id, Hops: int(args.Hops), MaxNodes: int(args.First)}
	if args.MaxDegree != nil {
		q.MaxDegree = int(*args.MaxDegree)
	}
	if q.Via, err = parseKinds(args.Via); err != nil {
		return nil, err
	}
	ids, truncated, err := r.g.Neighbourhood(ctx, q)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	rels, more, err := r.g.Among(ctx, ids, q.Via, MaxSubgraphLinks)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	if err := spend(ctx, len(ids)+len(rels)); err != nil {
		return nil, err
	}
	return &subgraphResolver{r: r, ids: ids, rels: rels, truncated: truncated || more, resolved: res}, nil
}

// searchScreened returns up to n screening hits for q of the kinds (any
// if empty) that are not in seen.
func (r *Resolver) searchScreened(ctx context.Context, q string, kinds []string, n int, seen map[uuid.UUID]bool) ([]*searchHitResolver, error) {
	sq := screen.Query{Name: q, Limit: min(n+len(seen), screen.MaxResults)}
	if len(kinds) == 1 {
		sq.Schema = kinds[0]
	}
	if _, err := screen.Prepare(sq); err != nil {
		return nil, nil // not a name screening reads (an unknown kind, no letters): nothing more to find
	}
	res, err := r.g.Screen(ctx, sq)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	if err := spend(ctx, res.Candidates); err != nil {
		return nil, err
	}
	var out []*searchHitResolver
	for _, h := range res.Hits {
		if len(out) == n {
			break
		}
		if seen[h.ID] {
			continue
		}
		if len(kinds) > 1 {
			e, err := r.entity(ctx, h.ID)
			if err != nil {
				return nil, r.userError(ctx, err)
			}
			if !slices.ContainsFunc(kinds, e.Is) {
				continue
			}
		}
		seen[h.ID] = true
		out = append(out, &searchHitResolver{r: r, id: h.ID, score: h.Score, query: q, matched: h.Matched})
	}
	return out, nil
}
