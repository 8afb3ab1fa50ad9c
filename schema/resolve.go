package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/resolve"
)

// lookup resolves what the user gave where an entity is wanted: any id
// of it (its own, a merged record's, a referent, its UUID), a strong
// identifier (SWIFT/BIC, IMO, LEI, registration number) or a name, by
// the rules of graph/resolve (screening's). field names the argument in
// errors. Nothing found is NOT_FOUND; several entities that fit about as
// well are AMBIGUOUS, with the candidates in the error.
func (r *Resolver) lookup(ctx context.Context, field string, id graphql.ID) (graph.Resolution, error) {
	s := string(id)
	if strings.TrimSpace(s) == "" || len(s) > maxIDLength {
		return graph.Resolution{}, badInput(prefix(field) + "bad id: empty or longer than 1024 bytes")
	}
	res, err := resolve.Ref(ctx, r.g, s)
	if err != nil {
		return res, r.refError(ctx, field, s, err)
	}
	return res, nil
}

// resolve is lookup for callers that need only the entity.
func (r *Resolver) resolve(ctx context.Context, id graphql.ID) (uuid.UUID, error) {
	res, err := r.lookup(ctx, "", id)
	return res.ID, err
}

func prefix(field string) string {
	if field == "" {
		return ""
	}
	return field + ": "
}

// refError says in words why the reference s given as field names no
// single entity.
func (r *Resolver) refError(ctx context.Context, field, s string, err error) error {
	var amb *graph.AmbiguousError
	switch {
	case errors.As(err, &amb):
		e := &Error{Code: CodeAmbiguous, Candidates: []Candidate{}}
		var names []string
		for _, c := range amb.Candidates {
			x, err := r.entity(ctx, c.ID)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				return r.userError(ctx, err)
			}
			cd := Candidate{ID: x.Ref, Name: x.Name(), Kind: x.Schema, Score: c.Score, Matched: c.Matched}
			if cd.ID == "" {
				cd.ID = x.ID.String()
			}
			e.Candidates = append(e.Candidates, cd)
			names = append(names, fmt.Sprintf("%s (%s, %.2f)", cd.Name, cd.ID, cd.Score))
		}
		e.Message = prefix(field) + quote(s) + " names more than one entity: " + strings.Join(names, "; ") + "; give one of their ids"
		return e
	case errors.Is(err, graph.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: prefix(field) + "entity " + quote(s) + " not found (no entity has this id, identifier or name)"}
	case errors.Is(err, graph.ErrInvalid):
		return badInput(prefix(field) + "bad id or name " + quote(s))
	}
	return r.userError(ctx, err)
}

// publicID is the id an answer gives for entity id: the id of the
// entity as readers see it (a merged party's canonical id, whichever of
// its records a relationship names), or stated (the id a record states
// for it) while the entity is not in the graph.
func (r *Resolver) publicID(ctx context.Context, id uuid.UUID, stated string) (graphql.ID, error) {
	if stated != "" && graph.KeyFor(stated) == id {
		return graphql.ID(stated), nil // the record is the entity itself
	}
	e, err := r.entity(ctx, id)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		if stated != "" {
			return graphql.ID(stated), nil
		}
		return graphql.ID(id.String()), nil
	case err != nil:
		return "", r.userError(ctx, err)
	case e.Ref == "":
		return graphql.ID(id.String()), nil
	}
	return graphql.ID(e.Ref), nil
}

// resolutionResolver resolves a Resolution: how an id or name given in
// the request was resolved.
type resolutionResolver struct {
	r   *Resolver
	res graph.Resolution
}

func (x *resolutionResolver) Query() string           { return x.res.Query }
func (x *resolutionResolver) Entity() *entityResolver { return x.r.entityByID(x.res.ID) }
func (x *resolutionResolver) How() string             { return x.res.How }
func (x *resolutionResolver) Matched() *string        { return opt(x.res.Matched) }
func (x *resolutionResolver) Score() float64          { return x.res.Score }

func (r *Resolver) resolutions(rs []graph.Resolution) []*resolutionResolver {
	out := make([]*resolutionResolver, len(rs))
	for i, res := range rs {
		out[i] = &resolutionResolver{r: r, res: res}
	}
	return out
}
