package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// POST /match/{dataset}: yente's query-by-example matching. Each query is
// an FtM entity example; we screen it with graph/screen and answer yente's
// EntityMatchResponse.
//
// A query gives several values of a property where a screen.Query takes
// one name, one country and one birth date. Every combination is screened
// (each name with each country and each birth date) and each entity keeps
// its best-scoring combination: the query matches an entity when any of
// its names does, and a country or birth date counts when any of the
// query's does, as in yente. The combinations are bounded per query
// (yenteMaxNames, yenteMaxCountries, yenteMaxDates) and per request
// (yenteMaxScreens). Identifiers are passed with every screen: an exact
// one is a certain match.

// yenteAlgorithm is the name of our one scoring algorithm. yente's
// algorithm names are accepted too (a client configured for yente keeps
// working) and answered by it; the response says which was used.
const yenteAlgorithm = "sanctionsgraph"

// yenteAlgorithms are the algorithm names yente accepts (nomenklatura's
// matchers and "best").
var yenteAlgorithms = []string{"best", "logic-v2", "logic-v1", "ofac", "name-based", "name-qualified", "regression-v1", yenteAlgorithm}

// yenteFeatures documents the features of a result (yente's "matcher",
// nomenklatura's FeatureDocs). Each feature's value is what it adds to the
// score, so that a result's score is the sum of its features, clamped to
// [0, 1]: every coefficient is 1.
var yenteFeatures = map[string]string{
	"name_match":       "Similarity of the query's name and the entity's best-matching name or alias (0-1), after weighing its words by rarity; a weak alias alone, or a one-word name matched by part of a longer query, scores low.",
	"identifier_match": "An identifier of the query (registration, tax, passport, IMO, SWIFT/BIC number, ...) equals one of the entity: a certain match (1).",
	"country_match":    "A country of the query (nationality, citizenship, jurisdiction, country, ...) is one of the entity's: raises the score.",
	"country_mismatch": "The entity has countries and none of the query's: lowers the score.",
	"dob_match":        "A birth date of the query equals the entity's to the day: raises the score.",
	"dob_year_match":   "A birth date of the query agrees with the entity's to the precision both give (year or month): raises the score.",
	"dob_year_close":   "The nearest birth dates are a year apart: lowers the score a little.",
	"dob_mismatch":     "The birth dates are more than a year apart: lowers the score a lot.",
}

const yenteFeaturesURL = "https://github.com/sanctionsgraph/sanctionsgraph#yente-compatible-matching-api"

type yenteFeatureDoc struct {
	Description string  `json:"description"`
	Coefficient float64 `json:"coefficient"`
	URL         string  `json:"url"`
}

// yenteFeatureResult explains one feature of a result (nomenklatura's
// FeatureResult): its score, what it saw, and the query's and the
// entity's values it compared.
type yenteFeatureResult struct {
	Score     float64 `json:"score"`
	Detail    string  `json:"detail"`
	Query     *string `json:"query"`
	Candidate *string `json:"candidate"`
}

// yenteScored is one result of a match query (yente's
// ScoredEntityResponse) with two fields yente has not: summary, our
// explanation in a sentence, and exposure, the designated entities
// nearest to it in the graph.
type yenteScored struct {
	*ftmEntity
	Score float64 `json:"score"`
	Match bool    `json:"match"`
	// Features is deprecated in yente (explanations replaces it) but still
	// read by older clients.
	Features     map[string]float64            `json:"features"`
	Explanations map[string]yenteFeatureResult `json:"explanations"`
	Summary      string                        `json:"summary"`
	Exposure     *yenteExposure                `json:"exposure"`
}

// yenteExposure is how close a result is to designated entities: the
// nearest ones within yenteExposureHops hops, by the strongest shortest
// path. The result itself, if designated, comes first at 0 hops.
type yenteExposure struct {
	Designated bool        `json:"designated"`
	MaxHops    int         `json:"max_hops"`
	Nearest    []yentePath `json:"nearest"`
	// Limits names the bounds that cut the search (graph.PathResult.Limits).
	Limits []string `json:"limits,omitempty"`
}

