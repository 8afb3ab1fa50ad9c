package schema

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// Screening caps.
const (
	MaxScreenBatch       = 100 // queries in one screenBatch
	MaxExposureHops      = 6
	MaxExposurePaths     = 10
	defaultExposureHops  = 3
	defaultExposurePaths = 3
)

// Screener is the screening side of the graph the screen resolvers need
// (part of Graph).
type Screener interface {
	Screen(ctx context.Context, q screen.Query) (*screen.Result, error)
}

type screenArgs struct {
	Name        string
	Kind        *string
	Country     *string
	BirthDate   *string
	Identifiers *[]string
	Threshold   *float64
	First       *int32
}

// screenInput is one query of screenBatch (GraphQL ScreenInput).
type screenInput struct {
	Ref         *string
	Name        string
	Kind        *string
	Country     *string
	BirthDate   *string
	Identifiers *[]string
	Threshold   *float64
	First       *int32
}

func (a screenArgs) query(field string) (screen.Query, error) {
	q := screen.Query{Name: a.Name}
	if a.Kind != nil {
		q.Schema = *a.Kind
	}
	if a.Country != nil {
		q.Country = *a.Country
	}
	if a.BirthDate != nil {
		q.BirthDate = *a.BirthDate
	}
	if a.Identifiers != nil {
		q.Identifiers = *a.Identifiers
	}
	if a.Threshold != nil {
		if *a.Threshold <= 0 || *a.Threshold > 1 {
			return q, badInput(field + "threshold must be greater than 0 and at most 1")
		}
		q.Threshold = *a.Threshold
	}
	if a.First != nil {
		if *a.First < 1 || *a.First > screen.MaxResults {
			return q, badInput(field + "first must be between 1 and 100")
		}
		q.Limit = int(*a.First)
	}
	if strings.TrimSpace(q.Name) == "" && len(q.Identifiers) == 0 {
		return q, badInput(field + "name must not be empty (or give identifiers)")
	}
	if len(q.Name) > screen.MaxNameLen {
		return q, badInput(field + "name must be at most 500 bytes")
	}
	return q, nil
}

// screen runs one query; invalid input comes back as BAD_USER_INPUT naming
// the field.
func (r *Resolver) screen(ctx context.Context, q screen.Query, field string) (*screen.Result, error) {
	sg := r.g
	if _, err := screen.Prepare(q); err != nil {
		// The domain error names the field and the problem in words
		// built from the user's own input.
		msg := strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": ")
		return nil, badInput(field + msg)
	}
	res, err := sg.Screen(ctx, q)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	if err := spend(ctx, res.Candidates); err != nil {
		return nil, err
	}
	return res, nil
}

func (r *Resolver) Screen(ctx context.Context, args screenArgs) ([]*screenHitResolver, error) {
	q, err := args.query("")
	if err != nil {
		return nil, err
	}
	res, err := r.screen(ctx, q, "")
	if err != nil {
		return nil, err
	}
	return r.screenHits(res), nil
}

func (r *Resolver) screenHits(res *screen.Result) []*screenHitResolver {
	out := make([]*screenHitResolver, len(res.Hits))
	for i := range res.Hits {
		out[i] = &screenHitResolver{r: r, h: &res.Hits[i]}
	}
	return out
}

type screenBatchArgs struct {
	Queries []screenInput
}

type screenBatchResolver struct {
	ref       *string
	name      string
	hits      []*screenHitResolver
	truncated bool
}

func (b *screenBatchResolver) Ref() *string               { return b.ref }
func (b *screenBatchResolver) Name() string               { return b.name }
func (b *screenBatchResolver) Hits() []*screenHitResolver { return b.hits }
func (b *screenBatchResolver) CandidatesTruncated() bool  { return b.truncated }

