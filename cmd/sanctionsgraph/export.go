package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

// repeated is a flag that may be given several times (--seed A --seed B).
type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ",") }
func (r *repeated) Set(s string) error {
	*r = append(*r, s)
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	var seeds repeated
	fs.Var(&seeds, "seed", "an entity to export with its neighbourhood (any id, identifier or name; repeat for several)")
	hops := fs.Int("hops", export.DefaultHops, fmt.Sprintf("relationships to walk from the seeds (0 to %d; 0: the seeds and the relationships among them)", export.MaxHopsArg))
	via := fs.String("via", "", "walk only these relationship kinds, comma-separated (owns,controls,...)")
	from := fs.String("from", "", "a path export: from this entity ...")
	to := fs.String("to", "", "... to this entity")
	k := fs.Int("k", 0, fmt.Sprintf("number of shortest paths of a path export (default %d, at most %d)", graph.DefaultPaths, export.MaxPathsArg))
	maxHops := fs.Int("max-hops", 0, fmt.Sprintf("longest path of a path export (default %d, at most %d)", graph.DefaultMaxHops, export.MaxPathHopsArg))
	format := fs.String("format", "", "ftm, graphml, csv (a zip for neo4j-admin), cypher, dot or html")
	out := fs.String("out", "", "file to write (default standard output)")
	limit := fs.Int("limit", export.DefaultMaxEntities, "entities to export at most")
	maxRels := fs.Int("max-relationships", export.DefaultMaxRelationships, "relationships to export at most")
	title := fs.String("title", "", "the HTML report's title (default: the question, \"How X is linked to Y\")")
	caseRef := fs.String("case", "", "the case reference the HTML report is for")
	author := fs.String("author", "", "who made the HTML report")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "export: unexpected argument " + fs.Arg(0) + " (give entities with --seed, or --from and --to)"}
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "export: --format: give one of ftm, graphml, csv, cypher, dot, html"}
	}
	if *limit < 1 || *maxRels < 1 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "export: --limit and --max-relationships must be at least 1"}
	}
	q := export.Query{Seeds: seeds, Hops: *hops, From: *from, To: *to, K: *k, MaxHops: *maxHops, MaxEntities: *limit, MaxRelationships: *maxRels,
		Report: export.Report{Title: strings.TrimSpace(*title), Case: strings.TrimSpace(*caseRef), Author: strings.TrimSpace(*author)}}
	for _, v := range strings.Split(*via, ",") {
		if v = strings.TrimSpace(v); v != "" {
			kind, err := graph.ParseRelType(v)
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("export: --via: unknown relationship kind %q", v)}
			}
			q.Via = append(q.Via, kind)
		}
	}
	if err := q.Validate(); err != nil {
		var pe *export.ParamError
		if errors.As(err, &pe) {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "export: --" + flagOf(pe.Param) + ": " + pe.Msg}
		}
		return err
	}
	st, err := openIndexed(ctx, *db, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	sg, err := st.Subgraph(ctx, q)
	var ue *export.UnknownIDError
	var pe *export.ParamError
	var ae *export.AmbiguousRefError
	switch {
	case errors.As(err, &ue):
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("export: --%s: no entity has the id, identifier or name %q", flagOf(ue.Param), ue.ID)}
	case errors.As(err, &ae):
		_, _, rerr := resolveArg(ctx, st, ae.Err.Query) // says it with the candidates
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("export: --%s: %v", flagOf(ae.Param), rerr)}
	case errors.As(err, &pe):
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "export: --" + flagOf(pe.Param) + ": " + pe.Msg}
	case err != nil:
		return err
	}
	for _, r := range sg.Resolved {
		if n := sg.Node(r.ID); n != nil {
			if how := resolutionText(r, n.Entity); how != "" {
				fmt.Fprintln(stderr, how)
			}
		}
	}
	dest := "standard output"
	if *out == "" {
		if err := export.Encode(stdout, f, sg); err != nil {
			return err
		}
	} else {
		dest = *out
		if err := writeFileAtomic(*out, func(w io.Writer) error { return export.Encode(w, f, sg) }); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "exported %d entities and %d relationships as %s to %s\n", len(sg.Nodes), len(sg.Relationships), f, dest)
	if sg.Truncated() {
		fmt.Fprintf(stderr, "warning: the export is incomplete: limits reached: %s (raise --limit or --max-relationships, or ask for fewer hops)\n", strings.Join(sg.Limits, ", "))
	}
	return nil
}

// flagOf names the command-line flag of a query parameter.
func flagOf(param string) string {
	switch param {
	case "first":
		return "k"
	case "maxHops":
		return "max-hops"
	}
	return param
}

// writeFileAtomic writes a file through a temporary file beside it, so a
// failed export leaves no partial file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
