package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// ingestMemoryLimit is the soft limit of the Go runtime's memory during an
// ingest (runtime/debug.SetMemoryLimit).
const ingestMemoryLimit = 1100 << 20

// ingestMaxMapped bounds the resident pages of the store's mapped files
// during an ingest (store.Options.MaxMapped).
const ingestMaxMapped = 256 << 20

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ingest", "FILE... | --demo", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	format := fs.String("format", "", "input format: "+strings.Join(ingest.Formats(), ", ")+" (default: detect from content)")
	dataset := fs.String("dataset", "", "dataset name for records that name none (default: the file name; official lists name their own)")
	strict := fs.Bool("strict", false, "refuse the whole run if any record is malformed")
	demo := fs.Bool("demo", false, "load the embedded demo data")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	partial := fs.Bool("partial", false, "an official list file is an extract, not the whole list: do not end the designations of entries it lacks")
	massDelist := fs.Bool("allow-mass-delist", false, "let a list version end the designations of more than 10% of the entries held")
	assumeComplete := fs.Bool("assume-complete", false, "delist what a list file lacks even though it lacks its format's evidence of being whole (OFAC's end-of-file byte)")
	listDate := fs.String("list-date", "", "date of the list version (YYYY-MM-DD; default: the date the file states, else today)")
	noMerge := fs.Bool("no-merge", false, "do not look for records of the same party to merge after the ingest")
	noWatch := fs.Bool("no-watch", false, "do not check the watchlists after the ingest (the next watch check or server does)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (load, merge search, compaction, index) to this file")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	files := listFiles(fs.Args(), stderr)
	if len(files) == 0 && !*demo {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "ingest: name at least one file, or --demo"}
	}
	if *listDate != "" && !graph.IsDay(*listDate) {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("ingest: --list-date %q is not YYYY-MM-DD", *listDate)}
	}
	// The Go runtime lets the heap grow to twice what is live before it
	// collects; a bulk load's live heap (sort chunks, Badger's table
	// builders) is 0.6-0.9 GB whatever the file's size, so without a limit
	// its resident memory reached 2 GB. GOMEMLIMIT, when set, decides.
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(ingestMemoryLimit)
	}
	// The merge search after a large ingest reads most of the store
	// through its memory maps: bound their resident pages, keeping them in
	// the page cache, where the merge search and the index build find what
	// the load wrote.
	st, err := openStoreWith(ctx, *db, false, stderr, store.Options{MaxMapped: ingestMaxMapped, KeepPageCache: true})
	if err != nil {
		return err
	}
	var sums []*ingest.Summary
	opt := ingest.Options{Format: *format, Dataset: *dataset, Strict: *strict, Partial: *partial, AllowMassDelist: *massDelist, AssumeComplete: *assumeComplete, ListDate: *listDate}
	err = ingestAll(ctx, st, files, *demo, opt, stderr, func(s *ingest.Summary) {
		sums = append(sums, s)
	})
	var merged *store.AutoMergeReport
	if err == nil && !*noMerge {
		if merged, err = st.AutoMerge(ctx); err != nil {
			err = fmt.Errorf("the ingest was committed, but looking for records to merge failed: %w", err)
			st.Close()
			return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error()}
		}
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error() + "\nnothing was changed: the ingest run was rolled back"}
	}
	// Every watched party the ingest can affect is checked again.
	var watched *store.WatchReport
	if !*noWatch {
		if watched, err = rewatch(ctx, *db, stderr); err != nil {
			return &cli.ExitError{Code: cli.ExitFailed, Msg: "the ingest was committed, but " + err.Error()}
		}
	}
	changed := 0
	for _, s := range sums {
		changed += s.Added + s.Updated + s.Deleted
	}
	if changed >= settleAfter {
		// A bulk load leaves the tree unbalanced; settle it now rather
		// than in the next server's first minutes.
		start := time.Now()
		if isTerminal(stderr) {
			fmt.Fprint(stderr, "compacting the store... ")
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		err := store.Settle(sctx, *db, nil)
		cancel()
		if isTerminal(stderr) {
			fmt.Fprintf(stderr, "%.1fs\n", time.Since(start).Seconds())
		}
		if err != nil {
			return err
		}
		// Build the graph index now and save it beside the store (Close
		// does), so that the next serve or path opens in a second instead
		// of rebuilding it from Badger (15 s at 2 million entities).
		start = time.Now()
		if isTerminal(stderr) {
			fmt.Fprint(stderr, "building the graph index... ")
		}
		ist, err := store.Open(ctx, *db, store.Options{Index: true, GCInterval: -1, MaxMapped: ingestMaxMapped, KeepPageCache: true})
		if err == nil {
			err = ist.Close()
		}
		if isTerminal(stderr) {
			fmt.Fprintf(stderr, "%.1fs\n", time.Since(start).Seconds())
		}
		if err != nil {
			return err
		}
	}
	rejected := printSummaries(stdout, sums, merged, watched, *asJSON)
	if rejected > 0 {
		return &cli.ExitError{Code: exitRejected, Msg: fmt.Sprintf("%d malformed records were rejected; the rest was stored", rejected)}
	}
	return nil
}

