package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// demoSchema opens an in-memory store holding the demo data, closed when
// the test ends, and the GraphQL schema over it with limits, taking
// findings (web refuses writes without a token).
func demoSchema(t testing.TB, limits schema.Limits) (*store.Store, *graphql.Schema) {
	t.Helper()
	st := storetest.Demo(t)
	sch, err := schema.New(st, limits, nil, schema.Writable(st, nil))
	if err != nil {
		t.Fatal(err)
	}
	return st, sch
}

// server runs the real handler over HTTP on the demo data.
func server(t testing.TB, tweak func(*web.Options)) *httptest.Server {
	t.Helper()
	st, sch := demoSchema(t, schema.DefaultLimits)
	opt := web.Options{Schema: sch, Health: func(context.Context) map[string]any {
		n, l := st.Index().Counts()
		return map[string]any{"entities": n, "relationships": l}
	}}
	if tweak != nil {
		tweak(&opt)
	}
	srv := httptest.NewServer(web.New(opt))
	t.Cleanup(srv.Close)
	return srv
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
	raw    string
}

func (r *gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprint(e.Extensions["code"]))
	}
	return out
}

func post(t *testing.T, srv *httptest.Server, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return do(t, srv, body)
}

func do(t *testing.T, srv *httptest.Server, body []byte) *gqlResponse {
	t.Helper()
	resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{status: resp.StatusCode, raw: string(b)}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, b)
	}
	return out
}

func mustData(t *testing.T, r *gqlResponse) string {
	t.Helper()
	if r.status != 200 || len(r.Errors) > 0 {
		t.Fatalf("status %d errors %s", r.status, r.raw)
	}
	b, _ := json.Marshal(r.Data)
	return string(b)
}

func contains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("response lacks %s:\n%s", w, got)
		}
	}
}

