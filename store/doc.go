// Package store keeps the sanctionsgraph graph in an embedded Badger
// database. It is the only package that imports Badger; no Badger error
// escapes it (badger.ErrKeyNotFound becomes graph.ErrNotFound).
//
// The key layout is documented and pinned by tests in keys.go. Writes go
// through ingest runs (see Run): every input record is applied atomically,
// together with an undo-journal entry, so that a run that fails, is
// cancelled or is killed leaves the store exactly as it was before the run.
package store
