package schema

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
)

// Bounds of exportSubgraph: its content is one string in the response,
// not streamed, so it is kept smaller than GET /export's.
const (
	MaxExportEntities      = 1000
	MaxExportRelationships = 5000
)

// Exporter collects a subgraph for export (part of Graph).
type Exporter interface {
	Subgraph(ctx context.Context, q export.Query) (*export.Subgraph, error)
}

type exportArgs struct {
	Seeds  []graphql.ID
	Hops   *int32
	Via    *[]string
	From   *graphql.ID
	To     *graphql.ID
	First  *int32
	Format string
	Title  *string
	Case   *string
	Author *string
}

type exportResolver struct {
	r        *Resolver
	format   export.Format
	content  string
	encoding string
	sg       *export.Subgraph
}

func (e *exportResolver) Resolved() []*resolutionResolver { return e.r.resolutions(e.sg.Resolved) }

func (e *exportResolver) Format() string      { return strings.ToUpper(string(e.format)) }
func (e *exportResolver) ContentType() string { return e.format.ContentType() }
func (e *exportResolver) Filename() string    { return e.format.Filename("sanctionsgraph-export") }
func (e *exportResolver) Content() string     { return e.content }
func (e *exportResolver) Encoding() string    { return e.encoding }
func (e *exportResolver) Truncated() bool     { return e.sg.Truncated() }
func (e *exportResolver) Limits() []string {
	if e.sg.Limits == nil {
		return []string{}
	}
	return e.sg.Limits
}
func (e *exportResolver) Entities() int32      { return int32(len(e.sg.Nodes)) }
func (e *exportResolver) Relationships() int32 { return int32(len(e.sg.Relationships)) }

// ExportSubgraph resolves exportSubgraph: the neighbourhood of the seeds
// (or the paths from `from` to `to`) in one export format.
func (r *Resolver) ExportSubgraph(ctx context.Context, args exportArgs) (*exportResolver, error) {
	ex := r.g
	f, err := export.ParseFormat(args.Format)
	if err != nil {
		return nil, badInput("format: unknown export format " + quote(args.Format))
	}
	q := export.Query{Hops: export.DefaultHops, MaxEntities: MaxExportEntities, MaxRelationships: MaxExportRelationships, MaxVisited: r.limits.MaxVisited}
	for _, s := range args.Seeds {
		q.Seeds = append(q.Seeds, string(s))
	}
	if args.Hops != nil {
		q.Hops = int(*args.Hops)
	}
	if args.From != nil {
		q.From = string(*args.From)
	}
	if args.To != nil {
		q.To = string(*args.To)
	}
	if args.First != nil {
		if *args.First < 1 {
			return nil, badInput(fmt.Sprintf("first: must be between 1 and %d", export.MaxPathsArg))
		}
		q.K = int(*args.First)
	}
	if q.Via, err = parseKinds(args.Via); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		arg *string
		to  *string
	}{{args.Title, &q.Report.Title}, {args.Case, &q.Report.Case}, {args.Author, &q.Report.Author}} {
		if f.arg != nil {
			*f.to = strings.TrimSpace(*f.arg)
		}
	}
	sg, err := ex.Subgraph(ctx, q)
	var pe *export.ParamError
	var ue *export.UnknownIDError
	var ae *export.AmbiguousRefError
	switch {
	case errors.As(err, &pe):
		return nil, badInput(pe.Error())
	case errors.As(err, &ue):
		return nil, r.refError(ctx, ue.Param, ue.ID, graph.ErrNotFound)
	case errors.As(err, &ae):
		return nil, r.refError(ctx, ae.Param, ae.Err.Query, ae.Err)
	case err != nil:
		return nil, r.userError(ctx, err)
	}
	if err := spend(ctx, len(sg.Nodes)+len(sg.Relationships)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := export.Encode(&b, f, sg); err != nil {
		return nil, r.userError(ctx, err)
	}
	out := &exportResolver{r: r, format: f, sg: sg, encoding: "utf-8"}
	if f.Binary() {
		out.content, out.encoding = base64.StdEncoding.EncodeToString(b.Bytes()), "base64"
	} else {
		out.content = b.String()
	}
	return out, nil
}
