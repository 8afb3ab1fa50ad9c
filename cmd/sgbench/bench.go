package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// benchReport is what the bench command measures.
type benchReport struct {
	Entities       int            `json:"entities"`
	Records        int            `json:"records"`
	GenerateSec    float64        `json:"generateSeconds"`
	IngestSec      float64        `json:"ingestSeconds"`
	IngestRate     float64        `json:"ingestRecordsPerSecond"`
	StoreBytes     int64          `json:"storeBytes"`
	ReadySec       float64        `json:"serverReadySeconds"` // spawn to listening: open, recovery, index build
	IndexBuildSec  float64        `json:"indexBuildSeconds"`
	ServerRSS      int64          `json:"serverRSSBytes"`     // after the queries
	ServerPeakRSS  int64          `json:"serverPeakRSSBytes"` // VmHWM
	ServerAnonRSS  int64          `json:"serverAnonRSSBytes"` // of which anonymous (heap)
	ServerFileRSS  int64          `json:"serverFileRSSBytes"` // of which mapped store files
	Queries        int            `json:"queriesPerSeries"`
	K1             latencies      `json:"graphqlK1"`
	K3             latencies      `json:"graphqlK3"`
	BFS            latencies      `json:"plainBidirectionalBFS"`
	Found          map[string]int `json:"pairsWithAPath"`
	TruncatedPaths int            `json:"truncatedSearches"`
}

type latencies struct {
	P50, P95, P99, Max, Mean float64 // milliseconds
}

