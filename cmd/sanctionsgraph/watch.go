package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// runWatch runs the watch subcommands: import, check, list, party,
// decide.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p := &cli.Program{Name: "sanctionsgraph watch", Commands: []cli.Command{
		{Name: "import", Summary: "import a watchlist of your parties (CSV with the columns of screen --file, or FtM) and check the new and changed ones", Run: runWatchImport},
		{Name: "check", Summary: "evaluate the parties the changes since the last check can affect (--full: every party); print the alerts", Run: runWatchCheck},
		{Name: "list", Summary: "list the watchlists with their settings and number of parties", Run: runWatchList},
		{Name: "party", Summary: "print one watched party's current state with its evidence", Run: runWatchParty},
		{Name: "decide", Summary: "confirm or dismiss an alert, with a reason (recorded with who and when)", Run: runWatchDecide},
	}}
	return p.Run(ctx, args, stdout, stderr)
}

func runWatchImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch import", "NAME FILE", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	threshold := fs.Float64("threshold", 0, "least screening score of a hit (0..1; default 0.80, or the watchlist's)")
	hops := fs.Int("hops", 0, fmt.Sprintf("look this many hops for designated entities (1..%d; default %d, or the watchlist's)", watch.MaxHops, watch.DefaultHops))
	authority := fs.String("authority", "", "count only designations by this authority (US OFAC, UN Security Council, EU); default: every authority")
	maxPaths := fs.Int("max-paths", 0, fmt.Sprintf("designated entities kept per party (1..%d; default %d)", watch.MaxPathsLimit, watch.DefaultMaxPaths))
	noCheck := fs.Bool("no-check", false, "do not evaluate the new and changed parties now (the next check does)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch import: name the watchlist and the file"}
	}
	name, file := fs.Arg(0), fs.Arg(1)
	var set *watch.Settings
	setFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })
	if setFlags["threshold"] || setFlags["hops"] || setFlags["authority"] || setFlags["max-paths"] {
		set = &watch.Settings{Threshold: *threshold, Hops: *hops, Authority: *authority, MaxPaths: *maxPaths}
		if err := set.Check(); err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch import: " + inputError(err)}
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	parties, skipped, err := ingest.ReadWatchlist(ctx, file, f)
	f.Close()
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error()}
	}
	st, err := openIndexedWrite(ctx, *db, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if set != nil {
		// Flags not given keep the watchlist's own settings.
		if wl, err := st.Watchlist(ctx, name); err == nil {
			old := wl.Settings
			if !setFlags["threshold"] {
				set.Threshold = old.Threshold
			}
			if !setFlags["hops"] {
				set.Hops = old.Hops
			}
			if !setFlags["max-paths"] {
				set.MaxPaths = old.MaxPaths
			}
			if !setFlags["authority"] {
				set.Authority = old.Authority
			}
		}
	}
	rep, err := st.ImportWatchlist(ctx, name, set, parties)
	if err != nil {
		if errors.Is(err, graph.ErrInvalid) {
			return &cli.ExitError{Code: cli.ExitFailed, Msg: inputError(err)}
		}
		return err
	}
	var wr *store.WatchReport
	var alerts []watch.Alert
	if !*noCheck {
		wr, err = st.WatchUpdate(ctx, store.WatchOptions{Emit: func(a watch.Alert) { alerts = append(alerts, a) }})
		if err != nil {
			return fmt.Errorf("the watchlist was imported, but checking it failed: %w", err)
		}
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			Import  *watch.ImportReport `json:"import"`
			Skipped int                 `json:"skippedRecords,omitempty"`
			Check   *store.WatchReport  `json:"check,omitempty"`
			Alerts  []watch.Alert       `json:"alerts,omitempty"`
		}{rep, skipped, wr, alerts})
	}
	fmt.Fprintf(stdout, "watchlist %s: %d parties: added %d, changed %d, removed %d, unchanged %d\n",
		rep.Watchlist, rep.Parties, rep.Added, rep.Changed, rep.Removed, rep.Unchanged)
	if skipped > 0 {
		fmt.Fprintf(stdout, "  %d records of the file are not parties (relationships, sanctions, ...): skipped\n", skipped)
	}
	if rep.SettingsChanged {
		fmt.Fprintln(stdout, "  the settings changed: every party is checked again")
	}
	if wr != nil {
		printWatchReport(stdout, wr)
		printAlerts(stdout, alerts)
	}
	return nil
}

func runWatchCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch check", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	full := fs.Bool("full", false, "evaluate every party, not only those the changes since the last check can affect")
	var lists multiFlag
	fs.Var(&lists, "list", "with --full: only this watchlist (repeatable)")
	asJSON := fs.Bool("json", false, "print each alert as a JSON line as soon as it is on disk, then the report")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch check takes no arguments"}
	}
	st, err := openIndexedWrite(ctx, *db, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(stdout)
	var alerts []watch.Alert
	emit := func(a watch.Alert) {
		if *asJSON {
			// One line per alert, written once it is on disk: a batch
			// system may take what it has read as acknowledged.
			enc.Encode(a)
			return
		}
		alerts = append(alerts, a)
	}
	rep, err := st.WatchUpdate(ctx, store.WatchOptions{Full: *full, Lists: lists, Emit: emit})
	if err != nil {
		if errors.Is(err, graph.ErrNotFound) {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: inputError(err)}
		}
		return err
	}
	if *asJSON {
		return enc.Encode(struct {
			Report *store.WatchReport `json:"report"`
		}{rep})
	}
	printWatchReport(stdout, rep)
	printAlerts(stdout, alerts)
	return nil
}

func printWatchReport(w io.Writer, r *store.WatchReport) {
	what := "the parties the changes can affect"
	switch {
	case r.Full && r.FullReason == "":
		what = "every party (--full)"
	case r.FullReason != "":
		what = "every party (" + r.FullReason + ")"
	}
	fmt.Fprintf(w, "checked %s: %d evaluated, %d states changed, %d alerts, in %.1fs\n", what, r.Evaluated, r.Written, r.Alerts, r.Took.Seconds())
	if r.Changes > 0 {
		fmt.Fprintf(w, "  changes since the last check: %d writes touching %d entities; parties related %d, possibly matching by name %d, new or changed %d\n",
			r.Changes, r.Entities, r.Related, r.Candidate, r.Pending)
	}
	if r.Failed > 0 {
		fmt.Fprintf(w, "  %d parties could not be evaluated (see the log); the next check tries them again\n", r.Failed)
	}
}

func printAlerts(w io.Writer, alerts []watch.Alert) {
	const most = 50
	for i, a := range alerts {
		if i == most {
			fmt.Fprintf(w, "  ... and %d more (sanctionsgraph alerts lists them)\n", len(alerts)-most)
			break
		}
		printAlert(w, &a, false)
	}
}

func printAlert(w io.Writer, a *watch.Alert, long bool) {
	fmt.Fprintf(w, "#%d  %s  %s  %s/%s %q  %s\n", a.ID, a.Created.Format("2006-01-02 15:04"), a.Kind, a.Watchlist, a.Party, a.PartyName, a.Status)
	fmt.Fprintf(w, "     %s\n", a.Reason)
	if !long {
		return
	}
	if len(a.Lists) > 0 {
		fmt.Fprintf(w, "     lists: %s\n", strings.Join(a.Lists, ", "))
	}
	if c := a.Cause.String(); c != "" {
		fmt.Fprintf(w, "     cause: %s\n", c)
	}
	for _, side := range []struct {
		name string
		ev   *watch.Evidence
	}{{"before", a.Before}, {"after", a.After}} {
		ev := side.ev
		switch {
		case ev == nil:
		case ev.Hit != nil:
			h := ev.Hit
			fmt.Fprintf(w, "     %s: hit %s (%s), score %.3f: %s\n", side.name, h.Entity.Name, h.Entity.Ref, h.Score, h.Explanation)
		case ev.Path != nil:
			fmt.Fprintf(w, "     %s: %s\n", side.name, watch.PathWords(ev.Path))
			for _, s := range ev.Path.Steps {
				var srcs []string
				for _, src := range s.Sources {
					srcs = append(srcs, strings.TrimSpace(src.Dataset+" "+src.RecordID+" "+src.URL))
				}
				fmt.Fprintf(w, "       %s -[%s]- %s: %s\n", s.From.Name, s.Kind, s.To.Name, strings.Join(srcs, "; "))
			}
		case ev.Exposure != nil:
			fmt.Fprintf(w, "     %s: %s\n", side.name, ev.Exposure.Explanation)
		}
	}
	for _, d := range a.Decisions {
		fmt.Fprintf(w, "     %s by %s on %s: %s\n", d.Status, d.By, d.At.Format("2006-01-02 15:04"), d.Reason)
	}
}

