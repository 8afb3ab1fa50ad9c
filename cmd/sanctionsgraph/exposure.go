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
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// runExposure prints whether an entity is blocked under the OFAC 50
// Percent Rule, with its owners, chains of ownership and controllers.
func runExposure(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("exposure", "ID", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	authority := fs.String("authority", exposure.DefaultAuthority, "whose designations make a blocked person (OFAC, UN Security Council, EU, ..., or ANY)")
	asOf := fs.String("as-of", "", "stakes and designations in force on this date (YYYY-MM-DD); default today")
	maxDepth := fs.Int("max-depth", exposure.DefaultDepth, fmt.Sprintf("levels of owners walked up (1 to %d)", exposure.MaxDepth))
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "exposure: give one entity, an id or a name"}
	}
	q := exposure.Query{Authority: strings.TrimSpace(*authority), MaxDepth: *maxDepth}
	if q.Authority == "" {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "--authority must not be empty (OFAC, UN Security Council, EU, ANY, ...)"}
	}
	if *maxDepth < 1 || *maxDepth > exposure.MaxDepth {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--max-depth must be between 1 and %d", exposure.MaxDepth)}
	}
	if *asOf != "" {
		d, ok := graph.ParseDay(*asOf, false)
		if !ok || len(*asOf) != 10 {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "--as-of must be a date as YYYY-MM-DD"}
		}
		q.AsOf, q.HasAsOf = d, true
	}
	st, err := openIndexed(ctx, *db, stderr)
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
	q.Entity = id
	x, err := st.OwnershipExposure(ctx, q)
	if err != nil {
		return err
	}
	out, err := exposureOutput(ctx, st, x)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printExposure(stdout, out)
	return nil
}

// cliExposure is the JSON form; its field names follow the GraphQL type.
type cliExposure struct {
	Entity              cliEntity           `json:"entity"`
	Blocked             bool                `json:"blocked"`
	Percentage          float64             `json:"percentage"`
	MaxPercentage       float64             `json:"maxPercentage"`
	Complete            bool                `json:"complete"`
	PossiblyBlocked     bool                `json:"possiblyBlocked"`
	Designated          bool                `json:"designated"`
	Designations        []graph.Designation `json:"designations"`
	Chains              [][]cliChainLink    `json:"chains"`
	Explanation         string              `json:"explanation"`
	Owners              []cliStake          `json:"owners"`
	BlockedParties      []cliParty          `json:"blockedParties"`
	ControlledBy        []cliControl        `json:"controlledBy"`
	ControlledByBlocked bool                `json:"controlledByBlocked"`
	Authority           string              `json:"authority"`
	AsOf                string              `json:"asOf"`
	Visited             int                 `json:"visited"`
	Truncated           bool                `json:"truncated"`
	Limits              []string            `json:"limits"`
	DataErrors          []string            `json:"dataErrors"`
}

// cliChainLink is one entity of a chain and the stake it holds in the next.
type cliChainLink struct {
	cliEntity
	Holds string `json:"holds,omitempty"` // share of the next entity: "50%", "unknown"
}

type cliStake struct {
	Owner                cliEntity             `json:"owner"`
	Percentage           *float64              `json:"percentage"`
	MinPercentage        float64               `json:"minPercentage"`
	MaxPercentage        float64               `json:"maxPercentage"`
	Stated               string                `json:"stated,omitempty"`
	Counted              bool                  `json:"counted"`
	OwnerBlocked         bool                  `json:"ownerBlocked"`
	OwnerPossiblyBlocked bool                  `json:"ownerPossiblyBlocked"`
	OwnerReason          string                `json:"ownerReason"`
	Note                 string                `json:"note,omitempty"`
	Relationships        []*graph.Relationship `json:"relationships"`
}

type cliParty struct {
	Entity          cliEntity `json:"entity"`
	Blocked         bool      `json:"blocked"`
	PossiblyBlocked bool      `json:"possiblyBlocked"`
	Designated      bool      `json:"designated"`
	Percentage      float64   `json:"percentage"`
	MaxPercentage   float64   `json:"maxPercentage"`
	Depth           int       `json:"depth"`
	Reason          string    `json:"reason"`
}

type cliControl struct {
	Controller    cliEntity             `json:"controller"`
	Blocked       bool                  `json:"blocked"`
	Designated    bool                  `json:"designated"`
	Reason        string                `json:"reason"`
	Relationships []*graph.Relationship `json:"relationships"`
}