func TestEntityQuery(t *testing.T) {
	srv := server(t, nil)
	got := mustData(t, post(t, srv, `query($id: ID!) { entity(id: $id) {
		id uuid kind name aliases countries identifiers { scheme value } topics otherIds sanctioned degree
		designations { authority programme listedOn reference active sources { dataset url } }
		sources { dataset recordId url }
		properties { name values }
		relationships(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor direction other { id } node { id kind label sourceId targetId properties { role startDate endDate percentage } sources { url } } } }
	} }`, map[string]any{"id": "ofac-15603"}))
	contains(t, got, `"id":"demo-ftb"`, `"kind":"Company"`, `"scheme":"swiftBic","value":"FTBDKPPY"`, `"sanctioned":true`,
		`"authority":"UN Security Council","listedOn":"2017-08-05","programme":"1718 Committee","reference":"KPe.047"`,
		`"authority":"US OFAC","listedOn":"2013-03-11","programme":"NPWMD"`, `"authority":"EU Council","listedOn":"2017-08-04","programme":"EU-PRK"`,
		`"hasNextPage":true`)
	var r struct {
		Entity struct {
			Relationships struct {
				TotalCount int
				PageInfo   struct{ EndCursor string }
			}
		}
	}
	json.Unmarshal([]byte(got), &r)
	// Page through all relationships: none twice, as many as totalCount.
	seen := map[string]bool{}
	after := ""
	for page := 0; page < 20; page++ {
		vars := map[string]any{"id": "demo-ftb"}
		q := `query($id: ID!) { entity(id: $id) { relationships(first: 3) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }`
		if after != "" {
			vars["after"] = after
			q = `query($id: ID!, $after: String) { entity(id: $id) { relationships(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }`
		}
		var p struct {
			Entity struct {
				Relationships struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		json.Unmarshal([]byte(mustData(t, post(t, srv, q, vars))), &p)
		for _, e := range p.Entity.Relationships.Edges {
			if seen[e.Node.ID] {
				t.Fatalf("relationship %s on two pages", e.Node.ID)
			}
			seen[e.Node.ID] = true
		}
		if !p.Entity.Relationships.PageInfo.HasNextPage {
			break
		}
		after = p.Entity.Relationships.PageInfo.EndCursor
	}
	if len(seen) != r.Entity.Relationships.TotalCount || len(seen) < 10 {
		t.Errorf("paged %d relationships, totalCount %d", len(seen), r.Entity.Relationships.TotalCount)
	}
	// entities: unknown ids are null.
	got = mustData(t, post(t, srv, `{ entities(ids: ["demo-rfs", "nope", "demo-ftb"]) { id } }`, nil))
	contains(t, got, `{"entities":[{"id":"demo-rfs"},null,{"id":"demo-ftb"}]}`)
	got = mustData(t, post(t, srv, `{ relationship(id: "demo-rfs-accounts-dandong") { kind source { name } target { name } properties { startDate endDate } } }`, nil))
	contains(t, got, `"kind":"OPENED_ACCOUNTS_FOR"`, `"source":{"name":"Russian Financial Society"}`, `"startDate":"2017"`)
}

func TestSearchQuery(t *testing.T) {
	srv := server(t, nil)
	tests := []struct{ q, want string }{
		{"foreign trade bank", `"id":"demo-ftb"`},
		{"DANDONG ZHONGSHENG INDUSTRY AND TRADE CO LTD", `"score":1`},
		{"Zhongsheng, Dandong", `"id":"demo-dandong"`},
		{"FTBDKPPY", `"matched":"FTBDKPPY"`},
		{"jang su han", `"id":"demo-han-jang-su"`},
		{"745420176", `"id":"demo-han-jang-su"`}, // a passport number
		{"Российское финансовое общество", `"id":"demo-rfs"`},
		{"agroso", `"id":"demo-agrosoyuz"`},
	}
	for _, tt := range tests {
		got := mustData(t, post(t, srv, `query($q: String!) { search(query: $q, first: 3) { entity { id name } score matched } }`, map[string]any{"q": tt.q}))
		contains(t, got, tt.want)
	}
	got := mustData(t, post(t, srv, `{ search(query: "bank", kinds: ["Person"]) { entity { id } } }`, nil))
	contains(t, got, `{"search":[]}`)
}

// On the demo, RFS -> FTB goes RFS -opened-accounts-for-> Dandong
// Zhongsheng -> FTB, each step with its source, never through the OFAC node.
func TestPathsQuery(t *testing.T) {
	srv := server(t, nil)
	got := mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "demo-ftb", first: 5) { truncated visited limits paths { hops start { id } end { id }
		steps { forward from { id } to { id } relationship { kind sources { url } } relationships { kind } } } } }`, nil))
	var r struct {
		Paths struct {
			Truncated bool
			Paths     []struct {
				Hops  int
				Steps []struct {
					Forward      bool
					From, To     struct{ ID string }
					Relationship struct {
						Kind    string
						Sources []struct{ URL string }
					}
				}
			}
		}
	}
	json.Unmarshal([]byte(got), &r)
	if len(r.Paths.Paths) == 0 {
		t.Fatalf("no path: %s", got)
	}
	p := r.Paths.Paths[0]
	if p.Hops != 2 || p.Steps[0].From.ID != "demo-rfs" || p.Steps[0].Relationship.Kind != "OPENED_ACCOUNTS_FOR" || !p.Steps[0].Forward ||
		p.Steps[1].To.ID != "demo-ftb" || p.Steps[1].Relationship.Kind != "OWNS" || p.Steps[1].Forward {
		t.Errorf("first path = %+v", p)
	}
	for i, p := range r.Paths.Paths {
		if i > 0 && p.Hops < r.Paths.Paths[i-1].Hops {
			t.Errorf("paths not in hop order")
		}
		for _, s := range p.Steps {
			if len(s.Relationship.Sources) == 0 || s.Relationship.Sources[0].URL == "" {
				t.Errorf("step %s -> %s has no source", s.From.ID, s.To.ID)
			}
		}
	}
	if strings.Contains(got, "programme:") || strings.Contains(got, "authority:") {
		t.Errorf("a path passes through a designator: %s", got)
	}
	// A programme may end a path.
	got = mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "programme:us-ofac/npwmd") { paths { hops steps { relationship { kind } to { id } } } } }`, nil))
	contains(t, got, `"hops":1`, `"kind":"DESIGNATED_BY"`)
	// via, avoid, maxDegree, asOf.
	got = mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "demo-ftb", via: [OWNS, OPENED_ACCOUNTS_FOR], first: 5) { paths { steps { relationship { kind } } } } }`, nil))
	if strings.Contains(got, "LINKED_TO") || strings.Contains(got, "REPRESENTS") {
		t.Errorf("via not respected: %s", got)
	}
	got = mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "demo-ftb", avoid: ["demo-dandong"], first: 5) { paths { steps { to { id } } } } }`, nil))
	if strings.Contains(got, "demo-dandong") {
		t.Errorf("avoid not respected: %s", got)
	}
	got = mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "demo-ftb", asOf: "2016-01-01", via: [OPENED_ACCOUNTS_FOR, OWNS]) { paths { hops } } }`, nil))
	contains(t, got, `"paths":[]`) // the accounts were opened from 2017
	got = mustData(t, post(t, srv, `{ paths(from: "demo-rfs", to: "demo-rfs") { paths { hops } } }`, nil))
	contains(t, got, `"paths":[{"hops":0}]`)
}

func TestLinksToSanctionedAndNeighbourhood(t *testing.T) {
	srv := server(t, nil)
	got := mustData(t, post(t, srv, `{ linksToSanctioned(id: "demo-han-jang-su", first: 3, authority: "UN") { paths { hops end { id } } } }`, nil))
	contains(t, got, `{"end":{"id":"demo-han-jang-su"},"hops":0}`, `{"end":{"id":"demo-ftb"},"hops":1}`)
	got = mustData(t, post(t, srv, `{ linksToSanctioned(id: "demo-dandong-addr", first: 2) { paths { hops end { id } steps { relationship { kind } } } } }`, nil))
	contains(t, got, `"end":{"id":"demo-dandong"}`, `"kind":"HAS_ADDRESS"`)
	got = mustData(t, post(t, srv, `{ neighbourhood(id: "demo-dandong", hops: 1) { truncated entities { id } relationships { kind sourceId targetId } } }`, nil))
	contains(t, got, `"id":"demo-ftb"`, `"id":"demo-rfs"`, `"kind":"OWNS","sourceId":"demo-ftb","targetId":"demo-dandong"`)
}

func TestErrorsCarryCodes(t *testing.T) {
	srv := server(t, nil)
	tests := []struct {
		name, query, code string
	}{
		{"unknown entity", `{ entity(id: "no-such") { id } }`, "NOT_FOUND"},
		{"unknown path end", `{ paths(from: "demo-rfs", to: "nope") { visited } }`, "NOT_FOUND"},
		{"bad date", `{ paths(from: "demo-rfs", to: "demo-ftb", asOf: "yesterday") { visited } }`, "BAD_USER_INPUT"},
		{"bad first", `{ search(query: "x", first: 100000) { score } }`, "BAD_USER_INPUT"},
		{"bad cursor", `{ entity(id: "demo-ftb") { relationships(after: "!!!") { totalCount } } }`, "BAD_USER_INPUT"},
		{"syntax", `{ entity(id: `, "BAD_USER_INPUT"},
		{"unknown field", `{ nothing }`, "BAD_USER_INPUT"},
		{"avoid an end", `{ paths(from: "demo-rfs", to: "demo-ftb", avoid: ["demo-ftb"]) { visited } }`, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, srv, tt.query, nil)
			if len(r.Errors) == 0 || r.codes()[0] != tt.code {
				t.Errorf("codes = %v, want %s; %s", r.codes(), tt.code, r.raw)
			}
			for _, e := range r.Errors {
				for _, bad := range []string{"badger", "runtime", ".go:", "panic"} {
					if strings.Contains(strings.ToLower(e.Message), bad) {
						t.Errorf("error leaks internals: %q", e.Message)
					}
				}
			}
		})
	}
}

func TestHostileRequests(t *testing.T) {
	srv := server(t, func(o *web.Options) { o.MaxBody = 64 << 10 })
	deep := "{ entity(id: \"demo-ftb\") { " + strings.Repeat("relationships { edges { node { source { ", 8) + "id" + strings.Repeat(" } } } }", 8) + " } }"
	aliases := "{ " + strings.Repeat("a%d: entity(id: \"demo-ftb\") { relationships(first: 500) { edges { node { source { relationships(first: 500) { edges { node { id } } } } } } } } ", 1)
	var wide strings.Builder
	wide.WriteString("{ ")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&wide, "a%d: entity(id: \"demo-ftb\") { relationships(first: 500) { edges { node { target { relationships(first: 500) { edges { node { id } } } } } } } } ", i)
	}
	wide.WriteString("}")
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"deep nesting", gql(deep), 200, "BAD_USER_INPUT"},
		{"fragment cycle", gql(`query { entity(id: "demo-ftb") { ...A } } fragment A on Entity { relationships { edges { node { source { ...B } } } } } fragment B on Entity { relationships { edges { node { target { ...A } } } } }`), 200, "BAD_USER_INPUT"},
		{"wide aliases", gql(wide.String()), 200, "BAD_USER_INPUT"},
		{"huge body", append([]byte(`{"query":"`), append(bytes.Repeat([]byte("x"), 100<<10), '"', '}')...), 413, "BAD_USER_INPUT"},
		{"not JSON", []byte("{{{"), 400, "BAD_USER_INPUT"},
		{"empty query", []byte(`{"query":""}`), 400, "BAD_USER_INPUT"},
	}
	_ = aliases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.body)
			if r.status != tt.status || len(r.Errors) == 0 || r.codes()[0] != tt.code {
				t.Errorf("status %d codes %v, want %d %s: %.300s", r.status, r.codes(), tt.status, tt.code, r.raw)
			}
		})
	}
	// A query within the syntactic limits that reads too much is refused.
	var fan strings.Builder
	fan.WriteString("{ ")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&fan, "a%d: entity(id: \"demo-ftb\") { relationships(first: 500) { edges { other { relationships(first: 500) { edges { other { relationships(first: 500) { edges { node { id } } } } } } } } } } ", i)
	}
	fan.WriteString("}")
	r := do(t, server(t, func(o *web.Options) { o.MaxLoads = 2000 }), gql(fan.String()))
	if len(r.Errors) == 0 || r.codes()[0] != "RESULT_TOO_LARGE" {
		t.Errorf("fan-out: codes %v: %.300s", r.codes(), r.raw)
	}
}

