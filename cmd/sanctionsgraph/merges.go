package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// runMerges lists merge decisions, or explains the party of one entity.
func runMerges(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merges", "[ID]", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	asJSON := fs.Bool("json", false, "print JSON")
	recompute := fs.Bool("recompute", false, "look for new records of the same party first (ingest does this after every run)")
	explain := fs.Bool("explain", false, "show, for every link, what the two records agreed on and what was compared for a contradiction")
	refused := fs.Bool("refused", false, "list the pairs a merge rule finds to be one party but a contradiction keeps apart (different registry numbers, birth dates, ...)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "merges: name at most one entity"}
	}
	st, err := openResolving(ctx, *db, stderr, fs.Args()...)
	if err != nil {
		return err
	}
	defer st.Close()
	if *recompute {
		rep, err := st.AutoMerge(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d new merge links; %d merged parties\n", rep.Merged, rep.Parties)
	}
	if *refused {
		if fs.NArg() > 0 {
			fs.Usage()
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "merges: --refused lists every refused pair; name no entity"}
		}
		rs, err := st.RefusedMerges(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if rs == nil {
				rs = []graph.RefusedMerge{}
			}
			return writeJSON(stdout, rs)
		}
		printRefused(stdout, rs, *explain)
		return nil
	}
	if fs.NArg() == 1 {
		id, how, err := resolveArg(ctx, st, fs.Arg(0))
		if err != nil {
			return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error()}
		}
		if how != "" {
			fmt.Fprintln(stderr, how)
		}
		p, err := st.Party(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, p)
		}
		printParty(stdout, p, *explain)
		return nil
	}
	links, err := st.Merges(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if links == nil {
			links = []graph.MergeLink{}
		}
		return writeJSON(stdout, links)
	}
	if len(links) == 0 {
		fmt.Fprintln(stdout, "no merges: every record is its own party")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORD\tSAME PARTY AS\tRULE\tEVIDENCE\tBY\tAT")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.A, l.B, l.Rule, l.Detail, l.By, l.At.Format("2006-01-02 15:04"))
		if *explain {
			tw.Flush()
			printEvidence(stdout, "    ", l.Agreed, l.Checked)
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d links; 'sanctionsgraph merges ID' explains one party, 'sanctionsgraph unmerge ID' takes a record out of its party\n", len(links))
	return nil
}

// printEvidence prints what two records agreed on and what was compared
// for a contradiction and found compatible.
func printEvidence(w io.Writer, indent string, agreed, checked []string) {
	if len(agreed) == 0 && len(checked) == 0 {
		fmt.Fprintf(w, "%s(no evidence recorded: a person's decision, or a link of an earlier version)\n", indent)
		return
	}
	for _, a := range agreed {
		fmt.Fprintf(w, "%sagreed: %s\n", indent, a)
	}
	for _, c := range checked {
		fmt.Fprintf(w, "%schecked: %s\n", indent, c)
	}
}

func printRefused(w io.Writer, rs []graph.RefusedMerge, explain bool) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "no merge was refused for a contradiction")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORD\tAND\tRULE\tEVIDENCE\tREFUSED BECAUSE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.A, r.B, r.Rule, r.Detail, r.Reason)
		if explain {
			tw.Flush()
			printEvidence(w, "    ", r.Agreed, nil)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "%d merges refused; 'sanctionsgraph merge --reason TEXT ID ID' records them as one party if a person decides so\n", len(rs))
}

func printParty(w io.Writer, p *graph.Party, explain bool) {
	if len(p.Members) < 2 {
		fmt.Fprintf(w, "%s is not merged with any other record\n", p.Members[0].Ref)
	} else {
		fmt.Fprintf(w, "one party of %d records (shown under %s):\n", len(p.Members), p.Members[0].Ref)
	}
	for _, m := range p.Members {
		fmt.Fprintf(w, "  %s  %s  %s  [%s]\n", m.Ref, m.Schema, m.Name, strings.Join(m.Datasets, ", "))
	}
	if len(p.Links) > 0 {
		fmt.Fprintln(w, "because:")
		for _, l := range p.Links {
			fmt.Fprintf(w, "  %s = %s: %s %s (by %s, %s)\n", l.A, l.B, l.Rule, l.Detail, l.By, l.At.Format("2006-01-02"))
			if explain {
				printEvidence(w, "      ", l.Agreed, l.Checked)
			}
		}
	}
	if len(p.Apart) > 0 {
		fmt.Fprintln(w, "kept apart:")
		for _, a := range p.Apart {
			fmt.Fprintf(w, "  %s / %s: %s (by %s, %s)\n", a.A, a.B, a.Reason, a.By, a.At.Format("2006-01-02"))
		}
	}
}

// runUnmerge takes a record out of its party and keeps it apart.
func runUnmerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("unmerge", "--reason TEXT ID", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	reason := fs.String("reason", "", "why the record is not the same party (required; recorded)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(*reason) == "" {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "unmerge: name one record (its own id, e.g. un:6908622) and give --reason"}
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := recordArg(ctx, st, fs.Arg(0))
	if err != nil {
		return err
	}
	removed, err := st.Unmerge(ctx, id, *reason, whoAmI())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s taken out of its party (%d links removed); it is kept apart from the other records from now on\n", fs.Arg(0), len(removed))
	st.Close()
	return rewatchAfter(ctx, *db, stdout, stderr)
}

// runMerge records that two records are the same party.
func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", "--reason TEXT ID ID", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	reason := fs.String("reason", "", "why the two records are the same party (required; recorded)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || strings.TrimSpace(*reason) == "" {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "merge: name two records and give --reason"}
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := recordArg(ctx, st, fs.Arg(0))
	if err != nil {
		return err
	}
	b, err := recordArg(ctx, st, fs.Arg(1))
	if err != nil {
		return err
	}
	if _, err := st.Merge(ctx, a, b, *reason, whoAmI()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s and %s are one party\n", fs.Arg(0), fs.Arg(1))
	st.Close()
	return rewatchAfter(ctx, *db, stdout, stderr)
}

// recordArg returns the id of the record an argument names: unlike
// Resolve, not the party's canonical entity.
func recordArg(ctx context.Context, st *store.Store, ref string) (uuid.UUID, error) {
	rid, err := st.RecordEntity(ctx, ref)
	if errors.Is(err, graph.ErrNotFound) {
		return rid, &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("no record %q (give a record's own id, as 'sanctionsgraph merges ID' lists them)", ref)}
	}
	return rid, err
}

func whoAmI() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	if h, err := os.Hostname(); err == nil {
		return "cli@" + h
	}
	return "cli"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
