package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"

	"net/http"
	"net/http/httptest"

	"os"
	"regexp"

	"sync"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// *store.Store is what the yente-compatible API reads.
var _ web.YenteGraph = (*store.Store)(nil)

var listsStore struct {
	once sync.Once
	st   *store.Store
	err  error
}

// realLists returns an in-memory store holding the OFAC SDN list (sdn.csv
// with add.csv and alt.csv beside it) and the UN consolidated list, merged
// as the CLI's ingest merges them. It is built once and shared by the
// tests, which only read it.
func realLists(t testing.TB) *store.Store {
	t.Helper()
	files := []string{graphtest.SharedData(t, "ofac/sdn.csv"), graphtest.SharedData(t, "un/UN_consolidated_2026-02-27.xml")}
	listsStore.once.Do(func() {
		ctx := context.Background()
		st, err := store.Open(ctx, "", store.Options{InMemory: true, Index: true, GCInterval: -1})
		if err != nil {
			listsStore.err = err
			return
		}
		run, err := st.BeginRun(ctx, "lists")
		if err != nil {
			listsStore.err = err
			return
		}
		for _, f := range files {
			if _, err := ingest.File(ctx, f, run, ingest.Options{}); err != nil {
				listsStore.err = err
				return
			}
		}
		if err := run.Commit(ctx); err != nil {
			listsStore.err = err
			return
		}
		if _, err := st.AutoMerge(ctx); err != nil {
			listsStore.err = err
			return
		}
		listsStore.st = st
	})
	if listsStore.err != nil {
		t.Fatal(listsStore.err)
	}
	return listsStore.st
}

// yenteServer serves the real handler over HTTP on the real lists.
func yenteServer(t testing.TB, tweak func(*web.Options)) *httptest.Server {
	t.Helper()
	st := realLists(t)
	opt := web.Options{Yente: &web.YenteOptions{Source: st, Datasets: []string{"us_ofac_sdn", "un_sc_sanctions"}}}
	if tweak != nil {
		tweak(&opt)
	}
	srv := httptest.NewServer(web.New(opt))
	t.Cleanup(srv.Close)
	return srv
}

type yenteReply struct {
	status int
	header http.Header
	body   []byte
}

func (r *yenteReply) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func yentePost(t testing.TB, srv *httptest.Server, path string, body []byte) *yenteReply {
	t.Helper()
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &yenteReply{status: resp.StatusCode, header: resp.Header, body: b}
}

func yenteGet(t testing.TB, srv *httptest.Server, path string) *yenteReply {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &yenteReply{status: resp.StatusCode, header: resp.Header, body: b}
}

