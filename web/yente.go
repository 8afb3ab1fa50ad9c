package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// The yente-compatible API: the routes and response shapes of
// OpenSanctions' yente (https://github.com/opensanctions/yente), so that
// a client written for yente works against sanctionsgraph unchanged.
//
//	POST /match/{dataset}   yente_match.go: screening by example
//	GET  /search/{dataset}  yente_search.go: search by name
//	GET  /entities/{id}     yente_search.go: one entity, nested
//
// Errors are yente's (FastAPI's): {"detail": "..."} with 400, 404, 413,
// 415 or 503, and 422 {"detail": [{"type", "loc", "msg"}]} naming the
// field (loc is ["body", "queries", key, ...] or ["query", param]).
// README.md, "yente-compatible matching API", lists the parameters
// honoured and ignored.

// YenteGraph is the read side of the graph the yente-compatible API needs.
// *store.Store implements it.
type YenteGraph interface {
	Screen(ctx context.Context, q screen.Query) (*screen.Result, error)
	Resolve(ctx context.Context, ref string) (uuid.UUID, error)
	Entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error)
	Relationships(ctx context.Context, id uuid.UUID, q graph.RelQuery) (*graph.RelPage, error)
	SearchNames(ctx context.Context, q graph.SearchQuery) ([]graph.SearchHit, error)
	Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error)
}

// YenteOptions configure the yente-compatible API (Options.Yente). The
// requests share the limits of GraphQL reads: Options.MaxBody,
// Options.Timeout, Options.MaxConcurrent and Options.QueueWait (each route
// has its own pool of that size); like GraphQL reads they need no token,
// and an Authorization header (yente's clients send "ApiKey ...") is
// ignored.
type YenteOptions struct {
	Source YenteGraph
	// Datasets are the dataset names the path accepts besides the
	// collections "default" and "sanctions" (which mean the whole store):
	// /match/us_ofac_sdn returns only entities from that dataset. Any other
	// name gets 404, as in yente, so that a misspelt scope never comes
	// back empty as if nothing matched.
	Datasets []string
	// MaxQueries bounds the queries of one POST /match (yente's
	// YENTE_MAX_BATCH, DefaultYenteMaxQueries).
	MaxQueries int
	// MaxVisited bounds the entities one exposure search visits
	// (graph.NearestQuery.MaxVisited; 0: DefaultYenteMaxVisited).
	MaxVisited int
}

// Limits of the yente-compatible API. yente's own defaults are given
// where ours differ.
const (
	// DefaultYenteMaxQueries bounds the queries of one POST /match, as
	// yente's YENTE_MAX_BATCH does by default.
	DefaultYenteMaxQueries = 100
	// DefaultYenteMaxVisited bounds the entities one exposure search
	// visits: a few hops around a match, not the whole graph.
	DefaultYenteMaxVisited = 200_000
	// yenteMatchLimit is the default limit of /match (yente's
	// YENTE_MATCH_PAGE); yenteMaxMatchLimit its largest (yente: 500).
	yenteMatchLimit    = 5
	yenteMaxMatchLimit = screen.MaxResults
	// A query's names, countries and birth dates are screened in every
	// combination (yente_match.go); these bound each, and
	// yenteMaxScreens the screens of one request (each weighs
	// screenWeight(limit)): about 1.5 s of two cores on the OFAC and UN
	// lists, measured with 100 queries of 4 birth dates.
	yenteMaxNames     = 10
	yenteMaxCountries = 5
	yenteMaxDates     = 5
	yenteMaxScreens   = 400
	// yenteMaxExposures bounds the exposure searches of one request: the
	// results after it carry "exposure": null.
	yenteMaxExposures = 250
	// yenteExposureHops and yenteExposurePaths: how far an exposure search
	// looks, and how many designated entities it reports.
	yenteExposureHops  = 3
	yenteExposurePaths = 3
	// yenteMaxExcludeIDs bounds exclude_entity_ids (as yente does).
	yenteMaxExcludeIDs = 50
	// yenteSearchLimit is the default limit of /search (yente's
	// DEFAULT_PAGE); yenteMaxSearchWindow bounds offset+limit (yente:
	// 10,000; our name index answers the best 100).
	yenteSearchLimit     = 10
	yenteMaxSearchWindow = 100
	// yenteMaxSearchText bounds q of /search, in bytes.
	yenteMaxSearchText = 500
	// yenteMaxNested bounds the relationships and entity properties an
	// entity nests in GET /entities.
	yenteMaxNested = 200
	// yenteMaxDesignations bounds the designations read to decide whether
	// an entity is a target.
	yenteMaxDesignations = 100
)

