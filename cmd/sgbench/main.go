// Command sgbench measures sanctionsgraph: it generates synthetic sanctions
// networks, and benchmarks and load-tests the server on them. It is a
// separate command so that the product binary ships none of it.
//
//	sgbench generate --entities N [--seed S] --out FILE
//	sgbench bench    [--entities 2000000] [--queries 1000] [--server PATH] [--json]
//	sgbench loadtest [--entities 100000] [--clients 32] [--duration 15s]
//
// Run "sgbench help" for all commands.
package main

import (
	"context"
	"flag"
	"io"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func main() { cli.Main("sgbench", Run) }

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p := &cli.Program{Name: "sgbench", Commands: []cli.Command{
		{Name: "generate", Summary: "write a synthetic sanctions network as FtM JSON lines", Run: runGenerate},
		{Name: "bench", Summary: "benchmark ingest, store open, and path queries over HTTP to the sanctionsgraph server on a synthetic network", Run: runBench},
		{Name: "loadtest", Summary: "many clients asking path queries over HTTP, alone and while an ingest runs (loopback only)", Run: runLoadTest},
	}}
	return p.Run(ctx, args, stdout, stderr)
}

// newFlags makes the flag set of a command (see cli.NewFlags).
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	return cli.NewFlags("sgbench", name, args, stderr)
}
