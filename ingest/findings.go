package ingest

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The findings CSV is documented in FINDINGS.md. Columns are named by the
// header, in any order; unknown columns are refused so that a typo does not
// silently drop data.
var findingsColumns = map[string]bool{
	"record": true, "id": true, "schema": true, "name": true, "aliases": true, "countries": true,
	"birth_date": true, "identifiers": true, "topics": true, "notes": true,
	"from": true, "to": true, "kind": true, "role": true, "percentage": true,
	"start_date": true, "end_date": true,
	"source_url": true, "source_document": true, "source_date": true, "quote": true, "dataset": true,
}

func isFindingsHeader(line string) bool {
	r := csv.NewReader(strings.NewReader(line))
	h, err := r.Read()
	if err != nil {
		return false
	}
	have := map[string]bool{}
	for _, c := range h {
		have[strings.ToLower(strings.TrimSpace(c))] = true
	}
	return have["record"] && have["id"]
}

// ReadFindings reads a findings CSV (FINDINGS.md) into records without
// applying them, so that the caller can check them and write them as one
// change (the API's importFindings). Rows it rejects are counted in the
// summary; a file it cannot read is an error, a *FileError (or, with
// opt.Strict, the first *RecordError).
func ReadFindings(ctx context.Context, name string, r io.Reader, opt Options) ([]graph.Record, *Summary, error) {
	opt.Format = "findings"
	var c collector
	sum, err := Reader(ctx, name, r, &c, opt)
	return c.recs, sum, err
}

// collector is a Sink that keeps the records it is given. It holds no list
// entries, so there is nothing for it to delist.
type collector struct{ recs []graph.Record }

func (c *collector) Apply(_ context.Context, recs []graph.Record) ([]graph.Outcome, error) {
	c.recs = append(c.recs, recs...)
	return make([]graph.Outcome, len(recs)), nil
}

func (c *collector) ListedUnder(context.Context, string) ([]string, error) { return nil, nil }

func (c *collector) EndDesignations(context.Context, []string, string, string) (int, error) {
	return 0, nil
}

func readFindings(ctx context.Context, name string, in *bufio.Reader, sink Sink, opt Options, sum *Summary, progress func()) error {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return &FileError{File: name, Line: 1, Msg: "cannot read the CSV header", Err: err}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !findingsColumns[h] {
			return &FileError{File: name, Line: 1, Msg: fmt.Sprintf("unknown column %q (see ingest/FINDINGS.md for the columns)", h)}
		}
		if _, dup := col[h]; dup {
			return &FileError{File: name, Line: 1, Msg: fmt.Sprintf("column %q appears twice", h)}
		}
		col[h] = i
	}
	var batch []graph.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outs, err := sink.Apply(ctx, batch)
		if err != nil {
			return storeError(name, err, nil)
		}
		for _, o := range outs {
			sum.count(o)
		}
		batch = batch[:0]
		progress()
		return nil
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos may not be called after a failed Read: it panics
			// (found by FuzzFindingsCSV on an unterminated quote).
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &FileError{File: name, Line: pe.Line, Msg: "malformed CSV", Err: pe.Err}
			}
			return readError(name, 0, err)
		}
		line, _ := r.FieldPos(0)
		sum.Records++
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		rec, rerr := findingRecord(get, opt.Dataset)
		if rerr != nil {
			rerr.File, rerr.Line = name, line
			if opt.Strict {
				return rerr
			}
			sum.reject(rerr)
			continue
		}
		if rec.Entity != nil {
			sum.Schemata[rec.Entity.Schema]++
		} else {
			sum.Schemata["relationship"]++
		}
		batch = append(batch, rec)
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// listPrefixes are the id prefixes of the official lists' records (the
// Prefix of each list's ListInfo); TestListPrefixesCoverLists keeps them
// in step.
var listPrefixes = []string{"ofac:", "ofac-cons:", "un:", "eu:", "eu-fsf:", "uk:"}