type yentePath struct {
	Target   yenteNode   `json:"target"`
	Hops     int         `json:"hops"`
	Entities []yenteNode `json:"entities"` // from the result to the target
	Steps    []yenteStep `json:"steps"`
	// Text is the path in one line: A -[owns]-> B <-[linked-to]- C.
	Text string `json:"text"`
}

type yenteNode struct {
	ID      string `json:"id"`
	Caption string `json:"caption"`
	Schema  string `json:"schema"`
}

// yenteStep is one hop: the kind of its strongest relationship, whether
// that points along the path, and the relationships' ids.
type yenteStep struct {
	Kind          string   `json:"kind"`
	Label         string   `json:"label"`
	Forward       bool     `json:"forward"`
	Relationships []string `json:"relationships"`
}

type yenteTotal struct {
	Value    int    `json:"value"`
	Relation string `json:"relation"`
}

// yenteExample is a query as yente echoes it, with the values it read.
type yenteExample struct {
	ID         *string             `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

type yenteMatches struct {
	Status  int            `json:"status"`
	Results []*yenteScored `json:"results"`
	Total   yenteTotal     `json:"total"`
	Query   yenteExample   `json:"query"`
	// Unused lists the query's properties the matcher does not compare
	// (address, gender, ...); not in yente.
	Unused []string `json:"unused_properties,omitempty"`
}

type yenteMatchResponse struct {
	Responses map[string]*yenteMatches `json:"responses"`
	// Matcher is deprecated in yente (its /algorithms replaces it).
	Matcher map[string]yenteFeatureDoc `json:"matcher"`
	Limit   int                        `json:"limit"`
	// Algorithm says which algorithm scored, and which the request named;
	// not in yente.
	Algorithm yenteAlgorithmUsed `json:"algorithm"`
}

type yenteAlgorithmUsed struct {
	Name      string `json:"name"`
	Requested string `json:"requested"`
}

// matchParams are the query parameters of POST /match.
type matchParams struct {
	limit             int
	threshold, cutoff float64
	algorithm         string
	filter            entityFilter
	excludeIDs        []string
	exposure          bool
}

var tsPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$`)

// parseMatchParams reads the query parameters yente's /match has. Unknown
// parameters are ignored, as FastAPI does (yente's own examples send
// fuzzy=false, which it no longer reads).
func (a *yenteAPI) parseMatchParams(v url.Values) (matchParams, *yenteFieldError, string) {
	p := matchParams{limit: yenteMatchLimit, threshold: screen.DefaultThreshold, cutoff: screen.DefaultThreshold, algorithm: "best", exposure: true}
	if s, ok := last(v, "limit"); ok {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			return p, fieldErr("int_parsing", "Input should be a valid integer, unable to parse string as an integer", "query", "limit"), ""
		case n < 1:
			return p, fieldErr("greater_than_equal", "Input should be greater than or equal to 1", "query", "limit"), ""
		case n > yenteMaxMatchLimit:
			return p, fieldErr("less_than_equal", fmt.Sprintf("Input should be less than or equal to %d", yenteMaxMatchLimit), "query", "limit"), ""
		}
		p.limit = n
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"threshold", &p.threshold}, {"cutoff", &p.cutoff}} {
		s, ok := last(v, f.name)
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) {
			return p, fieldErr("float_parsing", "Input should be a valid number, unable to parse string as a number", "query", f.name), ""
		}
		if x < 0 || x > 1 {
			return p, fieldErr("value_error", "Input should be between 0 and 1", "query", f.name), ""
		}
		*f.dst = x
	}
	// As yente: results below cutoff are not returned, and cutoff is
	// never above threshold.
	p.cutoff = min(p.cutoff, p.threshold)
	if s, ok := last(v, "algorithm"); ok {
		p.algorithm = s
		if !slices.Contains(yenteAlgorithms, strings.ToLower(strings.TrimSpace(s))) {
			return p, nil, "Invalid algorithm: " + s
		}
	}
	if s, ok := last(v, "changed_since"); ok && !tsPattern.MatchString(s) {
		return p, fieldErr("string_pattern_mismatch", "String should match pattern '"+tsPattern.String()+"'", "query", "changed_since"), ""
	}
	if s, ok := last(v, "exposure"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return p, fieldErr("bool_parsing", "Input should be a valid boolean, unable to interpret input", "query", "exposure"), ""
		}
		p.exposure = b
	}
	p.filter = entityFilter{datasets: v["include_dataset"], excludeDatasets: v["exclude_dataset"], excludeSchemas: v["exclude_schema"], topics: v["topics"]}
	p.excludeIDs = v["exclude_entity_ids"]
	if len(p.excludeIDs) > yenteMaxExcludeIDs {
		return p, fieldErr("too_long", fmt.Sprintf("Tuple should have at most %d items after validation, not %d", yenteMaxExcludeIDs, len(p.excludeIDs)), "query", "exclude_entity_ids"), ""
	}
	return p, nil, ""
}

