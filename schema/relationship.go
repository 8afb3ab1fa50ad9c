package schema

import (
	"context"
	"fmt"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// relResolver resolves a Relationship. The relationship of a path step
// whose record was not read (only its kind was asked for, see pathLoad)
// has kind only.
type relResolver struct {
	r    *Resolver
	rel  *graph.Relationship
	kind graph.RelType // without rel: the step's kind
}

// record returns the relationship record.
func (x *relResolver) record(ctx context.Context) (*graph.Relationship, error) {
	if x.rel == nil {
		// pathLoad reads the records whenever a field other than kind
		// and label is selected; reaching here is a bug.
		return nil, x.r.userError(ctx, fmt.Errorf("path step relationship of kind %s was not read", x.kind))
	}
	return x.rel, nil
}

func (x *relResolver) ID(ctx context.Context) (graphql.ID, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return "", err
	}
	if rel.Ref == "" {
		return graphql.ID(rel.ID.String()), nil
	}
	return graphql.ID(rel.Ref), nil
}

func (x *relResolver) Kind() string {
	if x.rel == nil {
		return x.kind.EnumName()
	}
	return x.rel.Kind.EnumName()
}

func (x *relResolver) Label() string {
	if x.rel == nil {
		return x.kind.Label()
	}
	return x.rel.Kind.Label()
}

// SourceId is the id of the source entity as readers see it: for a
// merged party its one id, whichever of its records the relationship's
// record names (that one is in sources).
func (x *relResolver) SourceId(ctx context.Context) (graphql.ID, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return "", err
	}
	return x.r.publicID(ctx, rel.Source, rel.SourceRef)
}

func (x *relResolver) TargetId(ctx context.Context) (graphql.ID, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return "", err
	}
	return x.r.publicID(ctx, rel.Target, rel.TargetRef)
}

// StatedSourceId is the id the relationship's record states for its
// source: a record of a merged party (ofac:15603) rather than the
// party's id.
func (x *relResolver) StatedSourceId(ctx context.Context) (graphql.ID, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return "", err
	}
	return graphql.ID(rel.SourceRef), nil
}

func (x *relResolver) StatedTargetId(ctx context.Context) (graphql.ID, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return "", err
	}
	return graphql.ID(rel.TargetRef), nil
}

func (x *relResolver) Source(ctx context.Context) (*entityResolver, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return nil, err
	}
	return x.r.existing(ctx, rel.Source)
}

func (x *relResolver) Target(ctx context.Context) (*entityResolver, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return nil, err
	}
	return x.r.existing(ctx, rel.Target)
}

func (x *relResolver) AllProperties(ctx context.Context) ([]propertyResolver, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return nil, err
	}
	return properties(rel.Props), nil
}

func (x *relResolver) Sources(ctx context.Context) ([]sourceResolver, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return nil, err
	}
	return sources(rel.Sources), nil
}

func (x *relResolver) Properties(ctx context.Context) (relPropsResolver, error) {
	rel, err := x.record(ctx)
	if err != nil {
		return relPropsResolver{}, err
	}
	return relPropsResolver{rel}, nil
}

type relPropsResolver struct{ rel *graph.Relationship }

func (p relPropsResolver) Percentage() *float64 {
	if v, ok := p.rel.Percentage(); ok {
		return &v
	}
	return nil
}
func (p relPropsResolver) Shares() *string    { return opt(p.rel.First("sharesCount")) }
func (p relPropsResolver) Role() *string      { return opt(p.rel.Role()) }
func (p relPropsResolver) StartDate() *string { return opt(p.rel.StartDate()) }
func (p relPropsResolver) EndDate() *string   { return opt(p.rel.EndDate()) }
func (p relPropsResolver) Programme() *string {
	if v := p.rel.First("programId"); v != "" {
		return &v
	}
	return opt(p.rel.First("program"))
}
func (p relPropsResolver) Authority() *string   { return opt(p.rel.First("authority")) }
func (p relPropsResolver) ListingDate() *string { return opt(p.rel.First("listingDate")) }
func (p relPropsResolver) Reason() *string      { return opt(p.rel.First("reason")) }
func (p relPropsResolver) Reference() *string {
	for _, k := range []string{"unscId", "authorityId", "recordId"} {
		if v := p.rel.First(k); v != "" {
			return &v
		}
	}
	return nil
}
