// Command sanctionsgraph stores sanctions lists and the links between the
// parties on them in an embedded graph, and answers how a party is linked to
// a designated entity.
//
//	sanctionsgraph ingest [--db DIR] FILE...   load FollowTheMoney JSON, deltas, findings CSV
//	sanctionsgraph ingest --demo               load the embedded demo data
//	sanctionsgraph stats  [--db DIR] [--json]  count entities and relationships
//	sanctionsgraph entity [--db DIR] [--json] ID
//
// Run "sanctionsgraph help" for all commands.
package main

import (
	"context"
	"io"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func main() { cli.Main("sanctionsgraph", Run) }

// exitRejected is the exit status of an ingest that committed but rejected
// some records (cli.ExitFailed: the command failed, an ingest changed
// nothing; cli.ExitUsage: bad flags or arguments).
const exitRejected = 3

func commands() []cli.Command {
	return []cli.Command{
		{Name: "serve", Summary: "serve the investigator's page at /, GraphQL at /graphql, GraphiQL at /graphiql and exports at /export", Run: runServe},
		{Name: "ingest", Summary: "load official lists (OFAC, UN, EU, UK), FollowTheMoney JSON lines, OpenSanctions deltas, findings CSV, or --demo", Run: runIngest},
		{Name: "path", Summary: "print the shortest paths between two entities (ids, identifiers or names)", Run: runPath},
		{Name: "export", Summary: "write a subgraph (neighbourhood or paths) as ftm, graphml, csv, cypher, dot or html", Run: runExport},
		{Name: "screen", Summary: "screen a name (or a CSV of names) against the lists, with scores and links to designated entities", Run: runScreen},
		{Name: "exposure", Summary: "whether an entity is blocked under the OFAC 50 Percent Rule, with its owners and chains", Run: runExposure},
		{Name: "stats", Summary: "count parties, entity records per schema and relationships per kind", Run: runStats},
		{Name: "entity", Summary: "print one entity with its relationships and sources", Run: runEntity},
		{Name: "runs", Summary: "list ingest runs", Run: runRuns},
		{Name: "merges", Summary: "list the records merged as one party, or explain the party of one entity", Run: runMerges},
		{Name: "merge", Summary: "record that two records are the same party (--reason)", Run: runMerge},
		{Name: "unmerge", Summary: "take a record out of its party and keep it apart (--reason)", Run: runUnmerge},
		{Name: "fetch", Summary: "download an official list (ofac, un, eu, uk) and ingest it", Run: runFetch},
		{Name: "check", Summary: "verify the store's indexes and records are consistent", Run: runCheck},
		{Name: "watch", Summary: "watchlists of your own parties, re-checked on every change: import, check, list, party, decide", Run: runWatch},
		{Name: "alerts", Summary: "list the alerts of the watchlists (new hits, delistings, new paths, blocked), with their evidence", Run: runAlerts},
		{Name: "audit", Summary: "list the changes made through the API: who, when, what, before and after", Run: runAudit},
		{Name: "backup", Summary: "write a backup of a store (--db), or of a running server's store online (--server)", Run: runBackup},
		{Name: "restore", Summary: "restore a backup into a new store directory", Run: runRestore},
	}
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p := &cli.Program{Name: "sanctionsgraph", Commands: commands(), Notes: []string{
		"Every command takes --db DIR (default $SANCTIONSGRAPH_DB, else " + defaultDBDir() + ").",
	}}
	return p.Run(ctx, args, stdout, stderr)
}