// last returns the last value of a query parameter, as FastAPI reads a
// scalar one.
func last(v url.Values, k string) (string, bool) {
	vals := v[k]
	if len(vals) == 0 {
		return "", false
	}
	return vals[len(vals)-1], true
}

// matchQuery is one query of a /match request, read.
type matchQuery struct {
	key       string
	echo      yenteExample
	unused    []string
	schema    string
	names     []string
	countries []string // country codes
	dates     []string // birth dates: YYYY, YYYY-MM or YYYY-MM-DD
	idents    []string
}

// screens is how many screens the query takes.
func (q *matchQuery) screens() int {
	return max(1, len(q.names)) * max(1, len(q.countries)) * max(1, len(q.dates))
}

// nameParts make a name when a query gives no full name, in this order
// (as FtM's combine_names does for yente).
var nameParts = []string{"firstName", "secondName", "middleName", "fatherName", "lastName"}

// strongNameProps are the name properties screened as names; weakAlias is
// read but not screened (a nickname alone says little).
var strongNameProps = []string{"name", "alias", "previousName"}

// readQuery reads one query example. It returns a 422 error for a value
// of the wrong JSON type or beyond our limits, or a 400 message for an
// unknown or non-matchable schema, as yente does.
func readQuery(key string, raw json.RawMessage) (*matchQuery, *yenteFieldError, string) {
	loc := func(more ...any) []any { return append([]any{"body", "queries", key}, more...) }
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, &yenteFieldError{Type: "model_type", Loc: loc(), Msg: "Input should be a valid dictionary or object to extract fields from"}, ""
	}
	q := &matchQuery{key: key, echo: yenteExample{Properties: map[string][]string{}}}
	if v, ok := fields["id"]; ok && string(v) != "null" {
		var id string
		if err := json.Unmarshal(v, &id); err != nil {
			return nil, &yenteFieldError{Type: "string_type", Loc: loc("id"), Msg: "Input should be a valid string"}, ""
		}
		q.echo.ID = &id
	}
	sv, ok := fields["schema"]
	if !ok || string(sv) == "null" {
		return nil, &yenteFieldError{Type: "missing", Loc: loc("schema"), Msg: "Field required"}, ""
	}
	if err := json.Unmarshal(sv, &q.schema); err != nil {
		return nil, &yenteFieldError{Type: "string_type", Loc: loc("schema"), Msg: "Input should be a valid string"}, ""
	}
	pv, ok := fields["properties"]
	if !ok || string(pv) == "null" {
		return nil, &yenteFieldError{Type: "missing", Loc: loc("properties"), Msg: "Field required"}, ""
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(pv, &props); err != nil {
		return nil, &yenteFieldError{Type: "dict_type", Loc: loc("properties"), Msg: "Input should be a valid dictionary"}, ""
	}
	values := map[string][]string{}
	for p, raw := range props {
		vals, ok := propertyValues(raw)
		if !ok {
			return nil, &yenteFieldError{Type: "string_type", Loc: loc("properties", p), Msg: "Input should be a valid string or a list of strings"}, ""
		}
		values[p] = vals
	}
	schema, ok := graph.LookupSchema(q.schema)
	if !ok {
		return nil, nil, fmt.Sprintf("Cannot parse example entity: Unknown schema: %q", q.schema)
	}
	if q.schema != "Thing" && !screen.Screenable(q.schema) {
		return nil, nil, "Cannot parse example entity: Non-matchable schema for query: " + q.schema
	}
	q.echo.Schema = q.schema
	keys := make([]string, 0, len(values))
	for p := range values {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	used := map[string]bool{}
	for _, p := range keys {
		def, known := schema.Props[p]
		if !known {
			continue // yente drops (and logs) a property the schema has not
		}
		for _, v := range values[p] {
			switch def.Type {
			case "country":
				code := graph.CountryCode(v)
				if code == "" {
					continue // not a country: left out, as yente does
				}
				v = code
				used[p] = true
				if !slices.Contains(q.countries, code) {
					q.countries = append(q.countries, code)
				}
			case "date":
				d, ok := cleanDate(v)
				if !ok {
					continue
				}
				v = d
				if p == "birthDate" {
					used[p] = true
					if !slices.Contains(q.dates, d) {
						q.dates = append(q.dates, d)
					}
				}
			case "identifier", "iban":
				if p != "programId" && len(graph.IdentifierKey(v)) >= 4 {
					used[p] = true
					if !slices.Contains(q.idents, v) {
						q.idents = append(q.idents, v)
					}
				}
			case "name":
				if slices.Contains(strongNameProps, p) {
					if len(v) > screen.MaxNameLen {
						return nil, &yenteFieldError{Type: "string_too_long", Loc: loc("properties", p), Msg: fmt.Sprintf("String should have at most %d bytes", screen.MaxNameLen)}, ""
					}
					used[p] = true
					if !slices.Contains(q.names, v) {
						q.names = append(q.names, v)
					}
				}
			}
			q.echo.Properties[p] = append(q.echo.Properties[p], v)
		}
	}
	if len(q.names) == 0 {
		// No full name: make one from its parts, as yente does.
		var parts []string
		for _, p := range nameParts {
			if vals := q.echo.Properties[p]; len(vals) > 0 {
				parts = append(parts, vals[0])
				used[p] = true
			}
		}
		if n := strings.Join(parts, " "); n != "" {
			if len(n) > screen.MaxNameLen {
				return nil, &yenteFieldError{Type: "string_too_long", Loc: loc("properties", "lastName"), Msg: fmt.Sprintf("String should have at most %d bytes", screen.MaxNameLen)}, ""
			}
			q.names = []string{n}
		}
	}
	for p := range q.echo.Properties {
		if !used[p] {
			q.unused = append(q.unused, p)
		}
	}
	sort.Strings(q.unused)
	switch {
	case len(q.names) == 0 && len(q.idents) == 0:
		return nil, &yenteFieldError{Type: "missing", Loc: loc("properties", "name"), Msg: "Give a name (name, alias, or firstName and lastName) or an identifier of at least 4 letters or digits"}, ""
	case len(q.names) > yenteMaxNames:
		return nil, &yenteFieldError{Type: "too_long", Loc: loc("properties", "name"), Msg: fmt.Sprintf("At most %d names (name, alias, previousName) per query, not %d", yenteMaxNames, len(q.names))}, ""
	case len(q.countries) > yenteMaxCountries:
		return nil, &yenteFieldError{Type: "too_long", Loc: loc("properties", "country"), Msg: fmt.Sprintf("At most %d countries (country, nationality, jurisdiction, ...) per query, not %d", yenteMaxCountries, len(q.countries))}, ""
	case len(q.dates) > yenteMaxDates:
		return nil, &yenteFieldError{Type: "too_long", Loc: loc("properties", "birthDate"), Msg: fmt.Sprintf("At most %d birth dates per query, not %d", yenteMaxDates, len(q.dates))}, ""
	case len(q.idents) > screen.MaxIdentifiers:
		return nil, &yenteFieldError{Type: "too_long", Loc: loc("properties"), Msg: fmt.Sprintf("At most %d identifiers per query, not %d", screen.MaxIdentifiers, len(q.idents))}, ""
	}
	return q, nil, ""
}

// propertyValues reads a property of an example: a string, or a list of
// strings (numbers and booleans in a list are read as their text, nulls
// skipped). Empty values are dropped.
func propertyValues(raw json.RawMessage) ([]string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s = strings.TrimSpace(s); s == "" {
			return nil, true
		}
		return []string{s}, true
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false
	}
	var out []string
	for _, item := range list {
		item = bytes.TrimSpace(item)
		switch {
		case string(item) == "null":
			continue
		case len(item) > 0 && item[0] == '"':
			if err := json.Unmarshal(item, &s); err != nil {
				return nil, false
			}
		case len(item) > 0 && (item[0] == '-' || item[0] >= '0' && item[0] <= '9' || item[0] == 't' || item[0] == 'f'):
			s = string(item)
		default:
			return nil, false
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

// cleanDate reads a date as YYYY, YYYY-MM or YYYY-MM-DD; a longer ISO 8601
// time is cut to its day.
func cleanDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return s, true
			}
		}
	}
	return "", false
}