func runWatchList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch list", "", stderr)
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
	lists, err := st.Watchlists(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if lists == nil {
			lists = []watch.Watchlist{}
		}
		return writeJSON(stdout, lists)
	}
	if len(lists) == 0 {
		fmt.Fprintln(stdout, "no watchlists (sanctionsgraph watch import NAME FILE makes one)")
	}
	for _, wl := range lists {
		s := wl.Settings.Normalized()
		auth := s.Authority
		if auth == "" {
			auth = "any authority"
		}
		fmt.Fprintf(stdout, "%s: %d parties; threshold %.2f, %d hops, %s; updated %s\n", wl.Name, wl.Parties, s.Threshold, s.Hops, auth, wl.Updated.Format("2006-01-02 15:04"))
	}
	return nil
}

func runWatchParty(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch party", "WATCHLIST REF", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch party: name the watchlist and the party's ref"}
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	wp, err := st.WatchedParty(ctx, fs.Arg(0), fs.Arg(1))
	if errors.Is(err, graph.ErrNotFound) {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: inputError(err)}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, wp)
	}
	p := wp.Party
	fmt.Fprintf(stdout, "%s/%s %q (%s)\n", wp.Watchlist, p.Ref, p.Name, strings.Join(nonEmpty(p.Kind, p.Country, p.BirthDate, strings.Join(p.Identifiers, " ")), ", "))
	st0 := wp.State
	if st0 == nil || wp.Pending() {
		fmt.Fprintln(stdout, "  not evaluated since its last change (sanctionsgraph watch check)")
	}
	if st0 == nil {
		return nil
	}
	fmt.Fprintf(stdout, "  state of %s\n", st0.Evaluated.Format("2006-01-02 15:04:05"))
	for _, h := range st0.Hits {
		mark := ""
		if h.Designated {
			mark = "  [designated]"
		}
		fmt.Fprintf(stdout, "  hit %.3f %s (%s)%s: %s\n", h.Score, h.Entity.Name, h.Entity.Ref, mark, h.Explanation)
	}
	for i := range st0.Paths {
		fmt.Fprintf(stdout, "  path, %d hop(s): %s\n", st0.Paths[i].Hops(), watch.PathWords(&st0.Paths[i]))
	}
	if x := st0.Exposure; x != nil {
		fmt.Fprintf(stdout, "  exposure: %s\n", x.Explanation)
	}
	for _, n := range st0.Notes {
		fmt.Fprintf(stdout, "  note: %s\n", n)
	}
	for s, f := range wp.Dismissed {
		fmt.Fprintf(stdout, "  dismissed: %s (evidence %s)\n", s, f)
	}
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func runWatchDecide(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch decide", "--reason TEXT ID confirmed|dismissed", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	reason := fs.String("reason", "", "why (required; recorded with who and when)")
	by := fs.String("by", "", "who decides (default: the user running the command)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || strings.TrimSpace(*reason) == "" {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch decide: name the alert and the decision (confirmed or dismissed), and give --reason"}
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("watch decide: %q is not an alert number", fs.Arg(0))}
	}
	who := *by
	if who == "" {
		who = whoAmI()
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.DecideAlert(ctx, who, id, fs.Arg(1), *reason)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("no alert %d", id)}
	case errors.Is(err, graph.ErrInvalid):
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "watch decide: " + inputError(err)}
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "alert #%d %s by %s\n", a.ID, a.Status, who)
	return nil
}