func exposureOutput(ctx context.Context, st *store.Store, x *exposure.Result) (*cliExposure, error) {
	ents := map[uuid.UUID]cliEntity{}
	ent := func(id uuid.UUID) (cliEntity, error) {
		if e, ok := ents[id]; ok {
			return e, nil
		}
		e, err := st.Entity(ctx, id)
		var c cliEntity
		switch {
		case errors.Is(err, graph.ErrNotFound):
			c = cliEntity{ID: id.String(), Name: x.Names[id]}
		case err != nil:
			return c, err
		default:
			c = cliEntity{ID: e.Ref, Name: e.Name(), Schema: e.Schema}
			if c.ID == "" {
				c.ID = id.String()
			}
		}
		ents[id] = c
		return c, nil
	}
	out := &cliExposure{Blocked: x.Blocked, Percentage: x.Percentage, MaxPercentage: x.MaxPercentage, Complete: x.Complete,
		PossiblyBlocked: x.PossiblyBlocked, Designated: x.Designated, Designations: x.Designations, Explanation: x.Explanation(),
		Authority: x.Authority, AsOf: x.AsOf.String(), Visited: x.Visited, Truncated: x.Truncated(),
		Limits: nonNilStrings(x.Limits), DataErrors: nonNilStrings(x.DataErrors),
		Chains: [][]cliChainLink{}, Owners: []cliStake{}, BlockedParties: []cliParty{}, ControlledBy: []cliControl{}}
	if out.Designations == nil {
		out.Designations = []graph.Designation{}
	}
	var err error
	if out.Entity, err = ent(x.Entity); err != nil {
		return nil, err
	}
	for _, o := range x.Owners {
		c := cliStake{MinPercentage: o.Share.Min, MaxPercentage: o.Share.Max, Stated: o.Share.Stated, Counted: o.Counted,
			OwnerBlocked: o.OwnerBlocked, OwnerPossiblyBlocked: o.OwnerPossiblyBlocked, OwnerReason: o.OwnerReason, Note: o.Note,
			Relationships: o.Rels}
		if o.Share.Known() {
			v := o.Share.Min
			c.Percentage = &v
		}
		if c.Owner, err = ent(o.Owner); err != nil {
			return nil, err
		}
		out.Owners = append(out.Owners, c)
	}
	for _, p := range x.Parties {
		c := cliParty{Blocked: p.Blocked, PossiblyBlocked: p.PossiblyBlocked, Designated: p.Designated,
			Percentage: p.Percentage, MaxPercentage: p.MaxPercentage, Depth: p.Depth, Reason: p.Reason}
		if c.Entity, err = ent(p.ID); err != nil {
			return nil, err
		}
		out.BlockedParties = append(out.BlockedParties, c)
	}
	for _, k := range x.Controllers {
		c := cliControl{Blocked: k.Blocked, Designated: k.Designated, Reason: k.Reason, Relationships: k.Rels}
		if c.Controller, err = ent(k.Controller); err != nil {
			return nil, err
		}
		out.ControlledBy = append(out.ControlledBy, c)
	}
	for _, ch := range x.Chains {
		var links []cliChainLink
		for i, id := range ch.Entities {
			e, err := ent(id)
			if err != nil {
				return nil, err
			}
			l := cliChainLink{cliEntity: e}
			if i < len(ch.Steps) {
				var pct []string
				for _, r := range ch.Steps[i].Relationships {
					pct = append(pct, r.Props["percentage"]...)
				}
				l.Holds = exposure.ParseShare(pct...).String()
			}
			links = append(links, l)
		}
		out.Chains = append(out.Chains, links)
	}
	return out, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func printExposure(w io.Writer, x *cliExposure) {
	fmt.Fprintf(w, "%s [%s] %s\n", x.Entity.Name, x.Entity.Schema, x.Entity.ID)
	verdict := "no"
	switch {
	case x.Blocked && x.Designated:
		verdict = "yes (designated)"
	case x.Blocked:
		verdict = "yes (50 Percent Rule)"
	case x.PossiblyBlocked:
		verdict = "not shown (unknown percentages could make it so)"
	}
	fmt.Fprintf(w, "blocked: %s\n", verdict)
	agg := fmt.Sprintf("%g%%", x.Percentage)
	if !x.Complete {
		agg += fmt.Sprintf(" to %g%% (incomplete)", x.MaxPercentage)
	}
	fmt.Fprintf(w, "held by blocked persons: %s\n", agg)
	fmt.Fprintf(w, "authority: %s, as of %s\n", x.Authority, x.AsOf)
	if len(x.Owners) > 0 {
		fmt.Fprintln(w, "owners:")
		for _, o := range x.Owners {
			share := "unknown"
			switch {
			case o.Percentage != nil:
				share = fmt.Sprintf("%g%%", *o.Percentage)
			case o.MinPercentage != 0 || o.MaxPercentage != 100:
				share = fmt.Sprintf("%g%% to %g%%", o.MinPercentage, o.MaxPercentage)
			}
			mark := " "
			if o.Counted {
				mark = "*"
			}
			fmt.Fprintf(w, "  %s %-8s %s (%s): %s", mark, share, o.Owner.Name, o.Owner.ID, o.OwnerReason)
			if o.Note != "" {
				fmt.Fprintf(w, " [%s]", o.Note)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "  (* counted)")
	}
	if len(x.Chains) > 0 {
		fmt.Fprintln(w, "chains:")
		for _, ch := range x.Chains {
			var b strings.Builder
			for i, l := range ch {
				b.WriteString(l.Name)
				if i+1 < len(ch) {
					fmt.Fprintf(&b, " -[owns %s]-> ", l.Holds)
				}
			}
			fmt.Fprintf(w, "  %s\n", b.String())
		}
	}
	if len(x.ControlledBy) > 0 {
		fmt.Fprintln(w, "controlled by (not counted under the 50 Percent Rule):")
		for _, k := range x.ControlledBy {
			fmt.Fprintf(w, "  %s (%s): %s\n", k.Controller.Name, k.Controller.ID, k.Reason)
		}
	}
	if x.Truncated {
		fmt.Fprintf(w, "limits hit: %s\n", strings.Join(x.Limits, ", "))
	}
	for _, e := range x.DataErrors {
		fmt.Fprintf(w, "data error: %s\n", e)
	}
	fmt.Fprintf(w, "\n%s\n", x.Explanation)
}
