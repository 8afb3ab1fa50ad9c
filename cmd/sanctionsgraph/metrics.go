package main

import (
	"runtime"

	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// storeGauges are the store and process values /metrics shows. They are
// cheap to read (the in-memory index counts and Badger's size estimate), so
// a scrape never scans the store.
func storeGauges(st *store.Store) map[string]web.Gauge {
	lsm, vlog := st.Size()
	n, l := st.Index().Counts()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return map[string]web.Gauge{
		"sanctionsgraph_store_lsm_bytes":     {Help: "Size of the store's LSM tree files, bytes.", Value: float64(lsm)},
		"sanctionsgraph_store_vlog_bytes":    {Help: "Size of the store's value log files, bytes.", Value: float64(vlog)},
		"sanctionsgraph_graph_entities":      {Help: "Entities in the in-memory graph index.", Value: float64(n)},
		"sanctionsgraph_graph_relationships": {Help: "Relationships in the in-memory graph index.", Value: float64(l)},
		"sanctionsgraph_go_heap_alloc_bytes": {Help: "Bytes of allocated heap objects.", Value: float64(ms.HeapAlloc)},
		"sanctionsgraph_go_sys_bytes":        {Help: "Bytes of memory obtained from the OS by the Go runtime.", Value: float64(ms.Sys)},
		"sanctionsgraph_go_goroutines":       {Help: "Goroutines that exist.", Value: float64(runtime.NumGoroutine())},
		"sanctionsgraph_go_gc_cycles_total":  {Help: "Completed GC cycles (a counter shown as a gauge).", Value: float64(ms.NumGC)},
	}
}
