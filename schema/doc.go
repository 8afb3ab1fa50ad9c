// Package schema is the GraphQL API of sanctionsgraph: the schema
// (schema.graphql, embedded), its resolvers, and the mapping of domain
// errors to GraphQL error codes (NOT_FOUND, BAD_USER_INPUT, TIMEOUT,
// RESULT_TOO_LARGE, TOO_BUSY, INTERNAL). It sees the graph through the Graph
// interface, which *store.Store implements. A request's reads are counted
// against its own budget and a Budget shared by the requests in flight
// (request.go): running out of either stops the request.
package schema
