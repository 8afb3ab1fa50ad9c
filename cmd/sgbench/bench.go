package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
)

// benchReport is what the bench command measures for one network size.
type benchReport struct {
	Entities    int     `json:"entities"`
	Records     int     `json:"records"`
	FileBytes   int64   `json:"fileBytes"`
	GenerateSec float64 `json:"generateSeconds"`
	// The baseline: a plain in-memory graph loaded from the same file in
	// this process (parse + intern + CSR build) and searched with a
	// textbook bidirectional BFS, on one core.
	BaselineLoadSec   float64   `json:"baselineLoadSeconds"`
	BaselineHeap      int64     `json:"baselineHeapBytes"` // live heap after the load
	IngestSec         float64   `json:"ingestSeconds"`     // the product's ingest command, into a fresh store
	IngestRate        float64   `json:"ingestRecordsPerSecond"`
	IngestPeakRSS     int64     `json:"ingestPeakRSSBytes"`
	StoreBytes        int64     `json:"storeBytes"`
	FirstOpenSec      float64   `json:"firstOpenSeconds"`      // serve until /healthz answers, the index built from Badger
	IndexBuildSec     float64   `json:"indexBuildSeconds"`     // 0 if the first open loaded a file the ingest saved
	FirstIndexLoadSec float64   `json:"firstIndexLoadSeconds"` // the first open's load of a file the ingest saved
	ReopenSec         float64   `json:"reopenSeconds"`         // again, after a clean stop: the index loaded from its file
	IndexLoadSec      float64   `json:"indexLoadSeconds"`
	IndexFileBytes    int64     `json:"indexFileBytes"`
	ServerRSS         int64     `json:"serverRSSBytes"` // after the queries
	ServerPeakRSS     int64     `json:"serverPeakRSSBytes"`
	Queries           int       `json:"queries"`
	K1                latencies `json:"graphqlK1"`
	K1Unreachable     latencies `json:"graphqlK1Unreachable"`
	BFS               latencies `json:"plainBidirectionalBFS"`
	BFSUnreachable    latencies `json:"plainBFSUnreachable"`
	Reachable         int       `json:"pairsWithAPath"`
	Correct           int       `json:"correctHopCounts"`
	TruncatedPaths    int       `json:"truncatedSearches"`
	ReopenK1          latencies `json:"graphqlK1AfterReopen"`
	ReopenCorrect     int       `json:"correctHopCountsAfterReopen"`
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
	sizes := fs.String("entities", "200000,2000000", "entities in the synthetic network; several sizes, comma-separated, give the cost-growth table")
	queries := fs.Int("queries", 1000, "path queries per size")
	maxHops := fs.Int("max-hops", 6, "hop limit of every query (product and baseline)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "sanctionsgraph-bench"), "working directory (network files and stores)")
	seed := fs.Uint64("seed", 1, "random seed")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	cpuprofile := fs.String("server-cpuprofile", "", "have the server write a CPU profile of its first run to this file")
	serverFlags := fs.String("server-flags", "", "more flags for the server, space-separated (e.g. \"--max-mapped-mb 256\")")
	server := fs.String("server", "", "the sanctionsgraph binary to run (default: built from the module's source in --dir, else the sanctionsgraph beside sgbench)")
	fromJSON := fs.String("from-json", "", "print the tables of reports saved earlier with --json, measuring nothing")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *fromJSON != "" {
		b, err := os.ReadFile(*fromJSON)
		if err != nil {
			return err
		}
		var reps []*benchReport
		if err := json.Unmarshal(b, &reps); err != nil {
			return fmt.Errorf("%s: %w", *fromJSON, err)
		}
		printBench(stdout, reps)
		return nil
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1000 {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--entities: %q is not a size of at least 1000", f)}
		}
		ns = append(ns, n)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	logf := func(f string, a ...any) { fmt.Fprintf(stderr, "bench: "+f+"\n", a...) }
	self, _ := os.Executable()
	bin, err := findServer(ctx, *server, *dir, self, logf)
	if err != nil {
		return err
	}
	var reps []*benchReport
	for i, n := range ns {
		prof := ""
		if i == len(ns)-1 {
			prof = *cpuprofile
		}
		rep, err := benchSize(ctx, benchConfig{n: n, queries: *queries, maxHops: *maxHops, dir: *dir, seed: *seed,
			bin: bin, cpuprofile: prof, serverFlags: strings.Fields(*serverFlags)}, logf)
		if err != nil {
			return fmt.Errorf("%d entities: %w", n, err)
		}
		reps = append(reps, rep)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reps)
	}
	printBench(stdout, reps)
	return nil
}

type benchConfig struct {
	n, queries, maxHops int
	dir                 string
	seed                uint64
	bin, cpuprofile     string
	serverFlags         []string
}

func benchSize(ctx context.Context, cfg benchConfig, logf func(string, ...any)) (*benchReport, error) {
	rep := &benchReport{Entities: cfg.n, Queries: cfg.queries}
	file := filepath.Join(cfg.dir, fmt.Sprintf("synthetic-%d-%d.ftm.json", cfg.n, cfg.seed))
	db := filepath.Join(cfg.dir, fmt.Sprintf("db-%d-%d", cfg.n, cfg.seed))

	// 1. The network (the generator is deterministic: a file of this size
	// and seed is reused).
	start := time.Now()
	f, err := os.Create(file + ".tmp")
	if err != nil {
		return nil, err
	}
	st, err := synth.Generate(f, synth.Config{Entities: cfg.n, Seed: cfg.seed})
	f.Close()
	if err != nil {
		return nil, err
	}
	if err := os.Rename(file+".tmp", file); err != nil {
		return nil, err
	}
	rep.Records, rep.GenerateSec = st.Records, time.Since(start).Seconds()
	if fi, err := os.Stat(file); err == nil {
		rep.FileBytes = fi.Size()
	}
	logf("%d entities: generated %d records (%.0f MB) in %.1fs", cfg.n, st.Records, float64(rep.FileBytes)/1e6, rep.GenerateSec)

	// 2. The baseline's load, timed from the file.
	runtime.GC()
	start = time.Now()
	base, err := loadPlainGraph(ctx, file)
	if err != nil {
		return nil, err
	}
	rep.BaselineLoadSec = time.Since(start).Seconds()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.BaselineHeap = int64(ms.HeapAlloc)
	logf("baseline loaded in %.1fs (%d nodes, %d links, heap %.0f MB)", rep.BaselineLoadSec, len(base.num), len(base.adj)/2, float64(rep.BaselineHeap)/1e6)

	// 3. The product's ingest command into a fresh store, as a user runs it.
	os.RemoveAll(db)
	start = time.Now()
	cmd := exec.CommandContext(ctx, cfg.bin, "ingest", "--db", db, file)
	var ingestOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &ingestOut, &ingestOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ingest: %v\n%s", err, ingestOut.String())
	}
	rep.IngestSec = time.Since(start).Seconds()
	rep.IngestRate = float64(st.Records) / rep.IngestSec
	rep.IngestPeakRSS = maxRSS(cmd.ProcessState)
	rep.StoreBytes = dirSize(db)
	logf("ingest: %.1fs, %.0f records/s, peak RSS %.0f MB", rep.IngestSec, rep.IngestRate, float64(rep.IngestPeakRSS)/1e6)

	// 4. Query pairs: a core entity to a designated one, both in the core
	// (the generator's interconnected part), as an investigator asks.
	r := rand.New(rand.NewPCG(cfg.seed, 99))
	core := cfg.n * 2 / 5
	type pair struct{ from, to string }
	var pairs []pair
	for len(pairs) < cfg.queries {
		to := st.Designated[r.IntN(len(st.Designated))]
		if i, _ := strconv.Atoi(strings.TrimPrefix(to, "syn-")); i >= core {
			continue
		}
		pairs = append(pairs, pair{synth.EntityID(r.IntN(core)), to})
	}
	want := make([]int, len(pairs))
	var bfsAll, bfsNone []time.Duration
	for i, p := range pairs {
		t0 := time.Now()
		want[i] = base.bfs(p.from, p.to, cfg.maxHops)
		d := time.Since(t0)
		bfsAll = append(bfsAll, d)
		if want[i] < 0 {
			bfsNone = append(bfsNone, d)
		} else {
			rep.Reachable++
		}
	}
	rep.BFS, rep.BFSUnreachable = summarize(bfsAll), summarize(bfsNone)
	base = nil
	runtime.GC()

	// 5. The server: first open (index built from Badger), queries, a
	// clean stop (the index is saved), and a second open (loaded).
	srvArgs := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--timeout", "30s"}, cfg.serverFlags...)
	first := srvArgs
	if cfg.cpuprofile != "" {
		first = append(slices.Clone(srvArgs), "--cpuprofile", cfg.cpuprofile)
	}
	srv, err := startServer(ctx, cfg.bin, first, filepath.Join(cfg.dir, "server.log"))
	if err != nil {
		return nil, err
	}
	rep.FirstOpenSec, rep.IndexBuildSec = srv.ready.Seconds(), srv.logDuration("graph index built")
	rep.FirstIndexLoadSec = srv.logDuration("graph index loaded")
	logf("first open: /healthz in %.1fs (index built in %.1fs)", rep.FirstOpenSec, rep.IndexBuildSec)
	query := func(s *runningServer) (all, none []time.Duration, correct, truncated int, err error) {
		for i, p := range pairs {
			t0 := time.Now()
			hops, trunc, err := s.pathHops(p.from, p.to, cfg.maxHops)
			d := time.Since(t0)
			if err != nil {
				return nil, nil, 0, 0, fmt.Errorf("query %d (%s -> %s): %w", i, p.from, p.to, err)
			}
			all = append(all, d)
			if want[i] < 0 {
				none = append(none, d)
			}
			if hops == want[i] {
				correct++
			}
			if trunc {
				truncated++
			}
		}
		return all, none, correct, truncated, nil
	}
	// A warm-up pass, so that the measured one runs on a warm page cache
	// (serve starts with the store evicted from it).
	if _, _, _, _, err := query(srv); err != nil {
		srv.stop()
		return nil, err
	}
	all, none, correct, truncated, err := query(srv)
	if err != nil {
		srv.stop()
		return nil, err
	}
	rep.K1, rep.K1Unreachable, rep.Correct, rep.TruncatedPaths = summarize(all), summarize(none), correct, truncated
	rep.ServerRSS, rep.ServerPeakRSS, _, _ = procRSS(srv.cmd.Process.Pid)
	if err := srv.stop(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(filepath.Join(db, "graph-index.sgi")); err == nil {
		rep.IndexFileBytes = fi.Size()
	}
	srv, err = startServer(ctx, cfg.bin, srvArgs, filepath.Join(cfg.dir, "server2.log"))
	if err != nil {
		return nil, err
	}
	rep.ReopenSec, rep.IndexLoadSec = srv.ready.Seconds(), srv.logDuration("graph index loaded")
	logf("reopen: /healthz in %.1fs (index loaded in %.1fs)", rep.ReopenSec, rep.IndexLoadSec)
	all, _, correct, _, err = query(srv)
	srv.stop()
	if err != nil {
		return nil, err
	}
	rep.ReopenK1, rep.ReopenCorrect = summarize(all), correct
	return rep, nil
}

// maxRSS is the peak resident memory of a finished process.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return 0
}