// The response shapes, as yente's models declare them (yente/data/common.py).
type yenteEntity struct {
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

type yenteResult struct {
	yenteEntity
	Score        float64            `json:"score"`
	Match        bool               `json:"match"`
	Features     map[string]float64 `json:"features"`
	Explanations map[string]struct {
		Score     float64 `json:"score"`
		Detail    string  `json:"detail"`
		Query     *string `json:"query"`
		Candidate *string `json:"candidate"`
	} `json:"explanations"`
	Summary  string `json:"summary"`
	Exposure *struct {
		Designated bool `json:"designated"`
		MaxHops    int  `json:"max_hops"`
		Nearest    []struct {
			Target   struct{ ID, Caption, Schema string } `json:"target"`
			Hops     int                                  `json:"hops"`
			Entities []struct{ ID, Caption string }       `json:"entities"`
			Steps    []struct {
				Kind          string   `json:"kind"`
				Forward       bool     `json:"forward"`
				Relationships []string `json:"relationships"`
			} `json:"steps"`
			Text string `json:"text"`
		} `json:"nearest"`
	} `json:"exposure"`
}

type yenteMatchResp struct {
	Responses map[string]struct {
		Status  int           `json:"status"`
		Results []yenteResult `json:"results"`
		Total   struct {
			Value    int    `json:"value"`
			Relation string `json:"relation"`
		} `json:"total"`
		Query struct {
			ID         *string             `json:"id"`
			Schema     string              `json:"schema"`
			Properties map[string][]string `json:"properties"`
		} `json:"query"`
	} `json:"responses"`
	Matcher map[string]struct {
		Description string  `json:"description"`
		Coefficient float64 `json:"coefficient"`
		URL         string  `json:"url"`
	} `json:"matcher"`
	Limit     int `json:"limit"`
	Algorithm struct {
		Name, Requested string
	} `json:"algorithm"`
}

var (
	isoSecondsRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)
	datasetNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// checkEntityShape checks what yente's tests check of every entity
// (tests/conftest.py, assert_entity_shape): the keys are there, the
// schema is FtM's, properties are lists of strings or of nested entities
// of the same shape, times are ISO 8601 to the second without a zone.
func checkEntityShape(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("entity %s: %v", raw, err)
	}
	for _, k := range []string{"id", "caption", "schema", "properties", "datasets", "referents", "target", "first_seen", "last_seen", "last_change"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("entity %.200s has no %q", raw, k)
		}
	}
	var e struct {
		yenteEntity
		Properties map[string][]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("entity %.200s: %v", raw, err)
	}
	if e.ID == "" || e.Caption == "" {
		t.Errorf("entity %.200s: empty id or caption", raw)
	}
	if _, ok := graph.LookupSchema(e.Schema); !ok {
		t.Errorf("entity %s: schema %q is not FtM's", e.ID, e.Schema)
	}
	for p, vals := range e.Properties {
		for _, v := range vals {
			if len(v) > 0 && v[0] == '{' {
				checkEntityShape(t, v)
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				t.Errorf("entity %s: %s holds %s, not a string or an entity", e.ID, p, v)
			}
		}
	}
	if e.Datasets == nil || e.Referents == nil {
		t.Errorf("entity %s: datasets %v, referents %v, want lists", e.ID, e.Datasets, e.Referents)
	}
	for _, d := range e.Datasets {
		if !datasetNameRE.MatchString(d) {
			t.Errorf("entity %s: dataset name %q", e.ID, d)
		}
	}
	for _, s := range []*string{e.FirstSeen, e.LastSeen, e.LastChange} {
		if s != nil && !isoSecondsRE.MatchString(*s) {
			t.Errorf("entity %s: time %q is not YYYY-MM-DDTHH:MM:SS", e.ID, *s)
		}
	}
}

