package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// A user's own parties, for screening (`screen --file`) and watchlists
// (`watch import`): a CSV file with a header, or FollowTheMoney JSON lines.
//
// CSV columns, in any order, case and spacing ignored: name (required),
// ref (the user's reference; required in a watchlist), kind (or schema,
// type), country (or nationality), dob (or birthDate, birth_date,
// date_of_birth), ids (or identifiers, identifier; several separated by
// ";"), aliases (or alias; several separated by ";"), and entity (an id of
// the party's own entity in the graph). Other columns are ignored.

// PartyRow is one row of a parties file, with its line.
type PartyRow struct {
	Line  int
	Party watch.Party
}

// MaxPartyRows bounds the rows of one parties file.
const MaxPartyRows = 1_000_000

// partyColumns maps the header names a parties CSV may use to its columns.
var partyColumns = map[string]string{
	"name": "name", "ref": "ref", "kind": "kind", "schema": "kind", "type": "kind",
	"country": "country", "nationality": "country",
	"dob": "dob", "birthdate": "dob", "birth_date": "dob", "date_of_birth": "dob",
	"ids": "ids", "identifiers": "ids", "identifier": "ids",
	"aliases": "aliases", "alias": "aliases", "entity": "entity",
}

// ReadPartiesCSV reads the rows of a parties CSV as they are (cells
// trimmed, lists split; nothing checked but the header and the CSV
// itself). file names the input in errors. It fails on a missing name
// column, bad CSV, or more than MaxPartyRows rows.
func ReadPartiesCSV(file string, r io.Reader) ([]PartyRow, error) {
	cr := csv.NewReader(newTextReader(file, r, true))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FileError{File: file, Msg: "empty: want a header row (name, ref, kind, country, dob, ids)"}
		}
		return nil, csvError(file, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if c, ok := partyColumns[h]; ok {
			if _, dup := col[c]; !dup {
				col[c] = i
			}
		}
	}
	if _, ok := col["name"]; !ok {
		return nil, &FileError{File: file, Line: 1, Msg: "the header has no name column (columns: name, ref, kind, country, dob, ids, aliases, entity)"}
	}
	cell := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []PartyRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) == MaxPartyRows {
			return nil, &FileError{File: file, Line: line, Msg: fmt.Sprintf("more than %d rows", MaxPartyRows)}
		}
		p := watch.Party{Ref: cell(rec, "ref"), Name: cell(rec, "name"), Kind: cell(rec, "kind"), Country: cell(rec, "country"),
			BirthDate: cell(rec, "dob"), Identifiers: splitCell(cell(rec, "ids")), Aliases: splitCell(cell(rec, "aliases")),
			Entity: cell(rec, "entity")}
		out = append(out, PartyRow{Line: line, Party: p})
	}
	return out, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{File: file, Line: pe.Line, Msg: "bad CSV", Err: pe.Err}
	}
	return readError(file, 0, err)
}

