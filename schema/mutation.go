package schema

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Writer is what the mutations need to change findings. *store.Store
// implements it; New takes it with the Writable option, and without it the
// API is read-only.
type Writer interface {
	AddEntity(ctx context.Context, who string, e *graph.Entity, src graph.Source) (*graph.Entity, uint64, error)
	UpdateEntity(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Entity) error) (*graph.Entity, uint64, error)
	AddRelationship(ctx context.Context, who string, r *graph.Relationship, src graph.Source) (*graph.Relationship, uint64, error)
	UpdateRelationship(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Relationship) error) (*graph.Relationship, uint64, error)
	Retract(ctx context.Context, who, ref, reason string, src graph.Source) ([]string, uint64, error)
	// FindingState returns a finding's kind (entity, relationship) and
	// state (active, retracted), or "" and "not-a-finding" for a record
	// of a list; graph.ErrNotFound if ref names nothing.
	FindingState(ctx context.Context, ref string) (kind, state string, err error)
	ImportFindings(ctx context.Context, who string, recs []graph.Record) ([]graph.Outcome, uint64, error)
}

// FindingsParser reads a findings CSV (ingest/FINDINGS.md) into records,
// with one message per rejected row ("line 3: kind: ..."). The command
// wires it in (Writable), since schema does not import ingest.
type FindingsParser interface {
	ParseFindings(ctx context.Context, csv string) ([]graph.Record, []string, error)
}

// Error codes of refused writes.
const (
	CodeForbidden       = "FORBIDDEN"
	CodeUnauthenticated = "UNAUTHENTICATED"
)

// MaxFindingsCSV bounds the CSV text of one importFindings.
const MaxFindingsCSV = 256 << 10

// Bounds on the values of one input.
const (
	maxInputValues = 200
	maxInputText   = 4000
)

type writerKey struct{}

// writerInfo is the write access of a request.
type writerInfo struct{ name string }

// WithWriter records the write access of a request: name is the name of
// its valid write token, or "" if it sent none. Without WithWriter the
// server takes no writes at all. The HTTP handler calls it; the token
// itself never reaches the resolvers.
func WithWriter(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, writerKey{}, writerInfo{name: name})
}

// writer returns the Writer and the name of the request's writer, or the
// error to show.
func (r *Resolver) writer(ctx context.Context) (Writer, string, error) {
	info, ok := ctx.Value(writerKey{}).(writerInfo)
	switch {
	case !ok || r.w == nil:
		return nil, "", &Error{Code: CodeForbidden, Message: "this server is read-only: start it with --write-token-file or $SANCTIONSGRAPH_WRITE_TOKEN to take findings"}
	case info.name == "":
		return nil, "", &Error{Code: CodeUnauthenticated, Message: "mutations need a write token: send Authorization: Bearer TOKEN"}
	}
	if rq := requestOf(ctx); rq != nil {
		rq.writing.Store(true) // the handler waits for its answer (Writing)
	}
	return r.w, info.name, nil
}

// writerWith is writer, and the change's source checked.
func (r *Resolver) writerWith(ctx context.Context, in SourceInput) (Writer, string, graph.Source, error) {
	w, who, err := r.writer(ctx)
	if err != nil {
		return nil, "", graph.Source{}, err
	}
	src, err := in.source()
	if err != nil {
		return nil, "", graph.Source{}, err
	}
	return w, who, src, nil
}

