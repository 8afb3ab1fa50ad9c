package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// screenOne screens one query; bad input is the row's error in a file,
// else a usage error.
func screenOne(ctx context.Context, st *store.Store, line int, ref string, q screen.Query, hops int, inFile bool) (screenOut, error) {
	out := screenOut{Line: line, Ref: ref, Query: q.Name, Hits: []screenHitJS{}}
	res, err := st.Screen(ctx, q)
	switch {
	case errors.Is(err, graph.ErrInvalid) && inFile:
		out.Error = screenInputError(err)
	case errors.Is(err, graph.ErrInvalid):
		return out, &cli.ExitError{Code: cli.ExitUsage, Msg: screenInputError(err)}
	case err != nil:
		return out, err
	default:
		if out.Hits, err = describeHits(ctx, st, res.Hits, hops); err != nil {
			return out, err
		}
	}
	return out, nil
}

// maxScreenFileRows bounds a --file batch.
const maxScreenFileRows = 1_000_000

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// screenOut is one screened query in --json output.
type screenOut struct {
	Line  int           `json:"line,omitempty"` // CSV line of a --file row
	Ref   string        `json:"ref,omitempty"`
	Query string        `json:"query"`
	Hits  []screenHitJS `json:"hits"`
	Error string        `json:"error,omitempty"`
}

type screenHitJS struct {
	ID          string              `json:"id"`
	Kind        string              `json:"kind"`
	Name        string              `json:"name"`
	Score       float64             `json:"score"`
	Matched     string              `json:"matched"`
	Explanation string              `json:"explanation"`
	Words       []screen.TokenMatch `json:"words"`
	Fields      []screen.FieldMatch `json:"fields,omitempty"`
	Sanctioned  bool                `json:"sanctioned"`
	Exposure    []exposureJS        `json:"exposure"`
	Truncated   bool                `json:"exposureTruncated,omitempty"`
}

type exposureJS struct {
	Hops   int      `json:"hops"`
	Target string   `json:"target"`
	Name   string   `json:"name"`
	Path   []string `json:"path"` // entity names from the hit to the designated entity
}

func runScreen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("screen", "NAME  |  --file names.csv", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	kind := fs.String("kind", "", "only entities of this kind: Person, Company, Organization, Vessel, ...")
	country := fs.String("country", "", "country code or name; agreeing raises the score, conflicting lowers it")
	dob := fs.String("dob", "", "birth date YYYY, YYYY-MM or YYYY-MM-DD; agreeing raises the score, conflicting lowers it")
	var ids multiFlag
	fs.Var(&ids, "id", "an identifier (SWIFT/BIC, IMO, registration, passport number); repeatable; exact = certain match")
	threshold := fs.Float64("threshold", screen.DefaultThreshold, "least score of a hit (0..1)")
	first := fs.Int("first", screen.DefaultResults, "most hits per name (at most 100)")
	hops := fs.Int("hops", 3, "look this many hops for designated entities linked to each hit (0: skip)")
	file := fs.String("file", "", "screen every row of a CSV file with a header: name (required), and optionally ref, kind, country, dob, ids (separated by ;)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *file != "" && fs.NArg() > 0 || *file == "" && fs.NArg() == 0 && len(ids) == 0 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "screen: give a NAME (or --id), or --file, not both"}
	}
	if *threshold <= 0 || *threshold > 1 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "--threshold must be greater than 0 and at most 1"}
	}
	if *first < 1 || *first > screen.MaxResults {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "--first must be between 1 and 100"}
	}
	if *hops < 0 || *hops > 6 {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "--hops must be between 0 and 6"}
	}
	base := screen.Query{Schema: *kind, Country: *country, BirthDate: *dob, Identifiers: ids, Threshold: *threshold, Limit: *first}
	type job struct {
		line int
		ref  string
		q    screen.Query
	}
	var jobs []job
	if *file != "" {
		rows, err := readScreenFile(*file, base)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
		}
		for _, r := range rows {
			jobs = append(jobs, job{r.line, r.ref, r.q})
		}
	} else {
		q := base
		q.Name = strings.Join(fs.Args(), " ")
		if _, err := screen.Prepare(q); err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: screenInputError(err)}
		}
		jobs = append(jobs, job{q: q})
	}
	st, err := openIndexed(ctx, *db, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	var enc *json.Encoder
	if *asJSON {
		enc = json.NewEncoder(stdout)
		if *file == "" {
			enc.SetIndent("", "  ")
		}
	}
	// Screen on every core, a block of rows at a time, and print in the
	// order of the file.
	const block = 512
	workers := max(1, runtime.GOMAXPROCS(0))
	outs := make([]screenOut, block)
	errs := make([]error, block)
	for start := 0; start < len(jobs); start += block {
		if err := ctx.Err(); err != nil {
			return err
		}
		part := jobs[start:min(start+block, len(jobs))]
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < min(workers, len(part)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(part) {
						return
					}
					outs[i], errs[i] = screenOne(ctx, st, part[i].line, part[i].ref, part[i].q, *hops, *file != "")
				}
			}()
		}
		wg.Wait()
		for i := range part {
			if errs[i] != nil {
				return errs[i]
			}
			if enc != nil {
				if err := enc.Encode(outs[i]); err != nil {
					return err
				}
				continue
			}
			printScreen(stdout, outs[i], *file != "")
		}
	}
	return nil
}

