package web_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// scrape reads /metrics and returns each sample line as name{labels} ->
// value, checking that every line is a comment or a sample.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	types := map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("not a sample: %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		name := line[:i]
		base := name
		if j := strings.IndexByte(base, '{'); j >= 0 {
			base = base[:j]
		}
		fam := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, "_bucket"), "_sum"), "_count")
		if types[base] == "" && types[fam] == "" {
			t.Errorf("sample %q has no # TYPE line", line)
		}
		out[name] = v
	}
	return out
}

// syncBuffer is a log sink several request goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMetricsAndAccessLog(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	m := web.NewMetrics(func() map[string]web.Gauge {
		return map[string]web.Gauge{"sanctionsgraph_graph_entities": {Help: "Entities.", Value: 22}}
	})
	inner := server(t, func(o *web.Options) { o.Metrics = m })
	// The instrumented handler in front of the real one.
	proxy := httptest.NewServer(web.Instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(r.Method, inner.URL+r.URL.RequestURI(), r.Body)
		req.Header = r.Header
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}), m, log, time.Hour))
	defer proxy.Close()

	for i := 0; i < 3; i++ {
		resp, err := http.Post(proxy.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ entity(id: \"demo-ftb\") { name } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// A NOT_FOUND, a syntax error (BAD_USER_INPUT) and a 400.
	for _, body := range []string{`{"query":"{ entity(id: \"nope\") { name } }"}`, `{"query":"{ entity("}`, `{{`} {
		resp, _ := http.Post(proxy.URL+"/graphql", "application/json", strings.NewReader(body))
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	secret := "s3cr3t-token-value"
	req, _ := http.NewRequest("GET", proxy.URL+"/graphql?query="+url.QueryEscape(`{ entity(id: "demo-rfs") { name } }`)+"&token="+secret, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	http.Get(proxy.URL + "/no/such/page/" + strings.Repeat("x", 50))

	got := scrape(t, proxy.URL)
	want := map[string]float64{
		`sanctionsgraph_http_requests_total{route="/graphql",method="POST",status="200"}`: 5,
		`sanctionsgraph_http_requests_total{route="/graphql",method="POST",status="400"}`: 1,
		`sanctionsgraph_http_requests_total{route="/graphql",method="GET",status="200"}`:  1,
		`sanctionsgraph_http_requests_total{route="other",method="GET",status="404"}`:     1,
		`sanctionsgraph_graphql_errors_total{code="NOT_FOUND"}`:                           1,
		`sanctionsgraph_graphql_errors_total{code="BAD_USER_INPUT"}`:                      1,
		`sanctionsgraph_http_request_duration_seconds_count{route="/graphql"}`:            7,
		`sanctionsgraph_http_request_duration_seconds_bucket{route="/graphql",le="+Inf"}`: 7,
		`sanctionsgraph_http_requests_in_flight`:                                          0,
		`sanctionsgraph_graph_entities`:                                                   22,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Buckets are cumulative and never decrease.
	prev := -1.0
	for _, le := range []string{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "+Inf"} {
		v, ok := got[fmt.Sprintf(`sanctionsgraph_http_request_duration_seconds_bucket{route="/graphql",le="%s"}`, le)]
		if !ok || v < prev {
			t.Errorf("bucket le=%s = %v (present %v), previous %v", le, v, ok, prev)
		}
		prev = v
	}
	// One access-log line per request, with the route and status; never
	// the query string or the Authorization header.
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 8 {
		t.Errorf("%d log lines, want 8:\n%s", len(lines), logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the access log shows a token:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"route":"/graphql","path":"/graphql","status":400`) {
		t.Errorf("no log line for the 400:\n%s", logs.String())
	}
	resp, _ = http.Post(proxy.URL+"/metrics", "text/plain", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d", resp.StatusCode)
	}
}
