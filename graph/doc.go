// Package graph holds the sanctionsgraph domain model: entities (the
// FollowTheMoney schemata plus designating authorities and programmes),
// typed directed relationships, their provenance, and the pure algorithms
// that work on them.
//
// Package graph imports no other project package. Storage lives in store,
// parsing of lists in ingest, and the API in schema and web.
package graph
