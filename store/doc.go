// Package store keeps the sanctionsgraph graph in an embedded Badger
// database. It is the only package that imports Badger. No Badger error
// reaches a caller as it is: errors.go wraps each in an error whose text is
// a sentence for people and which errors.Is matches to the graph sentinel
// it means (badger.ErrKeyNotFound is graph.ErrNotFound, a conflict
// graph.ErrConflict, a transaction too big graph.ErrInvalid), with
// Badger's error kept in the chain. Methods return the graph sentinels
// their comments name; reads of a missing entity or relationship return
// graph.ErrNotFound.
//
// The key layout is documented and pinned by tests in keys.go. Writes go
// through ingest runs (see Run): every input record is applied atomically,
// together with an undo-journal entry, so that a run that fails, is
// cancelled or is killed leaves the store exactly as it was before the run.
//
// A store opened with Options.Index keeps the derived in-memory graph
// (graph/index) in step with every committed write, and with it a Badger
// read snapshot of the same state (index.go): path queries search the
// index and read what they found from that snapshot, so that an ingest
// running at the same time never tears an answer.
package store
