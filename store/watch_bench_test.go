package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// The figures of issue 14: a watchlist of 100,000 parties evaluated in
// full against OFAC + UN + EU, then again incrementally after a new OFAC
// version that changes 100 records. Run with
//
//	go test -run '^$' -bench BenchmarkWatch -benchtime 1x -timeout 60m ./store
//
// Both report seconds and the parties evaluated; the store is on disk.

// benchParties builds n parties: innocent persons (the yente negatives,
// with birth date and nationality, as they are and with the name in
// "LAST, First" order) and the names and aliases of the OFAC entries, as
// a bank's customers and counterparties would be spelled. The share of
// OFAC names is $SANCTIONSGRAPH_WATCH_LISTED percent (default 50: a
// worst case; a bank's customers are mostly not on a list).
func benchParties(b *testing.B, n int) []watch.Party {
	b.Helper()
	listed := 50
	if v := os.Getenv("SANCTIONSGRAPH_WATCH_LISTED"); v != "" {
		if _, err := fmt.Sscan(v, &listed); err != nil || listed < 0 || listed > 50 {
			b.Fatalf("SANCTIONSGRAPH_WATCH_LISTED=%q: want a percentage from 0 to 50", v)
		}
	}
	b.Logf("parties: %d%% OFAC names and aliases", listed)
	var out []watch.Party
	for _, file := range []string{"opensanctions/name-matching/yente_negatives_global_a.csv", "opensanctions/name-matching/yente_negatives_us_a.csv"} {
		for _, p := range readNegatives(b, graphtest.SharedData(b, file), 25000) {
			if len(out) >= n/2 {
				break
			}
			p.Ref = fmt.Sprintf("%s-%s", filepath.Base(file)[15:21], p.Ref)
			out = append(out, p)
			if f := strings.Fields(p.Name); len(f) >= 2 && len(out) < n/2 {
				q := p
				q.Ref += "-r"
				q.Name = strings.ToUpper(f[len(f)-1]) + ", " + strings.Join(f[:len(f)-1], " ")
				out = append(out, q)
			}
		}
	}
	read := func(file string, cols int, fn func(r []string)) {
		f, err := os.Open(graphtest.SharedData(b, file))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err == nil && len(rec) >= cols {
				fn(rec)
			}
		}
	}
	innocent := len(out)
	add := func(ref, name, kind string) {
		if len(out)-innocent < n*listed/100 && strings.TrimSpace(name) != "" && name != "-0-" {
			p := watch.Party{Ref: ref, Name: strings.TrimSpace(name), Kind: kind}
			if p.Check() == nil {
				out = append(out, p)
			}
		}
	}
	kinds := map[string]string{}
	read("ofac/sdn.csv", 3, func(r []string) {
		kind := map[string]string{"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}[strings.TrimSpace(r[2])]
		if kind == "" {
			kind = "Organization"
		}
		kinds[r[0]] = kind
		add("sdn-"+r[0], r[1], kind)
	})
	read("ofac/alt.csv", 4, func(r []string) { add("alt-"+r[0]+"-"+r[1], r[3], kinds[r[0]]) })
	// Short of names: the negatives again under other refs, with no
	// birth date (a customer file with names only).
	for i := 0; len(out) < n; i++ {
		p := out[i%innocent]
		p.Ref, p.BirthDate, p.Country = fmt.Sprintf("%s-n%d", p.Ref, i), "", ""
		out = append(out, p)
	}
	return out
}

// benchStore ingests OFAC (sdn, add, alt), the UN list and the EU journal
// into an on-disk store, as BenchmarkScreen does.
func benchStore(b *testing.B, dir string) *store.Store {
	b.Helper()
	graphtest.SharedData(b, "ofac/add.csv")
	graphtest.SharedData(b, "ofac/alt.csv")
	files := []string{graphtest.SharedData(b, "ofac/sdn.csv"), graphtest.SharedData(b, unList)}
	eu, err := filepath.Glob(filepath.Join(graphtest.SharedData(b, "eu/opensanctions-eu-journal/consolidated"), "*.csv"))
	if err != nil || len(eu) == 0 {
		b.Fatalf("EU consolidated CSVs: %v %v", eu, err)
	}
	return ingestFiles(b, dir, append(files, eu...)...)
}

func reportWatch(b *testing.B, rep *store.WatchReport, cpu float64) {
	b.ReportMetric(rep.Took.Seconds(), "s/evaluation")
	b.ReportMetric(float64(rep.Evaluated), "parties-evaluated")
	b.ReportMetric(float64(rep.Alerts), "alerts")
	if cpu > 0 {
		b.ReportMetric(cpu, "cpu-s")
	}
	b.Logf("%+v", rep)
}

