// Package index holds the derived in-memory graph: a compact adjacency of
// int32 entity numbers for path search, and the name postings for look-up
// by name. Badger (package store) is the source of truth; an Index is
// rebuilt from it at open and kept in step with every committed write, and
// may be dropped and rebuilt at any time.
//
// An Index is the only holder of its lock. Path search (Paths, Nearest,
// Neighbourhood) returns, per step, the kinds and directions of the
// relationships it walked, read under the same lock as the search; screening
// reads the name postings through ReadNames. Every traversal is bounded by
// hops, visited entities and its context, and says which limit cut it.
package index