// match serves POST /match/{dataset}.
func (a *yenteAPI) match(w http.ResponseWriter, r *http.Request) {
	dataset, ok := strings.CutPrefix(r.URL.Path, "/match/")
	if !ok || dataset == "" || strings.Contains(dataset, "/") {
		yenteDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		yenteDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	scope, ok := a.scope(dataset)
	if !ok {
		yenteDetail(w, http.StatusNotFound, "No such dataset.")
		return
	}
	p, ferr, msg := a.parseMatchParams(r.URL.Query())
	switch {
	case ferr != nil:
		yenteInvalid(w, ferr)
		return
	case msg != "":
		yenteDetail(w, http.StatusBadRequest, msg)
		return
	}
	p.filter.scope = scope
	queries, ok := a.readMatchBody(w, r, p.limit)
	if !ok {
		return
	}
	release, ok := a.acquire(w, r)
	if !ok {
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), a.opt.Timeout)
	defer cancel()
	resp, err := a.runMatch(ctx, p, queries)
	if err != nil {
		a.failed(ctx, w, r, "match", err)
		return
	}
	w.Header().Set("X-Batch-Size", strconv.Itoa(len(queries)))
	writeJSON(w, http.StatusOK, resp)
}

// readMatchBody reads and checks the body of a request for limit results
// per query; false: the client has been answered.
func (a *yenteAPI) readMatchBody(w http.ResponseWriter, r *http.Request, limit int) ([]*matchQuery, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		yenteDetail(w, http.StatusUnsupportedMediaType, "send the body as application/json")
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.opt.MaxBody)
	var body map[string]json.RawMessage
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil || body == nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			yenteDetail(w, http.StatusRequestEntityTooLarge, "request body too large")
			return nil, false
		}
		yenteInvalid(w, fieldErr("json_invalid", "JSON decode error: the body is not a JSON object", "body"))
		return nil, false
	}
	raw, ok := body["queries"]
	if !ok {
		yenteInvalid(w, fieldErr("missing", "Field required", "body", "queries"))
		return nil, false
	}
	var examples map[string]json.RawMessage
	if err := json.Unmarshal(raw, &examples); err != nil {
		yenteInvalid(w, fieldErr("dict_type", "Input should be a valid dictionary", "body", "queries"))
		return nil, false
	}
	for _, k := range []string{"weights", "config"} {
		// Accepted, as yente does, and not used: our one algorithm has no
		// weights or settings to change.
		var m map[string]any
		if v, ok := body[k]; ok && json.Unmarshal(v, &m) != nil {
			yenteInvalid(w, fieldErr("dict_type", "Input should be a valid dictionary", "body", k))
			return nil, false
		}
	}
	keys := make([]string, 0, len(examples))
	for k, v := range examples {
		if string(bytes.TrimSpace(v)) != "null" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > a.y.MaxQueries {
		yenteDetail(w, http.StatusBadRequest, fmt.Sprintf("Too many queries in one batch (limit: %d)", a.y.MaxQueries))
		return nil, false
	}
	var queries []*matchQuery
	var firstBad string
	screens := 0
	for _, k := range keys {
		q, ferr, msg := readQuery(k, examples[k])
		switch {
		case ferr != nil:
			yenteInvalid(w, ferr)
			return nil, false
		case msg != "":
			if firstBad == "" {
				firstBad = msg
			}
			continue
		}
		screens += q.screens()
		queries = append(queries, q)
	}
	switch {
	case firstBad != "":
		yenteDetail(w, http.StatusBadRequest, firstBad)
		return nil, false
	case len(queries) == 0:
		yenteDetail(w, http.StatusBadRequest, "No queries provided.")
		return nil, false
	case screens*screenWeight(limit) > yenteMaxScreens:
		yenteDetail(w, http.StatusBadRequest, fmt.Sprintf("This batch needs %d screens (each query's names x countries x birth dates, x %d for limit=%d), more than %d: send fewer queries, fewer values per query or a lower limit", screens*screenWeight(limit), screenWeight(limit), limit, yenteMaxScreens))
		return nil, false
	}
	return queries, true
}

