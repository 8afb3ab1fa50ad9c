// web/static holds the front-end bundles built from web/ui; web/ui/build.sh
// rebuilds them (see README.md, "Web page").
//go:generate sh ui/build.sh

// Package web serves sanctionsgraph over HTTP: the GraphQL endpoint
// (POST and GET /graphql), GraphiQL at /graphiql with its assets embedded
// (no CDN: it works offline), and /healthz.
package web
