package store_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// BenchmarkReadsOnDisk reads entities and their first relationships at
// random from the real OFAC and UN lists in a store on disk, as a server
// answering entity and path queries does: it measures Badger's reads
// through its tables (and block cache, if any).
func BenchmarkReadsOnDisk(b *testing.B) {
	dir := b.TempDir()
	st := storetest.OpenDir(b, dir, store.Options{})
	storetest.Load(b, st, func(ctx context.Context, run *store.Run) error {
		for _, f := range []string{storetest.OFACFile, storetest.UNFile} {
			if _, err := ingest.File(ctx, graphtest.SharedData(b, f), run, ingest.Options{}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	st = storetest.OpenDir(b, dir, store.Options{RandomAccess: true})
	ctx := context.Background()
	var ids []uuid.UUID
	st.View(ctx, func(tx *store.Tx) error {
		return tx.ScanEntities(func(e *graph.Entity) error { ids = append(ids, e.ID); return nil })
	})
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := ids[r.IntN(len(ids))]
		err := st.View(ctx, func(tx *store.Tx) error {
			if _, err := tx.Entity(id); err != nil {
				return err
			}
			_, err := tx.Relationships(id, graph.RelQuery{Limit: 25})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