func summarize(d []time.Duration) latencies {
	if len(d) == 0 {
		return latencies{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	q := func(p float64) float64 { return ms(s[min(len(s)-1, int(p*float64(len(s))))]) }
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return latencies{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ms(s[len(s)-1]), Mean: ms(sum / time.Duration(len(s)))}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "", stderr)
	n := fs.Int("entities", 2_000_000, "entities in the synthetic network")
	queries := fs.Int("queries", 1000, "path queries per series (k=1, k=3)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "sanctionsgraph-bench"), "working directory (network file and store)")
	seed := fs.Uint64("seed", 1, "random seed")
	fresh := fs.Bool("fresh", false, "regenerate and re-ingest even if the directory holds a finished run")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cpuprofile := fs.String("server-cpuprofile", "", "have the server write a CPU profile to this file")
	serverFlags := fs.String("server-flags", "", "more flags for the server, space-separated (e.g. \"--max-mapped-mb 256\")")
	server := fs.String("server", "", "the sanctionsgraph binary to start (default: built from the module's source in --dir, else the sanctionsgraph beside sgbench)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	rep := &benchReport{Entities: *n, Queries: *queries, Found: map[string]int{}}
	file := filepath.Join(*dir, fmt.Sprintf("synthetic-%d-%d.ftm.json", *n, *seed))
	db := filepath.Join(*dir, fmt.Sprintf("db-%d-%d", *n, *seed))
	logf := func(f string, a ...any) { fmt.Fprintf(stderr, "bench: "+f+"\n", a...) }
	if *fresh {
		os.Remove(file)
		os.RemoveAll(db)
	}
	self, _ := os.Executable()
	bin, err := findServer(ctx, *server, *dir, self, logf)
	if err != nil {
		return err
	}

	// 1. The network.
	start := time.Now()
	f, err := os.Create(file + ".tmp")
	if err != nil {
		return err
	}
	st, err := synth.Generate(f, synth.Config{Entities: *n, Seed: *seed})
	f.Close()
	if err != nil {
		return err
	}
	if err := os.Rename(file+".tmp", file); err != nil {
		return err
	}
	rep.Records, rep.GenerateSec = st.Records, time.Since(start).Seconds()
	logf("generated %d records (%d entities, hubs %v) in %.1fs", st.Records, st.Entities, st.HubLinks, rep.GenerateSec)

	// 2. Ingest (skipped if a finished store of this network exists).
	if _, err := os.Stat(filepath.Join(db, "INGESTED")); err != nil {
		os.RemoveAll(db)
		s, err := store.Open(ctx, db, store.Options{GCInterval: -1})
		if err != nil {
			return err
		}
		start = time.Now()
		run, err := s.BeginRun(ctx, file)
		if err != nil {
			s.Close()
			return err
		}
		sum, err := ingest.File(ctx, file, run, ingest.Options{})
		if err == nil {
			err = run.Commit(ctx)
		} else {
			run.Rollback(ctx, err)
		}
		s.Close()
		if err == nil { // as the ingest command does after a bulk load
			err = store.Settle(ctx, db, nil)
		}
		if err != nil {
			return err
		}
		rep.IngestSec = time.Since(start).Seconds()
		rep.IngestRate = float64(sum.Added) / rep.IngestSec
		os.WriteFile(filepath.Join(db, "INGESTED"), []byte(fmt.Sprintf("%.1f %.0f\n", rep.IngestSec, rep.IngestRate)), 0o644)
		logf("ingested %d records in %.1fs (%.0f records/s)", sum.Added, rep.IngestSec, rep.IngestRate)
	} else {
		b, _ := os.ReadFile(filepath.Join(db, "INGESTED"))
		fmt.Sscanf(string(b), "%f %f", &rep.IngestSec, &rep.IngestRate)
		logf("reusing the store ingested earlier (%.1fs, %.0f records/s); --fresh to redo", rep.IngestSec, rep.IngestRate)
	}
	rep.StoreBytes = dirSize(db)

	// 3. Query pairs, and the baseline adjacency, read from the store.
	s, err := store.Open(ctx, db, store.Options{Index: true, GCInterval: -1})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(*seed, 99))
	core := *n * 2 / 5
	type pair struct{ from, to string }
	var pairs []pair
	for len(pairs) < *queries {
		to := st.Designated[r.IntN(len(st.Designated))]
		if i, _ := strconv.Atoi(strings.TrimPrefix(to, "syn-")); i >= core {
			continue
		}
		pairs = append(pairs, pair{synth.EntityID(r.IntN(core)), to})
	}
	base, err := newPlainGraph(ctx, s)
	if err != nil {
		s.Close()
		return err
	}
	s.Close()

	// 4. The real server, on the store.
	start = time.Now()
	srvArgs := []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--timeout", "30s"}
	if *cpuprofile != "" {
		srvArgs = append(srvArgs, "--cpuprofile", *cpuprofile)
	}
	srvArgs = append(srvArgs, strings.Fields(*serverFlags)...)
	srv := exec.Command(bin, srvArgs...)
	out, _ := srv.StdoutPipe()
	// The server logs to a file (kept in --dir), which the bench reads while
	// the server writes it: a file needs no copying goroutine to race with.
	srvLog := filepath.Join(*dir, "server.log")
	logFile, err := os.Create(srvLog)
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv.Stderr = logFile
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	logs, _ := os.ReadFile(srvLog)
	if err != nil {
		return fmt.Errorf("the server did not start: %v\n%s", err, logs)
	}
	rep.ReadySec = time.Since(start).Seconds()
	// The index build's time, from the server's log line about it.
	if _, after, ok := strings.Cut(string(logs), "took="); ok && len(strings.Fields(after)) > 0 {
		if d, err := time.ParseDuration(strings.Fields(after)[0]); err == nil {
			rep.IndexBuildSec = d.Seconds()
		}
	}
	url := strings.Fields(line[strings.Index(line, "http://"):])[0] + "/graphql"
	logf("server ready in %.1fs at %s", rep.ReadySec, url)

	client := &http.Client{Timeout: time.Minute}
	query := `query($from: ID!, $to: ID!, $k: Int!) { paths(from: $from, to: $to, first: $k, maxHops: 6) { truncated visited paths { hops steps { forward relationship { kind } to { id name } } } } }`
	series := func(k int) ([]time.Duration, error) {
		var ds []time.Duration
		for i, p := range pairs {
			body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"from": p.from, "to": p.to, "k": k}})
			t0 := time.Now()
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			if err != nil {
				return nil, err
			}
			var res struct {
				Data struct {
					Paths struct {
						Truncated bool
						Paths     []json.RawMessage
					}
				}
				Errors []json.RawMessage
			}
			if err := json.Unmarshal(b, &res); err != nil || len(res.Errors) > 0 {
				return nil, fmt.Errorf("query %d: %s", i, b)
			}
			if len(res.Data.Paths.Paths) > 0 {
				rep.Found[fmt.Sprintf("k%d", k)]++
			}
			if res.Data.Paths.Truncated {
				rep.TruncatedPaths++
			}
			ds = append(ds, d)
		}
		return ds, nil
	}
	// Warm-up: one pass of each series, so that both are measured on a
	// warm page cache (serve starts with the store evicted from it).
	for _, k := range []int{1, 3} {
		if _, err := series(k); err != nil {
			return err
		}
	}
	rep.Found = map[string]int{}
	rep.TruncatedPaths = 0
	d1, err := series(1)
	if err != nil {
		return err
	}
	d3, err := series(3)
	if err != nil {
		return err
	}
	rep.K1, rep.K3 = summarize(d1), summarize(d3)
	rep.ServerRSS, rep.ServerPeakRSS, rep.ServerAnonRSS, rep.ServerFileRSS = procRSS(srv.Process.Pid)

	// 5. The baseline: plain bidirectional BFS over the same graph, in
	// memory, on the same pairs (shortest path length only, no filters).
	var db3 []time.Duration
	found := 0
	for _, p := range pairs {
		t0 := time.Now()
		if base.bfs(graph.KeyFor(p.from), graph.KeyFor(p.to), 6) >= 0 {
			found++
		}
		db3 = append(db3, time.Since(t0))
	}
	rep.BFS = summarize(db3)
	rep.Found["plainBFS"] = found

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "network: %d entities, %d records (generated in %.1fs)\n", rep.Entities, rep.Records, rep.GenerateSec)
	fmt.Fprintf(stdout, "ingest: %.1fs, %.0f records/s; store %.0f MB\n", rep.IngestSec, rep.IngestRate, float64(rep.StoreBytes)/1e6)
	fmt.Fprintf(stdout, "server ready: %.1fs (index build %.1fs); RSS %.0f MB (heap %.0f MB, mapped store files %.0f MB), peak %.0f MB\n",
		rep.ReadySec, rep.IndexBuildSec, float64(rep.ServerRSS)/1e6, float64(rep.ServerAnonRSS)/1e6, float64(rep.ServerFileRSS)/1e6, float64(rep.ServerPeakRSS)/1e6)
	fmt.Fprintf(stdout, "%d queries per series, maxHops 6, pairs with a path: %v, truncated searches: %d\n", rep.Queries, rep.Found, rep.TruncatedPaths)
	fmt.Fprintf(stdout, "%-34s %8s %8s %8s %8s %8s\n", "latency (ms)", "p50", "p95", "p99", "max", "mean")
	for _, row := range []struct {
		name string
		l    latencies
	}{{"GraphQL over HTTP, k=1", rep.K1}, {"GraphQL over HTTP, k=3", rep.K3}, {"plain bidirectional BFS in memory", rep.BFS}} {
		fmt.Fprintf(stdout, "%-34s %8.3f %8.3f %8.3f %8.3f %8.3f\n", row.name, row.l.P50, row.l.P95, row.l.P99, row.l.Max, row.l.Mean)
	}
	return nil
}

