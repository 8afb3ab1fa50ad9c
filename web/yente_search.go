package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// GET /search/{dataset} and GET /entities/{id}: yente's simple search and
// entity fetch.

type yenteSearchResponse struct {
	Results []*ftmEntity   `json:"results"`
	Facets  map[string]any `json:"facets"`
	Total   yenteTotal     `json:"total"`
	Limit   int            `json:"limit"`
	Offset  int            `json:"offset"`
}

// search serves GET /search/{dataset}: the entities having a name that
// holds every word of q (the name index of the GraphQL search), best
// first.
func (a *yenteAPI) search(w http.ResponseWriter, r *http.Request) {
	dataset, ok := strings.CutPrefix(r.URL.Path, "/search/")
	if !ok || dataset == "" || strings.Contains(dataset, "/") {
		yenteDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	scope, ok := a.scope(dataset)
	if !ok {
		yenteDetail(w, http.StatusNotFound, "No such dataset.")
		return
	}
	v := r.URL.Query()
	text, _ := last(v, "q")
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		// yente lists every entity for an empty q; the name index answers
		// names only.
		yenteInvalid(w, fieldErr("string_too_short", "Give a name to search for", "query", "q"))
		return
	case len(text) > yenteMaxSearchText:
		yenteInvalid(w, fieldErr("string_too_long", fmt.Sprintf("String should have at most %d bytes", yenteMaxSearchText), "query", "q"))
		return
	}
	limit, offset := yenteSearchLimit, 0
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &limit}, {"offset", &offset}} {
		s, ok := last(v, p.name)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			yenteInvalid(w, fieldErr("int_parsing", "Input should be a valid integer, unable to parse string as an integer", "query", p.name))
			return
		case n < 0:
			yenteInvalid(w, fieldErr("greater_than_equal", "Input should be greater than or equal to 0", "query", p.name))
			return
		case n > yenteMaxSearchWindow:
			yenteInvalid(w, fieldErr("less_than_equal", fmt.Sprintf("Input should be less than or equal to %d", yenteMaxSearchWindow), "query", p.name))
			return
		}
		*p.dst = n
	}
	// As yente's limit_window: offset+limit stays within the window.
	limit = min(limit, yenteMaxSearchWindow-offset)
	schemaName := "Thing"
	if s, ok := last(v, "schema"); ok {
		schemaName = s
	}
	if _, ok := graph.LookupSchema(schemaName); !ok {
		yenteDetail(w, http.StatusBadRequest, "Invalid schema")
		return
	}
	var targetOnly *bool
	if s, ok := last(v, "target"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			yenteInvalid(w, fieldErr("bool_parsing", "Input should be a valid boolean, unable to interpret input", "query", "target"))
			return
		}
		targetOnly = &b
	}
	var countries []string
	for _, c := range v["countries"] {
		if code := graph.CountryCode(c); code != "" {
			countries = append(countries, code)
		} else {
			countries = append(countries, strings.ToLower(c)) // matches nothing, as in yente
		}
	}
	f := entityFilter{scope: scope, datasets: append(slices.Clone(v["include_dataset"]), v["datasets"]...), excludeDatasets: v["exclude_dataset"],
		excludeSchemas: v["exclude_schema"], topics: v["topics"]}
	release, ok := a.acquire(w, r)
	if !ok {
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), a.opt.Timeout)
	defer cancel()
	q := graph.SearchQuery{Text: text, Limit: yenteMaxSearchWindow}
	if schemaName != "Thing" {
		q.Schemas = []string{schemaName}
	}
	hits, err := a.y.Source.SearchNames(ctx, q)
	if err != nil {
		a.failed(ctx, w, r, "search", err)
		return
	}
	out := &yenteSearchResponse{Results: []*ftmEntity{}, Facets: map[string]any{}, Limit: limit, Offset: offset, Total: yenteTotal{Relation: "eq"}}
	if len(hits) == q.Limit {
		out.Total.Relation = "gte"
	}
	for _, h := range hits {
		e, err := a.y.Source.Entity(ctx, h.ID)
		if errors.Is(err, graph.ErrNotFound) {
			continue
		}
		if err != nil {
			a.failed(ctx, w, r, "search", err)
			return
		}
		if len(countries) > 0 && !intersects(e.Countries(), countries) {
			continue
		}
		shown := out.Total.Value >= offset && len(out.Results) < limit
		target := false
		if shown || f.needsTarget() || targetOnly != nil {
			if target, err = a.designated(ctx, h.ID); err != nil {
				a.failed(ctx, w, r, "search", err)
				return
			}
		}
		if !f.keep(e, target) || targetOnly != nil && target != *targetOnly {
			continue
		}
		out.Total.Value++
		if shown {
			out.Results = append(out.Results, newFTMEntity(e, target))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// entity serves GET /entities/{id}: the entity with its adjacent entities
// nested in its properties (nested=false: without), as yente does. An id
// the entity is known by that is not its own (a merged record's)
// redirects (308) to its own.
func (a *yenteAPI) entity(w http.ResponseWriter, r *http.Request) {
	ref, ok := strings.CutPrefix(r.URL.Path, "/entities/")
	if !ok || ref == "" {
		yenteDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	nested := true
	if s, ok := last(r.URL.Query(), "nested"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			yenteInvalid(w, fieldErr("bool_parsing", "Input should be a valid boolean, unable to interpret input", "query", "nested"))
			return
		}
		nested = b
	}
	release, ok := a.acquire(w, r)
	if !ok {
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), a.opt.Timeout)
	defer cancel()
	id, err := a.y.Source.Resolve(ctx, ref)
	var e *graph.Entity
	if err == nil {
		e, err = a.y.Source.Entity(ctx, id)
	}
	switch {
	case errors.Is(err, graph.ErrNotFound), errors.Is(err, graph.ErrInvalid):
		yenteDetail(w, http.StatusNotFound, "No such entity!")
		return
	case err != nil:
		a.failed(ctx, w, r, "entity", err)
		return
	}
	if own := entityRef(e); own != ref {
		u := url.URL{Path: "/entities/" + own, RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusPermanentRedirect)
		return
	}
	target, err := a.designated(ctx, id)
	if err != nil {
		a.failed(ctx, w, r, "entity", err)
		return
	}
	out := newFTMEntity(e, target)
	if nested {
		n := &nester{a: a, budget: yenteMaxNested}
		if err := n.nest(ctx, e, out); err != nil {
			a.failed(ctx, w, r, "entity", err)
			return
		}
		if n.truncated {
			w.Header().Set(HeaderTruncated, "nested entities")
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// ftmReverse names, for a property of a schema that points at an entity,
// the property under which that entity lists the pointing one: an
// Ownership's owner lists it as ownershipOwner. From the FollowTheMoney
// model (reverse), for the schemata our relationships and held documents
// are written as.
var ftmReverse = map[string]map[string]string{
	"Ownership":          {"owner": "ownershipOwner", "asset": "ownershipAsset"},
	"Control":            {"controller": "controlController", "controlled": "controlControlled"},
	"Directorship":       {"director": "directorshipDirector", "organization": "directorshipOrganization"},
	"Family":             {"person": "familyPerson", "relative": "familyRelative"},
	"Associate":          {"person": "associates", "associate": "associations"},
	"Membership":         {"member": "membershipMember", "organization": "membershipOrganization"},
	"Employment":         {"employee": "employers", "employer": "employees"},
	"Representation":     {"agent": "agencyClient", "client": "agentRepresentation"},
	"Occupancy":          {"holder": "positionOccupancies", "post": "occupancies"},
	"Payment":            {"payer": "paymentPayer", "beneficiary": "paymentBeneficiary"},
	"Debt":               {"debtor": "debtDebtor", "creditor": "debtCreditor"},
	"Succession":         {"predecessor": "successors", "successor": "predecessors"},
	"CourtCaseParty":     {"party": "courtCase", "case": "parties"},
	"ContractAward":      {"contract": "awards", "supplier": "contractAwardSupplier"},
	"ProjectParticipant": {"participant": "projectParticipation", "project": "participants"},
	"Documentation":      {"document": "relatedEntities", "entity": "documentedBy"},
	"UnknownLink":        {"subject": "unknownLinkTo", "object": "unknownLinkFrom"},
	"Sanction":           {"entity": "sanctions"},
	"Identification":     {"holder": "identification"},
	"Note":               {"entity": "noteEntities"},
	"Risk":               {"entity": "risks"},
	"Thing":              {"addressEntity": "things"},
	"Vehicle":            {"owner": "ownedVehicles"},
}

// reverseProp returns the reverse of property prop of schema (or of a
// schema it extends), "" if the table has none.
func reverseProp(schema, prop string) string {
	if r := ftmReverse[schema][prop]; r != "" {
		return r
	}
	def, ok := graph.LookupSchema(schema)
	if !ok {
		return ""
	}
	names := make([]string, 0, len(ftmReverse))
	for name := range ftmReverse {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if r := ftmReverse[name][prop]; r != "" && def.Is(name) {
			return r
		}
	}
	return ""
}

// nester nests an entity's adjacent entities in its properties, one level
// deep as yente does: the entities its properties name; its relationships
// as FtM entities (Ownership, Sanction, UnknownLink, ...) under the
// reverse property, each with its other end nested; the documents it
// holds. A nested entity leaves out its reference back to the parent.
type nester struct {
	a         *yenteAPI
	budget    int // entities still to nest
	truncated bool
}

// take spends one of the budget; false (and truncated) when none is left.
func (n *nester) take() bool {
	if n.budget == 0 {
		n.truncated = true
		return false
	}
	n.budget--
	return true
}

// party reads an adjacent entity as a plain (not nested) yente entity.
func (n *nester) party(ctx context.Context, id uuid.UUID) (*ftmEntity, *graph.Entity, error) {
	e, err := n.a.y.Source.Entity(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	target := false
	if screen.Screenable(e.Schema) {
		if target, err = n.a.designated(ctx, id); err != nil {
			return nil, nil, err
		}
	}
	return newFTMEntity(e, target), e, nil
}

func (n *nester) nest(ctx context.Context, e *graph.Entity, out *ftmEntity) error {
	self := append([]string{e.Ref, e.ID.String()}, e.Referents...)
	// The entities its properties name (addressEntity, a vessel's owner).
	props := make([]string, 0, len(e.Props))
	for p := range e.Props {
		if graph.PropType(e.Schema, p) == "entity" {
			props = append(props, p)
		}
	}
	sort.Strings(props)
	for _, p := range props {
		vals := make([]any, 0, len(e.Props[p]))
		for _, ref := range e.Props[p] {
			if !n.take() {
				vals = append(vals, ref)
				continue
			}
			id, err := n.a.y.Source.Resolve(ctx, ref)
			var adj *ftmEntity
			if err == nil {
				adj, _, err = n.party(ctx, id)
			}
			switch {
			case errors.Is(err, graph.ErrNotFound), errors.Is(err, graph.ErrInvalid):
				vals = append(vals, ref) // not stored: the id, as yente
			case err != nil:
				return err
			default:
				vals = append(vals, adj)
			}
		}
		out.Properties[p] = vals
	}
	// Its relationships.
	page, err := n.a.y.Source.Relationships(ctx, e.ID, graph.RelQuery{Direction: graph.Both, Limit: yenteMaxNested})
	if err != nil {
		return err
	}
	if page.More {
		n.truncated = true
	}
	for _, r := range page.Relationships {
		if r.Kind == graph.RelProgrammeOf || r.Source == r.Target {
			continue
		}
		asSource := r.Source == e.ID
		other := r.Target
		if !asSource {
			other = r.Source
		}
		// A relationship read from an entity's property: the parent's own
		// properties were nested above; another entity's property that
		// names the parent nests that entity under its reverse.
		if holder, prop, ok := propertyLink(r); ok {
			if slices.Contains(self, holder) || !n.take() {
				continue
			}
			adj, adjEntity, err := n.party(ctx, other)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if rev := reverseProp(adjEntity.Schema, prop); rev != "" {
				delete(adj.Properties, prop)
				out.Properties[rev] = append(out.Properties[rev], adj)
			}
			continue
		}
		if r.Kind == graph.RelHasAddress && asSource {
			// An address a list states: FtM's addressEntity.
			if !n.take() {
				continue
			}
			adj, _, err := n.party(ctx, other)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !nestedHas(out.Properties["addressEntity"], adj.ID) {
				out.Properties["addressEntity"] = append(out.Properties["addressEntity"], adj)
			}
			continue
		}
		if !n.take() {
			continue
		}
		rel, parentProp, err := n.relationship(ctx, r, asSource, other)
		if err != nil {
			return err
		}
		if rel != nil && parentProp != "" {
			out.Properties[parentProp] = append(out.Properties[parentProp], rel)
		}
	}
	// The documents it holds (passports, notes, risks).
	for _, h := range e.Held {
		if !n.take() {
			break
		}
		doc := newFTMEntity(h, false)
		for p, vals := range h.Props {
			if graph.PropType(h.Schema, p) != "entity" || !intersects(vals, self) {
				continue
			}
			delete(doc.Properties, p)
			if rev := reverseProp(h.Schema, p); rev != "" {
				out.Properties[rev] = append(out.Properties[rev], doc)
				break
			}
		}
	}
	return nil
}

// propertyLink reports whether r was read from an entity property (ingest
// gives it the id holder/property/target), and which.
func propertyLink(r *graph.Relationship) (holder, prop string, ok bool) {
	for _, h := range []string{r.SourceRef, r.TargetRef} {
		if rest, found := strings.CutPrefix(r.Ref, h+"/"); found {
			if p, _, found := strings.Cut(rest, "/"); found && p != "" {
				return h, p, true
			}
		}
	}
	return "", "", false
}

func nestedHas(vals []any, id string) bool {
	for _, v := range vals {
		if x, ok := v.(*ftmEntity); ok && x.ID == id {
			return true
		}
	}
	return false
}

// relationship writes r as the FtM entity that states it, with its other
// end nested and its end at the parent left out, and returns the parent's
// property that lists it.
func (n *nester) relationship(ctx context.Context, r *graph.Relationship, asSource bool, other uuid.UUID) (*ftmEntity, string, error) {
	schema := r.Schema
	def, known := graph.LookupSchema(schema)
	srcProp, dstProp := "", ""
	props := make(map[string][]any, len(r.Props)+4)
	for k, vals := range r.Props {
		for _, v := range vals {
			props[k] = append(props[k], v)
		}
	}
	switch {
	case r.Kind == graph.RelDesignatedBy:
		schema, srcProp = "Sanction", "entity"
		// The programme or authority it points at is a node of ours, not
		// an FtM entity: its names go in the Sanction's properties.
		var target *graph.Entity
		if t, err := n.a.y.Source.Entity(ctx, r.Target); err == nil {
			target = t
		} else if !errors.Is(err, graph.ErrNotFound) {
			return nil, "", err
		}
		d := graph.NewDesignation(r, target)
		for k, v := range map[string]string{"authority": d.Authority, "program": d.Programme} {
			if v != "" && len(props[k]) == 0 {
				props[k] = []any{v}
			}
		}
		if !asSource {
			return nil, "", nil // a designation of another entity by this programme
		}
	case known && def.Edge != nil:
		srcProp, dstProp = def.Edge.Source, def.Edge.Target
	default:
		schema = r.Kind.FtMSchema()
		if schema == "" {
			schema = "UnknownLink"
		}
		if d, ok := graph.LookupSchema(schema); ok && d.Edge != nil {
			srcProp, dstProp = d.Edge.Source, d.Edge.Target
		}
	}
	parentProp, otherProp := srcProp, dstProp
	if !asSource {
		parentProp, otherProp = dstProp, srcProp
	}
	rev := reverseProp(schema, parentProp)
	if rev == "" {
		return nil, "", nil
	}
	if otherProp != "" {
		adj, _, err := n.party(ctx, other)
		switch {
		case errors.Is(err, graph.ErrNotFound):
		case err != nil:
			return nil, "", err
		default:
			props[otherProp] = []any{adj}
		}
	}
	label := schema
	if d, ok := graph.LookupSchema(schema); ok && d.Label != "" {
		label = d.Label
	}
	out := &ftmEntity{ID: r.Ref, Caption: label, Schema: schema, Properties: props, Datasets: []string{}, Referents: []string{}}
	seen := map[string]bool{}
	for _, s := range r.Sources {
		if s.Dataset != "" && !seen[s.Dataset] {
			seen[s.Dataset] = true
			out.Datasets = append(out.Datasets, s.Dataset)
		}
	}
	sort.Strings(out.Datasets)
	out.FirstSeen, out.LastSeen, out.LastChange = seenDates(r.Sources)
	return out, rev, nil
}
