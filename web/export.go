package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
)

// Subgrapher collects a subgraph for export, and reads the entities an
// ambiguous seed may mean. *store.Store implements it.
type Subgrapher interface {
	Subgraph(ctx context.Context, q export.Query) (*export.Subgraph, error)
	Entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error)
}

// ExportOptions configure GET /export.
type ExportOptions struct {
	Source Subgrapher
	// MaxEntities and MaxRelationships bound one export; a request may ask
	// for fewer entities with limit. Defaults export.DefaultMaxEntities and
	// export.DefaultMaxRelationships.
	MaxEntities      int
	MaxRelationships int
	// MaxVisited bounds the entities a path export's search visits.
	MaxVisited int
	// MaxConcurrent bounds the exports collected and encoded at once
	// (DefaultExportConcurrent); others get 503 at once. Writing an
	// encoded export holds no slot.
	MaxConcurrent int
}

// Response headers of GET /export.
const (
	HeaderTruncated     = "X-Sanctionsgraph-Truncated"
	HeaderEntities      = "X-Sanctionsgraph-Entities"
	HeaderRelationships = "X-Sanctionsgraph-Relationships"
)

type exportHandler struct {
	opt   Options
	ex    ExportOptions
	slots chan struct{}
	mem   *memory // Options.AnswerMemory, shared with GraphQL
}

// export serves GET /export when Options.Export is set.
func (s *server) export() http.Handler {
	if s.opt.Export == nil {
		return nil
	}
	ex := *s.opt.Export
	if ex.MaxEntities <= 0 {
		ex.MaxEntities = export.DefaultMaxEntities
	}
	if ex.MaxRelationships <= 0 {
		ex.MaxRelationships = export.DefaultMaxRelationships
	}
	if ex.MaxConcurrent <= 0 {
		ex.MaxConcurrent = DefaultExportConcurrent
	}
	return &exportHandler{opt: s.opt, ex: ex, slots: make(chan struct{}, ex.MaxConcurrent), mem: s.mem}
}

// paramError answers 400 with a JSON error naming the parameter.
func paramError(w http.ResponseWriter, param, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
		"message":    param + ": " + msg,
		"extensions": map[string]any{"code": schema.CodeBadUserInput, "parameter": param},
	}}})
}

// parseExportQuery reads the query parameters of GET /export:
//
//	seed=ID (repeatable) hops=N via=KIND (repeatable or comma-separated)
//	from=ID to=ID first=K maxHops=N  (a path export instead of seeds)
//	format=ftm|graphml|csv|cypher|dot|html  limit=N (entities, at most the server's)
//	title=TEXT case=TEXT author=TEXT  (what the HTML report says of itself)
//
// Seeds, from and to are any id, identifier or name (graph/resolve).
func (h *exportHandler) parseExportQuery(v url.Values) (export.Query, export.Format, *export.ParamError) {
	q := export.Query{Hops: export.DefaultHops, MaxEntities: h.ex.MaxEntities, MaxRelationships: h.ex.MaxRelationships, MaxVisited: h.ex.MaxVisited}
	known := map[string]bool{"seed": true, "hops": true, "via": true, "from": true, "to": true, "first": true, "maxHops": true, "format": true, "limit": true,
		"title": true, "case": true, "author": true}
	for k := range v {
		if !known[k] {
			return q, "", &export.ParamError{Param: k, Msg: "unknown parameter (want seed, hops, via, format, from, to, first, maxHops, limit, title, case, author)"}
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"title", &q.Report.Title}, {"case", &q.Report.Case}, {"author", &q.Report.Author}} {
		if vals := v[f.name]; len(vals) > 1 {
			return q, "", &export.ParamError{Param: f.name, Msg: "give it once"}
		} else if len(vals) == 1 {
			*f.dst = strings.TrimSpace(vals[0])
		}
	}
	if len(v["format"]) != 1 {
		return q, "", &export.ParamError{Param: "format", Msg: "give one format: ftm, graphml, csv, cypher, dot or html"}
	}
	f, err := export.ParseFormat(v.Get("format"))
	if err != nil {
		return q, "", &export.ParamError{Param: "format", Msg: fmt.Sprintf("unknown format %q (want ftm, graphml, csv, cypher, dot or html)", v.Get("format"))}
	}
	q.Seeds = v["seed"]
	q.From, q.To = v.Get("from"), v.Get("to")
	ints := []struct {
		name string
		dst  *int
		min  int
		max  int
	}{
		{"hops", &q.Hops, 0, export.MaxHopsArg},
		{"first", &q.K, 1, export.MaxPathsArg},
		{"maxHops", &q.MaxHops, 1, export.MaxPathHopsArg},
		{"limit", &q.MaxEntities, 1, h.ex.MaxEntities},
	}
	for _, p := range ints {
		vals := v[p.name]
		if len(vals) == 0 {
			continue
		}
		n, err := strconv.Atoi(vals[0])
		if len(vals) > 1 || err != nil || n < p.min || n > p.max {
			return q, "", &export.ParamError{Param: p.name, Msg: fmt.Sprintf("want one whole number from %d to %d, got %q", p.min, p.max, strings.Join(vals, ","))}
		}
		*p.dst = n
	}
	for _, s := range v["via"] {
		for _, k := range strings.Split(s, ",") {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			kind, err := graph.ParseRelType(k)
			if err != nil {
				return q, "", &export.ParamError{Param: "via", Msg: fmt.Sprintf("unknown relationship kind %q", k)}
			}
			q.Via = append(q.Via, kind)
		}
	}
	if err := q.Validate(); err != nil {
		var pe *export.ParamError
		if errors.As(err, &pe) {
			return q, "", pe
		}
		return q, "", &export.ParamError{Param: "query", Msg: "invalid"}
	}
	return q, f, nil
}