// rawMatch is a /match response with its results left raw, to check
// their shape key by key.
type rawMatch struct {
	Responses map[string]struct {
		Results []json.RawMessage `json:"results"`
	} `json:"responses"`
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/yente/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkScores checks what a client may rely on of every result: match is
// score >= threshold, the score is the sum of the features (clamped to
// [0, 1]), each feature is explained, and the results come best first.
func checkScores(t *testing.T, key string, results []yenteResult, threshold float64) {
	t.Helper()
	for i, r := range results {
		if r.Match != (r.Score >= threshold) {
			t.Errorf("%s: %s score %.4f match %v, threshold %.2f", key, r.ID, r.Score, r.Match, threshold)
		}
		sum := 0.0
		for name, v := range r.Features {
			sum += v
			if e, ok := r.Explanations[name]; !ok || e.Score != v || e.Detail == "" {
				t.Errorf("%s: %s feature %s = %v, explanation %+v", key, r.ID, name, v, e)
			}
		}
		if want := math.Max(0, math.Min(1, sum)); math.Abs(want-r.Score) > 0.001 {
			t.Errorf("%s: %s score %.4f, features %v sum to %.4f", key, r.ID, r.Score, r.Features, want)
		}
		if i > 0 && r.Score > results[i-1].Score {
			t.Errorf("%s: result %d scores %.4f, more than the one before it (%.4f)", key, i, r.Score, results[i-1].Score)
		}
		if r.Summary == "" {
			t.Errorf("%s: %s has no summary", key, r.ID)
		}
	}
}

// TestYenteMatchExample sends yente's example batch (examples/match_api.py:
// a person by two names, one in Cyrillic, and a birth year; a company by
// name and jurisdiction) to the real handler over HTTP, and reads the
// answer as a yente client does.
func TestYenteMatchExample(t *testing.T) {
	srv := yenteServer(t, nil)
	// A yente client sends its API key and the parameters of its
	// examples; fuzzy is one yente no longer reads.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/match/default?algorithm=best&fuzzy=false", bytes.NewReader(readFixture(t, "match_example.json")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "ApiKey 0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Batch-Size"); got != "2" {
		t.Errorf("X-Batch-Size = %q, want 2", got)
	}
	var m yenteMatchResp
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Limit != 5 || m.Algorithm.Name != "sanctionsgraph" || m.Algorithm.Requested != "best" {
		t.Errorf("limit %d, algorithm %+v; want 5, sanctionsgraph (requested best)", m.Limit, m.Algorithm)
	}
	if d, ok := m.Matcher["name_match"]; !ok || d.Description == "" || d.Coefficient != 1 {
		t.Errorf("matcher name_match = %+v", d)
	}
	var raw rawMatch
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for key, r := range raw.Responses {
		for _, res := range r.Results {
			checkEntityShape(t, res)
		}
		checkScores(t, key, m.Responses[key].Results, 0.8)
	}
	tests := []struct {
		key, id, caption string
		query            map[string][]string
	}{
		{"q1", "ofac:16669", "ROTENBERG, Arkady Romanovich", map[string][]string{"name": {"Arkadiii Romanovich Rotenberg", "Ротенберг Аркадий"}, "birthDate": {"1951"}}},
		// yente echoes the country it read: "Russia" is "ru".
		{"q2", "ofac:16828", "STROYGAZMONTAZH", map[string][]string{"name": {"Stroygazmontazh"}, "jurisdiction": {"ru"}}},
	}
	for _, tt := range tests {
		r, ok := m.Responses[tt.key]
		if !ok {
			t.Errorf("no response %q", tt.key)
			continue
		}
		if r.Status != 200 || !reflect.DeepEqual(r.Query.Properties, tt.query) || r.Query.ID != nil {
			t.Errorf("%s: status %d, query %+v; want 200, %v", tt.key, r.Status, r.Query, tt.query)
		}
		if len(r.Results) == 0 {
			t.Errorf("%s: no results", tt.key)
			continue
		}
		top := r.Results[0]
		if top.ID != tt.id || top.Caption != tt.caption || !top.Match || !top.Target || r.Total.Value < 1 || r.Total.Relation != "eq" {
			t.Errorf("%s: top result %s %q match %v target %v, total %+v; want %s %q, a designated match", tt.key, top.ID, top.Caption, top.Match, top.Target, r.Total, tt.id, tt.caption)
		}
		// The exposure: the result itself at 0 hops, then the designated
		// entities linked to it, with the path and its relationships.
		x := top.Exposure
		if x == nil || !x.Designated || len(x.Nearest) < 2 || x.Nearest[0].Hops != 0 {
			t.Fatalf("%s: exposure %+v, want the result designated and linked to others", tt.key, x)
		}
		for _, p := range x.Nearest[1:] {
			if p.Hops < 1 || len(p.Entities) != p.Hops+1 || len(p.Steps) != p.Hops || p.Entities[0].ID != tt.id || p.Entities[p.Hops].ID != p.Target.ID {
				t.Errorf("%s: path %+v does not lead from the result to its target", tt.key, p)
			}
			for _, st := range p.Steps {
				if st.Kind == "" || len(st.Relationships) == 0 {
					t.Errorf("%s: step %+v names no relationship", tt.key, st)
				}
			}
			if !strings.Contains(p.Text, tt.caption) || !strings.Contains(p.Text, p.Target.Caption) {
				t.Errorf("%s: path text %q", tt.key, p.Text)
			}
		}
	}
	// Rotenberg's relatives are designated and linked to him on the SDN
	// list ("Linked To: ROTENBERG, Arkady Romanovich").
	var linked []string
	for _, p := range m.Responses["q1"].Results[0].Exposure.Nearest {
		linked = append(linked, p.Target.Caption)
	}
	if !slices.ContainsFunc(linked, func(s string) bool { return strings.HasPrefix(s, "ROTENBERG, ") && s != "ROTENBERG, Arkady Romanovich" }) {
		t.Errorf("Rotenberg's exposure %v names none of his designated relatives", linked)
	}
}