// settleAfter is the number of changed records after which ingest compacts
// the store before exiting.
const settleAfter = 100_000

// ingestAll ingests files (and the demo data) in one run: all of it lands,
// or, on any failure, none of it.
func ingestAll(ctx context.Context, st *store.Store, files []string, demo bool, opt ingest.Options, stderr io.Writer, done func(*ingest.Summary)) (err error) {
	source := strings.Join(files, " ")
	if demo {
		source = strings.TrimSpace("demo " + source)
	}
	run, err := st.BeginRun(ctx, source)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if rerr := run.Rollback(context.WithoutCancel(ctx), err); rerr != nil {
				err = fmt.Errorf("%w (and the rollback failed: %v)", err, rerr)
			}
		}
	}()
	bar := newProgressBar(stderr)
	o := opt
	o.Progress = bar.update
	if demo {
		s, err := ingest.Demo(ctx, run)
		if err != nil {
			return err
		}
		done(s)
	}
	for _, f := range files {
		s, err := ingest.File(ctx, f, run, o)
		bar.finish()
		if err != nil {
			return err
		}
		done(s)
	}
	if err := ctx.Err(); err != nil {
		return errors.New("interrupted")
	}
	return run.Commit(ctx)
}

// listFiles drops OFAC's sibling files (add.csv, alt.csv,
// sdn_comments.csv) when their main file is named too: it reads them.
func listFiles(args []string, stderr io.Writer) []string {
	named := map[string]bool{}
	for _, a := range args {
		named[filepath.Clean(a)] = true
	}
	skip := map[string]bool{}
	for _, a := range args {
		base := strings.ToLower(filepath.Base(a))
		if base != "sdn.csv" && base != "cons_prim.csv" {
			continue
		}
		for _, sib := range ingest.OFACSiblings(a) {
			for n := range named {
				if strings.EqualFold(n, filepath.Clean(sib)) {
					skip[n] = true
				}
			}
		}
	}
	var out []string
	for _, a := range args {
		if skip[filepath.Clean(a)] {
			fmt.Fprintf(stderr, "%s: read with %s\n", a, "its main file")
			continue
		}
		out = append(out, a)
	}
	return out
}