// serverPackage is the product command whose serve the bench measures.
const serverPackage = "github.com/sanctionsgraph/sanctionsgraph/cmd/sanctionsgraph"

// findServer returns the sanctionsgraph binary to start: path if it is
// set; else one built with go build into dir from the module's source
// around the working directory (so that the server measured is the code
// checked out, as sgbench is); else the sanctionsgraph beside the
// executable self (sgbench installed with it, without the source).
func findServer(ctx context.Context, path, dir, self string, logf func(string, ...any)) (string, error) {
	if path != "" {
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			return "", &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--server %s: not a sanctionsgraph binary", path)}
		}
		return path, nil
	}
	bin := filepath.Join(dir, "sanctionsgraph")
	out, buildErr := exec.CommandContext(ctx, "go", "build", "-o", bin, serverPackage).CombinedOutput()
	if buildErr == nil {
		logf("built the server %s from the source", bin)
		return bin, nil
	}
	if self != "" {
		beside := filepath.Join(filepath.Dir(self), "sanctionsgraph")
		if fi, err := os.Stat(beside); err == nil && !fi.IsDir() {
			logf("using the server %s (no source to build it from here)", beside)
			return beside, nil
		}
	}
	return "", fmt.Errorf("no sanctionsgraph server to start: go build %s: %v\n%s(run sgbench in the module's source, put sanctionsgraph beside sgbench, or pass --server PATH)",
		serverPackage, buildErr, out)
}