// yenteCollections are the dataset names that mean every entity of the
// store: yente's default scope and OpenSanctions' sanctions collection.
var yenteCollections = []string{"default", "sanctions"}

// yenteAPI serves the routes of the yente-compatible API.
type yenteAPI struct {
	opt   Options
	y     YenteOptions
	slots chan struct{}
}

func (s *server) yenteAPI() *yenteAPI {
	if s.opt.Yente == nil || s.opt.Yente.Source == nil {
		return nil
	}
	y := *s.opt.Yente
	if y.MaxQueries <= 0 {
		y.MaxQueries = DefaultYenteMaxQueries
	}
	if y.MaxVisited <= 0 {
		y.MaxVisited = DefaultYenteMaxVisited
	}
	return &yenteAPI{opt: s.opt, y: y, slots: make(chan struct{}, s.opt.MaxConcurrent)}
}

// yenteMatch serves POST /match/{dataset} when Options.Yente is set.
func (s *server) yenteMatch() http.Handler {
	if a := s.yenteAPI(); a != nil {
		return http.HandlerFunc(a.match)
	}
	return nil
}

// yenteSearch serves GET /search/{dataset} when Options.Yente is set.
func (s *server) yenteSearch() http.Handler {
	if a := s.yenteAPI(); a != nil {
		return http.HandlerFunc(a.search)
	}
	return nil
}

// yenteEntity serves GET /entities/{id} when Options.Yente is set.
func (s *server) yenteEntity() http.Handler {
	if a := s.yenteAPI(); a != nil {
		return http.HandlerFunc(a.entity)
	}
	return nil
}

// yenteDetail answers an error as yente does: {"detail": msg}.
func yenteDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// yenteFieldError is one item of a 422 answer: where (loc, FastAPI's
// path of the field: "body", "queries", key, ... or "query", param) and
// what is wrong.
type yenteFieldError struct {
	Type string `json:"type"`
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
}

// yenteInvalid answers 422 with the errors, as FastAPI does for a request
// that fails validation.
func yenteInvalid(w http.ResponseWriter, errs ...*yenteFieldError) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

func fieldErr(typ, msg string, loc ...any) *yenteFieldError {
	return &yenteFieldError{Type: typ, Loc: loc, Msg: msg}
}

// scope returns the dataset a path names: "" for a collection (every
// entity), the dataset otherwise, and false for a name yente would not know.
func (a *yenteAPI) scope(name string) (string, bool) {
	switch {
	case slices.Contains(yenteCollections, name):
		return "", true
	case slices.Contains(a.y.Datasets, name):
		return name, true
	}
	return "", false
}

// acquire waits up to QueueWait for one of the route's slots; false: the
// server is busy, and the caller has been answered 503.
func (a *yenteAPI) acquire(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	wait := time.NewTimer(a.opt.QueueWait)
	defer wait.Stop()
	select {
	case a.slots <- struct{}{}:
		return func() { <-a.slots }, true
	case <-wait.C:
		w.Header().Set("Retry-After", retryAfter)
		yenteDetail(w, http.StatusServiceUnavailable, "the server is busy; try again")
	case <-r.Context().Done():
	}
	return nil, false
}

// failed answers an error of the graph: a time-out 503, anything else a
// logged 500 that shows no internal text.
func (a *yenteAPI) failed(ctx context.Context, w http.ResponseWriter, r *http.Request, what string, err error) {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		yenteDetail(w, http.StatusServiceUnavailable, "the request took too long and was stopped; ask for less")
		return
	}
	a.opt.Log.ErrorContext(r.Context(), what, "err", err)
	yenteDetail(w, http.StatusInternalServerError, "internal error")
}

// ftmEntity is an entity as yente answers it (yente's EntityResponse).
// Properties hold strings, or nested entities in GET /entities.
type ftmEntity struct {
	ID         string           `json:"id"`
	Caption    string           `json:"caption"`
	Schema     string           `json:"schema"`
	Properties map[string][]any `json:"properties"`
	Datasets   []string         `json:"datasets"`
	Referents  []string         `json:"referents"`
	Target     bool             `json:"target"`
	FirstSeen  *string          `json:"first_seen"`
	LastSeen   *string          `json:"last_seen"`
	LastChange *string          `json:"last_change"`
}

