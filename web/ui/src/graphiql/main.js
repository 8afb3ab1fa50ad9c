// GraphiQL for sanctionsgraph, bundled with esbuild (web/ui/build.sh) so that it
// is served from the binary and works offline.
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";

const defaultQuery = `# How is Russian Financial Society linked to the DPRK's Foreign Trade Bank?
# Press the run button (or Ctrl-Enter). More examples are in the README.
query HowIsRFSLinkedToFTB {
  paths(from: "demo-rfs", to: "demo-ftb", first: 3) {
    truncated
    visited
    paths {
      hops
      steps {
        forward
        from { id name }
        relationship { kind properties { role startDate endDate } sources { dataset url } }
        to { id name sanctioned }
      }
    }
  }
}
`;

async function fetcher(params) {
  const res = await fetch(window.location.pathname.replace(/\/graphiql\/?$/, "") + "/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(params),
    credentials: "same-origin",
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${res.status}: ${text}` }] };
  }
}

const root = createRoot(document.getElementById("graphiql"));
root.render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }),
);
