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
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "sanctionsgraph:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "sanctionsgraph:", err)
		os.Exit(1)
	}
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Exit statuses.
const (
	exitFailed   = 1 // the command failed; an ingest changed nothing
	exitUsage    = 2 // bad flags or arguments
	exitRejected = 3 // an ingest committed, but some records were rejected
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve GraphQL at /graphql and GraphiQL at /graphiql", runServe},
		{"ingest", "load official lists (OFAC, UN, EU, UK), FollowTheMoney JSON lines, OpenSanctions deltas, findings CSV, or --demo", runIngest},
		{"path", "print the shortest paths between two entities (ids or names)", runPath},
		{"export", "write a subgraph (neighbourhood or paths) as ftm, graphml, csv, cypher, dot or html", runExport},
		{"screen", "screen a name (or a CSV of names) against the lists, with scores and links to designated entities", runScreen},
		{"exposure", "whether an entity is blocked under the OFAC 50 Percent Rule, with its owners and chains", runExposure},
		{"stats", "count entities per schema and relationships per kind", runStats},
		{"entity", "print one entity with its relationships and sources", runEntity},
		{"runs", "list ingest runs", runRuns},
		{"merges", "list the records merged as one party, or explain the party of one entity", runMerges},
		{"merge", "record that two records are the same party (--reason)", runMerge},
		{"unmerge", "take a record out of its party and keep it apart (--reason)", runUnmerge},
		{"fetch", "download an official list (ofac, un, eu, uk) and ingest it", runFetch},
		{"check", "verify the store's indexes and records are consistent", runCheck},
		{"audit", "list the changes made through the API: who, when, what, before and after", runAudit},
		{"backup", "write a backup of a store (--db), or of a running server's store online (--server)", runBackup},
		{"restore", "restore a backup into a new store directory", runRestore},
		{"generate", "write a synthetic sanctions network as FtM JSON lines (for benchmarks)", runGenerate},
		{"bench", "benchmark ingest, store open, and path queries over HTTP on a synthetic network", runBench},
		{"loadtest", "many clients asking path queries over HTTP, alone and while an ingest runs (loopback only)", runLoadTest},
	}
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return &exitError{code: exitUsage, msg: fmt.Sprintf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sanctionsgraph COMMAND [flags] [args]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --db DIR (default $SANCTIONSGRAPH_DB, else", defaultDBDir()+").")
	fmt.Fprintln(w, "Run 'sanctionsgraph COMMAND -h' for its flags.")
}
