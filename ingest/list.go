package ingest

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Official lists. Each list format has a parser that reads a whole file
// (lists are a few MB: OFAC's SDN list is 18,000 entries) into one
// graph.Record per list entry, then readList applies them in batches. A
// parser reads the whole file first because links between entries are
// stated by name ("Linked To: FOREIGN TRADE BANK ...") and resolve only
// against the whole list.
//
// Record refs are "<prefix><entry id>": "ofac:15603", "un:6908622",
// "eu:32017R1509:XIII.B:47", "uk:9053". A file that is a complete version
// of its list (a snapshot) ends the designations of entries under its
// prefix that an earlier version had and this one lacks.

// listFormat reads one published format of an official list.
type listFormat struct {
	name  string
	title string
	// sniff reports whether the start of a file (BOM removed) is in this
	// format.
	sniff func(head []byte) bool
	parse func(ctx context.Context, src *listSource) (*ListParse, error)
}

// listSource is a file given to a list parser.
type listSource struct {
	Name string // the file's name in messages
	Path string // its path, "" when read from a stream (sibling files cannot be found)
	In   *bufio.Reader
	Opt  Options
}

// ListParse is what a list parser read from one file.
type ListParse struct {
	Info    ListInfo
	Records []graph.Record // one per entry, in file order
	Rejects []*RecordError
	// Links counts name-stated links that resolved to an entry and became
	// edges; Unresolved lists the others.
	Links      int
	Unresolved []UnresolvedLink
	// Notes are facts worth telling the user ("312 rows of add.csv name an
	// entry sdn.csv does not have").
	Notes []string
}

// ListInfo describes a list version.
type ListInfo struct {
	Dataset string // source dataset of every record: "us_ofac_sdn"
	Title   string // "OFAC Specially Designated Nationals (SDN) list"
	// Prefix starts the ref of every entry of the list ("ofac:"); with
	// Snapshot, entries under it that the file lacks are delisted.
	Prefix   string
	Date     string // publication date (YYYY-MM-DD) if the file states it
	Snapshot bool   // the file is a complete version of the list
	URL      string // where the list is published
	// Complete is the list's own evidence, found in the file, that the file
	// is the whole list ("OFAC's end-of-file byte", "a whole XML document
	// (its closing element)"); "" if there is none. A format that carries
	// such evidence sets ProvesComplete: without the evidence, the file may
	// be cut short, and entries it lacks are not delisted.
	Complete       string
	ProvesComplete bool
}

// ListReport is the list-specific part of a Summary.
type ListReport struct {
	Dataset  string `json:"dataset"`
	Title    string `json:"title,omitempty"`
	Date     string `json:"date,omitempty"`
	Snapshot bool   `json:"snapshot"`
	Entries  int    `json:"entries"`
	// Delisted are the entries an earlier version had and this one lacks:
	// their designations now end on EndDate.
	Delisted []string `json:"delisted,omitempty"`
	EndDate  string   `json:"endDate,omitempty"`
	// DelistSkipped says why entries absent from a snapshot were not
	// delisted.
	DelistSkipped string `json:"delistSkipped,omitempty"`
	// Complete is the list's evidence that the file is whole (ListInfo).
	Complete   string           `json:"completeness,omitempty"`
	Links      int              `json:"linksResolved"`
	Unresolved []UnresolvedLink `json:"unresolvedLinks,omitempty"`
	Notes      []string         `json:"notes,omitempty"`
}

// UnresolvedLink is a link a list states by name that names no single
// entry of the list. It is reported, never guessed.
type UnresolvedLink struct {
	Record string `json:"record"` // ref of the entry that states it
	Line   int    `json:"line,omitempty"`
	Text   string `json:"text"`   // the words of the list: "Linked To: SUN, Wei."
	Name   string `json:"name"`   // the name looked up
	Reason string `json:"reason"` // "no entry has this name", "2 entries have this name: ofac:1, ofac:2"
}

// Delister ends the designations of list entries a newer version of the
// list no longer has. It is part of every Sink.
type Delister interface {
	// ListedUnder returns the refs of the records under prefix that have a
	// designation without an end date.
	ListedUnder(ctx context.Context, prefix string) ([]string, error)
	// EndDesignations gives every designation of the records refs that has
	// no end date the end date date, and records why in its properties;
	// the entities and everything else stay. It returns how many records
	// changed.
	EndDesignations(ctx context.Context, refs []string, date, reason string) (int, error)
}

