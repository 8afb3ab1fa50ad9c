package schema

import (
	"context"
	_ "embed"
	"log/slog"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

//go:embed schema.graphql
var SDL string

// Graph is what the resolvers read. *store.Store implements it.
type Graph interface {
	Resolve(ctx context.Context, ref string) (uuid.UUID, error)
	Entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error)
	Relationships(ctx context.Context, id uuid.UUID, q graph.RelQuery) (*graph.RelPage, error)
	Relationship(ctx context.Context, ref string) (*graph.Relationship, error)
	Among(ctx context.Context, ids []uuid.UUID, via []graph.RelType, limit int) ([]*graph.Relationship, bool, error)
	Paths(ctx context.Context, q graph.PathQuery) (*graph.PathResult, error)
	Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error)
	Neighbourhood(ctx context.Context, q graph.NeighbourhoodQuery) ([]uuid.UUID, bool, error)
	SearchNames(ctx context.Context, q graph.SearchQuery) ([]graph.SearchHit, error)
	EntitiesByIdentifier(ctx context.Context, v string) ([]uuid.UUID, error)
	Degree(id uuid.UUID) int
	// Party returns the records merged as the party of entity id.
	Party(ctx context.Context, id uuid.UUID) (*graph.Party, error)
	Screener      // screen, screenBatch (screen.go)
	ExposureGraph // ownershipExposure (exposure.go)
	Exporter      // exportSubgraph (export.go)
}

// Limits bound what one request may ask for.
type Limits struct {
	MaxDepth       int // field nesting
	MaxQueryLength int // bytes of query text
	MaxSelections  int // selections after fragments are expanded
	// MaxLoads bounds the entities and relationships one request may read;
	// beyond it the request fails with RESULT_TOO_LARGE.
	MaxLoads int
	// MaxVisited bounds the entities one path search may visit.
	MaxVisited int
}

// DefaultLimits are the limits of a server that did not set its own.
var DefaultLimits = Limits{MaxDepth: 15, MaxQueryLength: 16 << 10, MaxSelections: 2000, MaxLoads: 50_000, MaxVisited: graph.DefaultMaxVisited}

// Resolver is the root resolver. It holds dependencies only; per-request
// state lives in the request context (see WithRequest).
type Resolver struct {
	g      Graph
	w      Writer         // nil: a read-only API
	parser FindingsParser // nil: no findings CSV import
	// watch serves watchlists and alerts (nil: none); watchW and watchP
	// import and decide (Watching).
	watch  Watch
	watchW WatchWriter
	watchP WatchlistParser
	limits Limits
	log    *slog.Logger
}

// Option adds to what New builds.
type Option func(*Resolver)

// Writable makes the mutations work: w changes findings and p, if not nil,
// reads the findings CSV of importFindings. Without it the API is
// read-only. (The types are checked when the caller compiles: a Graph that
// cannot write is not silently read-only.)
func Writable(w Writer, p FindingsParser) Option {
	return func(r *Resolver) { r.w, r.parser = w, p }
}

// New parses the schema with its resolvers and limits. The parse checks the
// resolvers against the SDL, so a mismatch fails here.
func New(g Graph, limits Limits, log *slog.Logger, opts ...Option) (*graphql.Schema, error) {
	if log == nil {
		log = slog.Default()
	}
	r := &Resolver{g: g, limits: limits, log: log}
	for _, o := range opts {
		o(r)
	}
	return graphql.ParseSchema(SDL, r,
		graphql.UseStringDescriptions(),
		graphql.MaxDepth(limits.MaxDepth),
		graphql.MaxQueryLength(limits.MaxQueryLength),
		graphql.MaxSelections(limits.MaxSelections),
		graphql.OverlapValidationLimit(10_000),
		graphql.MaxParallelism(8),
		graphql.Logger(panicLogger{log}),
		graphql.PanicHandler(panicHandler{log}),
	)
}
