// Package ingest turns sanctions data into graph values: it reads a file,
// detects its format from the content (or takes Options.Format), parses it
// into graph.Records and hands them in batches to a Sink, which applies
// them and says what each did. *store.Run is the Sink (and the Delister)
// the command uses; ingest declares both interfaces itself and never
// imports store, schema or web.
//
// The formats are: FollowTheMoney JSON lines and OpenSanctions delta files
// and delta indexes (ftm.go, delta.go); an investigator's findings CSV
// (findings.go, documented in FINDINGS.md); and the official lists, each
// with its own parser that reads the whole list so that links stated by
// name resolve against it: OFAC's SDN and consolidated lists as delimited
// files, SDN.XML and the advanced XML (ofac.go, ofacxml.go,
// ofacadvanced.go), the UN Security Council consolidated list (un.go), the
// EU financial sanctions files and OpenSanctions' transcription of the EU
// Official Journal (eu.go, eujournal.go), and the UK HM Treasury
// consolidated list (uk.go). Any of them may be gzip-compressed. Formats
// lists their names; DetectFile says which one a file is in. Demo ingests
// the small embedded dataset (demo/) that a new server starts with.
//
// A list file is a snapshot of the whole list: entries it no longer has
// are delisted through the Delister, unless Options.Partial says the file
// is an extract, and a snapshot that would delist more than
// MassDelistShare of the list needs Options.AllowMassDelist.
//
// Errors in single records are *RecordErrors naming the file, line and
// field: the record is rejected and reading goes on (or stops, with
// Options.Strict), and the Summary counts them and keeps the first
// MaxRejectsKept. Errors that make the whole file untrustworthy (not in a
// format ingest reads, truncated, unreadable) are *FileErrors returned by
// File and Reader, and the caller rolls the run back.
//
// The package imports graph and the standard library only.
package ingest