// plainGraph is the baseline: a CSR adjacency of the graph with a textbook
// bidirectional BFS (no kinds, no dates, no canonical choice among ties).
// Designations are left out of it: walking through programme nodes would
// make every two parties designated under one programme two hops apart.
type plainGraph struct {
	num  map[uuid.UUID]int32
	off  []int32
	adj  []int32
	seen [2][]int32
	gen  int32
}

func newPlainGraph(ctx context.Context, s *store.Store) (*plainGraph, error) {
	nodes, links := s.Index().Contents()
	g := &plainGraph{num: make(map[uuid.UUID]int32, len(nodes))}
	add := func(id uuid.UUID) int32 {
		n, ok := g.num[id]
		if !ok {
			n = int32(len(g.num))
			g.num[id] = n
		}
		return n
	}
	type e struct{ a, b int32 }
	var edges []e
	for k, kinds := range links {
		designation := true
		for k := range kinds {
			designation = designation && (k == graph.RelDesignatedBy || k == graph.RelProgrammeOf)
		}
		if designation {
			continue
		}
		edges = append(edges, e{add(k[0]), add(k[1])})
	}
	deg := make([]int32, len(g.num)+1)
	for _, x := range edges {
		deg[x.a]++
		deg[x.b]++
	}
	g.off = make([]int32, len(g.num)+1)
	for i := 1; i <= len(g.num); i++ {
		g.off[i] = g.off[i-1] + deg[i-1]
	}
	g.adj = make([]int32, g.off[len(g.num)])
	fill := slices.Clone(g.off)
	for _, x := range edges {
		g.adj[fill[x.a]] = x.b
		fill[x.a]++
		g.adj[fill[x.b]] = x.a
		fill[x.b]++
	}
	g.seen[0], g.seen[1] = make([]int32, len(g.num)), make([]int32, len(g.num))
	return g, ctx.Err()
}

// bfs returns the hops between a and b, or -1 beyond maxHops.
func (g *plainGraph) bfs(a, b uuid.UUID, maxHops int) int {
	s, ok1 := g.num[a]
	t, ok2 := g.num[b]
	if !ok1 || !ok2 {
		return -1
	}
	if s == t {
		return 0
	}
	g.gen++
	front := [2][]int32{{s}, {t}}
	g.seen[0][s], g.seen[1][t] = g.gen, g.gen
	for hops := 0; hops < maxHops; {
		side := 0
		if len(front[1]) < len(front[0]) {
			side = 1
		}
		var next []int32
		for _, u := range front[side] {
			for _, v := range g.adj[g.off[u]:g.off[u+1]] {
				if g.seen[1-side][v] == g.gen {
					return hops + 1
				}
				if g.seen[side][v] != g.gen {
					g.seen[side][v] = g.gen
					next = append(next, v)
				}
			}
		}
		hops++
		if len(next) == 0 {
			return -1
		}
		front[side] = next
	}
	return -1
}

// procRSS reads the resident and peak resident memory of a process, and
// the anonymous and file-backed parts of the resident memory.
func procRSS(pid int) (rss, peak, anon, file int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				rss = v * 1024
			case "VmHWM:":
				peak = v * 1024
			case "RssAnon:":
				anon = v * 1024
			case "RssFile:":
				file = v * 1024
			}
		}
	}
	return rss, peak, anon, file
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
