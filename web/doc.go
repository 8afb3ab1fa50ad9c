// web/static holds the front-end bundles built from web/ui; web/ui/build.sh
// rebuilds them (see README.md, "Web page").
//go:generate sh ui/build.sh

// Package web serves sanctionsgraph over HTTP. New returns one handler for
// every route, and the routes table in routes.go is the only place a path
// is registered:
//
//   - /graphql: the GraphQL API over GET (read only) and POST, mounted on
//     a schema.New schema, with write tokens (Writers) for mutations;
//   - /graphiql: GraphiQL, and / the investigator's page (search, entity
//     panel, graph view, paths, screening, exposure, export), both served
//     from bundles embedded with go:embed (no CDN: they work offline);
//   - GET /export: a subgraph in one of package export's formats;
//   - POST /match/{dataset}, GET /search/{dataset}, GET /entities/{id}:
//     the yente-compatible API (yente.go), with Options.Yente;
//   - GET /healthz, GET /metrics (Prometheus text, see Instrument, which
//     also writes the access log) and GET /admin/backup (an online backup
//     for a write token).
//
// Every limit the package applies (body size, time-outs, concurrency, the
// reads and answer bytes all requests in flight share, errors per answer,
// the write deadlines of answers, exports and backups, the server's
// connection limits) is a named constant or an Options field, in
// limits.go.
//
// The front end's sources are in web/ui/src. web/ui/build.sh (also run by
// go generate ./web) bundles them with esbuild, at the versions pinned in
// web/ui/package-lock.json, into web/static, which is committed so that go
// build needs no Node; CI rebuilds the bundles and fails if the committed
// ones differ.
//
// web sees the graph through the interfaces it declares (Subgrapher,
// YenteGraph, BackupFunc) and through schema; it imports graph,
// graph/export, graph/screen and schema, never store, ingest or cmd.
// *store.Store satisfies its interfaces, and cmd/sanctionsgraph wires them
// together.
package web
