package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// TestHubQueriesStayBounded sends the most expensive queries the API
// allows (10-hop, 20-path searches between and from the largest hubs of a
// synthetic network, 3-hop neighbourhoods and 500-link pages of them) from
// 16 clients at once. Each is answered within the limits: data, perhaps
// marked truncated with the limit that cut it, or a TIMEOUT or
// RESULT_TOO_LARGE error; the server stays up and its heap bounded.
func TestHubQueriesStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 60k-entity network")
	}
	ctx := context.Background()
	var buf bytes.Buffer
	stats, err := synth.Generate(&buf, synth.Config{Entities: 60_000, Seed: 7, Hubs: 3})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, store.Options{Index: true})
	storetest.LoadReader(t, st, "synthetic.ftm.json", &buf, ingest.Options{})
	// The hubs: the entities with the most relationships.
	type hub struct {
		id  string
		deg int
	}
	var hubs []hub
	for i := 0; i < 2000; i++ {
		id, err := st.Resolve(ctx, synth.EntityID(i))
		if err != nil {
			continue
		}
		hubs = append(hubs, hub{synth.EntityID(i), st.Degree(id)})
	}
	slices.SortFunc(hubs, func(a, b hub) int { return b.deg - a.deg })
	hubs = hubs[:3]
	if hubs[2].deg < 1000 {
		t.Fatalf("the network has no hubs: %+v (generator stats %v)", hubs, stats.HubLinks)
	}
	t.Logf("hubs %+v", hubs)

	limits := schema.DefaultLimits
	limits.MaxVisited = 200_000
	sch, err := schema.New(st, limits, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Options{Schema: sch, Timeout: 3 * time.Second, MaxConcurrent: 8, QueueWait: 30 * time.Second}))
	defer srv.Close()

	var queries []string
	for i, a := range hubs {
		for _, b := range hubs[i+1:] {
			queries = append(queries, fmt.Sprintf(`{ paths(from: %q, to: %q, maxHops: 10, first: 20) { truncated limits visited paths { hops steps { to { id name } } } } }`, a.id, b.id))
		}
		queries = append(queries,
			fmt.Sprintf(`{ linksToSanctioned(id: %q, maxHops: 10, first: 20) { truncated limits paths { hops } } }`, a.id),
			fmt.Sprintf(`{ neighbourhood(id: %q, hops: 3, first: 500) { truncated entities { id } relationships { kind } } }`, a.id),
			fmt.Sprintf(`{ entity(id: %q) { relationships(first: 500) { totalCount edges { other { name relationships(first: 500) { totalCount edges { other { id } } } } } } } }`, a.id),
		)
	}
	// A path search between two ordinary entities through the hubs.
	queries = append(queries, fmt.Sprintf(`{ paths(from: %q, to: %q, maxHops: 10, first: 20, maxDegree: 1000000) { truncated limits paths { hops } } }`, synth.EntityID(5000), synth.EntityID(40000)))

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := range queries {
				q := queries[(i+c)%len(queries)]
				body, _ := json.Marshal(map[string]string{"query": q})
				resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Errorf("no answer: %v", err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out struct {
					Data   map[string]json.RawMessage `json:"data"`
					Errors []struct {
						Extensions map[string]any `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
					t.Errorf("status %d, %v: %.300s", resp.StatusCode, err, b)
					return
				}
				outcome := "data"
				if len(out.Errors) > 0 {
					outcome, _ = out.Errors[0].Extensions["code"].(string)
					if outcome != "TIMEOUT" && outcome != "RESULT_TOO_LARGE" {
						t.Errorf("query %.80s: error %s", q, b)
					}
				} else if bytes.Contains(b, []byte(`"truncated":true`)) {
					outcome = "truncated"
				}
				mu.Lock()
				outcomes[outcome]++
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("%d queries: %v; heap in use %d MB before, %d MB after, %d MB peak sys", 16*len(queries), outcomes,
		before.HeapInuse>>20, after.HeapInuse>>20, after.Sys>>20)
	if outcomes["data"]+outcomes["truncated"] == 0 {
		t.Errorf("no query was answered: %v", outcomes)
	}
	// Bounded memory: what the requests hold at once is capped by the
	// per-request load budget and the 8 execution slots.
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 1<<30 {
		t.Errorf("heap grew by %d MB", grown>>20)
	}
	// Still up.
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after the storm: %v", err)
	}
	resp.Body.Close()
}