// screenWeight is what one screen counts against yenteMaxScreens: a
// screen scores more candidates for a longer page (store.Screen scores
// three times the hits asked for, at least 30), so each ten results asked
// for beyond the first ten count once more.
func screenWeight(limit int) int {
	return (max(limit, screen.DefaultResults) + screen.DefaultResults - 1) / screen.DefaultResults
}

// matchRun is the state of one /match request its queries share.
type matchRun struct {
	a         *yenteAPI
	p         matchParams
	exclude   map[uuid.UUID]bool
	exposures atomic.Int32 // exposure searches started
	mu        sync.Mutex
	entities  map[uuid.UUID]*graph.Entity
}

func (a *yenteAPI) runMatch(ctx context.Context, p matchParams, queries []*matchQuery) (*yenteMatchResponse, error) {
	run := &matchRun{a: a, p: p, exclude: map[uuid.UUID]bool{}, entities: map[uuid.UUID]*graph.Entity{}}
	for _, ref := range p.excludeIDs {
		// Any id of a merged party excludes the party, as in yente.
		id, err := a.y.Source.Resolve(ctx, ref)
		switch {
		case err == nil:
			run.exclude[id] = true
		case errors.Is(err, graph.ErrNotFound), errors.Is(err, graph.ErrInvalid):
		default:
			return nil, err
		}
	}
	out := make([]*yenteMatches, len(queries))
	errs := make([]error, len(queries))
	// Two workers: the queries are independent and CPU-bound (as
	// schema's screenBatch).
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = run.query(ctx, queries[i])
			}
		})
	}
	for i := range queries {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	resp := &yenteMatchResponse{Responses: make(map[string]*yenteMatches, len(queries)), Matcher: make(map[string]yenteFeatureDoc, len(yenteFeatures)),
		Limit: p.limit, Algorithm: yenteAlgorithmUsed{Name: yenteAlgorithm, Requested: p.algorithm}}
	for i, q := range queries {
		resp.Responses[q.key] = out[i]
	}
	for name, desc := range yenteFeatures {
		resp.Matcher[name] = yenteFeatureDoc{Description: desc, Coefficient: 1, URL: yenteFeaturesURL}
	}
	return resp, nil
}

