package schema

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// entityResolver resolves an Entity, reading it on first use.
type entityResolver struct {
	r    *Resolver
	id   uuid.UUID
	once sync.Once
	e    *graph.Entity
	err  error

	dOnce sync.Once
	desig []graph.Designation
	dErr  error
}

func (r *Resolver) entityByID(id uuid.UUID) *entityResolver { return &entityResolver{r: r, id: id} }

func (e *entityResolver) load(ctx context.Context) (*graph.Entity, error) {
	e.once.Do(func() {
		e.e, e.err = e.r.entity(ctx, e.id)
		e.err = e.r.userError(ctx, e.err)
	})
	return e.e, e.err
}

func (e *entityResolver) ID(ctx context.Context) (graphql.ID, error) {
	x, err := e.load(ctx)
	if err != nil {
		return "", err
	}
	return entityID(x), nil
}

// entityID is the public id of x: its reference, else its uuid.
func entityID(x *graph.Entity) graphql.ID {
	if x.Ref == "" {
		return graphql.ID(x.ID.String())
	}
	return graphql.ID(x.Ref)
}

func (e *entityResolver) UUID() graphql.ID { return graphql.ID(e.id.String()) }

func (e *entityResolver) Kind(ctx context.Context) (string, error) {
	x, err := e.load(ctx)
	if err != nil {
		return "", err
	}
	return x.Schema, nil
}

func (e *entityResolver) Name(ctx context.Context) (string, error) {
	x, err := e.load(ctx)
	if err != nil {
		return "", err
	}
	return x.Name(), nil
}

func (e *entityResolver) strings(ctx context.Context, f func(*graph.Entity) []string) ([]string, error) {
	x, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	if v := f(x); v != nil {
		return v, nil
	}
	return []string{}, nil
}

func (e *entityResolver) WeakAliases(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).WeakAliases)
}

func (e *entityResolver) Aliases(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).Aliases)
}
func (e *entityResolver) Countries(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).Countries)
}
func (e *entityResolver) BirthDates(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).BirthDates)
}
func (e *entityResolver) Addresses(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).Addresses)
}
func (e *entityResolver) Topics(ctx context.Context) ([]string, error) {
	return e.strings(ctx, (*graph.Entity).Topics)
}
func (e *entityResolver) OtherIds(ctx context.Context) ([]string, error) {
	return e.strings(ctx, func(x *graph.Entity) []string { return x.Referents })
}

type identifierResolver struct{ graph.Identifier }

func (i identifierResolver) Scheme() string { return i.Identifier.Scheme }
func (i identifierResolver) Value() string  { return i.Identifier.Value }

func (e *entityResolver) Identifiers(ctx context.Context) ([]identifierResolver, error) {
	x, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	out := []identifierResolver{}
	for _, id := range x.Identifiers() {
		out = append(out, identifierResolver{id})
	}
	return out, nil
}

type propertyResolver struct {
	name   string
	values []string
}

func (p propertyResolver) Name() string     { return p.name }
func (p propertyResolver) Values() []string { return p.values }

func properties(m map[string][]string) []propertyResolver {
	out := make([]propertyResolver, 0, len(m))
	for k, v := range m {
		out = append(out, propertyResolver{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (e *entityResolver) Properties(ctx context.Context) ([]propertyResolver, error) {
	x, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	return properties(x.Props), nil
}

func (e *entityResolver) Sources(ctx context.Context) ([]sourceResolver, error) {
	x, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	return sources(x.Sources), nil
}

func (e *entityResolver) Degree() int32 { return int32(e.r.g.Degree(e.id)) }

// designations reads the entity's designated-by relationships and the
// programmes they point at.
func (e *entityResolver) designations(ctx context.Context) ([]graph.Designation, error) {
	e.dOnce.Do(func() {
		page, err := e.r.relationships(ctx, e.id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}, Limit: 500})
		if err != nil {
			e.dErr = e.r.userError(ctx, err)
			return
		}
		e.desig = []graph.Designation{}
		for _, rel := range page.Relationships {
			target, err := e.r.entity(ctx, rel.Target)
			if err != nil && !errors.Is(err, graph.ErrNotFound) {
				e.dErr = e.r.userError(ctx, err)
				return
			}
			e.desig = append(e.desig, graph.NewDesignation(rel, target))
		}
	})
	return e.desig, e.dErr
}

func (e *entityResolver) Designations(ctx context.Context) ([]designationResolver, error) {
	ds, err := e.designations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]designationResolver, len(ds))
	for i, d := range ds {
		out[i] = designationResolver{d}
	}
	return out, nil
}

