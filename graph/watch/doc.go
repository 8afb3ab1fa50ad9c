// Package watch is ongoing screening: a user's own parties (customers,
// counterparties, vessels, suppliers) kept in named watchlists, the state
// of each party against the graph (screening hits, paths to designated
// entities within a number of hops, ownership exposure under the OFAC 50
// Percent Rule), each with its evidence, and the alerts a change of that
// state raises, which an analyst confirms or dismisses.
//
// The package is the model and the pure logic: what a party is, how it is
// evaluated through a Source (the store implements it), what evidence a
// state keeps, how two states differ (Diff) and which differences an
// earlier dismissal silences. Persistence, the change feed and the choice
// of the parties a change can affect are the store's.
//
// Evidence fingerprints. Every alert is about one subject of a party's
// state: a screening hit on one entity ("hit:" and the entity's id), a
// path to one designated entity ("path:" and its id), or the party being
// blocked ("blocked"). A subject's fingerprint is a hash of what an
// analyst decided on, and nothing else:
//
//   - a hit: the entity, its designations in force (authority and
//     programme), and its names and aliases. A new alias or a new
//     designation changes it; a score moving with the word weights of a
//     new list version, an address or a remark does not.
//   - a path: the designated entity at its end and the entities and
//     relationship kinds and directions of the path. A new route changes
//     it; a new source of the same relationship does not.
//   - blocked: only whether the party is blocked.
//
// A dismissed alert silences its subject while the subject's fingerprint
// is the one dismissed: the same evidence never alerts again, whether it
// stays, goes and comes back, or is found again by a full re-evaluation.
// Evidence that changes alerts again.
package watch
