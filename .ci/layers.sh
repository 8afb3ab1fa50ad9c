#!/usr/bin/env bash
# Enforces the package layering of ../shared/STYLE.md with go list:
# which project packages a package may depend on (transitively), and which
# outside packages it may import itself (Badger pulls in net/http through
# expvar, so outside imports are checked directly, not transitively).
set -euo pipefail
mod=$(go list -m)
fail=0
deps()    { go list -deps "$1"; }
imports() { go list -f '{{join .Imports "\n"}}' "$1"; }
check() { # kind package forbidden-regex reason
  local list bad
  if [ "$1" = deps ]; then list=$(deps "$2"); else list=$(imports "$2"); fi
  bad=$(echo "$list" | grep -E "$3" | grep -v -x -F "$2" || true)
  if [ -n "$bad" ]; then
    echo "layering: $2 must not import $(echo $bad): $4"; fail=1
  fi
}
exists() { go list "$mod/$1" >/dev/null 2>&1; }
only() { # package allowed-project-packages... : its project dependencies must be among them
  local p=$1 bad; shift
  bad=$(deps "$mod/$p" | grep "^$mod/" | grep -v -x -F "$mod/$p" | sed "s#^$mod/##" | grep -v -x -F -f <(printf '%s\n' "$@" _none_) || true)
  if [ -n "$bad" ]; then
    echo "layering: $p must not import $(echo $bad): it may import only: ${*:-nothing of the project}"; fail=1
  fi
}
# The model imports nothing of the project; each algorithm package imports
# the model only (screening may read the index's name postings).
only graph
only graph/index graph
only graph/exposure graph
only graph/screen graph graph/index
only graph/export graph
# Resolving what a person types (an id, an identifier, a name) uses the
# screening rules for names.
only graph/resolve graph graph/screen graph/index
# Ongoing screening evaluates a party with screening, paths and the 50% rule.
only graph/watch graph graph/index graph/screen graph/exposure
# Synthetic networks for benchmarks and tests are built from the model alone.
only internal/synth graph
# What the commands share of a command line is none of the product's logic.
only internal/cli
only internal/cli/clitest internal/cli
for p in $(go list ./graph/... | sed "s#^$mod/##"); do
  check deps "$mod/$p" "^$mod/(store|ingest|schema|web|cmd)" "graph packages import no storage, parsing, API or command"
done
check deps "$mod/cmd/sanctionsgraph" "^$mod/internal/synth$" "the product binary ships no benchmark tools (they are cmd/sgbench's)"
check deps "$mod/ingest" "^$mod/(store|schema|web|cmd)" "ingest builds graph values only"
check deps "$mod/store" "^$mod/(ingest|schema|web|cmd)" "store imports only graph"
if exists schema; then check deps "$mod/schema" "^$mod/(store|ingest|web|cmd)" "schema sees the graph through its own interface"; fi
if exists web; then check deps "$mod/web" "^$mod/(store|ingest|cmd)" "web sees the graph through an interface"; fi
for p in $(go list ./... | grep -v -E "^$mod/store(/|$)"); do
  check imports "$p" "^github.com/dgraph-io/badger" "Badger is used only in store"
done
# The shared test set-up is for _test.go files (go list -deps leaves them out).
for p in $(go list ./... | grep -v -x "$mod/store/storetest"); do
  check deps "$p" "^$mod/store/storetest$" "store/storetest is imported by _test.go files only"
done
for p in $(go list ./... | grep -v -E "^$mod/(schema|web)(/|$)"); do
  check imports "$p" "^github.com/graph-gophers/graphql-go" "graphql-go is used only in schema and web"
done
for p in $(go list ./... | grep -v -E "^$mod/(web|cmd)(/|$)"); do
  check imports "$p" "^net/http$" "net/http is used only in web and cmd"
done
exit $fail
