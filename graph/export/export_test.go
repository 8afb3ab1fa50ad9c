package export_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
)

// hostile are names that break a careless encoder.
var hostile = []string{
	`<script>alert("x")</script>`,
	`O'Brien "Bobby" \ Ltd; & Co`,
	"line one\nline two\r\tend",
	"'); MATCH (n) DETACH DELETE n; //",
	"\"]; \"evil\" -> \"x\" [label=\"",
	"--> <!-- ]]> `backtick` ${x}",
	"Российское финансовое общество 朝鲜 \u2028sep",
}

func entity(ref, schema, name string, props map[string][]string) *graph.Entity {
	p := map[string][]string{"name": {name}}
	for k, v := range props {
		p[k] = v
	}
	return &graph.Entity{ID: graph.KeyFor(ref), Ref: ref, Schema: schema, Props: p,
		Sources: []graph.Source{{Dataset: "test", RecordID: ref, URL: "https://example.org/" + ref}}}
}

// testSubgraph builds a subgraph with a node per hostile name, a merged
// party of two records, a designation and relationships of several kinds.
func testSubgraph(truncated bool) *export.Subgraph {
	sg := &export.Subgraph{Query: "test <export> of 'hostile' names"}
	a := entity("rec-a", "Company", "Alpha Bank", map[string][]string{"country": {"kp"}, "swiftBic": {"ALPHKPPY"}})
	b := entity("rec-b", "Company", "Alpha Bank of Korea", map[string][]string{"country": {"kp"}, "swiftBic": {"ALPHKPPY"}})
	party := graph.MergeEntities(a.ID, []*graph.Entity{a, b})
	prog := &graph.Entity{ID: graph.KeyFor("programme:us-ofac/npwmd"), Ref: "programme:us-ofac/npwmd", Schema: graph.SchemaProgramme,
		Props: map[string][]string{"name": {"US OFAC / NPWMD"}, "authority": {"US OFAC"}}}
	desig := &graph.Relationship{ID: graph.KeyFor("sanction-a"), Ref: "sanction-a", Kind: graph.RelDesignatedBy, Schema: "Sanction",
		Source: party.ID, Target: prog.ID, SourceRef: "rec-b", TargetRef: prog.Ref,
		Props: map[string][]string{"authority": {"US OFAC"}, "program": {"NPWMD"}, "listingDate": {"2013-03-11"}}}
	sg.Nodes = append(sg.Nodes,
		&export.Node{Entity: party, Records: []*graph.Entity{a, b}, Seed: true, Designations: []graph.Designation{graph.NewDesignation(desig, prog)}},
		&export.Node{Entity: prog, Records: []*graph.Entity{prog}})
	sg.Relationships = append(sg.Relationships, desig)
	for i, name := range hostile {
		ref := fmt.Sprintf("hostile-%d", i)
		e := entity(ref, "Person", name, nil)
		if i == 0 {
			e.Schema = "Company"
		}
		sg.Nodes = append(sg.Nodes, &export.Node{Entity: e, Records: []*graph.Entity{e}})
		kind := []graph.RelType{graph.RelOwns, graph.RelLinkedTo, graph.RelDirectorOf, graph.RelOpenedAccountsFor}[i%4]
		r := &graph.Relationship{ID: graph.KeyFor(ref + "-rel"), Ref: ref + "-rel", Kind: kind,
			Source: party.ID, Target: e.ID, SourceRef: "rec-a", TargetRef: ref,
			Props:   map[string][]string{"role": {name}, "startDate": {"2019-06"}},
			Sources: []graph.Source{{Dataset: "test", URL: "javascript:alert(1)", Quote: name}}}
		if kind == graph.RelOwns {
			r.Schema = "Ownership"
			r.Props["percentage"] = []string{"51.5"}
		}
		sg.Relationships = append(sg.Relationships, r)
	}
	if truncated {
		sg.AddLimit(export.LimitEntities)
	}
	sg.Finish()
	return sg
}

func encode(t *testing.T, f export.Format, sg *export.Subgraph) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := export.Encode(&b, f, sg); err != nil {
		t.Fatalf("Encode(%s): %v", f, err)
	}
	return b.Bytes()
}