// ListRecorder is implemented by sinks that keep which version of which
// list each ingest read (*store.Run does): an answer can then name the
// versions of the lists it rests on.
type ListRecorder interface {
	RecordList(v graph.ListVersion)
}

// MassDelistShare is the share of a list's entries that a snapshot may
// delist at once. Official lists change by a few entries per version; a
// file that lacks more is probably a sample or a partial export, and
// delisting from it needs Options.AllowMassDelist.
const MassDelistShare = 0.10

// listFormats are the list formats in order of detection.
var listFormats = []*listFormat{
	{name: "ofac-csv", title: "OFAC SDN or consolidated list, legacy delimited files (sdn.csv with add.csv, alt.csv, sdn_comments.csv)", sniff: sniffOFACCSV, parse: parseOFACCSV},
	{name: "ofac-csv-part", title: "an address, alias or comments file of OFAC's legacy delimited set", sniff: sniffOFACCSVPart, parse: parseOFACCSVPart},
	{name: "ofac-xml", title: "OFAC SDN.XML", sniff: sniffOFACXML, parse: parseOFACXML},
	{name: "ofac-advanced-xml", title: "OFAC SDN_ADVANCED.XML / cons_advanced.xml", sniff: sniffOFACAdvanced, parse: parseOFACAdvanced},
	{name: "un-xml", title: "UN Security Council consolidated list XML", sniff: sniffUNXML, parse: parseUNXML},
	{name: "eu-fsf-xml", title: "EU financial sanctions files (FSF) XML", sniff: sniffEUFSF, parse: parseEUFSF},
	{name: "eu-journal-csv", title: "EU Official Journal sanctions CSV (OpenSanctions transcription)", sniff: sniffEUJournal, parse: parseEUJournal},
	{name: "uk-hmt-csv", title: "UK HM Treasury / OFSI consolidated list CSV", sniff: sniffUKHMT, parse: parseUKHMT},
}

func lookupListFormat(name string) *listFormat {
	for _, f := range listFormats {
		if f.name == name {
			return f
		}
	}
	return nil
}

// Formats returns the names of the formats ingest reads, for --format.
func Formats() []string {
	out := []string{"ftm", "findings"}
	for _, f := range listFormats {
		if f.name != "ofac-csv-part" {
			out = append(out, f.name)
		}
	}
	return out
}

func listTitles() string {
	var t []string
	for _, f := range listFormats {
		if f.name != "ofac-csv-part" {
			t = append(t, f.title)
		}
	}
	return strings.Join(t, "; ")
}

// sniffList returns the list format the head of a file is in, or "".
func sniffList(head []byte) string {
	for _, f := range listFormats {
		if f.sniff(head) {
			return f.name
		}
	}
	return ""
}

// listBatch is how many list records go to the sink at once.
const listBatch = 1000

