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
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

func runEntity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("entity", "ID", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 200, "list at most this many relationships")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "entity: name exactly one entity (an FtM id, a list id such as ofac:15603, a UUID, an identifier such as FTBDKPPY, or a name)"}
	}
	st, err := openResolving(ctx, *db, stderr, fs.Arg(0))
	if err != nil {
		return err
	}
	defer st.Close()
	id, how, err := resolveArg(ctx, st, fs.Arg(0))
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: err.Error()}
	}
	if how != "" {
		fmt.Fprintln(stderr, how)
	}
	var view *entityView
	err = st.View(ctx, func(tx *store.Tx) error {
		view, err = loadEntityView(tx, id, *limit)
		return err
	})
	if errors.Is(err, graph.ErrNotFound) {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("no entity has id %q", fs.Arg(0))}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(view)
	}
	view.print(stdout)
	return nil
}

// entityView is an entity with its relationships, each with the entity at
// the other end, and its designations.
type entityView struct {
	Entity        *graph.Entity       `json:"entity"`
	UUID          uuid.UUID           `json:"uuid"`
	Designations  []graph.Designation `json:"designations"`
	Relationships []relView           `json:"relationships"`
	More          bool                `json:"moreRelationships,omitempty"`
}

type relView struct {
	*graph.Relationship
	Outgoing bool     `json:"outgoing"`
	Other    otherEnd `json:"other"`
}

type otherEnd struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Schema string `json:"schema,omitempty"`
	Stored bool   `json:"stored"`
}

func loadEntityView(tx *store.Tx, id uuid.UUID, limit int) (*entityView, error) {
	e, err := tx.Entity(id)
	if err != nil {
		return nil, err
	}
	v := &entityView{Entity: e, UUID: id, Designations: []graph.Designation{}, Relationships: []relView{}}
	page, err := tx.Relationships(id, graph.RelQuery{Limit: limit})
	if err != nil {
		return nil, err
	}
	v.More = page.More
	for _, r := range page.Relationships {
		rv := relView{Relationship: r, Outgoing: r.Source == id}
		otherID, otherRef := r.Target, r.TargetRef
		if !rv.Outgoing {
			otherID, otherRef = r.Source, r.SourceRef
		}
		rv.Other = otherEnd{ID: otherRef}
		o, err := tx.Entity(otherID)
		switch {
		case err == nil:
			rv.Other = otherEnd{ID: o.Ref, Name: o.Name(), Schema: o.Schema, Stored: true}
		case !errors.Is(err, graph.ErrNotFound):
			return nil, err
		}
		if r.Kind == graph.RelDesignatedBy && rv.Outgoing {
			v.Designations = append(v.Designations, graph.NewDesignation(r, o))
		}
		v.Relationships = append(v.Relationships, rv)
	}
	return v, nil
}

func (v *entityView) print(w io.Writer) {
	e := v.Entity
	fmt.Fprintf(w, "%s  [%s]\n", e.Name(), e.Schema)
	row := func(label string, vals ...string) {
		if len(vals) > 0 && strings.Join(vals, "") != "" {
			fmt.Fprintf(w, "  %-12s %s\n", label, strings.Join(vals, "; "))
		}
	}
	row("id", e.Ref)
	row("uuid", v.UUID.String())
	row("other ids", e.Referents...)
	row("aliases", e.Aliases()...)
	row("weak aliases", e.WeakAliases()...)
	row("countries", e.Countries()...)
	var ids []string
	for _, id := range e.Identifiers() {
		ids = append(ids, id.Scheme+" "+id.Value)
	}
	row("identifiers", ids...)
	row("born", e.BirthDates()...)
	row("addresses", e.Addresses()...)
	row("topics", e.Topics()...)
	if len(v.Designations) > 0 {
		fmt.Fprintln(w, "designations:")
		for _, d := range v.Designations {
			fmt.Fprintf(w, "  %s", d.Authority)
			if d.Programme != "" {
				fmt.Fprintf(w, " / %s", d.Programme)
			}
			if d.ListedOn != "" {
				fmt.Fprintf(w, ", listed %s", d.ListedOn)
			}
			if d.EndedOn != "" {
				fmt.Fprintf(w, ", ended %s", d.EndedOn)
			}
			if d.Reference != "" {
				fmt.Fprintf(w, ", ref %s", d.Reference)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "relationships (%d%s):\n", len(v.Relationships), map[bool]string{true: "+, more with --limit", false: ""}[v.More])
	for _, r := range v.Relationships {
		other := r.Other.Name
		if !r.Other.Stored {
			other = "(not in the store yet)"
		}
		arrow := fmt.Sprintf("-[%s]->", r.Kind)
		if !r.Outgoing {
			arrow = fmt.Sprintf("<-[%s]-", r.Kind)
		}
		fmt.Fprintf(w, "  %s %s  %s", arrow, other, r.Other.ID)
		var extra []string
		if p, ok := r.Percentage(); ok {
			extra = append(extra, fmt.Sprintf("%g%%", p))
		}
		if role := r.Role(); role != "" {
			extra = append(extra, role)
		}
		if s, e := r.StartDate(), r.EndDate(); s != "" || e != "" {
			extra = append(extra, fmt.Sprintf("%s..%s", s, e))
		}
		if len(extra) > 0 {
			fmt.Fprintf(w, "  (%s)", strings.Join(extra, ", "))
		}
		fmt.Fprintln(w)
		for _, s := range r.Sources {
			fmt.Fprintf(w, "      source: %s\n", formatSource(s))
		}
	}
	fmt.Fprintln(w, "sources:")
	for _, s := range e.Sources {
		fmt.Fprintf(w, "  %s\n", formatSource(s))
	}
}

func formatSource(s graph.Source) string {
	parts := []string{s.Dataset}
	if s.RecordID != "" {
		parts = append(parts, "record "+s.RecordID)
	}
	for _, p := range []string{s.Document, s.Date, s.URL} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if s.Quote != "" {
		parts = append(parts, fmt.Sprintf("%q", s.Quote))
	}
	return strings.Join(parts, ", ")
}