func TestParseFormat(t *testing.T) {
	for _, f := range export.Formats() {
		got, err := export.ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f, got, err)
		}
		if f.ContentType() == "application/octet-stream" || !strings.HasPrefix(f.Filename("x"), "x.") {
			t.Errorf("format %s: content type %q, file %q", f, f.ContentType(), f.Filename("x"))
		}
	}
	if _, err := export.ParseFormat("pdf"); err == nil || !strings.Contains(err.Error(), "ftm, graphml, csv, cypher, dot, html") {
		t.Errorf("ParseFormat(pdf) = %v, want an error listing the formats", err)
	}
}

func TestFTMLines(t *testing.T) {
	sg := testSubgraph(false)
	out := encode(t, export.FTM, sg)
	byID := map[string]map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		byID[l["id"].(string)] = l
	}
	// Both records of the party, the designation as a Sanction, every
	// relationship with its ends; the programme is derived from the Sanction.
	for _, id := range []string{"rec-a", "rec-b", "sanction-a"} {
		if byID[id] == nil {
			t.Errorf("no line %s", id)
		}
	}
	if byID["programme:us-ofac/npwmd"] != nil {
		t.Errorf("programme written although the Sanction line recreates it")
	}
	if p := byID["sanction-a"]["properties"].(map[string]any); byID["sanction-a"]["schema"] != "Sanction" || p["entity"].([]any)[0] != "rec-b" {
		t.Errorf("sanction line = %v", byID["sanction-a"])
	}
	for i, name := range hostile {
		ref := fmt.Sprintf("hostile-%d", i)
		e := byID[ref]
		if e == nil || e["properties"].(map[string]any)["name"].([]any)[0] != name {
			t.Errorf("entity %s = %v, want name %q", ref, e, name)
		}
		r := byID[ref+"-rel"]
		if r == nil {
			t.Errorf("no relationship line %s-rel", ref)
			continue
		}
		def, _ := graph.LookupSchema(r["schema"].(string))
		if def == nil || def.Edge == nil {
			t.Errorf("relationship %s has schema %v, want an FtM edge schema", ref, r["schema"])
			continue
		}
		p := r["properties"].(map[string]any)
		if p[def.Edge.Source].([]any)[0] != "rec-a" || p[def.Edge.Target].([]any)[0] != ref {
			t.Errorf("relationship %s ends = %v", ref, p)
		}
	}
}