// filenameBase names the download after what it holds: the seeds (or
// from and to), in safe characters.
func filenameBase(q export.Query) string {
	parts := q.Seeds
	if q.From != "" {
		parts = []string{q.From, "to", q.To}
	}
	name := "sanctionsgraph-" + strings.Join(parts, "-")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= maxFilenameBase {
			break
		}
	}
	return b.String()
}

func (h *exportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, f, perr := h.parseExportQuery(r.URL.Query())
	if perr != nil {
		paramError(w, perr.Param, perr.Msg)
		return
	}
	select {
	case h.slots <- struct{}{}:
	default:
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusServiceUnavailable, schema.CodeTooBusy, "too many exports at once; try again")
		return
	}
	sg, body := h.build(w, r, q, f)
	if body == nil {
		return
	}
	defer body.release()
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType())
	hd.Set("Content-Disposition", `attachment; filename="`+f.Filename(filenameBase(q))+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	// The HTML report runs no script and loads nothing.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(body.Len()))
	hd.Set(HeaderEntities, strconv.Itoa(len(sg.Nodes)))
	hd.Set(HeaderRelationships, strconv.Itoa(len(sg.Relationships)))
	if sg.Truncated() {
		hd.Set(HeaderTruncated, strings.Join(sg.Limits, ", "))
	} else {
		hd.Set(HeaderTruncated, "false")
	}
	w.WriteHeader(http.StatusOK)
	if err := writeTimed(w, body.Bytes(), exportWriteIdle, exportWriteTime); err != nil {
		h.opt.Log.WarnContext(r.Context(), "export: writing the response", "err", err)
	}
}

