// Package resolve turns what a person types where an entity is wanted (an
// id, a record id, an identifier such as a SWIFT/BIC code or an IMO
// number, or a name) into one entity, by one set of rules for the API, the
// web page and the command line: names are matched as screening matches
// them (graph/screen: word order, case, legal forms, transliteration,
// country-name equivalences such as DPRK / North Korea / Democratic
// People's Republic of Korea, typos). A name that fits several entities
// about equally well is an error listing them with their scores, never a
// guess.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// Graph is what resolving needs of a graph. *store.Store implements it.
type Graph interface {
	// Resolve returns the entity an id names (graph.ErrNotFound if none).
	Resolve(ctx context.Context, ref string) (uuid.UUID, error)
	// EntitiesByIdentifier returns the entities carrying identifier v.
	EntitiesByIdentifier(ctx context.Context, v string) ([]uuid.UUID, error)
	// Screen matches a name against the names of the graph.
	Screen(ctx context.Context, q screen.Query) (*screen.Result, error)
}

const (
	// Margin is how far the best name match must score above the next
	// for a name to resolve to it. Closer, the name is ambiguous: the
	// person must say which one they mean.
	Margin = 0.05
	// MaxCandidates bounds the candidates an ambiguous name lists.
	MaxCandidates = 10
	// MaxRefLen bounds a reference, in bytes.
	MaxRefLen = 1024
)

// Ref resolves ref: first as an id of any kind (graph.ResolvedByID), then
// as a strong identifier (ResolvedByIdentifier), then as a name or alias
// (ResolvedByName). A name resolves to the best screening hit at the
// default threshold if it leads the next by Margin or more; hits that
// leave a word of ref unmatched give way to hits that match every word.
//
// Returns an error wrapping graph.ErrInvalid for an empty or overlong ref,
// graph.ErrNotFound if nothing fits, and a *graph.AmbiguousError (which
// wraps graph.ErrAmbiguous) listing the candidates if several fit.
func Ref(ctx context.Context, g Graph, ref string) (graph.Resolution, error) {
	q := strings.TrimSpace(ref)
	res := graph.Resolution{Query: ref}
	switch {
	case q == "":
		return res, fmt.Errorf("%w: empty id or name", graph.ErrInvalid)
	case len(q) > MaxRefLen:
		return res, fmt.Errorf("%w: id or name longer than %d bytes", graph.ErrInvalid, MaxRefLen)
	}
	id, err := g.Resolve(ctx, q)
	switch {
	case err == nil:
		res.ID, res.How, res.Score = id, graph.ResolvedByID, 1
		return res, nil
	case !errors.Is(err, graph.ErrNotFound):
		return res, err
	}
	if key := graph.IdentifierKey(q); len(key) >= 4 {
		ids, err := g.EntitiesByIdentifier(ctx, q)
		if err != nil {
			return res, err
		}
		switch len(ids) {
		case 0:
		case 1:
			res.ID, res.How, res.Matched, res.Score = ids[0], graph.ResolvedByIdentifier, q, 1
			return res, nil
		default:
			amb := &graph.AmbiguousError{Query: q}
			for _, id := range ids[:min(len(ids), MaxCandidates)] {
				amb.Candidates = append(amb.Candidates, graph.Candidate{ID: id, Score: 1, Matched: q})
			}
			return res, amb
		}
	}
	sr, err := g.Screen(ctx, screen.Query{Name: q, Limit: MaxCandidates})
	if errors.Is(err, graph.ErrInvalid) {
		// Not a name screening can read (no letters or digits, say).
		return res, fmt.Errorf("%w: no entity has the id, identifier or name %q", graph.ErrNotFound, q)
	}
	if err != nil {
		return res, err
	}
	best, ok := Choose(sr.Hits)
	if !ok {
		if len(sr.Hits) == 0 {
			return res, fmt.Errorf("%w: no entity has the id, identifier or name %q", graph.ErrNotFound, q)
		}
		amb := &graph.AmbiguousError{Query: q}
		for _, h := range sr.Hits {
			amb.Candidates = append(amb.Candidates, graph.Candidate{ID: h.ID, Score: h.Score, Matched: h.Matched})
		}
		return res, amb
	}
	res.ID, res.How, res.Matched, res.Score = best.ID, graph.ResolvedByName, best.Matched, best.Score
	return res, nil
}

// Choose picks the hit a name stands for among screening hits (best
// first), and false if there is none or several fit about as well. Hits
// that match every word of the query are preferred to hits that leave one
// out ("Russian Financial Society" is not "Russian Financial
// Corporation"); among those, the best must lead the next by Margin.
func Choose(hits []screen.Hit) (screen.Hit, bool) {
	pool := make([]screen.Hit, 0, len(hits))
	for _, h := range hits {
		if Complete(h) {
			pool = append(pool, h)
		}
	}
	if len(pool) == 0 {
		pool = hits
	}
	switch {
	case len(pool) == 0:
		return screen.Hit{}, false
	case len(pool) == 1 || pool[0].Score-pool[1].Score >= Margin-1e-9: // scores are rounded
		return pool[0], true
	}
	return screen.Hit{}, false
}

// Complete reports whether every word of the query found a word of the
// matched name (an exact identifier always does).
func Complete(h screen.Hit) bool {
	for _, t := range h.Tokens {
		if t.Query != "" && t.Name == "" && t.How == "unmatched" {
			return false
		}
	}
	return true
}
