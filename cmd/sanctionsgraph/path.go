package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/resolve"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

func runPath(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("path", "FROM TO", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	maxHops := fs.Int("max-hops", graph.DefaultMaxHops, "longest path, in hops (at most 10)")
	k := fs.Int("k", graph.DefaultPaths, "number of paths (at most 20)")
	via := fs.String("via", "", "walk only these relationship kinds, comma-separated (owns,controls,...)")
	maxDegree := fs.Int("max-degree", 0, "do not pass through entities with more relationships")
	asOf := fs.String("as-of", "", "use only relationships valid on this date (YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "path: give FROM and TO, each an id or a name"}
	}
	q := graph.PathQuery{MaxHops: *maxHops, K: *k, MaxDegree: *maxDegree}
	for _, v := range strings.Split(*via, ",") {
		if v = strings.TrimSpace(v); v != "" {
			kind, err := graph.ParseRelType(v)
			if err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
			}
			q.Via = append(q.Via, kind)
		}
	}
	if *asOf != "" {
		d, ok := graph.ParseDay(*asOf, false)
		if !ok {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "--as-of must be a date as YYYY-MM-DD"}
		}
		q.AsOf, q.HasAsOf = d, true
	}
	st, err := openIndexed(ctx, *db, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	var names [2]string
	for i, arg := range fs.Args() {
		id, how, err := resolveArg(ctx, st, arg)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error()}
		}
		if how != "" {
			fmt.Fprintln(stderr, how)
		}
		if i == 0 {
			q.From = id
		} else {
			q.To = id
		}
		names[i] = arg
	}
	if q.From == q.To && !*asJSON {
		e, err := st.Entity(ctx, q.From)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s and %s name the same entity, %s (%s): there is no path to find\n", names[0], names[1], e.Name(), e.Ref)
		return nil
	}
	q.Load = graph.PathLoad{Relationships: true, Entities: true}
	res, err := st.Paths(ctx, q)
	if err != nil {
		return err
	}
	paths := cliPaths(res)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Paths     []cliPath `json:"paths"`
			Truncated bool      `json:"truncated"`
			Limits    []string  `json:"limits"`
			Visited   int       `json:"visited"`
		}{paths, res.Truncated(), res.Limits, res.Visited})
	}
	if len(paths) == 0 {
		fmt.Fprintf(stdout, "no path of at most %d hops between %s and %s\n", *maxHops, names[0], names[1])
	}
	for i, p := range paths {
		fmt.Fprintf(stdout, "path %d (%s):\n", i+1, plural(len(p.Steps), "hop"))
		for _, s := range p.Steps {
			r := s.Relationships[0]
			arrow := fmt.Sprintf("-[%s]->", r.Kind)
			if !s.Forward {
				arrow = fmt.Sprintf("<-[%s]-", r.Kind)
			}
			fmt.Fprintf(stdout, "  %s  %s  %s\n", s.From.Name, arrow, s.To.Name)
			for _, r := range s.Relationships {
				extra := r.Role()
				if st, en := r.StartDate(), r.EndDate(); st != "" || en != "" {
					extra = strings.TrimSpace(extra + fmt.Sprintf(" %s..%s", st, en))
				}
				if extra != "" {
					fmt.Fprintf(stdout, "      %s: %s\n", r.Kind, extra)
				}
				for _, src := range r.Sources {
					fmt.Fprintf(stdout, "      source: %s\n", formatSource(src))
				}
			}
		}
	}
	if res.Truncated() {
		fmt.Fprintf(stdout, "the search was cut short by: %s\n", strings.Join(res.Limits, ", "))
	}
	return nil
}

type cliEntity struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Schema string `json:"schema"`
}

type cliStep struct {
	From          cliEntity             `json:"from"`
	To            cliEntity             `json:"to"`
	Forward       bool                  `json:"forward"`
	Relationships []*graph.Relationship `json:"relationships"`
}

type cliPath struct {
	Steps []cliStep `json:"steps"`
}

// cliPaths is what the path command prints of the paths found.
func cliPaths(res *graph.PathResult) []cliPath {
	out := []cliPath{}
	ent := func(id uuid.UUID) cliEntity {
		e := res.Entities[id]
		return cliEntity{e.Ref, e.Name(), e.Schema}
	}
	for _, p := range res.Paths {
		c := cliPath{Steps: []cliStep{}}
		for _, s := range p.Steps {
			c.Steps = append(c.Steps, cliStep{From: ent(s.From), To: ent(s.To), Forward: s.Forward(), Relationships: s.Relationships})
		}
		out = append(out, c)
	}
	return out
}

// resolveArg turns a command-line argument into an entity by the rules of
// graph/resolve (any id, an identifier, a name; st needs its index for
// the last two). how says what the argument named when it was not the
// entity's own id; an ambiguous name is an error listing the candidates.
func resolveArg(ctx context.Context, st *store.Store, arg string) (uuid.UUID, string, error) {
	res, err := resolve.Ref(ctx, st, arg)
	var amb *graph.AmbiguousError
	switch {
	case errors.As(err, &amb):
		var b strings.Builder
		fmt.Fprintf(&b, "%q names more than one entity; give one of their ids:", arg)
		for _, c := range amb.Candidates {
			if e, err := st.Entity(ctx, c.ID); err == nil {
				fmt.Fprintf(&b, "\n  %.2f  %s  %s [%s] (matched %q)", c.Score, e.Ref, e.Name(), e.Schema, c.Matched)
			}
		}
		return uuid.Nil, "", errors.New(b.String())
	case errors.Is(err, graph.ErrNotFound):
		return uuid.Nil, "", fmt.Errorf("no entity has the id, identifier or name %q", arg)
	case errors.Is(err, graph.ErrInvalid):
		return uuid.Nil, "", fmt.Errorf("%q is not an id or a name", arg)
	case err != nil:
		return uuid.Nil, "", err
	}
	e, err := st.Entity(ctx, res.ID)
	if err != nil {
		return uuid.Nil, "", err
	}
	return res.ID, resolutionText(res, e), nil
}

// resolutionText says what an argument named, or "" when it is the
// entity's own id.
func resolutionText(res graph.Resolution, e *graph.Entity) string {
	ent := fmt.Sprintf("%s [%s] %s", e.Name(), e.Schema, e.Ref)
	switch res.How {
	case graph.ResolvedByName:
		return fmt.Sprintf("%q: name match %s (matched %q, score %.2f)", res.Query, ent, res.Matched, res.Score)
	case graph.ResolvedByIdentifier:
		return fmt.Sprintf("%q: identifier of %s", res.Query, ent)
	}
	if strings.TrimSpace(res.Query) != e.Ref {
		return fmt.Sprintf("%q: an id of %s", res.Query, ent)
	}
	return ""
}

// openResolving opens the store in dir for a command that names entities
// by args: without the graph index when every argument is an id the store
// knows, else with it (identifiers and names need it).
func openResolving(ctx context.Context, dir string, stderr io.Writer, args ...string) (*store.Store, error) {
	st, err := openStore(ctx, dir, true, stderr)
	if err != nil {
		return nil, err
	}
	for _, a := range args {
		if _, err := st.Resolve(ctx, a); err != nil {
			st.Close()
			return store.Open(ctx, dir, store.Options{Index: true})
		}
	}
	return st, nil
}

func openIndexed(ctx context.Context, dir string, logw io.Writer) (*store.Store, error) {
	st, err := openStore(ctx, dir, true, logw)
	if err != nil {
		return nil, err
	}
	st.Close()
	return store.Open(ctx, dir, store.Options{Index: true})
}

// plural says "1 hop", "2 hops".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
