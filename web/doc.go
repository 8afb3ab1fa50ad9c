// Package web serves sanctionsgraph over HTTP: the GraphQL endpoint
// (POST and GET /graphql), GraphiQL at /graphiql with its assets embedded
// (no CDN: it works offline), and /healthz.
package web
