package export

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CSV file names inside the zip.
const (
	CSVNodes         = "nodes.csv"
	CSVRelationships = "relationships.csv"
	CSVReadme        = "README.txt"
	CSVTruncated     = "TRUNCATED.txt"
)

// Headers of the CSV files, in the neo4j-admin import layout: id:ID and
// :LABEL for nodes, :START_ID, :END_ID and :TYPE for relationships, typed
// columns, and arrays (string[]) delimited by ";".
var (
	csvNodeHeader = []string{"id:ID", ":LABEL", "name", "schema", "kind", "sanctioned:boolean", "seed:boolean",
		"countries:string[]", "aliases:string[]", "designations:string[]", "datasets:string[]", "records:string[]"}
	csvRelHeader = []string{":START_ID", ":END_ID", ":TYPE", "id", "kind", "schema", "percentage:float", "role",
		"startDate", "endDate", "sources:string[]"}
)

// csvField makes a single value safe for neo4j-admin: a line break inside
// a field needs --multiline-fields, so it becomes a space.
func csvField(s string) string { return lineBreaks.Replace(s) }

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// csvFormula defuses CSV injection: a cell that starts with =, +, -, @, a
// tab or a carriage return is read by Excel, LibreOffice and Google Sheets
// as a formula (=HYPERLINK(...), =cmd|...), so, as OWASP's "CSV
// Injection" advises, it gets a leading ' which spreadsheets take as "this
// is text" and do not show. A plain number ("-1.5", "+7") is no formula
// and is left as it is, so numeric columns still import as numbers. The
// full-width forms of the four signs are treated the same, as some
// spreadsheet locales read them as the ASCII ones.
//
// The ' stays in the value neo4j-admin imports; the README in the zip
// says so. Every cell is written through csvRow, which applies it, so no
// column (names, ids, roles, dates, schema) is left out.
func csvFormula(s string) string {
	if s == "" {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(s); r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		if r < utf8.RuneSelf && plainNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// plainNumber reports whether s is a decimal number such as -1.5 or +2e3
// (not hex, Inf or NaN, which ParseFloat also takes).
func plainNumber(s string) bool {
	if strings.Trim(s, "0123456789.eE+-") != "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// csvArray joins an array column with ";", the neo4j-admin array
// delimiter; a ";" inside a value would split it, so it becomes ",". Each
// value is defused on its own (csvFormula), so the cell, which starts with
// the first, is too.
func csvArray(vals []string) string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v = csvFormula(strings.TrimSpace(strings.ReplaceAll(csvField(v), ";", ","))); v != "" {
			out = append(out, v)
		}
	}
	return strings.Join(out, ";")
}

// csvRow writes one row of values, each cell defused (csvFormula); cells
// is the caller's own slice, which it changes.
func csvRow(cw *csv.Writer, cells []string) error {
	for i, c := range cells {
		cells[i] = csvFormula(c)
	}
	return cw.Write(cells)
}

// neo4jLabel turns a schema name into a label: letters and digits only.
func neo4jLabel(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || b.String()[0] >= '0' && b.String()[0] <= '9' {
		return "X" + b.String()
	}
	return b.String()
}

// nodeLabels are a node's neo4j labels: Entity, its schema, and Sanctioned
// when a designation is in force.
func nodeLabels(n *Node) []string {
	ls := []string{"Entity", neo4jLabel(n.Entity.Schema)}
	if n.sanctioned() {
		ls = append(ls, "Sanctioned")
	}
	return ls
}

// encodeCSV writes a zip of nodes.csv and relationships.csv for
// neo4j-admin database import, with a README.txt giving the command, and a
// TRUNCATED.txt when a limit cut the export.
func encodeCSV(w io.Writer, s *Subgraph) error {
	zw := zip.NewWriter(w)
	create := func(name string) (io.Writer, error) {
		// A fixed time keeps the archive the same for the same subgraph.
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	f, err := create(CSVReadme)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, "sanctionsgraph export: "+csvField(s.Query)+"\n\n"+
		"Import into an empty Neo4j database with:\n\n"+
		"  neo4j-admin database import full --nodes="+CSVNodes+" --relationships="+CSVRelationships+" --array-delimiter=';' neo4j\n\n"+
		"Array columns (string[]) are delimited by ';'; a ';' inside a value was written as ','.\n"+
		"A value that starts with =, +, -, @ or a tab (other than a number) starts with ' so that\n"+
		"spreadsheets show it as text and do not run it as a formula; remove the ' after import if needed.\n"); err != nil {
		return err
	}
	if note := s.truncationNote(); note != "" {
		f, err := create(CSVTruncated)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, note+"\n"); err != nil {
			return err
		}
	}
	f, err = create(CSVNodes)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	if err := cw.Write(csvNodeHeader); err != nil {
		return err
	}
	for _, n := range s.Nodes {
		e := n.Entity
		var ds, recs []string
		for _, d := range n.Designations {
			ds = append(ds, designationText(d))
		}
		for _, r := range n.Records {
			recs = append(recs, r.Ref)
		}
		if err := csvRow(cw, []string{csvField(e.Ref), strings.Join(nodeLabels(n), ";"), csvField(e.Name()), e.Schema, entityKind(e),
			strconv.FormatBool(n.sanctioned()), strconv.FormatBool(n.Seed),
			csvArray(e.Countries()), csvArray(e.Aliases()), csvArray(ds), csvArray(e.Datasets()), csvArray(recs)}); err != nil {
			return err
		}
	}
	if cw.Flush(); cw.Error() != nil {
		return cw.Error()
	}
	f, err = create(CSVRelationships)
	if err != nil {
		return err
	}
	cw = csv.NewWriter(f)
	if err := cw.Write(csvRelHeader); err != nil {
		return err
	}
	for _, r := range s.Relationships {
		pct := ""
		if p, ok := r.Percentage(); ok {
			pct = strconv.FormatFloat(p, 'g', -1, 64)
		}
		if err := csvRow(cw, []string{csvField(s.nodeRef(r.Source)), csvField(s.nodeRef(r.Target)), r.Kind.EnumName(),
			csvField(r.Ref), r.Kind.String(), r.Schema, pct, csvField(r.Role()), r.StartDate(), r.EndDate(),
			csvArray(sourceText(r.Sources))}); err != nil {
			return err
		}
	}
	if cw.Flush(); cw.Error() != nil {
		return cw.Error()
	}
	return zw.Close()
}
