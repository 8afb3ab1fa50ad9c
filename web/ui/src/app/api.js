// The page's only way to the server: GraphQL over POST /graphql, with the
// API's error codes turned into sentences an investigator can act on.

// ApiError is an error to show to the user as it is.
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code || "";
  }
}

// words turns one GraphQL error into a sentence.
function words(e) {
  const code = (e.extensions && e.extensions.code) || "";
  const msg = e.message || "";
  switch (code) {
    case "NOT_FOUND":
      return msg ? `${msg.charAt(0).toUpperCase()}${msg.slice(1)}.` : "Not found.";
    case "BAD_USER_INPUT":
      return `The request was not accepted: ${msg}.`;
    case "TIMEOUT":
      return "The server stopped the request because it took too long. Ask for fewer hops or fewer paths, or hide hubs.";
    case "RESULT_TOO_LARGE":
      return "The answer would be too large. Ask for fewer items or fewer hops.";
    case "UNAUTHENTICATED":
      return "The write token was not accepted.";
    case "FORBIDDEN":
      return msg ? `Not allowed: ${msg}.` : "Not allowed.";
    case "TOO_BUSY":
      return "The server is busy. Try again in a moment.";
    case "INTERNAL":
      return "The server failed to answer (internal error); the details are in its log.";
    default:
      return msg ? `Error: ${msg}.` : "Unknown error.";
  }
}

// gql runs a query and returns its data; token, if given, is sent as the
// write token mutations need. It throws ApiError when the server answered
// with errors (the first error's code is kept) or could not be reached.
export async function gql(query, variables, token) {
  let res;
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables: variables || {} }),
    });
  } catch (err) {
    throw new ApiError("The server cannot be reached. Is sanctionsgraph serve still running?", "NETWORK");
  }
  let body;
  try {
    body = await res.json();
  } catch (err) {
    throw new ApiError(`The server answered HTTP ${res.status} without a GraphQL response.`, "HTTP");
  }
  const errors = body.errors || [];
  if (errors.length > 0) {
    const code = (errors[0].extensions && errors[0].extensions.code) || "";
    throw new ApiError(errors.map(words).join(" "), code);
  }
  return body.data;
}

// queryFields lists the fields of the Query type, so that panels for APIs
// that a server may not have yet (screening, exposure) show only when they
// exist.
export async function queryFields() {
  const data = await gql("{ __schema { queryType { fields { name args { name } } } } }");
  const out = new Map();
  for (const f of data.__schema.queryType.fields) {
    out.set(f.name, f.args.map((a) => a.name));
  }
  return out;
}

// limitWords says in words which limits cut a search.
export function limitWords(limits) {
  const names = {
    "visited-nodes": "the number of entities one search may visit",
    timeout: "the time one request may take",
    "max-hops": "the number of hops",
    first: "the number of paths asked for",
  };
  return (limits || []).map((l) => names[l] || l).join(", ");
}

export const ENTITY_BRIEF = "id name kind sanctioned degree";

export const SOURCE = "dataset recordId url document date retrievedAt quote";

export const RELATIONSHIP = `id kind label sourceId targetId
  properties { percentage shares role startDate endDate programme authority listingDate reason reference }
  sources { ${SOURCE} }`;

export const SEARCH = `query Search($q: String!, $first: Int) {
  search(query: $q, first: $first) { score matched entity { ${ENTITY_BRIEF} } }
}`;

export const ENTITY = `query Entity($id: ID!) {
  entity(id: $id) {
    ${ENTITY_BRIEF} uuid aliases weakAliases countries birthDates addresses topics otherIds
    identifiers { scheme value }
    designations { authority programme listedOn endedOn reference reason active sources { ${SOURCE} } }
    sources { ${SOURCE} }
    merge { records { id kind name datasets } }
  }
}`;

export const EXPAND = `query Expand($id: ID!, $first: Int, $after: String, $via: [RelationshipKind!]) {
  entity(id: $id) {
    ${ENTITY_BRIEF}
    relationships(first: $first, after: $after, via: $via) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { direction node { id kind label sourceId targetId } other { ${ENTITY_BRIEF} } }
    }
  }
}`;

// PATH selects a Path with what the evidence panel shows.
export const PATH = `hops
    start { ${ENTITY_BRIEF} }
    end { ${ENTITY_BRIEF} }
    steps {
      forward
      from { ${ENTITY_BRIEF} }
      to { ${ENTITY_BRIEF} }
      relationship { ${RELATIONSHIP} }
      relationships { id kind label }
    }`;

export const PATH_FIELDS = `truncated visited limits paths { ${PATH} }`;

export const PATHS = `query Paths($from: ID!, $to: ID!, $first: Int, $maxHops: Int, $maxDegree: Int, $asOf: String) {
  paths(from: $from, to: $to, first: $first, maxHops: $maxHops, maxDegree: $maxDegree, asOf: $asOf) {
    ${PATH_FIELDS}
    resolved { query how matched score entity { ${ENTITY_BRIEF} } }
  }
}`;

export const LINKS = `query Links($id: ID!, $first: Int) {
  linksToSanctioned(id: $id, first: $first) { ${PATH_FIELDS} }
}`;