// runAlerts lists alerts.
func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("alerts", "", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	list := fs.String("watchlist", "", "only alerts of this watchlist")
	party := fs.String("party", "", "only alerts of the party with this ref")
	var kinds multiFlag
	fs.Var(&kinds, "kind", "only alerts of this kind (repeatable): "+strings.Join(watch.Kinds, ", "))
	status := fs.String("status", "", "only open, confirmed or dismissed alerts")
	since := fs.String("since", "", "only alerts raised on or after this date (YYYY-MM-DD)")
	until := fs.String("until", "", "only alerts raised before this date (YYYY-MM-DD)")
	after := fs.Int64("after", -1, "only alerts after this id, oldest first (a feed's cursor)")
	limit := fs.Int("limit", watch.DefaultAlerts, fmt.Sprintf("alerts listed at most (1..%d)", watch.MaxAlerts))
	asJSON := fs.Bool("json", false, "print one alert per line as JSON, with its evidence")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	f := watch.AlertFilter{Watchlist: *list, Party: *party, Kinds: kinds, Status: *status, Limit: *limit}
	if *after >= 0 {
		f.After, f.HasAfter = uint64(*after), true
	}
	for _, d := range []struct {
		flag string
		v    string
		to   *time.Time
	}{{"since", *since, &f.Since}, {"until", *until, &f.Until}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.v)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("alerts: --%s %q is not YYYY-MM-DD", d.flag, d.v)}
		}
		*d.to = t
	}
	if *limit < 1 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("alerts: --limit must be between 1 and %d", watch.MaxAlerts)}
	}
	if err := f.Check(); err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "alerts: " + inputError(err)}
	}
	st, err := openStore(ctx, *db, true, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	alerts, more, err := st.Alerts(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, a := range alerts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	if len(alerts) == 0 {
		fmt.Fprintln(stdout, "no alerts")
	}
	for i := range alerts {
		printAlert(stdout, &alerts[i], true)
	}
	if more {
		fmt.Fprintf(stdout, "... more alerts match (--limit, or --after %d for the next ones)\n", alerts[len(alerts)-1].ID)
	}
	return nil
}

// inputError is the text of an invalid-input error without its prefix.
func inputError(err error) string {
	s := err.Error()
	for _, p := range []string{graph.ErrInvalid.Error() + ": ", graph.ErrNotFound.Error() + ": "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// openIndexedWrite opens the store with its graph index (screening and
// paths need it), after a plain open that rolls back an unfinished run.
func openIndexedWrite(ctx context.Context, dir string, logw io.Writer) (*store.Store, error) {
	st, err := openStore(ctx, dir, true, logw)
	if err != nil {
		return nil, err
	}
	st.Close()
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return store.Open(ctx, dir, store.Options{Index: true, Logger: log})
}

// rewatch evaluates the watchlists again after a change the command made
// (an ingest, a merge), if the store holds any: it opens the store with
// its graph index and runs WatchUpdate. It returns nil, nil without
// watchlists.
func rewatch(ctx context.Context, dir string, logw io.Writer) (*store.WatchReport, error) {
	st, err := openStore(ctx, dir, true, logw)
	if err != nil {
		return nil, err
	}
	has := st.HasWatchlists()
	st.Close()
	if !has {
		return nil, nil
	}
	st, err = openIndexedWrite(ctx, dir, logw)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rep, err := st.WatchUpdate(ctx, store.WatchOptions{})
	if err != nil {
		return nil, fmt.Errorf("checking the watchlists failed (sanctionsgraph watch check tries again): %w", err)
	}
	return rep, nil
}

// rewatchAfter runs rewatch after a command's change and prints what it
// did, if the store holds watchlists.
func rewatchAfter(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	rep, err := rewatch(ctx, dir, stderr)
	if err != nil || rep == nil {
		return err
	}
	fmt.Fprint(stdout, "watchlists: ")
	printWatchReport(stdout, rep)
	return nil
}