func screenInputError(err error) string {
	return strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": ")
}

func describeHits(ctx context.Context, st *store.Store, hits []screen.Hit, hops int) ([]screenHitJS, error) {
	out := make([]screenHitJS, 0, len(hits))
	for _, h := range hits {
		e, err := st.Entity(ctx, h.ID)
		if err != nil {
			return nil, err
		}
		js := screenHitJS{ID: e.Ref, Kind: e.Schema, Name: e.Name(), Score: round3(h.Score), Matched: h.Matched,
			Explanation: h.Summary(), Words: h.Tokens, Fields: h.Fields, Exposure: []exposureJS{}}
		if hops > 0 {
			res, err := st.Nearest(ctx, graph.NearestQuery{From: h.ID, MaxHops: hops, K: 3, Load: graph.PathLoad{Entities: true}})
			if err != nil {
				return nil, err
			}
			js.Truncated = res.Truncated()
			for _, p := range res.Paths {
				x := exposureJS{Hops: p.Hops()}
				for _, id := range p.Entities {
					pe := res.Entities[id]
					x.Path = append(x.Path, pe.Name())
					x.Target, x.Name = pe.Ref, pe.Name()
				}
				if x.Hops == 0 {
					js.Sanctioned = true
				}
				js.Exposure = append(js.Exposure, x)
			}
		}
		out = append(out, js)
	}
	return out, nil
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func printScreen(w io.Writer, out screenOut, batch bool) {
	head := fmt.Sprintf("%q", out.Query)
	if batch {
		head = fmt.Sprintf("line %d %s", out.Line, head)
		if out.Ref != "" {
			head += " (" + out.Ref + ")"
		}
	}
	switch {
	case out.Error != "":
		fmt.Fprintf(w, "%s: error: %s\n", head, out.Error)
		return
	case len(out.Hits) == 0:
		fmt.Fprintf(w, "%s: no hits\n", head)
		return
	}
	fmt.Fprintf(w, "%s: %d hit(s)\n", head, len(out.Hits))
	for _, h := range out.Hits {
		mark := ""
		if h.Sanctioned {
			mark = "  [designated]"
		}
		fmt.Fprintf(w, "  %.3f  %s  %s (%s)%s\n", h.Score, h.ID, h.Name, h.Kind, mark)
		fmt.Fprintf(w, "         %s\n", h.Explanation)
		for _, x := range h.Exposure {
			if x.Hops == 0 {
				continue
			}
			fmt.Fprintf(w, "         linked to designated %s (%s) in %d hop(s): %s\n", x.Name, x.Target, x.Hops, strings.Join(x.Path, " -> "))
		}
	}
}

type screenRow struct {
	line int
	ref  string
	q    screen.Query
}

// readScreenFile reads a CSV batch (ingest.ReadPartiesCSV: a header
// naming the columns, name required; ref, kind, country, dob or birthDate,
// ids or identifiers optional), one query per row. Flags give the
// defaults of missing cells.
func readScreenFile(path string, base screen.Query) ([]screenRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := ingest.ReadPartiesCSV(path, f)
	if err != nil {
		return nil, err
	}
	if len(rows) > maxScreenFileRows {
		return nil, fmt.Errorf("%s: %d rows, more than the %d a batch may hold", path, len(rows), maxScreenFileRows)
	}
	out := make([]screenRow, 0, len(rows))
	for _, r := range rows {
		p := r.Party
		q := base
		q.Name = p.Name
		if p.Kind != "" {
			q.Schema = p.Kind
		}
		if p.Country != "" {
			q.Country = p.Country
		}
		if p.BirthDate != "" {
			q.BirthDate = p.BirthDate
		}
		if len(p.Identifiers) > 0 {
			q.Identifiers = p.Identifiers
		}
		out = append(out, screenRow{line: r.Line, ref: p.Ref, q: q})
	}
	return out, nil
}
