package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stats", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printStats(stdout, s)
	return nil
}

func printStats(w io.Writer, s *store.Stats) {
	// A person counts parties: the FTB on three lists is one. The store
	// keeps each list's record, and the kinds count those.
	fmt.Fprintf(w, "parties: %d\n", s.AllParties)
	if s.Parties > 0 {
		fmt.Fprintf(w, "  %d of them merge %d records of the same party on several lists (sanctionsgraph merges lists them)\n", s.Parties, s.MergedEntities)
	}
	fmt.Fprintf(w, "entity records: %d\n", s.Entities)
	printCounts(w, s.BySchema)
	fmt.Fprintf(w, "relationships: %d\n", s.Relationships)
	printCounts(w, s.ByKind)
	if s.Unresolved > 0 {
		fmt.Fprintf(w, "unresolved relationships (an end not in the store yet): %d\n", s.Unresolved)
	}
	fmt.Fprintf(w, "documents held by entities: %d\n", s.Documents)
}

func printCounts(w io.Writer, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %-22s %d\n", k, m[k])
	}
}

func runRuns(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("runs", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx)
	if err != nil {
		return err
	}
	for _, r := range runs {
		c := r.Counts
		fmt.Fprintf(stdout, "%4d %s %-11s added %d, updated %d, unchanged %d, deleted %d  %s", r.ID, r.Started.Format("2006-01-02 15:04:05"), r.State, c.Added, c.Updated, c.Unchanged, c.Deleted, r.Source)
		if r.Error != "" {
			fmt.Fprintf(stdout, "  (%s)", r.Error)
		}
		if r.State == store.RunRolledBack {
			fmt.Fprintf(stdout, "  undid %d records", r.Undone)
		}
		fmt.Fprintln(stdout)
		for _, l := range r.Lists {
			fmt.Fprintf(stdout, "       list %s %s: %d entries, from %s\n", l.Dataset, listDateText(l), l.Entries, l.File)
		}
	}
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	// Findings: the audit log has no gaps, each finding matches its last
	// audit entry, active ones are in the graph and retracted ones are not.
	frep, err := st.CheckFindings(ctx)
	if err != nil {
		return err
	}
	for _, p := range frep.Problems {
		fmt.Fprintln(stdout, p)
	}
	if !rep.OK() || !frep.OK() {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("%d problems in %d keys, %d in %d findings", rep.Count, rep.Keys, frep.Count, frep.Findings)}
	}
	fmt.Fprintf(stdout, "ok: %d keys checked; %d findings (%d active, %d retracted) and %d audit entries agree\n",
		rep.Keys, frep.Findings, frep.Active, frep.Retracted, frep.AuditEntries)
	return nil
}

// listDateText says what version of a list was read.
func listDateText(l graph.ListVersion) string {
	switch l.DateFrom {
	case graph.ListDateStated:
		return "of " + l.Date
	case graph.ListDateGiven:
		return "of " + l.Date + " (date given at ingest)"
	}
	return "(the file states no date)"
}
