package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// loadPhase is what one phase of the load test measured.
type loadPhase struct {
	Name        string         `json:"name"`
	Seconds     float64        `json:"seconds"`
	Requests    int            `json:"requests"`
	PerSecond   float64        `json:"requestsPerSecond"`
	Latency     latencies      `json:"latencyMs"`
	Statuses    map[string]int `json:"statuses"`  // HTTP status -> count
	Errors      map[string]int `json:"errors"`    // GraphQL error code -> count
	Truncated   int            `json:"truncated"` // searches a limit cut
	IngestSec   float64        `json:"ingestSeconds,omitempty"`
	IngestRate  float64        `json:"ingestRecordsPerSecond,omitempty"`
	IngestCount int            `json:"ingestRecords,omitempty"`
}

type loadReport struct {
	Entities int         `json:"entities"`
	Records  int         `json:"records"`
	Clients  int         `json:"clients"`
	Phases   []loadPhase `json:"phases"`
}

// runLoadTest measures the real HTTP server under many concurrent clients
// asking path queries, first alone, then while an ingest of a new version
// of the whole network runs in the same process (as an investigator's
// server does when a list update arrives). All traffic goes to a listener
// on 127.0.0.1; every phase is bounded by --duration and --max-requests.
func runLoadTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest", "", stderr)
	n := fs.Int("entities", 100_000, "entities in the synthetic network")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 15*time.Second, "length of the query-only phase; the phase during ingest lasts until the ingest ends, at most 10x this")
	maxRequests := fs.Int("max-requests", 2_000_000, "stop a phase after this many requests")
	k := fs.Int("k", 3, "paths per query (first)")
	dir := fs.String("dir", "", "working directory (default: a new temporary one, removed after)")
	seed := fs.Uint64("seed", 1, "random seed")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *n < 1000 || *clients < 1 || *clients > 4096 || *duration <= 0 || *maxRequests < 1 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "--entities >= 1000, --clients 1..4096, --duration > 0, --max-requests >= 1"}
	}
	logf := func(f string, a ...any) { fmt.Fprintf(stderr, "loadtest: "+f+"\n", a...) }
	if *dir == "" {
		d, err := os.MkdirTemp("", "sanctionsgraph-loadtest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	// Two versions of one network: the second rewrites most records, as a
	// new version of a list does.
	gen := func(seed uint64) (string, *synth.Stats, error) {
		path := filepath.Join(*dir, fmt.Sprintf("network-%d-%d.ftm.json", *n, seed))
		f, err := os.Create(path)
		if err != nil {
			return "", nil, err
		}
		st, err := synth.Generate(f, synth.Config{Entities: *n, Seed: seed})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return path, st, err
	}
	fileA, stA, err := gen(*seed)
	if err != nil {
		return err
	}
	fileB, stB, err := gen(*seed + 1)
	if err != nil {
		return err
	}
	rep := &loadReport{Entities: *n, Records: stA.Records, Clients: *clients}
	db := filepath.Join(*dir, "db")
	os.RemoveAll(db)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(ctx, db, store.Options{Index: true, GCInterval: -1, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	ingestFile := func(ctx context.Context, path string) (*ingest.Summary, error) {
		run, err := st.BeginRun(ctx, path)
		if err != nil {
			return nil, err
		}
		sum, err := ingest.File(ctx, path, run, ingest.Options{})
		if err != nil {
			run.Rollback(context.WithoutCancel(ctx), err)
			return nil, err
		}
		return sum, run.Commit(ctx)
	}
	t0 := time.Now()
	if _, err := ingestFile(ctx, fileA); err != nil {
		return err
	}
	logf("network of %d entities (%d records) ingested in %.1fs", *n, stA.Records, time.Since(t0).Seconds())

	// The real handler stack of serve, on a loopback listener.
	sch, err := schema.New(st, schema.DefaultLimits, log)
	if err != nil {
		return err
	}
	metrics := web.NewMetrics(nil)
	h := web.Instrument(web.New(web.Options{Schema: sch, Log: log, Metrics: metrics}), metrics, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/graphql"

	// Query pairs: a random entity of the network's core to a random
	// designated entity, as in the bench command.
	r := rand.New(rand.NewPCG(*seed, 7))
	core := *n * 2 / 5
	type pair struct{ from, to string }
	var pairs []pair
	for len(pairs) < 4096 {
		to := stA.Designated[r.IntN(len(stA.Designated))]
		if i, _ := strconv.Atoi(strings.TrimPrefix(to, "syn-")); i >= core {
			continue
		}
		pairs = append(pairs, pair{synth.EntityID(r.IntN(core)), to})
	}
	query := `query($from: ID!, $to: ID!, $k: Int!) { paths(from: $from, to: $to, first: $k, maxHops: 6) { truncated paths { hops steps { forward relationship { kind sources { dataset url } } to { id name } } } } }`
	transport := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	defer transport.CloseIdleConnections()

	// phase runs the clients until stop is closed, the deadline passes or
	// maxRequests were sent.
	phase := func(name string, deadline time.Time, stop <-chan struct{}) loadPhase {
		p := loadPhase{Name: name, Statuses: map[string]int{}, Errors: map[string]int{}}
		var mu sync.Mutex
		var all []time.Duration
		var sent atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for c := 0; c < *clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				rr := rand.New(rand.NewPCG(*seed, uint64(c)))
				var ds []time.Duration
				statuses, errs, trunc := map[string]int{}, map[string]int{}, 0
				defer func() {
					mu.Lock()
					all = append(all, ds...)
					for k, v := range statuses {
						p.Statuses[k] += v
					}
					for k, v := range errs {
						p.Errors[k] += v
					}
					p.Truncated += trunc
					mu.Unlock()
				}()
				for time.Now().Before(deadline) && sent.Add(1) <= int64(*maxRequests) {
					select {
					case <-stop:
						return
					case <-ctx.Done():
						return
					default:
					}
					q := pairs[rr.IntN(len(pairs))]
					body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"from": q.from, "to": q.to, "k": *k}})
					t := time.Now()
					resp, err := client.Post(url, "application/json", bytes.NewReader(body))
					if err != nil {
						statuses["transport error"]++
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					ds = append(ds, time.Since(t))
					statuses[strconv.Itoa(resp.StatusCode)]++
					var res struct {
						Data struct {
							Paths struct{ Truncated bool }
						}
						Errors []struct {
							Extensions map[string]any
						}
					}
					if json.Unmarshal(b, &res) != nil {
						errs["not JSON"]++
						continue
					}
					for _, e := range res.Errors {
						code, _ := e.Extensions["code"].(string)
						errs[code]++
					}
					if res.Data.Paths.Truncated {
						trunc++
					}
				}
			}(c)
		}
		wg.Wait()
		p.Seconds = time.Since(start).Seconds()
		p.Requests = len(all)
		p.PerSecond = float64(p.Requests) / p.Seconds
		p.Latency = summarize(all)
		return p
	}

	// Warm up, then the query-only phase.
	phase("warm-up", time.Now().Add(min(*duration/5, 3*time.Second)), nil)
	logf("phase 1: %d clients, path queries only, %s", *clients, *duration)
	rep.Phases = append(rep.Phases, phase("queries only", time.Now().Add(*duration), nil))
	if err := ctx.Err(); err != nil {
		return err
	}

	// The same load while a new version of the network is ingested.
	logf("phase 2: the same load while %d records are ingested", stB.Records)
	stop := make(chan struct{})
	var sum *ingest.Summary
	var ingestErr error
	var ingestSec float64
	go func() {
		t := time.Now()
		sum, ingestErr = ingestFile(ctx, fileB)
		ingestSec = time.Since(t).Seconds()
		close(stop)
	}()
	p := phase("queries during ingest", time.Now().Add(10**duration), stop)
	<-stop
	if ingestErr != nil {
		return fmt.Errorf("ingest during the load: %w", ingestErr)
	}
	p.IngestSec, p.IngestCount = ingestSec, sum.Added+sum.Updated+sum.Unchanged
	p.IngestRate = float64(p.IngestCount) / ingestSec
	rep.Phases = append(rep.Phases, p)

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "network: %d entities, %d records; %d clients; paths(first: %d, maxHops: 6) over HTTP on loopback\n", rep.Entities, rep.Records, rep.Clients, *k)
	fmt.Fprintf(stdout, "%-24s %8s %9s %8s %8s %8s %8s  %s\n", "phase", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses / errors")
	for _, p := range rep.Phases {
		fmt.Fprintf(stdout, "%-24s %8d %9.0f %8.2f %8.2f %8.2f %8.2f  %v %v\n", p.Name, p.Requests, p.PerSecond,
			p.Latency.P50, p.Latency.P95, p.Latency.P99, p.Latency.Max, p.Statuses, p.Errors)
	}
	fmt.Fprintf(stdout, "ingest during load: %d records in %.1fs (%.0f records/s)\n", p.IngestCount, p.IngestSec, p.IngestRate)
	if bad := p.Statuses["transport error"] + rep.Phases[0].Statuses["transport error"]; bad > 0 {
		return errors.New("some requests got no answer")
	}
	return nil
}