func printSummaries(w io.Writer, sums []*ingest.Summary, merged *store.AutoMergeReport, watched *store.WatchReport, asJSON bool) int {
	rejected := 0
	for _, s := range sums {
		rejected += s.Rejected
	}
	if asJSON {
		type out struct {
			*ingest.Summary
			RejectedRecords []string `json:"rejectedRecords,omitempty"`
		}
		var all []out
		for _, s := range sums {
			o := out{Summary: s}
			for _, r := range s.Rejects {
				o.RejectedRecords = append(o.RejectedRecords, r.Error())
			}
			all = append(all, o)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Files  []out                  `json:"files"`
			Merges *store.AutoMergeReport `json:"merges,omitempty"`
			Watch  *store.WatchReport     `json:"watch,omitempty"`
		}{all, merged, watched})
		return rejected
	}
	var t ingest.Summary
	for _, s := range sums {
		fmt.Fprintf(w, "%s (%s): %d records: added %d, updated %d, unchanged %d, deleted %d, rejected %d\n",
			s.File, s.Format, s.Records, s.Added, s.Updated, s.Unchanged, s.Deleted, s.Rejected)
		if s.Missing > 0 {
			fmt.Fprintf(w, "  %d deletions named records the store did not hold\n", s.Missing)
		}
		if s.Kept > 0 {
			fmt.Fprintf(w, "  %d records name findings written through the API: kept as the investigators wrote them\n", s.Kept)
		}
		if s.Replaced > 0 {
			fmt.Fprintf(w, "  %d records were replaced by a later line of the file with the same id\n", s.Replaced)
		}
		if s.Encoding != "" && s.Encoding != ingest.EncodingUTF8 {
			fmt.Fprintf(w, "  read as %s (the file is not UTF-8)\n", s.Encoding)
		}
		for i, ve := range s.ValueErrors {
			if i == 20 {
				fmt.Fprintf(w, "  ... and %d more values kept as notes\n", s.ValuesLeftOut-20)
				break
			}
			fmt.Fprintf(w, "  value moved to the notes: %v\n", ve)
		}
		for name, n := range s.UnknownSchemata {
			fmt.Fprintf(w, "  kept %d records of schema %q, which the FollowTheMoney model does not define\n", n, name)
		}
		for i, r := range s.Rejects {
			if i == 20 {
				fmt.Fprintf(w, "  ... and %d more rejected records\n", s.Rejected-20)
				break
			}
			fmt.Fprintf(w, "  rejected: %v\n", r)
		}
		if l := s.List; l != nil {
			printListReport(w, l)
		}
		t.Records += s.Records
		t.Added += s.Added
		t.Updated += s.Updated
		t.Unchanged += s.Unchanged
		t.Deleted += s.Deleted
		t.Rejected += s.Rejected
	}
	if len(sums) > 1 {
		fmt.Fprintf(w, "total: %d records: added %d, updated %d, unchanged %d, deleted %d, rejected %d\n",
			t.Records, t.Added, t.Updated, t.Unchanged, t.Deleted, t.Rejected)
	}
	if merged != nil {
		var rules []string
		for r, n := range merged.ByRule {
			rules = append(rules, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(rules)
		if merged.Merged > 0 {
			fmt.Fprintf(w, "merged: %d links between records of the same party (%s); %d merged parties in all (sanctionsgraph merges lists them)\n",
				merged.Merged, strings.Join(rules, ", "), merged.Parties)
		} else {
			fmt.Fprintf(w, "merged: no new records of the same party; %d merged parties in all\n", merged.Parties)
		}
		if merged.Refused > 0 {
			fmt.Fprintf(w, "not merged: %d pairs a rule finds to be one party contradict each other (sanctionsgraph merges --refused lists them)\n", merged.Refused)
		}
	}
	if watched != nil {
		fmt.Fprint(w, "watchlists: ")
		printWatchReport(w, watched)
		if watched.Alerts > 0 {
			fmt.Fprintln(w, "  sanctionsgraph alerts lists them")
		}
	}
	return rejected
}

// printListReport prints what ingesting an official list did beyond its
// records: links resolved from names, delistings, notes.
func printListReport(w io.Writer, l *ingest.ListReport) {
	date := ""
	if l.Date != "" {
		date = " of " + l.Date
	}
	fmt.Fprintf(w, "  list %s%s: %d entries; %d links stated by name became edges, %d could not be resolved\n",
		l.Dataset, date, l.Entries, l.Links, len(l.Unresolved))
	for i, u := range l.Unresolved {
		if i == 20 {
			fmt.Fprintf(w, "    ... and %d more (--json lists them all)\n", len(l.Unresolved)-20)
			break
		}
		fmt.Fprintf(w, "    unresolved: %s %q: %s\n", u.Record, u.Text, u.Reason)
	}
	if l.Complete != "" {
		fmt.Fprintf(w, "  the file is the whole list: %s\n", l.Complete)
	}
	switch {
	case len(l.Delisted) > 0:
		fmt.Fprintf(w, "  %d entries are no longer on the list: their designations now end on %s:\n", len(l.Delisted), l.EndDate)
		for _, ref := range l.Delisted {
			fmt.Fprintf(w, "    delisted: %s\n", ref)
		}
	case l.DelistSkipped != "":
		fmt.Fprintf(w, "  no delisting: %s\n", l.DelistSkipped)
	}
	for _, n := range l.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// progressBar draws "file: N records, R/s, P%" on a terminal, at most five
// times a second.
type progressBar struct {
	w       io.Writer
	on      bool
	started time.Time
	last    time.Time
	drawn   bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, on: isTerminal(w), started: time.Now()}
}

func (p *progressBar) update(pr ingest.Progress) {
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(pr.Records) / time.Since(p.started).Seconds()
	pct := ""
	switch {
	case pr.Total > 0:
		// A list is parsed whole before it is stored: the bytes read
		// say 100% from the first batch; the records stored do not.
		pct = fmt.Sprintf(", %.0f%%", 100*float64(pr.Records)/float64(pr.Total))
	case pr.Size > 0:
		pct = fmt.Sprintf(", %.0f%%", 100*float64(pr.Bytes)/float64(pr.Size))
	}
	fmt.Fprintf(p.w, "\r\033[K%s: %d records, %.0f/s%s", pr.File, pr.Records, rate, pct)
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	p.started = time.Now()
}