func findingRecord(get func(string) string, dataset string) (graph.Record, *RecordError) {
	bad := func(field, f string, a ...any) (graph.Record, *RecordError) {
		return graph.Record{}, &RecordError{Field: field, Msg: fmt.Sprintf(f, a...)}
	}
	id := get("id")
	if msg := checkRef(id); msg != "" {
		return bad("id", "%s", msg)
	}
	for _, p := range listPrefixes {
		if strings.HasPrefix(id, p) {
			// A finding under a list's id would collide with that list's
			// record: one would replace the other at the next ingest.
			return bad("id", "%q has the form of an official list's id (%s...); give a finding an id of its own, such as finding:%s", id, p, strings.TrimPrefix(id, p))
		}
	}
	if ds := get("dataset"); ds != "" {
		dataset = ds
	}
	src := graph.Source{Dataset: dataset, RecordID: id, URL: get("source_url"), Document: get("source_document"), Date: get("source_date"), Quote: get("quote")}
	if src.Date != "" && !graph.IsPartialDate(src.Date) {
		return bad("source_date", "want a date as YYYY, YYYY-MM or YYYY-MM-DD, got %q", src.Date)
	}
	if src.URL != "" && !graph.IsHTTPURL(src.URL) {
		return bad("source_url", "want an http(s) URL, got %q", src.URL)
	}
	props := map[string][]string{}
	for c, p := range map[string]string{"start_date": "startDate", "end_date": "endDate", "birth_date": "birthDate"} {
		if v := get(c); v != "" {
			if !graph.IsPartialDate(v) {
				return bad(c, "want a date as YYYY, YYYY-MM or YYYY-MM-DD, got %q", v)
			}
			props[p] = []string{v}
		}
	}
	switch kind := strings.ToLower(get("record")); kind {
	case "entity":
		schema := get("schema")
		if schema == "" {
			schema = "LegalEntity"
		}
		if !graph.IsEntitySchema(schema) {
			return bad("schema", "%q is not an entity schema (use Person, Company, Organization, LegalEntity, PublicBody, Vessel, ...)", schema)
		}
		name := get("name")
		if name == "" {
			return bad("name", "an entity needs a name")
		}
		props["name"] = []string{name}
		if v := splitList(get("aliases")); len(v) > 0 {
			props["alias"] = v
		}
		if v := splitList(get("countries")); len(v) > 0 {
			for _, c := range v {
				if len(c) < 2 || len(c) > 10 {
					return bad("countries", "want country codes such as ru or kp, got %q", c)
				}
			}
			props["country"] = lower(v)
		}
		if v := splitList(get("topics")); len(v) > 0 {
			props["topics"] = v
		}
		if v := get("notes"); v != "" {
			props["notes"] = []string{v}
		}
		for _, idv := range splitList(get("identifiers")) {
			scheme, value, ok := strings.Cut(idv, ":")
			scheme, value = strings.TrimSpace(scheme), strings.TrimSpace(value)
			if !ok || value == "" || graph.PropType(schema, scheme) != "identifier" {
				return bad("identifiers", "want scheme:value with an FtM identifier scheme (swiftBic, imoNumber, registrationNumber, taxNumber, passportNumber, ...), got %q", idv)
			}
			props[scheme] = append(props[scheme], value)
		}
		if _, ok := props["birthDate"]; ok && !(&graph.Entity{Schema: schema}).Is("Person") {
			return bad("birth_date", "only a Person has a birth date")
		}
		return graph.Record{Ref: id, Entity: &graph.Entity{Ref: id, Schema: schema, Caption: name, Props: props, Sources: []graph.Source{src}}}, nil
	case "relationship":
		from, to := get("from"), get("to")
		if msg := checkRef(from); msg != "" {
			return bad("from", "%s", msg)
		}
		if msg := checkRef(to); msg != "" {
			return bad("to", "%s", msg)
		}
		k, err := graph.ParseRelType(get("kind"))
		if err != nil {
			names := make([]string, 0)
			for _, t := range graph.RelTypes() {
				names = append(names, t.String())
			}
			return bad("kind", "unknown relationship kind %q (want one of %s)", get("kind"), strings.Join(names, ", "))
		}
		if src.URL == "" && src.Document == "" {
			return bad("source_url", "a relationship needs a source: source_url or source_document")
		}
		if v := get("role"); v != "" {
			props["role"] = []string{v}
		}
		if v := get("percentage"); v != "" {
			f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
			if err != nil || f < 0 || f > 100 {
				return bad("percentage", "want a number from 0 to 100, got %q", v)
			}
			props["percentage"] = []string{strings.TrimSuffix(v, "%")}
		}
		if _, ok := props["birthDate"]; ok {
			return bad("birth_date", "a relationship has no birth date")
		}
		return graph.Record{Ref: id, Relationships: []graph.Relationship{{Ref: id, Kind: k, SourceRef: from, TargetRef: to, Props: props, Sources: []graph.Source{src}}}}, nil
	case "":
		return bad("record", "missing (want entity or relationship)")
	default:
		return bad("record", "want entity or relationship, got %q", kind)
	}
}

func lower(v []string) []string {
	for i := range v {
		v[i] = strings.ToLower(v[i])
	}
	return v
}