// graphmlDoc is GraphML as encoding/xml reads it.
type graphmlDoc struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string        `xml:"edgedefault,attr"`
		Data        []graphmlData `xml:"data"`
		Nodes       []struct {
			ID   string        `xml:"id,attr"`
			Data []graphmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			Source string        `xml:"source,attr"`
			Target string        `xml:"target,attr"`
			Data   []graphmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type graphmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func dataMap(d []graphmlData) map[string]string {
	m := map[string]string{}
	for _, x := range d {
		m[x.Key] = x.Value
	}
	return m
}

func TestGraphML(t *testing.T) {
	sg := testSubgraph(true)
	out := encode(t, export.GraphML, sg)
	var doc graphmlDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("GraphML does not parse: %v\n%s", err, out)
	}
	keys := map[string]string{}
	for _, k := range doc.Keys {
		if !slices.Contains([]string{"boolean", "int", "long", "float", "double", "string"}, k.Type) || !slices.Contains([]string{"graph", "node", "edge"}, k.For) {
			t.Errorf("key %s: for %q type %q", k.ID, k.For, k.Type)
		}
		keys[k.For+"/"+k.Name] = k.ID
	}
	for _, want := range []string{"node/kind", "node/name", "node/schema", "node/sanctioned", "node/countries", "node/designations",
		"edge/kind", "edge/percentage", "edge/role", "edge/startDate", "edge/endDate", "edge/sources", "graph/truncated"} {
		if keys[want] == "" {
			t.Errorf("no key %s", want)
		}
	}
	if g := dataMap(doc.Graph.Data); g[keys["graph/truncated"]] != "true" || !bytes.Contains(out, []byte("<!-- TRUNCATED")) {
		t.Errorf("truncation not marked: %v", g)
	}
	if len(doc.Graph.Nodes) != len(sg.Nodes) || len(doc.Graph.Edges) != len(sg.Relationships) {
		t.Fatalf("%d nodes, %d edges; want %d, %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), len(sg.Nodes), len(sg.Relationships))
	}
	names := map[string]map[string]string{}
	for _, n := range doc.Graph.Nodes {
		names[n.ID] = dataMap(n.Data)
	}
	for _, n := range sg.Nodes {
		d := names[n.Entity.Ref]
		if d == nil || d[keys["node/name"]] != strings.ReplaceAll(n.Entity.Name(), "\r", "\n") && d[keys["node/name"]] != n.Entity.Name() {
			t.Errorf("node %s = %v, want name %q", n.Entity.Ref, d, n.Entity.Name())
		}
	}
	if d := names["rec-a"]; d[keys["node/sanctioned"]] != "true" || !strings.Contains(d[keys["node/designations"]], "NPWMD") {
		t.Errorf("party node = %v, want sanctioned with its designation", d)
	}
	for i, e := range doc.Graph.Edges {
		r := sg.Relationships[i]
		d := dataMap(e.Data)
		if names[e.Source] == nil || names[e.Target] == nil || d[keys["edge/kind"]] != r.Kind.String() {
			t.Errorf("edge %d = %s -> %s %v, want ends among the nodes and kind %s", i, e.Source, e.Target, d, r.Kind)
		}
		if p, ok := r.Percentage(); ok {
			if got, _ := strconv.ParseFloat(d[keys["edge/percentage"]], 64); got != p {
				t.Errorf("edge %s percentage = %q, want %v", r.Ref, d[keys["edge/percentage"]], p)
			}
		}
	}
	checkNetworkX(t, out, len(sg.Nodes), len(sg.Relationships))
}

// checkNetworkX loads the GraphML with networkx's read_graphml, a real
// GraphML consumer (Debian's python3-networkx, which .ci/run installs): it
// refuses undeclared keys and values that do not parse as their type.
func checkNetworkX(t *testing.T, graphml []byte, nodes, edges int) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import networkx").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-networkx is missing in CI: %v", err)
		}
		t.Skipf("python3-networkx not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "export.graphml")
	if err := os.WriteFile(path, graphml, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `import sys, json, networkx as nx
g = nx.read_graphml(sys.argv[1])
sanctioned = [n for n, d in g.nodes(data=True) if d.get("sanctioned") is True]
pct = [d["percentage"] for _, _, d in g.edges(data=True) if "percentage" in d]
assert all(isinstance(p, float) for p in pct), pct
print(json.dumps({"directed": g.is_directed(), "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
  "sanctioned": sanctioned, "names": sorted(d["name"] for _, d in g.nodes(data=True)), "pct": pct}))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("networkx read_graphml: %v\n%s", err, out)
	}
	var got struct {
		Directed   bool
		Nodes      int
		Edges      int
		Sanctioned []string
		Names      []string
		Pct        []float64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !got.Directed || got.Nodes != nodes || got.Edges != edges || !slices.Equal(got.Sanctioned, []string{"rec-a"}) || len(got.Pct) == 0 {
		t.Errorf("networkx read %+v; want directed, %d nodes, %d edges, rec-a sanctioned, percentages", got, nodes, edges)
	}
	for _, h := range hostile[:2] {
		if !slices.Contains(got.Names, h) {
			t.Errorf("networkx names lack %q: %q", h, got.Names)
		}
	}
}

func TestCSVZip(t *testing.T) {
	sg := testSubgraph(true)
	out := encode(t, export.CSV, sg)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, ".csv") {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = rows
		}
	}
	if !slices.Contains(names, export.CSVTruncated) || !slices.Contains(names, export.CSVReadme) {
		t.Errorf("zip holds %v; want README and TRUNCATED", names)
	}
	nodes, rels := files[export.CSVNodes], files[export.CSVRelationships]
	if len(nodes) != len(sg.Nodes)+1 || len(rels) != len(sg.Relationships)+1 {
		t.Fatalf("%d node rows, %d relationship rows; want %d, %d plus headers", len(nodes), len(rels), len(sg.Nodes), len(sg.Relationships))
	}
	col := func(header []string, name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, header)
		}
		return i
	}
	idC, labelC, nameC := col(nodes[0], "id:ID"), col(nodes[0], ":LABEL"), col(nodes[0], "name")
	sanC, desC, cntC := col(nodes[0], "sanctioned:boolean"), col(nodes[0], "designations:string[]"), col(nodes[0], "countries:string[]")
	ids := map[string]bool{}
	for i, row := range nodes[1:] {
		n := sg.Nodes[i]
		ids[row[idC]] = true
		want := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(n.Entity.Name())
		if strings.HasPrefix(want, "-") {
			want = "'" + want // a formula sign is defused (TestCSVFormulas)
		}
		if row[idC] != n.Entity.Ref || row[nameC] != want {
			t.Errorf("node row %d = %q, want id %s name %q", i, row, n.Entity.Ref, want)
		}
		if labels := strings.Split(row[labelC], ";"); labels[0] != "Entity" || labels[1] != n.Entity.Schema {
			t.Errorf("labels %q", row[labelC])
		}
		if n.Entity.Ref == "rec-a" && (row[sanC] != "true" || !strings.Contains(row[desC], "NPWMD") || row[cntC] != "kp") {
			t.Errorf("party row = %q", row)
		}
	}
	s, e, ty, pc := col(rels[0], ":START_ID"), col(rels[0], ":END_ID"), col(rels[0], ":TYPE"), col(rels[0], "percentage:float")
	for i, row := range rels[1:] {
		r := sg.Relationships[i]
		if !ids[row[s]] || !ids[row[e]] || row[ty] != r.Kind.EnumName() {
			t.Errorf("relationship row %d = %q", i, row)
		}
		if p, ok := r.Percentage(); ok {
			if got, err := strconv.ParseFloat(row[pc], 64); err != nil || got != p {
				t.Errorf("percentage %q, want %v", row[pc], p)
			}
		}
	}
}

// cypherToken is a token of a Cypher statement.
type cypherToken struct {
	kind string // str, ident, quoted (backtick), punct, num
	text string
}

// lexCypher splits a Cypher script into statements of tokens, decoding
// string literals; it fails on anything it does not know, such as a
// literal left open.
func lexCypher(src string) ([][]cypherToken, error) {
	var stmts [][]cypherToken
	var cur []cypherToken
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == '/' && i+1 < len(rs) && rs[i+1] == '/':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case c == ' ' || c == '\n':
			i++
		case c == '\'':
			var b strings.Builder
			i++
			for ; ; i++ {
				if i >= len(rs) {
					return nil, fmt.Errorf("string literal not closed")
				}
				if rs[i] == '\n' || rs[i] == '\r' {
					return nil, fmt.Errorf("raw line break in a string literal")
				}
				if rs[i] == '\'' {
					i++
					break
				}
				if rs[i] == '\\' {
					i++
					switch rs[i] {
					case '\\', '\'', '"':
						b.WriteRune(rs[i])
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					case 'u':
						v, err := strconv.ParseUint(string(rs[i+1:i+5]), 16, 32)
						if err != nil {
							return nil, err
						}
						b.WriteRune(rune(v))
						i += 4
					default:
						return nil, fmt.Errorf("unknown escape \\%c", rs[i])
					}
					continue
				}
				b.WriteRune(rs[i])
			}
			cur = append(cur, cypherToken{"str", b.String()})
		case c == '`':
			j := i + 1
			var b strings.Builder
			for ; j < len(rs); j++ {
				if rs[j] == '`' {
					if j+1 < len(rs) && rs[j+1] == '`' {
						b.WriteByte('`')
						j++
						continue
					}
					break
				}
				b.WriteRune(rs[j])
			}
			cur = append(cur, cypherToken{"quoted", b.String()})
			i = j + 1
		case c == ';':
			stmts = append(stmts, cur)
			cur = nil
			i++
		case strings.ContainsRune("(){}[]:,.=+-<>", c):
			cur = append(cur, cypherToken{"punct", string(c)})
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			cur = append(cur, cypherToken{"num", string(rs[i:j])})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(rs) && (rs[j] == '_' || rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			cur = append(cur, cypherToken{"ident", string(rs[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("last statement has no ';'")
	}
	return stmts, nil
}

// prop returns the string value of key: 'value' in a statement's map
// literals (the first one after skip occurrences).
func prop(st []cypherToken, key string, skip int) (string, bool) {
	for i := 0; i+2 < len(st); i++ {
		if st[i].kind == "ident" && st[i].text == key && st[i+1].text == ":" && st[i+2].kind == "str" {
			if skip == 0 {
				return st[i+2].text, true
			}
			skip--
		}
	}
	return "", false
}

func TestCypherEscaping(t *testing.T) {
	sg := testSubgraph(true)
	out := encode(t, export.Cypher, sg)
	stmts, err := lexCypher(string(out))
	if err != nil {
		t.Fatalf("lex: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("// TRUNCATED")) {
		t.Errorf("no truncation comment")
	}
	// A constraint, one statement per node and per relationship.
	if len(stmts) != 1+len(sg.Nodes)+len(sg.Relationships) {
		t.Fatalf("%d statements, want %d", len(stmts), 1+len(sg.Nodes)+len(sg.Relationships))
	}
	for i, n := range sg.Nodes {
		st := stmts[1+i]
		if st[0].text != "MERGE" {
			t.Errorf("node statement starts with %q", st[0].text)
		}
		id, _ := prop(st, "id", 0)
		name, _ := prop(st, "name", 0)
		if id != n.Entity.Ref || name != n.Entity.Name() {
			t.Errorf("node statement %d: id %q name %q, want %q %q", i, id, name, n.Entity.Ref, n.Entity.Name())
		}
	}
	for i, r := range sg.Relationships {
		st := stmts[1+len(sg.Nodes)+i]
		a, _ := prop(st, "id", 0)
		b, _ := prop(st, "id", 1)
		id, _ := prop(st, "id", 2)
		role, _ := prop(st, "role", 0)
		if st[0].text != "MATCH" || a != sg.Node(r.Source).Entity.Ref || b != sg.Node(r.Target).Entity.Ref || id != r.Ref || role != r.Role() {
			t.Errorf("relationship statement %d: %q %q %q role %q; want %s %s %s %q", i, a, b, id, role, sg.Node(r.Source).Entity.Ref, sg.Node(r.Target).Entity.Ref, r.Ref, r.Role())
		}
		if !slices.Contains(st, cypherToken{"quoted", r.Kind.EnumName()}) {
			t.Errorf("relationship statement %d has no type %s", i, r.Kind.EnumName())
		}
	}
	for _, h := range hostile {
		if got, err := lexCypher("RETURN " + export.CypherString(h) + ";"); err != nil || got[0][1].text != h {
			t.Errorf("CypherString(%q) reads back as %v, %v", h, got, err)
		}
	}
}

// lexDOT returns the double-quoted strings of a DOT file, decoded, and
// fails on a string left open.
func lexDOT(src string) ([]string, error) {
	var out []string
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '/':
			if strings.HasPrefix(src[i:], "//") {
				i += strings.IndexByte(src[i:], '\n')
			}
		case '"':
			var b strings.Builder
			for i++; ; i++ {
				if i >= len(src) {
					return nil, fmt.Errorf("string not closed")
				}
				if src[i] == '"' {
					break
				}
				if src[i] == '\n' {
					return nil, fmt.Errorf("raw line break in a string")
				}
				if src[i] == '\\' {
					i++
					switch src[i] {
					case 'n':
						b.WriteByte('\n')
					default:
						b.WriteByte(src[i])
					}
					continue
				}
				b.WriteByte(src[i])
			}
			out = append(out, b.String())
		}
	}
	return out, nil
}

func TestDOTEscaping(t *testing.T) {
	sg := testSubgraph(false)
	out := string(encode(t, export.DOT, sg))
	strs, err := lexDOT(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var nodeLines, edgeLines []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case !strings.HasPrefix(l, `"`):
		case strings.Contains(l, `" -> "`) && !strings.Contains(l, `label="\"]`):
			edgeLines = append(edgeLines, l)
		default:
			nodeLines = append(nodeLines, l)
		}
	}
	if !strings.HasPrefix(lines[1], "digraph") || lines[len(lines)-1] != "}" {
		t.Errorf("not a digraph: %q ... %q", lines[1], lines[len(lines)-1])
	}
	for _, n := range sg.Nodes {
		want := strings.NewReplacer("\r", " ", "\t", " ").Replace(n.Entity.Name()) + "\n" + n.Entity.Schema
		if !slices.Contains(strs, n.Entity.Ref) || !slices.Contains(strs, want) {
			t.Errorf("node %s: no id or label %q in %q", n.Entity.Ref, want, strs)
		}
	}
	// Each statement is one line: a name cannot start another statement.
	if len(nodeLines)+len(edgeLines) != len(sg.Nodes)+len(sg.Relationships) {
		t.Errorf("%d node and %d edge lines, want %d and %d", len(nodeLines), len(edgeLines), len(sg.Nodes), len(sg.Relationships))
	}
	for _, h := range hostile {
		got, err := lexDOT(export.DOTString(h))
		want := strings.NewReplacer("\r", " ", "\t", " ").Replace(h)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("DOTString(%q) reads back as %q, %v", h, got, err)
		}
	}
}

// htmlNode is the report parsed as XML.
type htmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []htmlNode `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *htmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *htmlNode) walk(fn func(*htmlNode)) {
	fn(n)
	for i := range n.Children {
		n.Children[i].walk(fn)
	}
}

func (n *htmlNode) text() string {
	var b strings.Builder
	n.walk(func(x *htmlNode) { b.WriteString(x.Text) })
	return b.String()
}

func TestHTMLReport(t *testing.T) {
	sg := testSubgraph(true)
	out := encode(t, export.HTML, sg)
	dec := xml.NewDecoder(bytes.NewReader(out))
	var doc htmlNode
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("report is not well-formed: %v", err)
	}
	entityRows, relRows, svgEntities, svgLines := map[string]*htmlNode{}, map[string]*htmlNode{}, map[string]bool{}, 0
	var svg, truncated bool
	doc.walk(func(n *htmlNode) {
		switch n.XMLName.Local {
		case "script", "iframe", "object", "embed", "link", "img", "base":
			t.Errorf("report has a <%s> element", n.XMLName.Local)
		case "svg":
			svg = true
		case "line", "path":
			if n.attr("class") == "rel" {
				svgLines++
			}
		case "g":
			svgEntities[n.attr("data-id")] = true
		case "p":
			truncated = truncated || n.attr("id") == "truncated"
		}
		for _, a := range n.Attrs {
			l := strings.ToLower(a.Name.Local)
			if strings.HasPrefix(l, "on") || l == "src" || l == "srcset" || l == "style" {
				t.Errorf("attribute %s=%q on <%s>", a.Name.Local, a.Value, n.XMLName.Local)
			}
			if l == "href" && !strings.HasPrefix(a.Value, "https://") {
				t.Errorf("link to %q", a.Value)
			}
		}
		if n.XMLName.Local == "tr" && n.attr("data-id") != "" {
			if n.attr("data-source") != "" {
				relRows[n.attr("data-id")] = n
			} else {
				entityRows[n.attr("data-id")] = n
			}
		}
	})
	if !svg || !truncated {
		t.Errorf("svg %v, truncation notice %v", svg, truncated)
	}
	for _, n := range sg.Nodes {
		row := entityRows[n.Entity.Ref]
		if row == nil || !strings.Contains(row.text(), n.Entity.Name()) || !svgEntities[n.Entity.Ref] {
			t.Errorf("entity %s (%q) missing from the table or the diagram", n.Entity.Ref, n.Entity.Name())
			continue
		}
		for _, d := range n.Designations {
			if !strings.Contains(row.text(), d.Programme) {
				t.Errorf("entity %s row lacks designation %s", n.Entity.Ref, d.Programme)
			}
		}
	}
	if svgLines != len(sg.Relationships) {
		t.Errorf("%d lines in the diagram, want %d", svgLines, len(sg.Relationships))
	}
	for _, r := range sg.Relationships {
		row := relRows[r.Ref]
		if row == nil || row.attr("data-source") != sg.Node(r.Source).Entity.Ref || row.attr("data-target") != sg.Node(r.Target).Entity.Ref {
			t.Errorf("relationship %s missing from the table", r.Ref)
			continue
		}
		for _, s := range r.Sources {
			if !strings.Contains(row.text(), s.Dataset) || (s.Quote != "" && !strings.Contains(row.text(), s.Quote)) {
				t.Errorf("relationship %s row lacks its source %v", r.Ref, s)
			}
		}
	}
	if bytes.Contains(out, []byte("<script>")) || !bytes.Contains(out, []byte("@media print")) {
		t.Errorf("unescaped <script> or no print CSS")
	}
}

func TestHTMLLayoutDeterministic(t *testing.T) {
	a := encode(t, export.HTML, testSubgraph(false))
	b := encode(t, export.HTML, testSubgraph(false))
	if !bytes.Equal(a, b) {
		t.Errorf("two reports of the same subgraph differ")
	}
}

// TestHTMLPathReport checks what the report of a path says of itself:
// the title from the question (or the user's), the fields, the list
// versions, each hop in order with its kind, direction, dates and the
// URL and quote of its source written out as text, and the designations.
func TestHTMLPathReport(t *testing.T) {
	a := entity("rfs", "Company", "Russian Financial Society", nil)
	b := entity("dz", "Company", "Dandong Zhongsheng Industry & Trade", nil)
	c := entity("ftb", "Company", "Foreign Trade Bank", map[string][]string{"alias": {"조선무역은행"}})
	prog := &graph.Entity{ID: graph.KeyFor("programme:un/1718"), Ref: "programme:un/1718", Schema: graph.SchemaProgramme,
		Props: map[string][]string{"name": {"UN / 1718"}, "authority": {"UN Security Council"}}}
	desig := &graph.Relationship{ID: graph.KeyFor("s-ftb"), Ref: "s-ftb", Kind: graph.RelDesignatedBy, Schema: "Sanction",
		Source: c.ID, Target: prog.ID, SourceRef: "ftb", TargetRef: prog.Ref,
		Props: map[string][]string{"authority": {"UN Security Council"}, "program": {"1718"}, "listingDate": {"2017-08-05"}, "recordId": {"KPe.047"}}}
	r1 := &graph.Relationship{ID: graph.KeyFor("r1"), Ref: "r1", Kind: graph.RelOpenedAccountsFor, Source: a.ID, Target: b.ID, SourceRef: "rfs", TargetRef: "dz",
		Props:   map[string][]string{"startDate": {"2017"}, "endDate": {"2018"}},
		Sources: []graph.Source{{Dataset: "finding", URL: "https://home.treasury.gov/news/press-releases/sm711", Quote: "opened multiple bank accounts", Date: "2019-06-19"}}}
	r2 := &graph.Relationship{ID: graph.KeyFor("r2"), Ref: "r2", Kind: graph.RelLinkedTo, Source: c.ID, Target: b.ID, SourceRef: "ftb", TargetRef: "dz",
		Sources: []graph.Source{{Dataset: "us_ofac_sdn", RecordID: "24518"}}}
	sg := &export.Subgraph{
		Nodes:         []*export.Node{{Entity: a, Seed: true}, {Entity: b}, {Entity: c, Seed: true, Designations: []graph.Designation{graph.NewDesignation(desig, prog)}}, {Entity: prog}},
		Relationships: []*graph.Relationship{r1, r2, desig},
		Resolved: []graph.Resolution{{Query: "Russian Financial Society", ID: a.ID, How: graph.ResolvedByName, Matched: "Russian Financial Society", Score: 1},
			{Query: "FTB", ID: c.ID, How: graph.ResolvedByName, Matched: "Foreign Trade Bank", Score: 0.9}},
		PathExport: true, K: 3,
		Paths: []graph.Path{{Entities: []uuid.UUID{a.ID, b.ID, c.ID}, Steps: []graph.Step{
			{From: a.ID, To: b.ID, Links: []graph.StepLink{{Kind: graph.RelOpenedAccountsFor, Forward: true}}, Relationships: []*graph.Relationship{r1}},
			{From: b.ID, To: c.ID, Links: []graph.StepLink{{Kind: graph.RelLinkedTo}}, Relationships: []*graph.Relationship{r2}}}}},
		Lists:     []graph.ListVersion{{Dataset: "un_sc_sanctions", Title: "UN Security Council consolidated list", Date: "2026-02-27", DateFrom: graph.ListDateStated, Entries: 1000}},
		Report:    export.Report{Case: "CASE-42", Author: "A. Analyst"},
		Generated: time.Date(2026, 12, 2, 21, 5, 0, 0, time.UTC),
	}
	sg.Finish()
	var doc htmlNode
	out := encode(t, export.HTML, sg)
	if err := xml.NewDecoder(bytes.NewReader(out)).Decode(&doc); err != nil {
		t.Fatalf("report is not well-formed: %v", err)
	}
	blocks := textBlocks(t, out)
	hops := blocks["hop"]
	text := func(id string) string {
		if b := blocks[id]; len(b) > 0 {
			return b[0]
		}
		return ""
	}
	if got, want := text("title"), "How Russian Financial Society is linked to Foreign Trade Bank"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	for id, want := range map[string]string{"generated": "2026-12-02 21:05 UTC", "case": "CASE-42", "author": "A. Analyst"} {
		if got := text(id); got != want {
			t.Errorf("field %s = %q, want %q", id, got, want)
		}
	}
	if got := text("lists"); !strings.Contains(got, "UN Security Council consolidated list") || !strings.Contains(got, "2026-02-27 (stated in the file)") {
		t.Errorf("lists = %q", got)
	}
	if got := text("resolved"); !strings.Contains(got, `"FTB": Foreign Trade Bank (ftb), by name, matching "Foreign Trade Bank" (score 0.90)`) {
		t.Errorf("resolved = %q", got)
	}
	if len(hops) != 2 {
		t.Fatalf("hops = %q, want 2", hops)
	}
	for i, want := range []string{
		"Russian Financial Society — Dandong Zhongsheng Industry & Trade Russian Financial Society opened accounts for Dandong Zhongsheng Industry & Trade direction: along the path; 2017 – 2018 Sources: finding (2019-06-19) https://home.treasury.gov/news/press-releases/sm711 opened multiple bank accounts",
		"Dandong Zhongsheng Industry & Trade — Foreign Trade Bank Foreign Trade Bank is linked to Dandong Zhongsheng Industry & Trade direction: against the path: stated from Foreign Trade Bank to Dandong Zhongsheng Industry & Trade; dates not stated Sources: us_ofac_sdn 24518",
	} {
		if hops[i] != want {
			t.Errorf("hop %d = %q\nwant %q", i+1, hops[i], want)
		}
	}
	if got := text("designations"); !strings.Contains(got, "Foreign Trade Bank (ftb)") || !strings.Contains(got, "UN Security Council / UN / 1718 / ref KPe.047") || !strings.Contains(got, "listed 2017-08-05") {
		t.Errorf("designations = %q", got)
	}
	// The diagram names every entity in full and labels the edges.
	labels := blocks["rel-label"]
	svg := text("diagram")
	if !strings.Contains(svg, "Dandong Zhongsheng Industry & Trade") || !slices.Contains(labels, "opened accounts for") || !slices.Contains(labels, "is linked to") {
		t.Errorf("diagram text %q, edge labels %q", svg, labels)
	}
	// A title given by the user replaces the question.
	sg.Report.Title = "Case 42: RFS and the FTB"
	if out := encode(t, export.HTML, sg); !bytes.Contains(out, []byte(`<h1 id="title">Case 42: RFS and the FTB</h1>`)) {
		t.Errorf("user title not used")
	}
}

// textBlocks returns the text, in document order with runs of white space
// made one space, of each element of the report by its id and by its
// class (every element of a class, in order). Elements break words as a
// browser's block layout would.
func textBlocks(t *testing.T, out []byte) map[string][]string {
	t.Helper()
	type open struct {
		keys []string
		b    *strings.Builder
	}
	var stack []open
	blocks := map[string][]string{}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			var keys []string
			for _, a := range x.Attr {
				if a.Name.Local == "id" || a.Name.Local == "class" {
					keys = append(keys, a.Value)
				}
			}
			for _, o := range stack {
				o.b.WriteString(" ")
			}
			stack = append(stack, open{keys, &strings.Builder{}})
		case xml.CharData:
			for _, o := range stack {
				o.b.Write(x)
			}
		case xml.EndElement:
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, k := range o.keys {
				blocks[k] = append(blocks[k], strings.Join(strings.Fields(o.b.String()), " "))
			}
			for _, p := range stack {
				p.b.WriteString(" ")
			}
		}
	}
	return blocks
}
