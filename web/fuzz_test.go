package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// FuzzGraphQLEndpoint sends arbitrary bodies to POST /graphql on the demo
// data. Whatever comes in, the server answers with JSON, a status from the
// documented set, errors that carry a known code and no internals (no
// panic text, stack, file path or Badger message), and stays up.
//
//	go test -run='^$' -fuzz=FuzzGraphQLEndpoint -fuzztime=60s ./web
func FuzzGraphQLEndpoint(f *testing.F) {
	seeds := []string{
		`{"query":"{ entity(id: \"demo-ftb\") { name aliases designations { authority programme } } }"}`,
		`{"query":"{ paths(from: \"demo-rfs\", to: \"demo-ftb\", first: 3, maxHops: 10) { truncated paths { hops steps { forward relationship { kind } } } } }"}`,
		`{"query":"{ search(query: \"foreign trade\", first: 5) { entity { id name } score matched } }"}`,
		`{"query":"{ linksToSanctioned(id: \"demo-agrosoyuz\", first: 5) { paths { hops } } }"}`,
		`{"query":"{ neighbourhood(id: \"demo-dandong\", hops: 3, first: 500) { entities { id } truncated } }"}`,
		`{"query":"query Q($id: ID!) { entity(id: $id) { relationships(first: 2, after: \"x\") { edges { cursor } } } }","variables":{"id":"demo-rfs"}}`,
		`{"query":"{ entity(id: \"demo-ftb\") { ...A } } fragment A on Entity { relationships { edges { node { source { ...A } } } } }"}`,
		`{"query":"{ paths(from: \"demo-rfs\", to: \"demo-ftb\", asOf: \"2019-13-45\") { truncated } }"}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query":"mutation { x }"}`,
		`{"query":"{ entities(ids: [\"demo-ftb\", \"\", \"nope\"]) { id } }"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	srv := server(f, func(o *web.Options) { o.MaxBody = 64 << 10 })
	client := srv.Client()
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, client, srv, body)
	})
}

var answerStatuses = map[int]bool{200: true, 400: true, 413: true, 415: true, 503: true}

var knownCodes = map[string]bool{"NOT_FOUND": true, "BAD_USER_INPUT": true, "TIMEOUT": true, "RESULT_TOO_LARGE": true,
	"INTERNAL": true, "CONFLICT": true, "TOO_BUSY": true, "FORBIDDEN": true, "UNAUTHENTICATED": true}

// leaks are texts that must never reach a client.
var leaks = []string{"panic", "goroutine ", "runtime error", ".go:", "badger", "Badger", "/work/", "/root/", "nil pointer"}

func checkAnswer(t *testing.T, client *http.Client, srv *httptest.Server, body []byte) {
	t.Helper()
	resp, err := client.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the server did not answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !answerStatuses[resp.StatusCode] {
		t.Fatalf("status %d for %q: %s", resp.StatusCode, body, b)
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not JSON (%v) for %q: %s", err, body, b)
	}
	if resp.StatusCode != 200 && len(out.Errors) == 0 {
		t.Fatalf("status %d without an error for %q: %s", resp.StatusCode, body, b)
	}
	for _, e := range out.Errors {
		code, _ := e.Extensions["code"].(string)
		if !knownCodes[code] {
			t.Fatalf("error without a known code for %q: %s", body, b)
		}
		if code == "INTERNAL" && e.Message != "internal error" {
			t.Fatalf("an internal error shows its text for %q: %s", body, b)
		}
		for _, l := range leaks {
			// The user's own input may be quoted back in a message.
			if strings.Contains(e.Message, l) && !bytes.Contains(body, []byte(l)) {
				t.Fatalf("error message leaks %q for %q: %s", l, body, b)
			}
		}
	}
}

// TestHostileCorpus runs the fuzz invariants over hand-written hostile
// bodies in every run of the tests (the fuzzer explores beyond them).
func TestHostileCorpus(t *testing.T) {
	srv := server(t, func(o *web.Options) { o.MaxBody = 64 << 10 })
	bodies := []string{
		`{"query":"` + strings.Repeat("{", 5000) + `"}`,
		`{"query":"{ ` + strings.Repeat(`a: __typename `, 3000) + `}"}`,
		`{"query":"query { entity(id: \"demo-ftb\") { ...A } } fragment A on Entity { ...B } fragment B on Entity { ...A }"}`,
		`{"query":"{ paths(from: \"demo-rfs\", to: \"demo-ftb\", first: 100000, maxHops: 1000, maxDegree: -5) { truncated } }"}`,
		`{"query":"{ entity(id: \"` + strings.Repeat("x", 5000) + `\") { id } }"}`,
		`{"query":"{ search(query: \"` + strings.Repeat("a ", 2000) + `\") { score } }"}`,
		`{"query":"{ entity(id: \"demo-ftb\") { relationships(first: -1, after: \"%%%\") { totalCount } } }"}`,
		`{"query":"query($v: Int) { neighbourhood(id: \"demo-ftb\", hops: $v) { truncated } }","variables":{"v":99999999999}}`,
		`{"query":"{ entity(id: \"demo-ftb\") { id } }","variables":"not an object"}`,
		`{"query":"{ entity(id: \"\u0000\") { id } }"}`,
		`{"query":null}`,
		`[]`,
		``,
	}
	for _, b := range bodies {
		checkAnswer(t, srv.Client(), srv, []byte(b))
	}
}