// entity reads an entity once per request.
func (run *matchRun) entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error) {
	run.mu.Lock()
	e, ok := run.entities[id]
	run.mu.Unlock()
	if ok {
		return e, nil
	}
	e, err := run.a.y.Source.Entity(ctx, id)
	if err != nil {
		return nil, err
	}
	run.mu.Lock()
	run.entities[id] = e
	run.mu.Unlock()
	return e, nil
}

// bestHit is an entity's best screen of a query, and the query's values
// that screen compared.
type bestHit struct {
	hit                 screen.Hit
	name, country, date string
}

// query screens one query in every combination of its values and answers
// the best hit per entity.
func (run *matchRun) query(ctx context.Context, q *matchQuery) (*yenteMatches, error) {
	p := run.p
	names, countries, dates := orEmpty(q.names), orEmpty(q.countries), orEmpty(q.dates)
	// Ask each screen for at least a page of hits, so that total counts
	// more matches than the results show.
	perScreen := min(screen.MaxResults, max(p.limit, screen.DefaultResults))
	threshold := max(p.cutoff, minScreenThreshold)
	best := map[uuid.UUID]*bestHit{}
	more := false
	for _, n := range names {
		for _, c := range countries {
			for _, d := range dates {
				res, err := run.a.y.Source.Screen(ctx, screen.Query{Name: n, Schema: q.schema, Country: c, BirthDate: d,
					Identifiers: q.idents, Threshold: threshold, Limit: perScreen})
				if errors.Is(err, graph.ErrInvalid) {
					// readQuery let through what screen.Prepare refuses
					// (a name of no letters or digits): no hits.
					continue
				}
				if err != nil {
					return nil, err
				}
				more = more || res.Truncated || len(res.Hits) == perScreen
				for _, h := range res.Hits {
					if b, ok := best[h.ID]; !ok || h.Score > b.hit.Score || h.Score == b.hit.Score && h.NameScore > b.hit.NameScore {
						best[h.ID] = &bestHit{hit: h, name: n, country: c, date: d}
					}
				}
			}
		}
	}
	hits := make([]*bestHit, 0, len(best))
	for _, b := range best {
		hits = append(hits, b)
	}
	slices.SortFunc(hits, func(x, y *bestHit) int {
		switch {
		case x.hit.Score > y.hit.Score:
			return -1
		case x.hit.Score < y.hit.Score:
			return 1
		}
		return strings.Compare(x.hit.ID.String(), y.hit.ID.String())
	})
	out := &yenteMatches{Status: http.StatusOK, Results: []*yenteScored{}, Query: q.echo, Unused: q.unused}
	filtered := !p.filter.empty()
	for _, b := range hits {
		if run.exclude[b.hit.ID] || b.hit.Score < p.cutoff {
			continue
		}
		match := b.hit.Score >= p.threshold
		if len(out.Results) >= p.limit && !filtered {
			// Past the page and nothing to filter: only count.
			if match {
				out.Total.Value++
			}
			continue
		}
		e, err := run.entity(ctx, b.hit.ID)
		if errors.Is(err, graph.ErrNotFound) {
			continue // retracted since it was screened
		}
		if err != nil {
			return nil, err
		}
		target, known := false, false
		if p.filter.needsTarget() {
			if target, err = run.a.designated(ctx, b.hit.ID); err != nil {
				return nil, err
			}
			known = true
		}
		if !p.filter.keep(e, target) {
			continue
		}
		if match {
			out.Total.Value++
		}
		if len(out.Results) >= p.limit {
			continue
		}
		var exposure *yenteExposure
		if p.exposure && run.exposures.Add(1) <= yenteMaxExposures {
			if exposure, err = run.a.exposure(ctx, b.hit.ID); err != nil {
				return nil, err
			}
		}
		switch {
		case exposure != nil:
			target = exposure.Designated
		case !known:
			if target, err = run.a.designated(ctx, b.hit.ID); err != nil {
				return nil, err
			}
		}
		res := &yenteScored{ftmEntity: newFTMEntity(e, target), Score: b.hit.Score, Match: match, Summary: b.hit.Summary(), Exposure: exposure}
		res.Features, res.Explanations = features(b)
		out.Results = append(out.Results, res)
	}
	out.Total.Relation = "eq"
	if more {
		out.Total.Relation = "gte"
	}
	return out, nil
}