func (e *entityResolver) Sanctioned(ctx context.Context) (bool, error) {
	ds, err := e.designations(ctx)
	if err != nil {
		return false, err
	}
	today := graph.Today().String()
	for _, d := range ds {
		if d.Active(today) {
			return true, nil
		}
	}
	if len(ds) > 0 {
		return false, nil
	}
	x, err := e.load(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(x.Topics(), "sanction"), nil
}

// Merge returns the records merged as this party, or nil for one record.
func (e *entityResolver) Merge(ctx context.Context) (*mergeResolver, error) {
	p, err := e.r.g.Party(ctx, e.id)
	if err != nil {
		return nil, e.r.userError(ctx, err)
	}
	if len(p.Members) < 2 {
		return nil, nil
	}
	if err := spend(ctx, len(p.Members)); err != nil {
		return nil, err
	}
	return &mergeResolver{p}, nil
}

type mergeResolver struct{ p *graph.Party }

func (m *mergeResolver) Records() []mergedRecordResolver {
	out := make([]mergedRecordResolver, len(m.p.Members))
	for i, r := range m.p.Members {
		out[i] = mergedRecordResolver{r}
	}
	return out
}

func (m *mergeResolver) Links() []mergeLinkResolver {
	out := make([]mergeLinkResolver, len(m.p.Links))
	for i, l := range m.p.Links {
		out[i] = mergeLinkResolver{l}
	}
	return out
}

type mergedRecordResolver struct{ m graph.PartyMember }

func (r mergedRecordResolver) ID() graphql.ID     { return graphql.ID(r.m.Ref) }
func (r mergedRecordResolver) Kind() string       { return r.m.Schema }
func (r mergedRecordResolver) Name() string       { return r.m.Name }
func (r mergedRecordResolver) Datasets() []string { return append([]string{}, r.m.Datasets...) }

type mergeLinkResolver struct{ l graph.MergeLink }

func (r mergeLinkResolver) A() graphql.ID     { return graphql.ID(r.l.A) }
func (r mergeLinkResolver) B() graphql.ID     { return graphql.ID(r.l.B) }
func (r mergeLinkResolver) Rule() string      { return r.l.Rule }
func (r mergeLinkResolver) Evidence() string  { return r.l.Detail }
func (r mergeLinkResolver) Agreed() []string  { return nonNil(r.l.Agreed) }
func (r mergeLinkResolver) Checked() []string { return nonNil(r.l.Checked) }
func (r mergeLinkResolver) By() string        { return r.l.By }
func (r mergeLinkResolver) At() string        { return r.l.At.Format(time.RFC3339) }

type designationResolver struct{ d graph.Designation }

func (d designationResolver) Authority() string  { return d.d.Authority }
func (d designationResolver) Programme() *string { return opt(d.d.Programme) }
func (d designationResolver) ListedOn() *string  { return opt(d.d.ListedOn) }
func (d designationResolver) EndedOn() *string   { return opt(d.d.EndedOn) }
func (d designationResolver) Reference() *string { return opt(d.d.Reference) }
func (d designationResolver) Reason() *string    { return opt(d.d.Reason) }
func (d designationResolver) Active() bool       { return d.d.Active(graph.Today().String()) }
func (d designationResolver) Sources() []sourceResolver {
	return sources(d.d.Sources)
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type sourceResolver struct{ s graph.Source }

func sources(ss []graph.Source) []sourceResolver {
	out := make([]sourceResolver, len(ss))
	for i, s := range ss {
		out[i] = sourceResolver{s}
	}
	return out
}

func (s sourceResolver) Dataset() string      { return s.s.Dataset }
func (s sourceResolver) RecordId() *string    { return opt(s.s.RecordID) }
func (s sourceResolver) Url() *string         { return opt(s.s.URL) }
func (s sourceResolver) Document() *string    { return opt(s.s.Document) }
func (s sourceResolver) Date() *string        { return opt(s.s.Date) }
func (s sourceResolver) RetrievedAt() *string { return opt(s.s.RetrievedAt) }
func (s sourceResolver) Quote() *string       { return opt(s.s.Quote) }

// MaxPage bounds a page of relationships.
const MaxPage = 500

type relationshipsArgs struct {
	Direction string
	Via       *[]string
	First     int32
	After     *string
}

func (e *entityResolver) Relationships(ctx context.Context, args relationshipsArgs) (*connectionResolver, error) {
	q := graph.RelQuery{}
	switch args.Direction {
	case "OUTGOING":
		q.Direction = graph.Outgoing
	case "INCOMING":
		q.Direction = graph.Incoming
	}
	kinds, err := parseKinds(args.Via)
	if err != nil {
		return nil, err
	}
	q.Kinds = kinds
	if args.First < 0 || args.First > MaxPage {
		return nil, badInput("first must be between 0 and 500")
	}
	q.Limit = int(args.First)
	if args.After != nil {
		c, err := base64.RawURLEncoding.DecodeString(*args.After)
		if err != nil {
			return nil, badInput("bad cursor")
		}
		q.After = c
	}
	if q.Limit == 0 {
		return &connectionResolver{r: e.r, id: e.id}, nil
	}
	page, err := e.r.relationships(ctx, e.id, q)
	if err != nil {
		return nil, e.r.userError(ctx, err)
	}
	return &connectionResolver{r: e.r, id: e.id, page: page}, nil
}

type connectionResolver struct {
	r    *Resolver
	id   uuid.UUID
	page *graph.RelPage
}

func (c *connectionResolver) Edges() []*edgeResolver {
	out := []*edgeResolver{}
	if c.page == nil {
		return out
	}
	for i, rel := range c.page.Relationships {
		out = append(out, &edgeResolver{r: c.r, from: c.id, rel: rel, cursor: base64.RawURLEncoding.EncodeToString(c.page.Cursors[i])})
	}
	return out
}

func (c *connectionResolver) PageInfo() pageInfoResolver {
	p := pageInfoResolver{}
	if c.page != nil && len(c.page.Cursors) > 0 {
		p.more = c.page.More
		p.end = base64.RawURLEncoding.EncodeToString(c.page.Cursors[len(c.page.Cursors)-1])
	}
	return p
}

func (c *connectionResolver) TotalCount() int32 { return int32(c.r.g.Degree(c.id)) }

type pageInfoResolver struct {
	more bool
	end  string
}

func (p pageInfoResolver) HasNextPage() bool  { return p.more }
func (p pageInfoResolver) EndCursor() *string { return opt(p.end) }

type edgeResolver struct {
	r      *Resolver
	from   uuid.UUID
	rel    *graph.Relationship
	cursor string
}

func (e *edgeResolver) Cursor() string { return e.cursor }
func (e *edgeResolver) Node() *relResolver {
	return &relResolver{r: e.r, rel: e.rel}
}
func (e *edgeResolver) Direction() string {
	if e.rel.Source == e.from {
		return "OUTGOING"
	}
	return "INCOMING"
}
func (e *edgeResolver) Other(ctx context.Context) (*entityResolver, error) {
	other := e.rel.Target
	if e.rel.Source != e.from {
		other = e.rel.Source
	}
	return e.r.existing(ctx, other)
}

// existing returns a resolver for id, or nil if no such entity is stored.
func (r *Resolver) existing(ctx context.Context, id uuid.UUID) (*entityResolver, error) {
	_, err := r.entity(ctx, id)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return r.entityByID(id), nil
}

// parseKinds reads RelationshipKind enum values.
func parseKinds(v *[]string) ([]graph.RelType, error) {
	if v == nil {
		return nil, nil
	}
	var out []graph.RelType
	for _, s := range *v {
		k, err := graph.ParseRelType(s)
		if err != nil {
			return nil, badInput("unknown relationship kind " + quote(s))
		}
		out = append(out, k)
	}
	return out, nil
}

// nonNil returns v, or an empty list for nil: a GraphQL list that is not
// null.
func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
