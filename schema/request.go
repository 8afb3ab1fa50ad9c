package schema

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

type requestKey struct{}

// request is per-request state: a cache of the entities read (paths share
// entities) and the budget of reads left.
type request struct {
	mu       sync.Mutex
	entities map[uuid.UUID]*graph.Entity
	budget   atomic.Int64
}

// WithRequest prepares ctx for executing one GraphQL request: reads are
// cached and counted against limits.MaxLoads. The HTTP handler calls it;
// without it there is no cache and no budget.
func WithRequest(ctx context.Context, maxLoads int) context.Context {
	rq := &request{entities: map[uuid.UUID]*graph.Entity{}}
	rq.budget.Store(int64(maxLoads))
	return context.WithValue(ctx, requestKey{}, rq)
}

func requestOf(ctx context.Context) *request {
	rq, _ := ctx.Value(requestKey{}).(*request)
	return rq
}

// spend takes n reads from the request's budget.
func spend(ctx context.Context, n int) error {
	if rq := requestOf(ctx); rq != nil && rq.budget.Add(-int64(n)) < 0 {
		return errTooLarge
	}
	return nil
}

// entity reads an entity through the request cache.
func (r *Resolver) entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error) {
	rq := requestOf(ctx)
	if rq != nil {
		rq.mu.Lock()
		e, ok := rq.entities[id]
		rq.mu.Unlock()
		if ok {
			return e, nil
		}
	}
	if err := spend(ctx, 1); err != nil {
		return nil, err
	}
	e, err := r.g.Entity(ctx, id)
	if err != nil {
		return nil, err
	}
	if rq != nil {
		rq.mu.Lock()
		rq.entities[id] = e
		rq.mu.Unlock()
	}
	return e, nil
}

// prime puts entities read with a query's answer (on the answer's
// snapshot) into the request's cache, so that the fields showing them read
// those and not a later state; each counts against the request's budget.
func (r *Resolver) prime(ctx context.Context, ents map[uuid.UUID]*graph.Entity) error {
	if len(ents) == 0 {
		return nil
	}
	if err := spend(ctx, len(ents)); err != nil {
		return err
	}
	if rq := requestOf(ctx); rq != nil {
		rq.mu.Lock()
		for id, e := range ents {
			rq.entities[id] = e
		}
		rq.mu.Unlock()
	}
	return nil
}