// minScreenThreshold is the least score asked of a screen when cutoff is
// 0 (screen.Query reads a threshold of 0 as its default).
const minScreenThreshold = 0.01

func orEmpty(v []string) []string {
	if len(v) == 0 {
		return []string{""}
	}
	return v
}

// round keeps four decimals of a feature: scores are not more precise
// than that, and the features read better.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// features explains a hit as yente's features and explanations: each
// feature's value is what it added to the score.
func features(b *bestHit) (map[string]float64, map[string]yenteFeatureResult) {
	h := &b.hit
	feats := map[string]float64{}
	expl := map[string]yenteFeatureResult{}
	add := func(name string, v float64, detail, query, candidate string) {
		feats[name] = round(v)
		expl[name] = yenteFeatureResult{Score: round(v), Detail: detail, Query: optString(query), Candidate: optString(candidate)}
	}
	if len(h.Fields) > 0 && h.Fields[0].Field == "identifier" && h.Fields[0].Outcome == "match" {
		f := h.Fields[0]
		add("identifier_match", 1, "identifier "+f.Query+" matches exactly", f.Query, f.Value)
		return feats, expl
	}
	add("name_match", h.NameScore, nameDetail(h), b.name, h.Matched)
	for _, f := range h.Fields {
		name := f.Field + "_" + f.Outcome
		switch {
		case f.Field == "country":
			name = "country_" + f.Outcome
		case f.Field == "birthDate" && f.Outcome == "match":
			name = "dob_match"
		case f.Field == "birthDate" && f.Outcome == "partial":
			name = "dob_year_match"
		case f.Field == "birthDate" && f.Outcome == "close":
			name = "dob_year_close"
		case f.Field == "birthDate":
			name = "dob_mismatch"
		}
		add(name, f.Effect, fmt.Sprintf("%s %s: %s (%+.2f)", f.Field, f.Query, f.Outcome, f.Effect), f.Query, f.Value)
	}
	return feats, expl
}

