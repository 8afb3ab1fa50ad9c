// Package schema is the GraphQL API of sanctionsgraph: the schema
// (schema.graphql, embedded), its resolvers, and the mapping of domain
// errors to GraphQL error codes (NOT_FOUND, BAD_USER_INPUT, TIMEOUT,
// RESULT_TOO_LARGE, INTERNAL). It sees the graph through the Graph
// interface, which *store.Store implements.
package schema