// TestYenteMatchOpenAPIExample sends the example of yente's OpenAPI
// description of /match: two made-up parties, which match nothing on the
// real lists, answered in yente's shape with the query as read.
func TestYenteMatchOpenAPIExample(t *testing.T) {
	srv := yenteServer(t, nil)
	r := yentePost(t, srv, "/match/sanctions", readFixture(t, "match_openapi.json"))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var m yenteMatchResp
	r.decode(t, &m)
	want := map[string]map[string][]string{
		"entity1": {"name": {"John Doe"}, "birthDate": {"1975-04-21"}, "nationality": {"us"}},
		"entity2": {"name": {"Brilliant Amazing Limited"}, "jurisdiction": {"hk"}, "registrationNumber": {"84BA99810"}},
	}
	for key, props := range want {
		got, ok := m.Responses[key]
		if !ok {
			t.Fatalf("no response %q in %s", key, r.body)
		}
		if got.Status != 200 || !reflect.DeepEqual(got.Query.Properties, props) || got.Results == nil {
			t.Errorf("%s: status %d, query %v, results %v; want 200, %v, a list", key, got.Status, got.Query.Properties, got.Results, props)
		}
		checkScores(t, key, got.Results, 0.8)
		matches := 0
		for _, res := range got.Results {
			if res.Match {
				matches++
			}
		}
		if got.Total.Value != matches {
			t.Errorf("%s: total %d, %d of the results match", key, got.Total.Value, matches)
		}
	}
	if m.Responses["entity1"].Query.Schema != "Person" || m.Responses["entity2"].Query.Schema != "Company" {
		t.Errorf("query schemata %q, %q", m.Responses["entity1"].Query.Schema, m.Responses["entity2"].Query.Schema)
	}
}

// matchOne posts one query and returns its response.
func matchOne(t *testing.T, srv *httptest.Server, path, query string) (results []yenteResult, total int) {
	t.Helper()
	r := yentePost(t, srv, path, []byte(`{"queries": {"q": `+query+`}}`))
	if r.status != http.StatusOK {
		t.Fatalf("POST %s %s: status %d: %s", path, query, r.status, r.body)
	}
	var m yenteMatchResp
	r.decode(t, &m)
	return m.Responses["q"].Results, m.Responses["q"].Total.Value
}

func resultIDs(rs []yenteResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestYenteMatchParameters checks the query parameters of /match that
// are honoured: limit, threshold and cutoff, the dataset of the path,
// include_dataset, exclude_dataset, exclude_schema, topics,
// exclude_entity_ids, and our exposure.
func TestYenteMatchParameters(t *testing.T) {
	srv := yenteServer(t, nil)
	const rotenberg = `{"schema": "Person", "properties": {"name": ["Arkady Rotenberg"], "nationality": ["ru"]}}`
	const arkady = "ofac:16669"
	tests := []struct {
		path   string
		query  string
		has    bool // arkady among the results
		check  func(t *testing.T, rs []yenteResult, total int)
		nearly bool
	}{
		{path: "/match/default", query: rotenberg, has: true},
		{path: "/match/us_ofac_sdn", query: rotenberg, has: true},
		{path: "/match/un_sc_sanctions", query: rotenberg, has: false},
		{path: "/match/default?include_dataset=un_sc_sanctions", query: rotenberg, has: false},
		{path: "/match/default?include_dataset=un_sc_sanctions&include_dataset=us_ofac_sdn", query: rotenberg, has: true},
		{path: "/match/default?exclude_dataset=us_ofac_sdn", query: rotenberg, has: false},
		{path: "/match/default?exclude_schema=Person", query: rotenberg, has: false},
		{path: "/match/default?topics=role.pep", query: rotenberg, has: false},
		{path: "/match/default?topics=sanction", query: rotenberg, has: true},
		{path: "/match/default?exclude_entity_ids=" + arkady, query: rotenberg, has: false},
		{path: "/match/default?limit=1", query: rotenberg, has: true, check: func(t *testing.T, rs []yenteResult, total int) {
			if len(rs) != 1 {
				t.Errorf("limit=1 gave %d results", len(rs))
			}
		}},
		// Above the threshold only what scores 1: the others come as
		// results (down to the cutoff, which defaults to the threshold
		// and is never above it) that do not match.
		{path: "/match/default?threshold=0.999&cutoff=0.5", query: rotenberg, has: true, check: func(t *testing.T, rs []yenteResult, total int) {
			checkScores(t, "threshold", rs, 0.999)
			for _, r := range rs {
				if r.Score < 0.5 {
					t.Errorf("cutoff 0.5: result %s scores %.4f", r.ID, r.Score)
				}
			}
		}},
		{path: "/match/default?exposure=false", query: rotenberg, has: true, check: func(t *testing.T, rs []yenteResult, total int) {
			if rs[0].Exposure != nil || !rs[0].Target {
				t.Errorf("exposure=false: exposure %+v, target %v", rs[0].Exposure, rs[0].Target)
			}
		}},
		// An identifier alone (a registration number of the SDN list) is
		// an exact match.
		{path: "/match/default", query: `{"schema": "Company", "properties": {"registrationNumber": "1028900620319"}}`, check: func(t *testing.T, rs []yenteResult, total int) {
			if len(rs) == 0 || rs[0].Caption != "GAZPROM BURENIE, OOO" || rs[0].Score != 1 || rs[0].Features["identifier_match"] != 1 {
				t.Errorf("registration number: results %+v", rs)
			}
		}},
		// Given and family names make the name when there is none.
		{path: "/match/default", query: `{"schema": "Person", "properties": {"firstName": ["Arkady"], "lastName": ["Rotenberg"], "birthDate": ["1951-12-15"]}}`, has: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rs, total := matchOne(t, srv, tt.path, tt.query)
			if tt.check == nil || tt.has {
				if got := slices.Contains(resultIDs(rs), arkady); got != tt.has {
					t.Errorf("POST %s: results %v; want %s among them: %v", tt.path, resultIDs(rs), arkady, tt.has)
				}
			}
			if tt.check != nil {
				tt.check(t, rs, total)
			}
		})
	}
}