// nameDetail says how the query's words met the name's: the words that
// did not match exactly, and why.
func nameDetail(h *screen.Hit) string {
	what := "name"
	if h.Weak {
		what = "weak alias"
	}
	var words []string
	for _, t := range h.Tokens {
		switch {
		case t.How == "exact" || t.How == "" || t.How == "repeated":
		case t.Query != "" && t.Name != "":
			words = append(words, fmt.Sprintf("%s~%s (%s)", t.Query, t.Name, t.How))
		case t.Query != "":
			words = append(words, t.Query+" "+t.How)
		default:
			words = append(words, t.Name+": "+t.How)
		}
	}
	s := fmt.Sprintf("%s %q scores %.2f", what, h.Matched, h.NameScore)
	if len(words) > 0 {
		s += ": " + strings.Join(words, ", ")
	}
	return s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// exposure finds the designated entities nearest to id. It returns nil,
// not an error, for an entity the graph index does not hold.
func (a *yenteAPI) exposure(ctx context.Context, id uuid.UUID) (*yenteExposure, error) {
	res, err := a.y.Source.Nearest(ctx, graph.NearestQuery{From: id, MaxHops: yenteExposureHops, K: yenteExposurePaths,
		MaxVisited: a.y.MaxVisited, Load: graph.PathLoad{Entities: true, Relationships: true}})
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	x := &yenteExposure{MaxHops: yenteExposureHops, Nearest: []yentePath{}, Limits: res.Limits}
	node := func(id uuid.UUID) yenteNode {
		if e := res.Entities[id]; e != nil {
			return yenteNode{ID: entityRef(e), Caption: e.Name(), Schema: e.Schema}
		}
		return yenteNode{ID: id.String()}
	}
	for _, path := range res.Paths {
		if len(path.Entities) == 0 {
			continue
		}
		yp := yentePath{Target: node(path.Entities[len(path.Entities)-1]), Hops: path.Hops(), Steps: []yenteStep{}}
		var text strings.Builder
		for i, id := range path.Entities {
			n := node(id)
			yp.Entities = append(yp.Entities, n)
			if i > 0 {
				st := &path.Steps[i-1]
				ys := yenteStep{Kind: st.Kind().String(), Label: st.Kind().Label(), Forward: st.Forward(), Relationships: []string{}}
				for _, r := range st.Relationships {
					ys.Relationships = append(ys.Relationships, r.Ref)
				}
				yp.Steps = append(yp.Steps, ys)
				if ys.Forward {
					fmt.Fprintf(&text, " -[%s]-> ", ys.Kind)
				} else {
					fmt.Fprintf(&text, " <-[%s]- ", ys.Kind)
				}
			}
			text.WriteString(n.Caption)
		}
		yp.Text = text.String()
		if yp.Hops == 0 {
			x.Designated = true
		}
		x.Nearest = append(x.Nearest, yp)
	}
	return x, nil
}