type runningServer struct {
	cmd    *exec.Cmd
	url    string
	log    string
	ready  time.Duration
	client *http.Client
}

// startServer starts serve and waits until /healthz answers.
func startServer(ctx context.Context, bin string, args []string, logName string) (*runningServer, error) {
	start := time.Now()
	srv := exec.CommandContext(ctx, bin, args...)
	out, _ := srv.StdoutPipe()
	// The server logs to a file, which the bench reads while the server
	// writes it: a file needs no copying goroutine to race with.
	logFile, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	srv.Stderr = logFile
	if err := srv.Start(); err != nil {
		return nil, err
	}
	s := &runningServer{cmd: srv, log: logName, client: &http.Client{Timeout: time.Minute}}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "http://") {
		s.stop()
		logs, _ := os.ReadFile(logName)
		return nil, fmt.Errorf("the server did not start: %v %q\n%s", err, line, logs)
	}
	s.url = strings.Fields(line[strings.Index(line, "http://"):])[0]
	for {
		resp, err := s.client.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Minute {
			s.stop()
			return nil, fmt.Errorf("/healthz did not answer 200 within 10 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.ready = time.Since(start)
	return s, nil
}

// logDuration reads the took= of the first log line with msg, in seconds.
func (s *runningServer) logDuration(msg string) float64 {
	logs, _ := os.ReadFile(s.log)
	for _, line := range strings.Split(string(logs), "\n") {
		if !strings.Contains(line, msg) {
			continue
		}
		if _, after, ok := strings.Cut(line, "took="); ok && len(strings.Fields(after)) > 0 {
			if d, err := time.ParseDuration(strings.Fields(after)[0]); err == nil {
				return d.Seconds()
			}
		}
	}
	return 0
}

// stop interrupts the server (a clean stop: it saves its index) and waits.
func (s *runningServer) stop() error {
	s.cmd.Process.Signal(os.Interrupt)
	err := s.cmd.Wait()
	if err != nil {
		logs, _ := os.ReadFile(s.log)
		return fmt.Errorf("server stop: %v\n%s", err, logs)
	}
	return nil
}

const pathQuery = `query($from: ID!, $to: ID!, $h: Int!) { paths(from: $from, to: $to, first: 1, maxHops: $h) { truncated paths { hops steps { forward relationship { kind } to { id name } } } } }`

// pathHops asks the server for the shortest path from..to and returns its
// hops (-1 if none).
func (s *runningServer) pathHops(from, to string, maxHops int) (int, bool, error) {
	body, _ := json.Marshal(map[string]any{"query": pathQuery, "variables": map[string]any{"from": from, "to": to, "h": maxHops}})
	resp, err := s.client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, false, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, false, err
	}
	var res struct {
		Data struct {
			Paths struct {
				Truncated bool
				Paths     []struct{ Hops int }
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res.Errors) > 0 {
		return 0, false, fmt.Errorf("answer: %.500s", b)
	}
	if len(res.Data.Paths.Paths) == 0 {
		return -1, res.Data.Paths.Truncated, nil
	}
	return res.Data.Paths.Paths[0].Hops, res.Data.Paths.Truncated, nil
}

// printBench prints the table for each size, then the cost growth.
func printBench(w io.Writer, reps []*benchReport) {
	mb := func(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
	ratio := func(a, b float64) string {
		if b <= 0 {
			return ""
		}
		return fmt.Sprintf("%.1fx", a/b)
	}
	for _, r := range reps {
		fmt.Fprintf(w, "\n%d entities, %d FtM records (%s), %d path queries, maxHops 6, GraphQL paths(first:1) over HTTP keep-alive\n", r.Entities, r.Records, mb(r.FileBytes), r.Queries)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\tin-memory BFS (same run)\tsanctionsgraph\tratio")
		fmt.Fprintf(tw, "load: ingest into a fresh store\t%.1f s\t%.1f s (%.0f records/s)\t%s\n", r.BaselineLoadSec, r.IngestSec, r.IngestRate, ratio(r.IngestSec, r.BaselineLoadSec))
		fmt.Fprintf(tw, "peak RSS during ingest\t%s (heap after load)\t%s\t\n", mb(r.BaselineHeap), mb(r.IngestPeakRSS))
		if r.IndexBuildSec > 0 {
			fmt.Fprintf(tw, "first open until /healthz (index built)\t-\t%.1f s (build %.1f s)\t\n", r.FirstOpenSec, r.IndexBuildSec)
		} else {
			fmt.Fprintf(tw, "first open until /healthz (index saved by ingest)\t-\t%.1f s (load %.1f s)\t\n", r.FirstOpenSec, r.FirstIndexLoadSec)
		}
		fmt.Fprintf(tw, "reopen until /healthz (index file %s)\t-\t%.1f s (load %.1f s)\t\n", mb(r.IndexFileBytes), r.ReopenSec, r.IndexLoadSec)
		fmt.Fprintf(tw, "RSS of the server after queries\t%s\t%s\t\n", mb(r.BaselineHeap), mb(r.ServerRSS))
		fmt.Fprintf(tw, "path queries, p50\t%.3f ms\t%.3f ms\t\n", r.BFS.P50, r.K1.P50)
		fmt.Fprintf(tw, "p99\t%.1f ms\t%.1f ms\t%s\n", r.BFS.P99, r.K1.P99, ratio(r.K1.P99, r.BFS.P99))
		fmt.Fprintf(tw, "p99 of unreachable pairs (%d)\t%.1f ms\t%.1f ms\t%s\n", r.Queries-r.Reachable, r.BFSUnreachable.P99, r.K1Unreachable.P99, ratio(r.K1Unreachable.P99, r.BFSUnreachable.P99))
		fmt.Fprintf(tw, "correct hop counts\t%d/%d\t%d/%d (after reopen %d/%d)\t\n", r.Queries, r.Queries, r.Correct, r.Queries, r.ReopenCorrect, r.Queries)
		fmt.Fprintf(tw, "after reopen, first pass (cold page cache): p50 / p99\t\t%.3f / %.1f ms\t\n", r.ReopenK1.P50, r.ReopenK1.P99)
		tw.Flush()
		if r.TruncatedPaths > 0 {
			fmt.Fprintf(w, "(%d searches were cut short by their limits)\n", r.TruncatedPaths)
		}
	}
	if len(reps) < 2 {
		return
	}
	a, b := reps[len(reps)-2], reps[len(reps)-1]
	g := float64(b.Entities) / float64(a.Entities)
	fmt.Fprintf(w, "\ncost growth (measured at %d and %d entities; the last column extrapolated to 10x the largest at the measured growth rate)\n", a.Entities, b.Entities)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%d\t%d\tgrowth per %.3gx\t%d (extrapolated)\n", a.Entities, b.Entities, g, b.Entities*10)
	row := func(name string, x, y float64, unit string) {
		gr := y / x
		// Extrapolate 10x with the measured growth per g-fold, as a power law.
		ext := y * math.Pow(10, math.Log(gr)/math.Log(g))
		fmt.Fprintf(tw, "%s\t%.2f %s\t%.2f %s\t%.1fx\t%.2f %s\n", name, x, unit, y, unit, gr, ext, unit)
	}
	row("ingest", a.IngestSec, b.IngestSec, "s")
	row("ingest peak RSS", float64(a.IngestPeakRSS)/1e9, float64(b.IngestPeakRSS)/1e9, "GB")
	row("store on disk", float64(a.StoreBytes)/1e9, float64(b.StoreBytes)/1e9, "GB")
	row("reopen until /healthz", a.ReopenSec, b.ReopenSec, "s")
	row("first open until /healthz", a.FirstOpenSec, b.FirstOpenSec, "s")
	row("server RSS", float64(a.ServerRSS)/1e9, float64(b.ServerRSS)/1e9, "GB")
	row("p99 path query", a.K1.P99, b.K1.P99, "ms")
	tw.Flush()
}

// plainGraph is the baseline: a CSR adjacency of the network read straight
// from its FtM file, with a textbook bidirectional BFS (no kinds, no dates,
// no canonical choice among ties). Designations (Sanction records) are left
// out: walking through programme nodes would make every two parties
// designated under one programme two hops apart, and the product does not
// walk through them either.
type plainGraph struct {
	num  map[string]int32
	off  []int32
	adj  []int32
	seen [2][]int32
	gen  int32
}

// loadPlainGraph reads an FtM file: every entity is a node; the ends of
// relationship schemata (Ownership's owner and asset, ...) and entity-typed
// properties of the others (addressEntity, ...) are links.
func loadPlainGraph(ctx context.Context, file string) (*plainGraph, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g := &plainGraph{num: map[string]int32{}}
	add := func(id string) int32 {
		n, ok := g.num[id]
		if !ok {
			n = int32(len(g.num))
			g.num[id] = n
		}
		return n
	}
	var ea, eb []int32
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if line%100000 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var rec struct {
			ID         string              `json:"id"`
			Schema     string              `json:"schema"`
			Properties map[string][]string `json:"properties"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		s, ok := graph.LookupSchema(rec.Schema)
		if !ok || rec.Schema == "Sanction" {
			continue
		}
		if s.Edge != nil {
			src, dst := rec.Properties[s.Edge.Source], rec.Properties[s.Edge.Target]
			if len(src) > 0 && len(dst) > 0 {
				ea, eb = append(ea, add(src[0])), append(eb, add(dst[0]))
			}
			continue
		}
		n := add(rec.ID)
		for prop, vals := range rec.Properties {
			if d, ok := s.Props[prop]; ok && d.Type == "entity" {
				for _, v := range vals {
					ea, eb = append(ea, n), append(eb, add(v))
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	nodes := len(g.num)
	g.off = make([]int32, nodes+1)
	for i := range ea {
		g.off[ea[i]+1]++
		g.off[eb[i]+1]++
	}
	for i := 1; i <= nodes; i++ {
		g.off[i] += g.off[i-1]
	}
	g.adj = make([]int32, g.off[nodes])
	fill := slices.Clone(g.off[:nodes])
	for i := range ea {
		a, b := ea[i], eb[i]
		g.adj[fill[a]] = b
		fill[a]++
		g.adj[fill[b]] = a
		fill[b]++
	}
	g.seen[0], g.seen[1] = make([]int32, nodes), make([]int32, nodes)
	return g, nil
}

// bfs returns the hops between a and b, or -1 beyond maxHops.
func (g *plainGraph) bfs(a, b string, maxHops int) int {
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