// BenchmarkWatchFull evaluates every party of a 100,000-party watchlist.
func BenchmarkWatchFull(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b, b.TempDir())
	parties := benchParties(b, 100_000)
	if _, err := st.ImportWatchlist(ctx, "customers", nil, parties); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu0 := cpuSeconds()
		rep, err := st.WatchUpdate(ctx, store.WatchOptions{Full: true})
		if err != nil {
			b.Fatal(err)
		}
		reportWatch(b, rep, cpuSeconds()-cpu0)
	}
}

// BenchmarkWatchDelta evaluates the 100,000-party watchlist once, then
// ingests a new version of the OFAC list that changes 100 entries (40
// renamed, 30 under a new programme, 30 newly linked to another entry)
// and times the incremental re-evaluation.
func BenchmarkWatchDelta(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st := benchStore(b, filepath.Join(dir, "db"))
	parties := benchParties(b, 100_000)
	if _, err := st.ImportWatchlist(ctx, "customers", nil, parties); err != nil {
		b.Fatal(err)
	}
	start, cpu0 := time.Now(), cpuSeconds()
	first, err := st.WatchUpdate(ctx, store.WatchOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first evaluation of %d parties: %s wall, %.1f s CPU, %d alerts", len(parties), time.Since(start), cpuSeconds()-cpu0, first.Alerts)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		v := filepath.Join(dir, fmt.Sprintf("v%d", i))
		changed := writeOFACDelta(b, v, i, 100)
		storetest.Load(b, st, func(ctx context.Context, run *store.Run) error {
			_, err := ingest.File(ctx, filepath.Join(v, "sdn.csv"), run, ingest.Options{ListDate: fmt.Sprintf("2024-06-%02d", i+1)})
			return err
		})
		b.StartTimer()
		cpu0 := cpuSeconds()
		rep, err := st.WatchUpdate(ctx, store.WatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("delta %d: %d entries changed", i, changed)
		reportWatch(b, rep, cpuSeconds()-cpu0)
		if os.Getenv("SANCTIONSGRAPH_WATCH_VERIFY") != "" {
			// Not timed: a full evaluation after the delta must find
			// nothing the incremental one missed.
			b.StopTimer()
			var missed []watch.Alert
			if _, err := st.WatchUpdate(ctx, store.WatchOptions{Full: true, Emit: func(a watch.Alert) { missed = append(missed, a) }}); err != nil {
				b.Fatal(err)
			}
			if len(missed) > 0 {
				b.Errorf("a full evaluation after the delta raised %d alerts the incremental one missed: %v", len(missed), alertWords(missed[:min(20, len(missed))]))
			}
			b.Logf("verified: a full evaluation after the delta raised %d alerts", len(missed))
			b.StartTimer()
		}
	}
}

// writeOFACDelta writes into dir a copy of the OFAC files with n entries
// of sdn.csv changed (round shifts which), and returns how many it
// changed.
func writeOFACDelta(b testing.TB, dir string, round, n int) int {
	b.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for _, f := range []string{"add.csv", "alt.csv"} {
		data, err := os.ReadFile(graphtest.SharedData(b, "ofac/"+f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.Open(graphtest.SharedData(b, "ofac/sdn.csv"))
	if err != nil {
		b.Fatal(err)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	rows, err := r.ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	changed := 0
	step := len(rows) / (n + 1)
	for k := 0; k < n; k++ {
		row := rows[(k+1)*step+round]
		if len(row) < 12 {
			continue
		}
		switch {
		case k < 40*n/100:
			row[1] += fmt.Sprintf(" %d", 1000+round)
		case k < 70*n/100:
			row[3] = strings.TrimSpace(row[3]) + "] [RUSSIA-EO14024"
		default:
			other := rows[(k*7+round)%len(rows)]
			rem := strings.TrimSpace(row[11])
			if rem == "-0-" {
				rem = ""
			}
			row[11] = strings.TrimSpace(rem + " Linked To: " + strings.TrimSpace(other[1]) + ".")
		}
		changed++
	}
	out, err := os.Create(filepath.Join(dir, "sdn.csv"))
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	w.WriteAll(rows)
	w.Flush()
	// OFAC's end-of-file byte: the file is the whole list.
	out.Write([]byte{0x1a})
	if err := out.Close(); err != nil || w.Error() != nil {
		b.Fatal(err, w.Error())
	}
	return changed
}
