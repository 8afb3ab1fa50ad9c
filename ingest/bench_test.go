package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// BenchmarkIngest ingests a generated network into an on-disk store and
// reports records/s. SANCTIONSGRAPH_BENCH_ENTITIES sets its size (default
// 410k entities, about 0.9M records; 2M entities make about 4.9M records).
//
//	go test -run='^$' -bench=BenchmarkIngest -benchtime=1x ./ingest
func BenchmarkIngest(b *testing.B) {
	n := 410_000
	if v, err := strconv.Atoi(os.Getenv("SANCTIONSGRAPH_BENCH_ENTITIES")); err == nil {
		n = v
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "synthetic.ftm.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	st, err := synth.Generate(f, synth.Config{Entities: n, Seed: 1})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(dir, "db"+strconv.Itoa(i))
		s, err := store.Open(context.Background(), db, store.Options{GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		run, _ := s.BeginRun(ctx, path)
		b.StartTimer()
		sum, err := ingest.File(ctx, path, run, ingest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if sum.Added != st.Records {
			b.Fatalf("added %d of %d records", sum.Added, st.Records)
		}
		s.Close()
		os.RemoveAll(db)
		b.StartTimer()
	}
	b.ReportMetric(float64(st.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