func (r *Resolver) ScreenBatch(ctx context.Context, args screenBatchArgs) ([]*screenBatchResolver, error) {
	if len(args.Queries) == 0 || len(args.Queries) > MaxScreenBatch {
		return nil, badInput("queries: give 1 to 100 queries")
	}
	qs := make([]screen.Query, len(args.Queries))
	for i, in := range args.Queries {
		field := "queries[" + strconv.Itoa(i) + "]."
		q, err := screenArgs{Name: in.Name, Kind: in.Kind, Country: in.Country, BirthDate: in.BirthDate,
			Identifiers: in.Identifiers, Threshold: in.Threshold, First: in.First}.query(field)
		if err != nil {
			return nil, err
		}
		if _, err := screen.Prepare(q); err != nil {
			return nil, badInput(field + strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": "))
		}
		qs[i] = q
	}
	out := make([]*screenBatchResolver, len(qs))
	// Two workers: the queries are independent and CPU-bound.
	var wg sync.WaitGroup
	errs := make([]error, len(qs))
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := r.screen(ctx, qs[i], "queries["+strconv.Itoa(i)+"].")
				if err != nil {
					errs[i] = err
					continue
				}
				out[i] = &screenBatchResolver{ref: args.Queries[i].Ref, name: qs[i].Name, hits: r.screenHits(res), truncated: res.Truncated}
			}
		}()
	}
	for i := range qs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, r.userError(ctx, err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

type screenHitResolver struct {
	r *Resolver
	h *screen.Hit
}

func (h *screenHitResolver) Entity() *entityResolver { return h.r.entityByID(h.h.ID) }
func (h *screenHitResolver) Score() float64          { return h.h.Score }
func (h *screenHitResolver) Matched() string         { return h.h.Matched }
func (h *screenHitResolver) Explanation() *screenExplanationResolver {
	return &screenExplanationResolver{h: h.h}
}

type screenExposureArgs struct {
	MaxHops *int32
	First   *int32
}

// Exposure is linksToSanctioned for the hit's entity.
func (h *screenHitResolver) Exposure(ctx context.Context, args screenExposureArgs) (*pathResultResolver, error) {
	hops, k := defaultExposureHops, defaultExposurePaths
	if args.MaxHops != nil {
		if *args.MaxHops < 1 || *args.MaxHops > MaxExposureHops {
			return nil, badInput("exposure maxHops must be between 1 and 6")
		}
		hops = int(*args.MaxHops)
	}
	if args.First != nil {
		if *args.First < 1 || *args.First > MaxExposurePaths {
			return nil, badInput("exposure first must be between 1 and 10")
		}
		k = int(*args.First)
	}
	res, err := h.r.g.Nearest(ctx, graph.NearestQuery{From: h.h.ID, MaxHops: hops, K: k, MaxVisited: h.r.limits.MaxVisited, Load: pathLoad(ctx)})
	if err != nil {
		return nil, h.r.userError(ctx, err)
	}
	return h.r.pathResult(ctx, res)
}

type screenExplanationResolver struct{ h *screen.Hit }

func (e *screenExplanationResolver) Summary() string    { return e.h.Summary() }
func (e *screenExplanationResolver) NameScore() float64 { return e.h.NameScore }
func (e *screenExplanationResolver) Words() []*screenWordResolver {
	out := make([]*screenWordResolver, len(e.h.Tokens))
	for i := range e.h.Tokens {
		out[i] = &screenWordResolver{t: &e.h.Tokens[i]}
	}
	return out
}
func (e *screenExplanationResolver) Fields() []*screenFieldResolver {
	out := make([]*screenFieldResolver, len(e.h.Fields))
	for i := range e.h.Fields {
		out[i] = &screenFieldResolver{f: &e.h.Fields[i]}
	}
	return out
}

type screenWordResolver struct{ t *screen.TokenMatch }

func (w *screenWordResolver) Query() *string      { return nonEmpty(w.t.Query) }
func (w *screenWordResolver) Name() *string       { return nonEmpty(w.t.Name) }
func (w *screenWordResolver) Similarity() float64 { return w.t.Similarity }
func (w *screenWordResolver) Weight() float64     { return w.t.Weight }
func (w *screenWordResolver) How() string         { return w.t.How }

type screenFieldResolver struct{ f *screen.FieldMatch }

func (f *screenFieldResolver) Field() string   { return f.f.Field }
func (f *screenFieldResolver) Query() string   { return f.f.Query }
func (f *screenFieldResolver) Value() *string  { return nonEmpty(f.f.Value) }
func (f *screenFieldResolver) Outcome() string { return f.f.Outcome }
func (f *screenFieldResolver) Effect() float64 { return f.f.Effect }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