func readList(ctx context.Context, f *listFormat, name, path string, in *bufio.Reader, sink Sink, opt Options, sum *Summary, progress func()) error {
	lp, err := f.parse(ctx, &listSource{Name: name, Path: path, In: in, Opt: opt})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if opt.datasetGiven {
		lp.Info.Dataset = opt.Dataset
	}
	if strings.HasSuffix(f.name, "-xml") {
		// An XML document cut short does not parse: one that did is whole.
		lp.Info.ProvesComplete = true
		if lp.Info.Complete == "" {
			lp.Info.Complete = "a whole XML document (its closing element)"
		}
	}
	rep := &ListReport{Dataset: lp.Info.Dataset, Title: lp.Info.Title, Date: lp.Info.Date, Snapshot: lp.Info.Snapshot,
		Entries: len(lp.Records) + len(lp.Rejects), Links: lp.Links, Unresolved: lp.Unresolved, Notes: lp.Notes, Complete: lp.Info.Complete}
	sum.List = rep
	for _, e := range lp.Rejects {
		if e.File == "" {
			e.File = name
		}
		if opt.Strict {
			return e
		}
		sum.reject(e)
	}
	total := len(lp.Records) + len(lp.Rejects)
	if total >= 20 && len(lp.Rejects)*2 > total {
		return &FileError{File: name, Msg: fmt.Sprintf("%d of %d entries were rejected; this does not look like a %s (first: %v)", len(lp.Rejects), total, f.title, lp.Rejects[0])}
	}
	sum.total = total
	seen := make(map[string]bool, len(lp.Records))
	for i := 0; i < len(lp.Records); i += listBatch {
		batch := lp.Records[i:min(i+listBatch, len(lp.Records))]
		for _, r := range batch {
			seen[r.Ref] = true
			if r.Entity != nil {
				sum.Schemata[r.Entity.Schema]++
			}
		}
		sum.Records += len(batch)
		outs, err := sink.Apply(ctx, batch)
		if err != nil {
			return storeError(name, err, nil)
		}
		for _, o := range outs {
			sum.count(o)
		}
		progress()
	}
	sum.Records += len(lp.Rejects)
	if err := delist(ctx, name, lp, seen, sink, opt, rep); err != nil {
		return err
	}
	if lr, ok := sink.(ListRecorder); ok {
		v := graph.ListVersion{Dataset: lp.Info.Dataset, Title: lp.Info.Title, File: filepath.Base(name), URL: lp.Info.URL, Entries: total}
		switch {
		case opt.ListDate != "":
			v.Date, v.DateFrom = opt.ListDate, graph.ListDateGiven
		case graph.IsDay(lp.Info.Date):
			v.Date, v.DateFrom = lp.Info.Date, graph.ListDateStated
		}
		lr.RecordList(v)
	}
	return nil
}

// delist ends the designations of the entries an earlier version of a
// snapshot list had and this one lacks.
func delist(ctx context.Context, name string, lp *ListParse, seen map[string]bool, sink Sink, opt Options, rep *ListReport) error {
	switch {
	case !lp.Info.Snapshot || lp.Info.Prefix == "":
		return nil
	case opt.Partial:
		rep.DelistSkipped = "the file was ingested as partial (--partial): entries it lacks keep their designations"
		return nil
	case len(lp.Rejects) > 0:
		rep.DelistSkipped = fmt.Sprintf("%d entries were rejected, so absence from this file does not show delisting", len(lp.Rejects))
		return nil
	case lp.Info.ProvesComplete && lp.Info.Complete == "" && !opt.AssumeComplete:
		rep.DelistSkipped = "the file lacks the list's own evidence that it is whole (see the notes): it may be cut short, so entries it lacks keep their designations; ingest the whole file, or --assume-complete if it is whole"
		return nil
	}
	listed, err := sink.ListedUnder(ctx, lp.Info.Prefix)
	if err != nil {
		return err
	}
	var gone []string
	for _, ref := range listed {
		if !seen[ref] {
			gone = append(gone, ref)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	sort.Strings(gone)
	if !opt.AllowMassDelist && len(gone) > 10 && float64(len(gone)) > MassDelistShare*float64(len(listed)) {
		return &FileError{File: name, Msg: fmt.Sprintf(
			"this version of %s lacks %d of the %d entries the store holds as listed (%.0f%%; more than %.0f%% is not how lists change): "+
				"if the file is a sample or a partial export, ingest it with --partial; if the list really dropped them, use --allow-mass-delist (first missing: %s)",
			lp.Info.Dataset, len(gone), len(listed), 100*float64(len(gone))/float64(len(listed)), 100*MassDelistShare, strings.Join(gone[:min(5, len(gone))], ", "))}
	}
	date := lp.Info.Date
	if opt.ListDate != "" {
		date = opt.ListDate
	}
	if !graph.IsDay(date) {
		date = graph.Today().String()
	}
	day, _ := graph.ParseDay(date, false)
	// The designation was in force at the latest on the day before the
	// first version of the list without it.
	end := (day - 1).String()
	reason := fmt.Sprintf("not on the %s version of %s", date, lp.Info.Dataset)
	if _, err := sink.EndDesignations(ctx, gone, end, reason); err != nil {
		return err
	}
	rep.Delisted, rep.EndDate = gone, end
	return nil
}