// newFTMEntity writes e as yente does. target is whether it is designated
// now: a target gets the FtM topic "sanction" if its record has none, as
// yente's clients read topics to tell sanctioned parties.
func newFTMEntity(e *graph.Entity, target bool) *ftmEntity {
	out := &ftmEntity{ID: entityRef(e), Caption: e.Name(), Schema: e.Schema, Properties: make(map[string][]any, len(e.Props)+1),
		Datasets: e.Datasets(), Referents: slices.Clone(e.Referents), Target: target}
	for p, vals := range e.Props {
		if len(vals) == 0 {
			continue
		}
		vs := make([]any, len(vals))
		for i, v := range vals {
			vs[i] = v
		}
		out.Properties[p] = vs
	}
	if target && !slices.Contains(e.Topics(), "sanction") {
		out.Properties["topics"] = append(out.Properties["topics"], "sanction")
	}
	if out.Datasets == nil {
		out.Datasets = []string{}
	}
	if out.Referents == nil {
		out.Referents = []string{}
	}
	out.FirstSeen, out.LastSeen, out.LastChange = seenDates(e.Sources)
	return out
}

// entityRef is the id yente shows: the record's id, or the UUID of an
// entity that has none.
func entityRef(e *graph.Entity) string {
	if e.Ref != "" {
		return e.Ref
	}
	return e.ID.String()
}

// seenDates reads yente's first_seen, last_seen and last_change from the
// sources: the earliest and latest time a list version stating the entity
// was retrieved (or published, when the retrieval time is not known), and
// the latest publication date. Times are ISO 8601 to the second in UTC
// without a zone, as yente writes them; nil when the sources say nothing.
func seenDates(srcs []graph.Source) (first, last, change *string) {
	var seen, published []string
	for _, s := range srcs {
		if t, ok := isoSeconds(s.RetrievedAt); ok {
			seen = append(seen, t)
		} else if t, ok := isoSeconds(s.Date); ok {
			seen = append(seen, t)
		}
		if t, ok := isoSeconds(s.Date); ok {
			published = append(published, t)
		}
	}
	if len(seen) > 0 {
		sort.Strings(seen)
		first, last = &seen[0], &seen[len(seen)-1]
	}
	if len(published) > 0 {
		sort.Strings(published)
		change = &published[len(published)-1]
	} else {
		change = last
	}
	return first, last, change
}

// isoSeconds turns a date or an RFC 3339 time into yente's form,
// 2026-01-02T15:04:05 (UTC).
func isoSeconds(s string) (string, bool) {
	const out = "2006-01-02T15:04:05"
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(out), true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(out), true
		}
	}
	return "", false
}

// designated reports whether entity id has a designation in force today.
func (a *yenteAPI) designated(ctx context.Context, id uuid.UUID) (bool, error) {
	page, err := a.y.Source.Relationships(ctx, id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}, Limit: yenteMaxDesignations})
	if err != nil {
		return false, err
	}
	today := graph.Today().String()
	for _, r := range page.Relationships {
		if graph.NewDesignation(r, nil).Active(today) {
			return true, nil
		}
	}
	return false, nil
}

// entityFilter is what yente's filters (include_dataset, exclude_dataset,
// exclude_schema, topics, and a dataset path) keep of the results.
type entityFilter struct {
	scope           string   // the dataset of the path; "": a collection
	datasets        []string // keep an entity of one of these; empty: any
	excludeDatasets []string
	excludeSchemas  []string
	topics          []string // keep an entity with one of these topics; empty: any
}

// keep reports whether the filter keeps e; target is whether it is
// designated (the topic "sanction").
func (f *entityFilter) keep(e *graph.Entity, target bool) bool {
	ds := e.Datasets()
	if f.scope != "" && !slices.Contains(ds, f.scope) {
		return false
	}
	if len(f.datasets) > 0 && !intersects(ds, f.datasets) {
		return false
	}
	if intersects(ds, f.excludeDatasets) {
		return false
	}
	for _, s := range f.excludeSchemas {
		if e.Is(s) {
			return false
		}
	}
	if len(f.topics) > 0 {
		topics := e.Topics()
		if target {
			topics = append(slices.Clone(topics), "sanction")
		}
		if !intersects(topics, f.topics) {
			return false
		}
	}
	return true
}

func (f *entityFilter) empty() bool {
	return f.scope == "" && len(f.datasets) == 0 && len(f.excludeDatasets) == 0 && len(f.excludeSchemas) == 0 && len(f.topics) == 0
}

// needsTarget reports whether keep reads target.
func (f *entityFilter) needsTarget() bool { return len(f.topics) > 0 }

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