func gql(q string) []byte {
	b, _ := json.Marshal(map[string]any{"query": q})
	return b
}

func TestTimeoutAndBusy(t *testing.T) {
	srv := server(t, func(o *web.Options) { o.Timeout = time.Nanosecond })
	r := post(t, srv, `{ paths(from: "demo-rfs", to: "demo-ftb") { truncated limits paths { hops } } }`, nil)
	if len(r.Errors) > 0 && r.codes()[0] != "TIMEOUT" && r.codes()[0] != "NOT_FOUND" {
		t.Errorf("timeout: %s", r.raw)
	}
	if len(r.Errors) == 0 && !strings.Contains(r.raw, `"timeout"`) {
		t.Errorf("a request past its deadline neither failed with TIMEOUT nor said it was truncated: %s", r.raw)
	}
	// Thousands of parallel requests on two execution slots: each is
	// answered, or refused with 503 TOO_BUSY; the server stays up.
	srv = server(t, func(o *web.Options) { o.MaxConcurrent = 2; o.QueueWait = 50 * time.Millisecond })
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for i := 0; i < 2000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(gql(`{ paths(from: "demo-rfs", to: "demo-kkbc", first: 5) { paths { hops } } }`)))
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			counts[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[200] == 0 || counts[200]+counts[503] < 1900 {
		t.Errorf("status counts %v", counts)
	}
	if mustData(t, post(t, srv, `{ entity(id: "demo-ftb") { id } }`, nil)) == "" {
		t.Error("server down after the burst")
	}
}

func TestGETAndPages(t *testing.T) {
	srv := server(t, nil)
	resp, err := http.Get(srv.URL + "/graphql?query=" + url.QueryEscape(`{ entity(id: "demo-rfs") { name } }`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Russian Financial Society") {
		t.Errorf("GET /graphql: %s", b)
	}
	for _, path := range []string{"/graphiql", "/graphiql/graphiql.js", "/graphiql/graphiql.css", "/healthz", "/"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		if path == "/graphiql" {
			// Offline: every script and stylesheet comes from this server.
			if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
				t.Errorf("GraphiQL page loads from elsewhere:\n%s", b)
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("GraphiQL page without CSP")
			}
		}
		if path == "/healthz" && !strings.Contains(string(b), `"entities":22`) {
			t.Errorf("healthz: %s", b)
		}
	}
	resp, _ = http.Post(srv.URL+"/graphql", "text/plain", strings.NewReader("{}"))
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/graphql", nil)
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}
