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
// entities), the budget of reads left, and what stopped the request.
type request struct {
	mu       sync.Mutex
	entities map[uuid.UUID]*graph.Entity
	budget   atomic.Int64
	// shared is the budget of all requests in flight, if any; taken is
	// what this request holds of it.
	shared *Budget
	taken  atomic.Int64
	// stop cancels the execution; stopped is the error that did.
	stop    context.CancelCauseFunc
	stopped atomic.Pointer[Error]
	// writing is set once a mutation has started to write.
	writing atomic.Bool
}

// Budget is what the requests in flight share: a number of reads
// (entities and relationships) held, and a number of store reads running
// at once. Each read of a request is taken from the first and given back
// when the request's execution ends, so that many large requests at once
// cannot together hold more of the graph in memory than the server has
// room for. The second keeps the goroutines reading few: the others wait
// parked, and a request whose time is up leaves the queue at once, so the
// scheduler still runs the goroutines that answer on time. It is safe for
// concurrent use.
type Budget struct {
	max     int64
	used    atomic.Int64
	readers chan struct{}
}

// NewBudget returns a budget of maxLoads reads held and readers store
// reads at once (0: no bound on those).
func NewBudget(maxLoads, readers int) *Budget {
	b := &Budget{max: int64(maxLoads)}
	if readers > 0 {
		b.readers = make(chan struct{}, readers)
	}
	return b
}

// InUse returns the reads the requests in flight hold.
func (b *Budget) InUse() int64 { return b.used.Load() }

func (b *Budget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

// WithRequest prepares ctx for executing one GraphQL request: reads are
// cached and counted against limits.MaxLoads (see WithRequestBudget).
// Tests and tools call it; without it there is no cache and no budget.
func WithRequest(ctx context.Context, maxLoads int) context.Context {
	ctx, _ = WithRequestBudget(ctx, maxLoads, nil)
	return ctx
}

// WithRequestBudget prepares ctx for executing one GraphQL request: reads
// are cached, and counted against maxLoads and, if shared is not nil,
// taken from shared. A request that runs out of either is stopped: its
// context is cancelled, so that no more fields are resolved (and no error
// is made per field left), and Stopped says why. done gives the reads back
// to shared; call it once the execution has ended.
func WithRequestBudget(ctx context.Context, maxLoads int, shared *Budget) (_ context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	rq := &request{entities: map[uuid.UUID]*graph.Entity{}, shared: shared, stop: cancel}
	rq.budget.Store(int64(maxLoads))
	return context.WithValue(ctx, requestKey{}, rq), func() {
		if shared != nil {
			shared.used.Add(-rq.taken.Swap(0))
		}
		cancel(nil)
	}
}

func requestOf(ctx context.Context) *request {
	rq, _ := ctx.Value(requestKey{}).(*request)
	return rq
}

// Stopped returns the error that stopped the request of ctx because it
// read too much (RESULT_TOO_LARGE) or the server had no room left for its
// reads (TOO_BUSY), or nil. The execution of a stopped request returns no
// data and a context error; this is the error to answer instead.
func Stopped(ctx context.Context) *Error {
	if rq := requestOf(ctx); rq != nil {
		return rq.stopped.Load()
	}
	return nil
}

// Writing reports whether a mutation of the request of ctx has started: it
// may have written, so its answer must be waited for rather than cut short.
func Writing(ctx context.Context) bool {
	rq := requestOf(ctx)
	return rq != nil && rq.writing.Load()
}

// halt stops the request with err.
func (rq *request) halt(err *Error) error {
	rq.stopped.CompareAndSwap(nil, err)
	rq.stop(err)
	return err
}

// spend takes n reads from the request's budget, and from the shared one.
// It is called before every read, so it also stops the reading of a
// request whose context is done.
func spend(ctx context.Context, n int) error {
	rq := requestOf(ctx)
	if rq == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		if e := rq.stopped.Load(); e != nil {
			return e
		}
		return err
	}
	if rq.budget.Add(-int64(n)) < 0 {
		return rq.halt(errTooLarge)
	}
	if rq.shared != nil {
		if !rq.shared.take(int64(n)) {
			return rq.halt(errBusy)
		}
		rq.taken.Add(int64(n))
	}
	return nil
}

// unspend gives back n reads spent and not made.
func unspend(ctx context.Context, n int) {
	rq := requestOf(ctx)
	if rq == nil || n == 0 {
		return
	}
	rq.budget.Add(int64(n))
	if rq.shared != nil {
		rq.shared.used.Add(-int64(n))
		rq.taken.Add(-int64(n))
	}
}

// reading waits for one of the shared budget's readers, and returns the
// function that gives it back.
func reading(ctx context.Context) (release func(), err error) {
	rq := requestOf(ctx)
	if rq == nil || rq.shared == nil || rq.shared.readers == nil {
		return func() {}, nil
	}
	select {
	case rq.shared.readers <- struct{}{}:
		return func() { <-rq.shared.readers }, nil
	case <-ctx.Done():
		if e := rq.stopped.Load(); e != nil {
			return nil, e
		}
		return nil, ctx.Err()
	}
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
	release, err := reading(ctx)
	if err != nil {
		return nil, err
	}
	e, err := r.g.Entity(ctx, id)
	release()
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

// relationships reads a page of id's relationships. Its reads are spent
// before it is read, as many as the page may hold (its limit, or the
// entity's degree if fewer), and what it did not hold is given back: a
// request out of budget, or of time, reads no more pages.
func (r *Resolver) relationships(ctx context.Context, id uuid.UUID, q graph.RelQuery) (*graph.RelPage, error) {
	want := r.g.Degree(id)
	if q.Limit > 0 {
		want = min(want, q.Limit)
	}
	if err := spend(ctx, want); err != nil {
		return nil, err
	}
	release, err := reading(ctx)
	if err != nil {
		unspend(ctx, want)
		return nil, err
	}
	page, err := r.g.Relationships(ctx, id, q)
	release()
	if err != nil {
		unspend(ctx, want)
		return nil, err
	}
	switch n := len(page.Relationships); {
	case n < want:
		unspend(ctx, want-n)
	case n > want:
		if err := spend(ctx, n-want); err != nil {
			return nil, err
		}
	}
	return page, nil
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