// SourceInput is the source of a change.
type SourceInput struct {
	URL, Document, Date, Quote *string
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func (in SourceInput) source() (graph.Source, error) {
	s := graph.Source{URL: str(in.URL), Document: str(in.Document), Date: str(in.Date), Quote: str(in.Quote)}
	for f, v := range map[string]string{"url": s.URL, "document": s.Document, "quote": s.Quote} {
		if len(v) > maxInputText {
			return s, badInput(fmt.Sprintf("source.%s: longer than %d bytes", f, maxInputText))
		}
	}
	if err := graph.CheckSource(s); err != nil {
		return s, fieldInput(err)
	}
	return s, nil
}

// fieldInput shows a *graph.FieldError (a check of the model) as a bad
// input naming its field.
func fieldInput(err error) error {
	var fe *graph.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	msg := fe.Field + ": " + fe.Msg
	if fe.Value != "" {
		msg += ", got " + quote(fe.Value)
	}
	return badInput(msg)
}

// EntityInput is an entity finding or a change to one.
type EntityInput struct {
	Kind        *string
	Name        *string
	Aliases     *[]string
	Countries   *[]string
	Identifiers *[]IdentifierInput
	Properties  *[]PropertyInput
}

type IdentifierInput struct{ Scheme, Value string }

type PropertyInput struct {
	Name   string
	Values []string
}

// checkValues bounds a list of input values.
func checkValues(field string, vs []string) ([]string, error) {
	if len(vs) > maxInputValues {
		return nil, badInput(fmt.Sprintf("%s: at most %d values", field, maxInputValues))
	}
	var out []string
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if len(v) > maxInputText {
			return nil, badInput(fmt.Sprintf("%s: a value longer than %d bytes", field, maxInputText))
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// apply applies in to e (a new entity or a copy of the current version).
func (in *EntityInput) apply(e *graph.Entity) error {
	if e.Props == nil {
		e.Props = map[string][]string{}
	}
	if in.Kind != nil {
		k := str(in.Kind)
		if !graph.IsEntitySchema(k) {
			return badInput("entity.kind: " + quote(k) + " is not an entity schema (use Person, Company, Organization, LegalEntity, PublicBody, Vessel, ...)")
		}
		e.Schema = k
	}
	if e.Schema == "" {
		e.Schema = "LegalEntity"
	}
	if in.Name != nil {
		n := str(in.Name)
		if n == "" {
			return badInput("entity.name: must not be empty")
		}
		if len(n) > maxInputText {
			return badInput(fmt.Sprintf("entity.name: longer than %d bytes", maxInputText))
		}
		e.Props["name"], e.Caption = []string{n}, n
	}
	if in.Aliases != nil {
		vs, err := checkValues("entity.aliases", *in.Aliases)
		if err != nil {
			return err
		}
		setProp(e.Props, "alias", vs)
	}
	if in.Countries != nil {
		vs, err := checkValues("entity.countries", *in.Countries)
		if err != nil {
			return err
		}
		for i, c := range vs {
			if len(c) < 2 || len(c) > 10 {
				return badInput("entity.countries: want country codes such as ru or kp, got " + quote(c))
			}
			vs[i] = strings.ToLower(c)
		}
		setProp(e.Props, "country", vs)
	}
	if in.Identifiers != nil {
		if len(*in.Identifiers) > maxInputValues {
			return badInput(fmt.Sprintf("entity.identifiers: at most %d", maxInputValues))
		}
		for p := range e.Props {
			if graph.PropType(e.Schema, p) == "identifier" {
				delete(e.Props, p)
			}
		}
		for _, id := range *in.Identifiers {
			sc, v := strings.TrimSpace(id.Scheme), strings.TrimSpace(id.Value)
			if graph.PropType(e.Schema, sc) != "identifier" {
				return badInput("entity.identifiers: " + quote(sc) + " is not an identifier of a " + e.Schema + " (swiftBic, imoNumber, registrationNumber, taxNumber, passportNumber, ...)")
			}
			if v == "" || len(v) > maxInputText {
				return badInput("entity.identifiers: the value of " + quote(sc) + " is empty or too long")
			}
			e.Props[sc] = append(e.Props[sc], v)
		}
	}
	if in.Properties != nil {
		if err := applyProps("entity.properties", e.Props, *in.Properties, func(name string) bool {
			return graph.PropType(e.Schema, name) != "" && name != "name"
		}); err != nil {
			return err
		}
	}
	return nil
}

func applyProps(field string, props map[string][]string, in []PropertyInput, known func(string) bool) error {
	if len(in) > maxInputValues {
		return badInput(fmt.Sprintf("%s: at most %d", field, maxInputValues))
	}
	for _, p := range in {
		name := strings.TrimSpace(p.Name)
		if !known(name) {
			return badInput(field + ": " + quote(name) + " is not a property it can have")
		}
		vs, err := checkValues(field+"."+name, p.Values)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			delete(props, name)
		} else {
			props[name] = vs
		}
	}
	return nil
}

// RelationshipInput is a relationship finding or a change to one.
type RelationshipInput struct {
	Kind       *string
	SourceID   *graphql.ID
	TargetID   *graphql.ID
	Role       *string
	Percentage *float64
	StartDate  *string
	EndDate    *string
	Properties *[]PropertyInput
}

// relProps are the properties a relationship finding may state besides
// the named fields.
var relProps = map[string]bool{
	"role": true, "percentage": true, "startDate": true, "endDate": true, "date": true, "summary": true,
	"description": true, "sharesCount": true, "sharesValue": true, "sharesCurrency": true, "relationship": true,
	"status": true, "program": true, "reason": true, "sourceUrl": true,
}

// apply applies in to rel; ends are resolved by the caller.
func (in *RelationshipInput) apply(ctx context.Context, r *Resolver, rel *graph.Relationship) error {
	if rel.Props == nil {
		rel.Props = map[string][]string{}
	}
	if in.Kind != nil {
		k, err := graph.ParseRelType(*in.Kind)
		if err != nil {
			return badInput("relationship.kind: unknown relationship kind " + quote(*in.Kind))
		}
		rel.Kind = k
	}
	for _, end := range []struct {
		field string
		id    *graphql.ID
		ref   *string
	}{{"relationship.sourceId", in.SourceID, &rel.SourceRef}, {"relationship.targetId", in.TargetID, &rel.TargetRef}} {
		if end.id == nil {
			continue
		}
		s := strings.TrimSpace(string(*end.id))
		if s == "" || len(s) > maxIDLength {
			return badInput(end.field + ": empty or longer than 1024 bytes")
		}
		// Any id, identifier or name (graph/resolve); the finding names
		// the entity by its own id.
		res, err := r.lookup(ctx, end.field, graphql.ID(s))
		if err != nil {
			return err
		}
		if res.How != graph.ResolvedByID {
			x, err := r.entity(ctx, res.ID)
			if err != nil {
				return r.userError(ctx, err)
			}
			s = x.Ref
		}
		*end.ref = s
	}
	if in.Role != nil {
		vs, err := checkValues("relationship.role", []string{*in.Role})
		if err != nil {
			return err
		}
		setProp(rel.Props, "role", vs)
	}
	if in.Percentage != nil {
		p := *in.Percentage
		if math.IsNaN(p) || p < 0 || p > 100 {
			return badInput("relationship.percentage: want a number from 0 to 100")
		}
		rel.Props["percentage"] = []string{strconv.FormatFloat(p, 'f', -1, 64)}
	}
	for _, d := range []struct {
		field, prop string
		v           *string
	}{{"relationship.startDate", "startDate", in.StartDate}, {"relationship.endDate", "endDate", in.EndDate}} {
		if d.v == nil {
			continue
		}
		v := str(d.v)
		if v != "" && !graph.IsPartialDate(v) {
			return badInput(d.field + ": want YYYY, YYYY-MM or YYYY-MM-DD, got " + quote(v))
		}
		setProp(rel.Props, d.prop, []string{v})
	}
	if in.Properties != nil {
		return applyProps("relationship.properties", rel.Props, *in.Properties, func(n string) bool { return relProps[n] })
	}
	return nil
}

func setProp(props map[string][]string, p string, vs []string) {
	if len(vs) == 0 || (len(vs) == 1 && vs[0] == "") {
		delete(props, p)
		return
	}
	props[p] = vs
}

// findingRef checks that id names an active finding of kind and returns
// it as stored (a UUID in canonical form).
func (r *Resolver) findingRef(ctx context.Context, w Writer, id graphql.ID, kind string) (string, error) {
	ref := strings.TrimSpace(string(id))
	if ref == "" || len(ref) > maxIDLength {
		return "", badInput("id: empty or longer than 1024 bytes")
	}
	if u, err := uuid.Parse(ref); err == nil {
		ref = u.String()
	}
	k, state, err := w.FindingState(ctx, ref)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return "", notFound("finding", ref)
	case err != nil:
		return "", r.userError(ctx, err)
	case state == "not-a-finding":
		return "", badInput("id: " + quote(ref) + " is a record of an official list or file, not a finding; mutations change findings only (add a relationship or an entity instead)")
	case state != "active":
		return "", badInput("id: finding " + quote(ref) + " is " + state)
	case kind != "" && k != kind:
		return "", badInput("id: finding " + quote(ref) + " is a " + k + ", not a " + kind)
	}
	return ref, nil
}

// writeError maps a Writer error to what the user sees.
func (r *Resolver) writeError(ctx context.Context, err error, id string) error {
	var ue *Error
	switch {
	case errors.As(err, &ue):
		return ue
	case errors.Is(err, graph.ErrNotFound):
		return notFound("finding or entity", id)
	case errors.Is(err, graph.ErrInvalid):
		// The inputs were checked above; what is left is a finding that
		// changed state meanwhile, or a change too large to store.
		return badInput("the change cannot be made: the finding changed meanwhile, or the change is too large")
	}
	return r.userError(ctx, err)
}

type entityChange struct {
	e     *entityResolver
	audit uint64
}

func (c *entityChange) Entity() *entityResolver { return c.e }
func (c *entityChange) AuditID() graphql.ID     { return graphql.ID(strconv.FormatUint(c.audit, 10)) }

type relationshipChange struct {
	rel   *relResolver
	audit uint64
}

func (c *relationshipChange) Relationship() *relResolver { return c.rel }
func (c *relationshipChange) AuditID() graphql.ID        { return graphql.ID(strconv.FormatUint(c.audit, 10)) }

type retraction struct {
	ids   []string
	audit uint64
}

func (c *retraction) IDs() []graphql.ID {
	out := make([]graphql.ID, len(c.ids))
	for i, id := range c.ids {
		out[i] = graphql.ID(id)
	}
	return out
}
func (c *retraction) AuditID() graphql.ID { return graphql.ID(strconv.FormatUint(c.audit, 10)) }

type findingsImport struct {
	added, updated, unchanged int32
	ids                       []string
	audit                     uint64
}

func (c *findingsImport) Added() int32        { return c.added }
func (c *findingsImport) Updated() int32      { return c.updated }
func (c *findingsImport) Unchanged() int32    { return c.unchanged }
func (c *findingsImport) AuditID() graphql.ID { return graphql.ID(strconv.FormatUint(c.audit, 10)) }
func (c *findingsImport) IDs() []graphql.ID {
	out := make([]graphql.ID, len(c.ids))
	for i, id := range c.ids {
		out[i] = graphql.ID(id)
	}
	return out
}

func (r *Resolver) AddEntity(ctx context.Context, args struct {
	Entity EntityInput
	Source SourceInput
}) (*entityChange, error) {
	w, who, src, err := r.writerWith(ctx, args.Source)
	if err != nil {
		return nil, err
	}
	if str(args.Entity.Name) == "" {
		return nil, badInput("entity.name: required")
	}
	e := &graph.Entity{}
	if err := args.Entity.apply(e); err != nil {
		return nil, err
	}
	out, seq, err := w.AddEntity(ctx, who, e, src)
	if err != nil {
		return nil, r.writeError(ctx, err, "")
	}
	return &entityChange{e: r.entityByID(out.ID), audit: seq}, nil
}

func (r *Resolver) UpdateEntity(ctx context.Context, args struct {
	ID     graphql.ID
	Entity EntityInput
	Source SourceInput
}) (*entityChange, error) {
	w, who, src, err := r.writerWith(ctx, args.Source)
	if err != nil {
		return nil, err
	}
	ref, err := r.findingRef(ctx, w, args.ID, "entity")
	if err != nil {
		return nil, err
	}
	out, seq, err := w.UpdateEntity(ctx, who, ref, src, args.Entity.apply)
	if err != nil {
		return nil, r.writeError(ctx, err, ref)
	}
	return &entityChange{e: r.entityByID(out.ID), audit: seq}, nil
}

func (r *Resolver) AddRelationship(ctx context.Context, args struct {
	Relationship RelationshipInput
	Source       SourceInput
}) (*relationshipChange, error) {
	w, who, src, err := r.writerWith(ctx, args.Source)
	if err != nil {
		return nil, err
	}
	in := &args.Relationship
	for field, missing := range map[string]bool{"kind": in.Kind == nil, "sourceId": in.SourceID == nil, "targetId": in.TargetID == nil} {
		if missing {
			return nil, badInput("relationship." + field + ": required")
		}
	}
	rel := &graph.Relationship{}
	if err := in.apply(ctx, r, rel); err != nil {
		return nil, err
	}
	out, seq, err := w.AddRelationship(ctx, who, rel, src)
	if err != nil {
		return nil, r.writeError(ctx, err, "")
	}
	return &relationshipChange{rel: &relResolver{r: r, rel: out}, audit: seq}, nil
}

func (r *Resolver) UpdateRelationship(ctx context.Context, args struct {
	ID           graphql.ID
	Relationship RelationshipInput
	Source       SourceInput
}) (*relationshipChange, error) {
	w, who, src, err := r.writerWith(ctx, args.Source)
	if err != nil {
		return nil, err
	}
	ref, err := r.findingRef(ctx, w, args.ID, "relationship")
	if err != nil {
		return nil, err
	}
	// Check the input (and resolve new ends) before the write.
	if err := args.Relationship.apply(ctx, r, &graph.Relationship{}); err != nil {
		return nil, err
	}
	out, seq, err := w.UpdateRelationship(ctx, who, ref, src, func(rel *graph.Relationship) error {
		return args.Relationship.apply(ctx, r, rel)
	})
	if err != nil {
		return nil, r.writeError(ctx, err, ref)
	}
	return &relationshipChange{rel: &relResolver{r: r, rel: out}, audit: seq}, nil
}

func (r *Resolver) Retract(ctx context.Context, args struct {
	ID     graphql.ID
	Reason string
	Source SourceInput
}) (*retraction, error) {
	w, who, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(args.Reason)
	if reason == "" {
		return nil, badInput("reason: required")
	}
	if len(reason) > maxInputText {
		return nil, badInput(fmt.Sprintf("reason: longer than %d bytes", maxInputText))
	}
	src, err := args.Source.source()
	if err != nil {
		return nil, err
	}
	ref, err := r.findingRef(ctx, w, args.ID, "")
	if err != nil {
		return nil, err
	}
	ids, seq, err := w.Retract(ctx, who, ref, reason, src)
	if err != nil {
		return nil, r.writeError(ctx, err, ref)
	}
	return &retraction{ids: ids, audit: seq}, nil
}

func (r *Resolver) ImportFindings(ctx context.Context, args struct{ CSV string }) (*findingsImport, error) {
	w, who, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	if r.parser == nil {
		return nil, &Error{Code: CodeForbidden, Message: "this server does not import findings CSV"}
	}
	if len(args.CSV) > MaxFindingsCSV {
		return nil, badInput(fmt.Sprintf("csv: larger than %d KiB; split it", MaxFindingsCSV>>10))
	}
	if strings.TrimSpace(args.CSV) == "" {
		return nil, badInput("csv: empty")
	}
	recs, rejects, err := r.parser.ParseFindings(ctx, args.CSV)
	if err != nil {
		var ue *Error
		if errors.As(err, &ue) {
			return nil, ue
		}
		return nil, r.userError(ctx, err)
	}
	if len(rejects) > 0 {
		if len(rejects) > 5 {
			rejects = append(rejects[:5], fmt.Sprintf("and %d more", len(rejects)-5))
		}
		return nil, badInput("csv: nothing was imported: " + strings.Join(rejects, "; "))
	}
	if len(recs) == 0 {
		return nil, badInput("csv: no rows")
	}
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].Ref
		_, state, err := w.FindingState(ctx, recs[i].Ref)
		switch {
		case errors.Is(err, graph.ErrNotFound):
		case err != nil:
			return nil, r.userError(ctx, err)
		case state == "not-a-finding":
			return nil, badInput("csv: nothing was imported: id " + quote(recs[i].Ref) + " names a record of an official list or file, not a finding")
		case state != "active":
			return nil, badInput("csv: nothing was imported: finding " + quote(recs[i].Ref) + " is " + state + "; give the row a new id")
		}
	}
	outs, seq, err := w.ImportFindings(ctx, who, recs)
	if err != nil {
		return nil, r.writeError(ctx, err, "")
	}
	res := &findingsImport{ids: ids, audit: seq}
	for _, o := range outs {
		switch o {
		case graph.Added:
			res.added++
		case graph.Updated:
			res.updated++
		default:
			res.unchanged++
		}
	}
	return res, nil
}