// TestYenteMatchErrors checks that bad requests get yente's errors: 422
// naming the field (loc) for what fails validation, 400, 404, 405, 413
// or 415 with a detail for the rest.
func TestYenteMatchErrors(t *testing.T) {
	srv := yenteServer(t, func(o *web.Options) { o.MaxBody = 64 << 10 })
	person := func(props string) string {
		return `{"queries": {"a": {"schema": "Person", "properties": ` + props + `}}}`
	}
	many := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"queries": {`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"q%d": {"schema": "Person", "properties": {"name": ["John Smith %d"], "nationality": ["us", "gb", "fr"], "birthDate": ["1970", "1971"]}}`, i, i)
		}
		b.WriteString("}}")
		return b.String()
	}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		loc         string // of a 422
		detail      string // of the others
	}{
		{"no schema", "", "/match/default", "", `{"queries": {"fail": {"properties": {"name": "Banana"}}}}`, 422, "body.queries.fail.schema", ""},
		{"no properties", "", "/match/default", "", `{"queries": {"fail": {"schema": "Person"}}}`, 422, "body.queries.fail.properties", ""},
		{"no queries", "", "/match/default", "", `{}`, 422, "body.queries", ""},
		{"queries not an object", "", "/match/default", "", `{"queries": []}`, 422, "body.queries", ""},
		{"not JSON", "", "/match/default", "", `{"queries":`, 422, "body", ""},
		{"a number for a name", "", "/match/default", "", person(`{"name": 5}`), 422, "body.queries.a.properties.name", ""},
		{"no name or identifier", "", "/match/default", "", person(`{"birthDate": ["1970"]}`), 422, "body.queries.a.properties.name", ""},
		{"too many names", "", "/match/default", "", person(`{"name": ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11"]}`), 422, "body.queries.a.properties.name", ""},
		{"name too long", "", "/match/default", "", person(`{"name": ["` + strings.Repeat("x", 501) + `"]}`), 422, "body.queries.a.properties.name", ""},
		{"limit not a number", "", "/match/default?limit=ten", "", person(`{"name": "John"}`), 422, "query.limit", ""},
		{"limit too large", "", "/match/default?limit=101", "", person(`{"name": "John"}`), 422, "query.limit", ""},
		{"threshold above 1", "", "/match/default?threshold=1.5", "", person(`{"name": "John"}`), 422, "query.threshold", ""},
		{"bad changed_since", "", "/match/default?changed_since=yesterday", "", person(`{"name": "John"}`), 422, "query.changed_since", ""},
		{"unknown schema", "", "/match/default", "", `{"queries": {"fail": {"schema": "xxx", "properties": {"name": "Banana"}}, "ok": {"schema": "Person", "properties": {"name": ["John Doe"]}}}}`, 400, "", "Cannot parse example entity: Unknown schema"},
		{"non-matchable schema", "", "/match/default", "", `{"queries": {"a": {"schema": "Address", "properties": {"full": "Main Street 1"}}}}`, 400, "", "Non-matchable schema for query: Address"},
		{"unknown algorithm", "", "/match/default?algorithm=neural-net", "", person(`{"name": "John"}`), 400, "", "Invalid algorithm: neural-net"},
		{"empty batch", "", "/match/default", "", `{"queries": {}}`, 400, "", "No queries provided."},
		{"too many queries", "", "/match/default", "", many(101), 400, "", "Too many queries in one batch (limit: 100)"},
		{"too many screens", "", "/match/default", "", many(70), 400, "", "needs 420 screens"},
		{"too many screens for a long page", "", "/match/default?limit=100", "", many(10), 400, "", "needs 600 screens"},
		{"unknown dataset", "", "/match/eu_fsf", "", person(`{"name": "John"}`), 404, "", "No such dataset."},
		{"no dataset", "", "/match/", "", person(`{"name": "John"}`), 404, "", "Not Found"},
		{"GET", http.MethodGet, "/match/default", "", "", 405, "", "Method Not Allowed"},
		{"a form", "", "/match/default", "application/x-www-form-urlencoded", "queries=x", 415, "", "application/json"},
		{"body too large", "", "/match/default", "", person(`{"name": ["` + strings.Repeat("x", 70<<10) + `"]}`), 413, "", "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, ct := tt.method, tt.contentType
			if method == "" {
				method = http.MethodPost
			}
			if ct == "" {
				ct = "application/json"
			}
			req, _ := http.NewRequest(method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 422 {
				var e struct {
					Detail []struct {
						Type string `json:"type"`
						Loc  []any  `json:"loc"`
						Msg  string `json:"msg"`
					} `json:"detail"`
				}
				if err := json.Unmarshal(body, &e); err != nil || len(e.Detail) == 0 {
					t.Fatalf("422 body %s: %v", body, err)
				}
				var loc []string
				for _, l := range e.Detail[0].Loc {
					loc = append(loc, fmt.Sprint(l))
				}
				if got := strings.Join(loc, "."); got != tt.loc || e.Detail[0].Msg == "" || e.Detail[0].Type == "" {
					t.Errorf("422 %s: loc %s, want %s", body, got, tt.loc)
				}
				return
			}
			var e struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("%d %s: want a detail with %q", resp.StatusCode, body, tt.detail)
			}
		})
	}
}

