package schema

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

type relResolver struct {
	r   *Resolver
	rel *graph.Relationship
}

func (x *relResolver) ID() graphql.ID {
	if x.rel.Ref == "" {
		return graphql.ID(x.rel.ID.String())
	}
	return graphql.ID(x.rel.Ref)
}
func (x *relResolver) Kind() string  { return x.rel.Kind.EnumName() }
func (x *relResolver) Label() string { return x.rel.Kind.Label() }
func (x *relResolver) SourceId() graphql.ID {
	return graphql.ID(x.rel.SourceRef)
}
func (x *relResolver) TargetId() graphql.ID {
	return graphql.ID(x.rel.TargetRef)
}
func (x *relResolver) Source(ctx context.Context) (*entityResolver, error) {
	return x.r.existing(ctx, x.rel.Source)
}
func (x *relResolver) Target(ctx context.Context) (*entityResolver, error) {
	return x.r.existing(ctx, x.rel.Target)
}
func (x *relResolver) AllProperties() []propertyResolver { return properties(x.rel.Props) }
func (x *relResolver) Sources() []sourceResolver         { return sources(x.rel.Sources) }
func (x *relResolver) Properties() relPropsResolver      { return relPropsResolver{x.rel} }

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
