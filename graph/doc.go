// Package graph is the sanctionsgraph domain model: entities (the
// FollowTheMoney schemata plus designating authorities and programmes),
// typed directed relationships with their provenance, records as ingest
// produces them, designations, paths and the queries that ask for them,
// name folding and the one table of legal forms, countries, ids, sentinel
// errors, and the rules that decide that two records are one party.
//
// Package graph imports no other project package. The algorithms live
// beside it: the in-memory index and path search in graph/index,
// screening in graph/screen, the OFAC 50 Percent Rule in graph/exposure,
// export encoders in graph/export. Storage lives in store, parsing of
// lists in ingest, and the API in schema and web.
package graph