type yenteSearchResp struct {
	Results []json.RawMessage `json:"results"`
	Facets  map[string]any    `json:"facets"`
	Total   struct {
		Value    int    `json:"value"`
		Relation string `json:"relation"`
	} `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func (s *yenteSearchResp) entities(t *testing.T) []yenteEntity {
	t.Helper()
	out := make([]yenteEntity, len(s.Results))
	for i, raw := range s.Results {
		checkEntityShape(t, raw)
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestYenteSearch checks GET /search/{dataset}: yente's search response,
// its paging and filters, and its errors.
func TestYenteSearch(t *testing.T) {
	srv := yenteServer(t, nil)
	search := func(path string) (*yenteSearchResp, []yenteEntity) {
		t.Helper()
		r := yenteGet(t, srv, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
		}
		var s yenteSearchResp
		r.decode(t, &s)
		return &s, s.entities(t)
	}
	all, ents := search("/search/default?q=rotenberg")
	if all.Limit != 10 || all.Offset != 0 || all.Facets == nil || all.Total.Value < 8 || len(ents) != min(10, all.Total.Value) {
		t.Fatalf("q=rotenberg: limit %d offset %d total %+v, %d results", all.Limit, all.Offset, all.Total, len(ents))
	}
	for _, e := range ents {
		if !strings.Contains(strings.ToUpper(e.Caption), "ROTENBERG") || !e.Target {
			t.Errorf("q=rotenberg: %s %q (target %v)", e.ID, e.Caption, e.Target)
		}
	}
	page, ents2 := search("/search/default?q=rotenberg&limit=2&offset=2")
	if page.Total != all.Total || len(ents2) != 2 || ents2[0].ID != ents[2].ID || ents2[1].ID != ents[3].ID {
		t.Errorf("limit=2&offset=2: total %+v, %v; want results 3 and 4 of %v", page.Total, ents2, ents)
	}
	// Companies only, and only the UN's: Rotenberg is neither.
	for _, p := range []string{"/search/default?q=rotenberg&schema=Company", "/search/un_sc_sanctions?q=rotenberg", "/search/default?q=rotenberg&countries=kp"} {
		if s, _ := search(p); s.Total.Value != 0 {
			t.Errorf("GET %s: total %d, want 0", p, s.Total.Value)
		}
	}
	if _, ents := search("/search/default?q=rotenberg&countries=Finland"); len(ents) == 0 || !slices.ContainsFunc(ents, func(e yenteEntity) bool { return e.ID == "ofac:18310" }) {
		t.Errorf("countries=Finland: %v, want Roman Rotenberg (citizen of Finland)", ents)
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/search/default", 422},
		{"/search/default?q=x&limit=101", 422},
		{"/search/default?q=x&offset=-1", 422},
		{"/search/default?q=x&schema=Banana", 400},
		{"/search/nowhere?q=x", 404},
	} {
		if r := yenteGet(t, srv, tt.path); r.status != tt.status {
			t.Errorf("GET %s: status %d, want %d: %s", tt.path, r.status, tt.status, r.body)
		}
	}
}

// TestYenteEntity checks GET /entities/{id}: the entity with its
// sanctions, links and the entities at their other ends nested, as yente
// nests them; without with nested=false; a redirect from the id of a
// merged record to the party's; 404 for an unknown id.
func TestYenteEntity(t *testing.T) {
	srv := yenteServer(t, nil)
	get := func(path string) (json.RawMessage, yenteEntity) {
		t.Helper()
		r := yenteGet(t, srv, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
		}
		checkEntityShape(t, r.body)
		var e yenteEntity
		r.decode(t, &e)
		return r.body, e
	}
	_, e := get("/entities/ofac:16669")
	if e.Caption != "ROTENBERG, Arkady Romanovich" || !e.Target {
		t.Fatalf("ofac:16669: %q, target %v", e.Caption, e.Target)
	}
	var programs []string
	for _, s := range e.Properties["sanctions"] {
		m, _ := s.(map[string]any)
		props, _ := m["properties"].(map[string]any)
		if m["schema"] != "Sanction" || props["entity"] != nil {
			t.Errorf("sanction %v: want a Sanction without its entity (the parent)", m)
		}
		for _, p := range props["program"].([]any) {
			programs = append(programs, p.(string))
		}
	}
	slices.Sort(programs)
	if want := []string{"RUSSIA-EO14024", "UKRAINE-EO13661"}; !reflect.DeepEqual(programs, want) {
		t.Errorf("ofac:16669 sanctions programmes %v, want %v", programs, want)
	}
	// "Linked To: ROTENBERG, Arkady Romanovich" on his children's entries:
	// links to him, with the child nested as the link's subject.
	var subjects []string
	for _, l := range e.Properties["unknownLinkFrom"] {
		m := l.(map[string]any)
		props := m["properties"].(map[string]any)
		if props["object"] != nil {
			t.Errorf("link %v names the parent", m["id"])
		}
		for _, s := range props["subject"].([]any) {
			subjects = append(subjects, s.(map[string]any)["id"].(string))
		}
	}
	for _, want := range []string{"ofac:35309", "ofac:35313", "ofac:24183"} {
		if !slices.Contains(subjects, want) {
			t.Errorf("ofac:16669 links from %v, want %s among them", subjects, want)
		}
	}
	_, flat := get("/entities/ofac:16669?nested=false")
	for _, p := range []string{"sanctions", "unknownLinkFrom"} {
		if flat.Properties[p] != nil {
			t.Errorf("nested=false: %s = %v", p, flat.Properties[p])
		}
	}
	// A UN entry: its list's date is its first and last seen.
	r := yenteGet(t, srv, "/search/un_sc_sanctions?q=eric+badege&limit=1")
	var s yenteSearchResp
	r.decode(t, &s)
	if ents := s.entities(t); len(ents) != 1 || ents[0].FirstSeen == nil || *ents[0].FirstSeen != "2026-02-27T00:00:00" {
		t.Errorf("UN entry: %+v, want first_seen 2026-02-27T00:00:00", ents)
	}
	// A record merged into a party redirects to the party's id.
	st := realLists(t)
	links, err := st.Merges(context.Background())
	if err != nil || len(links) == 0 {
		t.Fatalf("no merged parties in the lists (%v)", err)
	}
	party, err := st.Resolve(context.Background(), links[0].B)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := st.Entity(context.Background(), party)
	if err != nil {
		t.Fatal(err)
	}
	other := links[0].A
	if other == pe.Ref {
		other = links[0].B
	}
	r = yenteGet(t, srv, "/entities/"+other+"?nested=false")
	if loc := r.header.Get("Location"); r.status != http.StatusPermanentRedirect || loc != "/entities/"+pe.Ref+"?nested=false" {
		t.Errorf("GET /entities/%s: status %d, Location %q; want 308 to %s", other, r.status, loc, pe.Ref)
	}
	_, merged := get("/entities/" + pe.Ref)
	if !slices.Contains(merged.Referents, other) || len(merged.Datasets) < 2 {
		t.Errorf("party %s: referents %v, datasets %v; want %s, both lists", pe.Ref, merged.Referents, merged.Datasets, other)
	}
	if r := yenteGet(t, srv, "/entities/no-such-entity"); r.status != http.StatusNotFound || !strings.Contains(string(r.body), "No such entity!") {
		t.Errorf("unknown id: status %d %s", r.status, r.body)
	}
}

// TestYenteConcurrent sends the example batch from several clients at
// once (run with -race): each gets the same answer.
func TestYenteConcurrent(t *testing.T) {
	srv := yenteServer(t, func(o *web.Options) { o.MaxConcurrent = 2 })
	body := readFixture(t, "match_example.json")
	first := yentePost(t, srv, "/match/default", body)
	if first.status != http.StatusOK {
		t.Fatalf("status %d: %s", first.status, first.body)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			var r *yenteReply
			if i%2 == 0 {
				r = yentePost(t, srv, "/match/default", body)
			} else {
				r = yenteGet(t, srv, "/entities/ofac:16669")
			}
			switch {
			case r.status != http.StatusOK:
				t.Errorf("client %d: status %d: %s", i, r.status, r.body)
			case i%2 == 0 && !bytes.Equal(r.body, first.body):
				t.Errorf("client %d: a different answer", i)
			}
		})
	}
	wg.Wait()
}

// FuzzYenteMatch sends arbitrary bodies to POST /match/default on the
// demo data. Whatever comes in, the answer is yente's: JSON with
// responses (200) or a detail (400, 413, 415, 422), never a panic or a 500.
//
//	go test -run='^$' -fuzz=FuzzYenteMatch -fuzztime=60s ./web
func FuzzYenteMatch(f *testing.F) {
	for _, name := range []string{"match_example.json", "match_openapi.json"} {
		b, err := os.ReadFile("testdata/yente/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"queries": {"a": {"schema": "Company", "properties": {"name": "Foreign Trade Bank", "jurisdiction": ["North Korea", 7, null], "registrationNumber": ["x"]}}}}`,
		`{"queries": {"a": {"schema": "Vessel", "properties": {"imoNumber": ["IMO 9163540"]}}, "b": null}}`,
		`{"queries": {"a": {"schema": "Person", "properties": {"firstName": ["Kim"], "lastName": ["Jong"], "birthDate": ["1984-01-08T00:00:00"]}}}, "weights": {"x": 1}}`,
		`{"queries": {"a": {"schema": "Thing", "properties": {"name": [["nested"]]}}}}`,
		`{"queries": {"a": {"id": 5, "schema": "Person", "properties": {}}}}`,
	} {
		f.Add([]byte(s))
	}
	st, _ := demoSchema(f, schema.DefaultLimits)
	srv := httptest.NewServer(web.New(web.Options{MaxBody: 64 << 10, Yente: &web.YenteOptions{Source: st}}))
	f.Cleanup(srv.Close)
	client := srv.Client()
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := client.Post(srv.URL+"/match/default", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("status %d, not JSON: %.200s", resp.StatusCode, b)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			if _, ok := out["responses"]; !ok {
				t.Fatalf("200 without responses: %.200s", b)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			if _, ok := out["detail"]; !ok {
				t.Fatalf("%d without detail: %.200s", resp.StatusCode, b)
			}
		default:
			t.Fatalf("status %d: %.200s", resp.StatusCode, b)
		}
	})
}