// build collects and encodes the export of q in format f while holding
// one of the export slots, which it gives back when it returns: the slots
// bound the work of exports, and writing an encoded export to a client,
// however slowly it reads, holds none (issue 13: four clients that never
// read held all four slots for two minutes). The encoded export is held
// in memory, against the server's answer memory, until release. On a
// failure build answers the error and returns a nil body.
func (h *exportHandler) build(w http.ResponseWriter, r *http.Request, q export.Query, f export.Format) (*export.Subgraph, *heldBuffer) {
	defer func() { <-h.slots }()
	ctx, cancel := context.WithTimeout(r.Context(), h.opt.Timeout)
	sg, err := h.ex.Source.Subgraph(ctx, q)
	cancel()
	var pe *export.ParamError
	var ue *export.UnknownIDError
	var ae *export.AmbiguousRefError
	switch {
	case errors.As(err, &pe):
		paramError(w, pe.Param, pe.Msg)
		return nil, nil
	case errors.As(err, &ue):
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{{
			"message":    fmt.Sprintf("%s: no entity has the id, identifier or name %q", ue.Param, ue.ID),
			"extensions": map[string]any{"code": schema.CodeNotFound, "parameter": ue.Param},
		}}})
		return nil, nil
	case errors.As(err, &ae):
		h.ambiguous(w, r, ae)
		return nil, nil
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, schema.CodeTimeout, "the export took too long and was stopped; ask for fewer hops or kinds")
		return nil, nil
	case err != nil:
		h.opt.Log.ErrorContext(r.Context(), "export", "err", err)
		writeError(w, http.StatusInternalServerError, schema.CodeInternal, "internal error")
		return nil, nil
	}
	body := &heldBuffer{mem: h.mem}
	if err := export.Encode(body, f, sg); err != nil {
		body.release()
		if errors.Is(err, errNoMemory) {
			w.Header().Set("Retry-After", retryAfter)
			writeError(w, http.StatusServiceUnavailable, schema.CodeTooBusy, "the server is sending too many large exports at once; try again shortly")
			return nil, nil
		}
		h.opt.Log.ErrorContext(r.Context(), "export: encoding", "err", err)
		writeError(w, http.StatusInternalServerError, schema.CodeInternal, "internal error")
		return nil, nil
	}
	return sg, body
}

// ambiguous answers 400 with code AMBIGUOUS: the seed, from or to names
// several entities, listed with their scores as GraphQL lists them.
func (h *exportHandler) ambiguous(w http.ResponseWriter, r *http.Request, ae *export.AmbiguousRefError) {
	cands := []schema.Candidate{}
	var names []string
	for _, c := range ae.Err.Candidates {
		e, err := h.ex.Source.Entity(r.Context(), c.ID)
		if err != nil {
			continue
		}
		cands = append(cands, schema.Candidate{ID: e.Ref, Name: e.Name(), Kind: e.Schema, Score: c.Score, Matched: c.Matched})
		names = append(names, fmt.Sprintf("%s (%s, %.2f)", e.Name(), e.Ref, c.Score))
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
		"message":    fmt.Sprintf("%s: %q names more than one entity: %s; give one of their ids", ae.Param, ae.Err.Query, strings.Join(names, "; ")),
		"extensions": map[string]any{"code": schema.CodeAmbiguous, "parameter": ae.Param, "candidates": cands},
	}}})
}

// errNoMemory: the server's answer memory has no room for a buffer.
var errNoMemory = errors.New("no answer memory left")

// heldBuffer is a buffer whose bytes are taken from a memory budget as it
// grows, in steps of heldStep, and given back by release.
type heldBuffer struct {
	bytes.Buffer
	mem  *memory
	held int64
}

const heldStep = 1 << 20

func (b *heldBuffer) Write(p []byte) (int, error) {
	if need := int64(b.Len()+len(p)) - b.held; need > 0 {
		need = (need + heldStep - 1) / heldStep * heldStep
		if !b.mem.take(need) {
			return 0, errNoMemory
		}
		b.held += need
	}
	return b.Buffer.Write(p)
}

// release gives the buffer's bytes back to the budget.
func (b *heldBuffer) release() {
	b.mem.give(b.held)
	b.held = 0
	b.Buffer = bytes.Buffer{}
}

// writeTimed writes p to w in pieces of writeChunk bytes. Each piece must
// be taken by the client within idle, and all of them within total: a
// client that stops reading is cut off after idle rather than after the
// whole write time, and frees what its answer holds.
func writeTimed(w http.ResponseWriter, p []byte, idle, total time.Duration) error {
	rc := http.NewResponseController(w)
	end := time.Now().Add(total)
	deadline := func() {
		d := time.Now().Add(idle)
		if d.After(end) {
			d = end
		}
		rc.SetWriteDeadline(d)
	}
	for len(p) > 0 {
		n := min(len(p), writeChunk)
		deadline()
		if _, err := w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	deadline()
	return rc.Flush()
}
