package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// runAudit lists the audit log: the changes made through the API.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	asJSON := fs.Bool("json", false, "print each entry as one line of JSON, with the findings before and after")
	since := fs.String("since", "", "only entries at or after this time (YYYY-MM-DD or RFC 3339)")
	who := fs.String("who", "", "only entries made with the write token of this name")
	id := fs.String("id", "", "only entries that touched the finding with this id")
	limit := fs.Int("limit", 0, "at most this many entries, oldest first (0: all)")
	verify := fs.Bool("verify", false, "instead of listing, check that findings, the graph and the audit log agree (exit status 1 if not)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	f := store.AuditFilter{Who: *who, Ref: *id, Limit: *limit}
	if *since != "" {
		t, err := parseSince(*since)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
		}
		f.Since = t
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if *verify {
		rep, err := st.CheckFindings(ctx)
		if err != nil {
			return err
		}
		if !rep.OK() {
			for _, p := range rep.Problems {
				fmt.Fprintln(stdout, p)
			}
			return fmt.Errorf("audit --verify: %d problems", rep.Count)
		}
		fmt.Fprintf(stdout, "ok: %d findings (%d active, %d retracted), %d audit entries agree with the graph\n", rep.Findings, rep.Active, rep.Retracted, rep.AuditEntries)
		return nil
	}
	entries, err := st.Audit(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for i := range entries {
			if err := enc.Encode(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintln(stdout, "no audit entries")
		return nil
	}
	for _, e := range entries {
		fmt.Fprintf(stdout, "#%d  %s  %s  %s\n", e.Seq, e.When.Format(time.RFC3339), e.Who, e.Action)
		if e.Reason != "" {
			fmt.Fprintf(stdout, "    reason: %s\n", e.Reason)
		}
		for _, c := range e.Changes {
			fmt.Fprintf(stdout, "    %s  %s -> %s  %s\n", c.Ref, findingState(c.Before), findingState(c.After), findingSummary(c.After))
		}
	}
	return nil
}

func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("audit: --since %q: want YYYY-MM-DD or an RFC 3339 time", s)
}

func findingState(f *store.Finding) string {
	if f == nil {
		return "(new)"
	}
	return fmt.Sprintf("%s v%d", f.Status, f.Version)
}

func findingSummary(f *store.Finding) string {
	switch {
	case f == nil:
		return ""
	case f.Entity != nil:
		return fmt.Sprintf("%s [%s]", f.Entity.Name(), f.Entity.Schema)
	case f.Relationship != nil:
		return fmt.Sprintf("%s -[%s]-> %s", f.Relationship.SourceRef, f.Relationship.Kind, f.Relationship.TargetRef)
	}
	return ""
}

// What the GraphQL API is wired to, checked when this compiles: the store
// reads and writes the graph (schema.Graph, schema.Writer), ingest runs
// take every list (ingest.Sink), and findingsParser reads findings CSV.
var (
	_ schema.Graph          = (*store.Store)(nil)
	_ schema.Writer         = (*store.Store)(nil)
	_ schema.FindingsParser = findingsParser{}
	_ ingest.Sink           = (*store.Run)(nil)
)

// findingsParser parses the findings CSV text of the API's importFindings
// with ingest's findings reader, which schema cannot import itself.
type findingsParser struct{}

func (findingsParser) ParseFindings(ctx context.Context, csv string) ([]graph.Record, []string, error) {
	recs, sum, err := ingest.ReadFindings(ctx, "csv", strings.NewReader(csv), ingest.Options{Dataset: store.FindingsDataset})
	var fe *ingest.FileError
	var re *ingest.RecordError
	switch {
	case errors.As(err, &fe), errors.As(err, &re):
		return nil, nil, &schema.Error{Code: schema.CodeBadUserInput, Message: err.Error()}
	case err != nil:
		return nil, nil, err
	}
	var rejects []string
	for _, r := range sum.Rejects {
		rejects = append(rejects, r.Error())
	}
	if n := sum.Rejected - len(sum.Rejects); n > 0 {
		rejects = append(rejects, fmt.Sprintf("and %d more rows", n))
	}
	return recs, rejects, nil
}

// writeTokenEnv names the environment variable that can hold a write token.
const writeTokenEnv = "SANCTIONSGRAPH_WRITE_TOKEN"

// loadWriters reads the write tokens of a server: the file if given, else
// $SANCTIONSGRAPH_WRITE_TOKEN; nil if neither (a read-only server).
func loadWriters(file string) (*web.Writers, error) {
	if file != "" {
		return web.LoadWriters(file)
	}
	if v := os.Getenv(writeTokenEnv); v != "" {
		ws, err := web.ParseWriters(v)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", writeTokenEnv, err)
		}
		return ws, nil
	}
	return nil, nil
}