func splitCell(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// maxWatchlistErrors bounds the row errors ReadWatchlist returns.
const maxWatchlistErrors = 50

// ReadWatchlist reads the parties of a watchlist from a CSV file (see
// ReadPartiesCSV) or FollowTheMoney JSON lines (one party per entity of a
// party schema: its id is the ref; its names, aliases, schema, first
// country, first birth date and identifiers; other records are skipped
// and counted in skipped). Every party is checked as screening will read
// it (watch.Party.Check); a bad row is a *RecordError naming the line and
// the field, and if any row is bad the watchlist is refused as a whole
// (importing part of it would remove the rest): the errors come back in
// rows, the first maxWatchlistErrors of them.
func ReadWatchlist(ctx context.Context, file string, r io.Reader) (parties []watch.Party, skipped int, err error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(512)
	var rows []PartyRow
	if b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n"); len(b) > 0 && b[0] == '{' {
		rows, skipped, err = readPartiesFtM(ctx, file, br)
	} else {
		rows, err = ReadPartiesCSV(file, br)
	}
	if err != nil {
		return nil, 0, err
	}
	var bad []error
	seen := map[string]int{}
	for _, row := range rows {
		p := row.Party
		if p.Ref == "" {
			bad = append(bad, &RecordError{File: file, Line: row.Line, Field: "ref", Msg: "required: your own reference of the party, which a later import updates by"})
		} else if at, ok := seen[p.Ref]; ok {
			bad = append(bad, &RecordError{File: file, Line: row.Line, Field: "ref", Msg: fmt.Sprintf("%q is also the ref of line %d", p.Ref, at)})
		} else if err := p.Check(); err != nil {
			field, msg := splitFieldError(err)
			bad = append(bad, &RecordError{File: file, Line: row.Line, Field: field, Msg: msg})
		}
		if len(bad) == maxWatchlistErrors {
			break
		}
		seen[p.Ref] = row.Line
		parties = append(parties, p)
	}
	if len(bad) > 0 {
		return nil, skipped, &RowsError{File: file, Errors: bad, Rows: len(rows)}
	}
	return parties, skipped, nil
}

// RowsError lists the bad rows of a file refused as a whole.
type RowsError struct {
	File   string
	Rows   int
	Errors []error
}

func (e *RowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bad rows (nothing imported):", e.File, len(e.Errors))
	for _, x := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(x.Error())
	}
	if len(e.Errors) == maxWatchlistErrors {
		b.WriteString("\n  ... (the first ones only)")
	}
	return b.String()
}

// Unwrap lets errors.Is find graph.ErrInvalid: the input is bad.
func (e *RowsError) Unwrap() error { return graph.ErrInvalid }

// splitFieldError splits "invalid input: country: ..." into its field and
// message.
func splitFieldError(err error) (field, msg string) {
	s := strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": ")
	if f, m, ok := strings.Cut(s, ": "); ok && !strings.ContainsAny(f, " \"") {
		return f, strings.TrimPrefix(m, graph.ErrInvalid.Error()+": ")
	}
	if f, m, ok := strings.Cut(s, ": "); ok && strings.HasPrefix(f, "aliases") {
		return "aliases", strings.TrimPrefix(m, graph.ErrInvalid.Error()+": ")
	}
	return "", s
}

// readPartiesFtM reads the party entities of FtM JSON lines.
func readPartiesFtM(ctx context.Context, file string, r io.Reader) ([]PartyRow, int, error) {
	sc := bufio.NewScanner(newTextReader(file, r, false))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var out []PartyRow
	skipped, line := 0, 0
	for sc.Scan() {
		line++
		if line%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		rec, _, rerr := parseFTMLine(b, file, line, "")
		if rerr != nil {
			return nil, 0, rerr
		}
		e := rec.Entity
		if e == nil || !screen.Screenable(e.Schema) {
			skipped++
			continue
		}
		if len(out) == MaxPartyRows {
			return nil, 0, &FileError{File: file, Line: line, Msg: fmt.Sprintf("more than %d parties", MaxPartyRows)}
		}
		names := watch.StrongNames(e)
		p := watch.Party{Ref: e.Ref, Name: e.Name(), Kind: e.Schema, BirthDate: e.First("birthDate")}
		for _, n := range names {
			if n != p.Name && len(p.Aliases) < watch.MaxAliases {
				p.Aliases = append(p.Aliases, n)
			}
		}
		if cs := e.Countries(); len(cs) > 0 {
			p.Country = cs[0]
		}
		for _, id := range e.Identifiers() {
			if len(p.Identifiers) < screen.MaxIdentifiers && len(graph.IdentifierKey(id.Value)) >= 4 {
				p.Identifiers = append(p.Identifiers, id.Value)
			}
		}
		out = append(out, PartyRow{Line: line, Party: p})
	}
	if err := sc.Err(); err != nil {
		return nil, 0, readError(file, line, err)
	}
	return out, skipped, nil
}
