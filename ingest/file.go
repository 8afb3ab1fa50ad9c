package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Sink receives records in batches and says what applying each did, and
// ends the designations of the entries a newer version of a snapshot list
// lacks (Delister): every sink can be given an official list. *store.Run
// implements it.
type Sink interface {
	Apply(ctx context.Context, recs []graph.Record) ([]graph.Outcome, error)
	Delister
}

// Options control reading a file.
type Options struct {
	// Format is one of Formats(); empty detects it from the content.
	Format string
	// Dataset names the source of records that name none (FtM records
	// without "datasets", findings rows without a dataset column). Empty
	// means the file's base name.
	Dataset string
	// Strict turns the first rejected record into a failure of the file.
	Strict bool
	// Progress, if set, is called after each batch.
	Progress func(Progress)
	// Partial says an official list file is not the whole list (a sample,
	// an extract): entries it lacks are not delisted.
	Partial bool
	// AllowMassDelist lets a list version delist more than MassDelistShare
	// of the entries the store holds.
	AllowMassDelist bool
	// AssumeComplete delists the entries a list file lacks even though the
	// file lacks the evidence of completeness its format carries (OFAC's
	// end-of-file byte).
	AssumeComplete bool
	// ListDate (YYYY-MM-DD) is the date of the list version, used as the
	// end date of the designations it drops; default: the date the file
	// states, else today.
	ListDate string

	datasetGiven bool // Dataset was set by the caller, not derived from the file name
}

// Progress reports how far reading a file has got.
type Progress struct {
	File     string
	Records  int   // records read so far
	Rejected int   // of which rejected
	Bytes    int64 // bytes of the file read so far
	Size     int64 // size of the file, 0 if unknown
	// Total is the number of records the file holds when it is known
	// before they are stored (a list is parsed whole first), else 0.
	Total int
}

// Summary says what ingesting one file did.
type Summary struct {
	File      string         `json:"file"`
	Format    string         `json:"format"`
	Records   int            `json:"records"`
	Added     int            `json:"added"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Deleted   int            `json:"deleted"`
	Missing   int            `json:"missingDeletes"`         // deletions of records the store did not hold
	Kept      int            `json:"keptFindings,omitempty"` // records naming an investigator's finding, left as they were
	Rejected  int            `json:"rejected"`
	Rejects   []*RecordError `json:"-"`        // the first MaxRejectsKept
	Schemata  map[string]int `json:"schemata"` // records per FtM schema
	// UnknownSchemata counts records whose schema the FtM model does not
	// know; they are kept as entities of that schema.
	UnknownSchemata map[string]int `json:"unknownSchemata,omitempty"`
	// Incomplete counts relationship records with one end missing; they are
	// kept as documents held by the end that is there.
	Incomplete int `json:"incompleteRelationships,omitempty"`
	// List is set for official lists.
	List *ListReport `json:"list,omitempty"`
	// Encoding is the text encoding the file was read in (EncodingUTF8,
	// EncodingWindows1252, EncodingUTF16).
	Encoding string `json:"encoding"`
	// ValuesLeftOut counts values moved out of their property because they
	// are not what it holds (a date that is no date, a country that is no
	// country): the records keep them as notes. ValueErrors names the
	// first MaxRejectsKept with file, line and property.
	ValuesLeftOut int            `json:"valuesLeftOut,omitempty"`
	ValueErrors   []*RecordError `json:"-"`
	// Replaced counts FtM records that a later line of the same file with
	// the same id replaced.
	Replaced int `json:"replacedBySameID,omitempty"`

	idHashes []uint64 // FtM: a hash of the id of every record read
	total    int      // records the file holds, when known before storing them
}

// idSeed hashes FtM ids to count repeats without keeping the ids (a hash
// is 8 bytes; millions of ids would take hundreds of MB).
var idSeed = maphash.MakeSeed()

// countReplaced sets Replaced from idHashes, then frees them. Two ids
// with the same 64-bit hash would be counted as one repeated: at a few
// million ids, a chance of about one in a million.
func (s *Summary) countReplaced() {
	slices.Sort(s.idHashes)
	for i := 1; i < len(s.idHashes); i++ {
		if s.idHashes[i] == s.idHashes[i-1] {
			s.Replaced++
		}
	}
	s.idHashes = nil
}

// MaxRejectsKept bounds Summary.Rejects; Summary.Rejected counts them all.
const MaxRejectsKept = 100

func (s *Summary) count(o graph.Outcome) {
	switch o {
	case graph.Added:
		s.Added++
	case graph.Updated:
		s.Updated++
	case graph.Unchanged:
		s.Unchanged++
	case graph.Deleted:
		s.Deleted++
	case graph.Missing:
		s.Missing++
	case graph.Kept:
		s.Kept++
	}
}

func (s *Summary) reject(e *RecordError) {
	s.Rejected++
	if len(s.Rejects) < MaxRejectsKept {
		s.Rejects = append(s.Rejects, e)
	}
}

// File ingests the file at path into sink. The returned error is a
// *FileError when the file as a whole cannot be trusted (wrong format,
// truncated, unreadable), a *RecordError in strict mode, or the sink's or
// ctx's error; the caller should then roll back. Rejected records are in
// the summary.
func File(ctx context.Context, path string, sink Sink, opt Options) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{File: path, Msg: "cannot open", Err: errors.Unwrap(err)}
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, &FileError{File: path, Msg: "is a directory"}
		}
		size = fi.Size()
	}
	opt.datasetGiven = opt.Dataset != ""
	if opt.Dataset == "" {
		opt.Dataset = datasetName(path)
	}
	return read(ctx, path, path, f, size, sink, opt)
}

// Reader ingests r, named name in messages.
func Reader(ctx context.Context, name string, r io.Reader, sink Sink, opt Options) (*Summary, error) {
	opt.datasetGiven = opt.Dataset != ""
	if opt.Dataset == "" {
		opt.Dataset = datasetName(name)
	}
	return read(ctx, name, "", r, 0, sink, opt)
}

// datasetName is a file's base name without extensions: "entities".
func datasetName(path string) string {
	b := filepath.Base(path)
	if i := strings.IndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return b
}

// countingReader counts bytes read from the underlying file.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func read(ctx context.Context, name, path string, raw io.Reader, size int64, sink Sink, opt Options) (*Summary, error) {
	cr := &countingReader{r: raw}
	br := bufio.NewReaderSize(cr, 1<<20)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &FileError{File: name, Msg: "bad gzip header", Err: err}
		}
		zr.Multistream(true)
		r = zr
	}
	in, utf16 := decodeUTF16(bufio.NewReaderSize(r, 1<<20))
	format := opt.Format
	if format == "" {
		var err error
		if format, err = detect(name, in); err != nil {
			return nil, err
		}
	}
	sum := &Summary{File: name, Format: format, Schemata: map[string]int{}, Encoding: EncodingUTF8}
	if utf16 {
		sum.Encoding = EncodingUTF16
	}
	if !strings.HasSuffix(format, "-xml") { // XML says its encoding itself (charsetReader)
		// JSON must be UTF-8; CSV may be Windows-1252.
		tr := newTextReader(name, in, format != "ftm" && format != "ftm-delta-index")
		in = bufio.NewReaderSize(tr, 1<<20)
		defer func() {
			if !utf16 {
				sum.Encoding = tr.Encoding()
			}
		}()
	}
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(Progress{File: name, Records: sum.Records, Rejected: sum.Rejected, Bytes: cr.n, Size: size, Total: sum.total})
		}
	}
	var err error
	switch format {
	case "ftm":
		err = readFTM(ctx, name, in, sink, opt, sum, progress)
	case "findings":
		err = readFindings(ctx, name, in, sink, opt, sum, progress)
	case "ftm-delta-index":
		err = readDeltaIndex(ctx, name, in, sink, opt, sum, progress)
	default:
		f := lookupListFormat(format)
		if f == nil {
			return nil, &FileError{File: name, Msg: fmt.Sprintf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))}
		}
		err = readList(ctx, f, name, path, in, sink, opt, sum, progress)
	}
	progress()
	return sum, err
}

// detect looks at the start of the content to tell its format.
func detect(name string, in *bufio.Reader) (string, error) {
	head, err := in.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) {
			return "", &FileError{File: name, Msg: "the compressed file is truncated or corrupt", Err: err}
		}
		return "", &FileError{File: name, Msg: "cannot read", Err: err}
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if f := sniffList(head); f != "" {
		return f, nil
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return "ftm", nil // an empty file is an empty FtM file (delta files often are)
	}
	if trimmed[0] == '{' {
		line := trimmed
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		} else if len(head) == 64<<10 && bytes.Contains(line, []byte(`"schema"`)) && bytes.Contains(line, []byte(`"id"`)) {
			// The first line is longer than what is looked at (an entity
			// with thousands of names): it reads as FtM as far as it goes.
			return "ftm", nil
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(line, &probe) == nil {
			_, hasSchema := probe["schema"]
			_, hasID := probe["id"]
			_, hasOp := probe["op"]
			if (hasSchema && hasID) || hasOp {
				return "ftm", nil
			}
			keys := make([]string, 0, len(probe))
			for k := range probe {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return "", &FileError{File: name, Line: 1, Msg: fmt.Sprintf("not FollowTheMoney data: the first line is a JSON object without id and schema (keys: %s)", strings.Join(keys, ", "))}
		}
		// Not one object per line: a JSON document. An OpenSanctions delta
		// index ({"versions": {...}}) is small and names delta files.
		var doc map[string]json.RawMessage
		if len(head) < 64<<10 && json.Unmarshal(head, &doc) == nil {
			if _, ok := doc["versions"]; ok {
				return "ftm-delta-index", nil
			}
		}
		hint := "a JSON document"
		if bytes.Contains(head, []byte(`"datasets"`)) {
			hint = "a JSON document (an OpenSanctions dataset index or statistics file?)"
		}
		return "", &FileError{File: name, Line: 1, Msg: "not FollowTheMoney JSON lines (one entity per line): the file is " + hint}
	}
	if trimmed[0] == '[' {
		return "", &FileError{File: name, Line: 1, Msg: "not FollowTheMoney JSON lines: the file is a JSON array; FtM files hold one entity object per line"}
	}
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if isFindingsHeader(string(first)) {
		return "findings", nil
	}
	if bytes.IndexByte(first, ',') >= 0 {
		return "", &FileError{File: name, Line: 1, Msg: "unknown format: this looks like CSV, but not like any CSV ingest reads (a findings CSV needs a header with the columns record and id, see ingest/FINDINGS.md; official lists: " + listTitles() + "); --format names the format"}
	}
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return "", &FileError{File: name, Line: 1, Msg: "unknown format: this looks like XML, but not like any list ingest reads (" + listTitles() + "); --format names the format"}
	}
	return "", &FileError{File: name, Line: 1, Msg: "unknown format: not FollowTheMoney JSON lines (the first line is not a JSON object), a findings CSV or an official list; --format names the format"}
}

// chunk is a run of lines parsed together and applied as one batch.
type chunk struct {
	first      int // line number of lines[0]
	lines      [][]byte
	lineNos    []int
	unfinished bool // the file ended without a newline after the last line
	recs       []graph.Record
	infos      []*ftmInfo
	errs       []*RecordError
	done       chan struct{}
}

const chunkLines = 1000

// maxLine bounds one line: a longer one is rejected unread.
const maxLine = 64 << 20

func readFTM(ctx context.Context, name string, in *bufio.Reader, sink Sink, opt Options, sum *Summary, progress func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *chunk, workers*2)
	ordered := make(chan *chunk, workers*2)
	readErr := make(chan error, 1)
	go func() { // reader
		defer close(jobs)
		defer close(ordered)
		readErr <- splitLines(ctx, name, in, func(c *chunk) bool {
			select {
			case ordered <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- c:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for c := range jobs {
				c.recs = make([]graph.Record, 0, len(c.lines))
				for i, line := range c.lines {
					rec, info, err := parseFTMLine(line, name, c.lineNos[i], opt.Dataset)
					if err != nil {
						c.errs = append(c.errs, err)
						c.infos = append(c.infos, nil)
						continue
					}
					c.recs = append(c.recs, rec)
					c.infos = append(c.infos, info)
				}
				close(c.done)
			}
		}()
	}
	for c := range ordered {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := applyChunk(ctx, name, c, sink, opt, sum); err != nil {
			cancel()
			for range ordered { // let the reader finish
			}
			return err
		}
		progress()
	}
	if err := <-readErr; err != nil {
		return err
	}
	sum.countReplaced()
	return ctx.Err()
}

// applyChunk tallies a parsed chunk and hands its records to sink.
func applyChunk(ctx context.Context, name string, c *chunk, sink Sink, opt Options, sum *Summary) error {
	sum.Records += len(c.lines)
	if len(c.errs) > 0 {
		last := c.errs[len(c.errs)-1]
		if c.unfinished && last.Line == c.lineNos[len(c.lineNos)-1] {
			return &FileError{File: name, Line: last.Line, Msg: "the file ends in the middle of a record (truncated?)", Err: errors.New(last.Msg)}
		}
		for _, e := range c.errs {
			if opt.Strict {
				return e
			}
			sum.reject(e)
		}
		if sum.Records >= 100 && sum.Rejected*2 > sum.Records {
			return &FileError{File: name, Msg: fmt.Sprintf("%d of the first %d records were rejected; this does not look like FollowTheMoney data (first: %v)", sum.Rejected, sum.Records, sum.Rejects[0])}
		}
	}
	for _, r := range c.recs {
		if !r.Delete {
			sum.idHashes = append(sum.idHashes, maphash.String(idSeed, r.Ref))
		}
	}
	for _, info := range c.infos {
		if info == nil || info.op == "DEL" {
			continue
		}
		for _, ve := range info.dropped {
			sum.ValuesLeftOut++
			if len(sum.ValueErrors) < MaxRejectsKept {
				sum.ValueErrors = append(sum.ValueErrors, ve)
			}
		}
		sum.Schemata[info.schema]++
		if info.incomplete {
			sum.Incomplete++
		}
		if info.unknownSchema {
			if sum.UnknownSchemata == nil {
				sum.UnknownSchemata = map[string]int{}
			}
			sum.UnknownSchemata[info.schema]++
		}
	}
	if len(c.recs) == 0 {
		return nil
	}
	outs, err := sink.Apply(ctx, c.recs)
	if err != nil {
		return storeError(name, err, func(ref string) int {
			for i, line := range c.lines {
				if bytes.Contains(line, []byte(`"`+ref+`"`)) {
					return c.lineNos[i]
				}
			}
			return 0
		})
	}
	for _, o := range outs {
		sum.count(o)
	}
	return nil
}

// splitLines cuts the input into chunks of non-blank lines and hands each
// to emit; it stops when emit returns false.
func splitLines(ctx context.Context, name string, in *bufio.Reader, emit func(*chunk) bool) error {
	lineNo := 0
	c := &chunk{done: make(chan struct{})}
	for {
		line, err := readLine(in)
		if len(line) > 0 || err == nil {
			lineNo++
		}
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, errLineTooLong) {
				return &FileError{File: name, Line: lineNo + 1, Msg: fmt.Sprintf("line longer than %d MiB", maxLine>>20)}
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
				return &FileError{File: name, Line: lineNo, Msg: "the compressed file is truncated or corrupt", Err: err}
			}
			return readError(name, lineNo, err)
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			c.lines = append(c.lines, t)
			c.lineNos = append(c.lineNos, lineNo)
			if errors.Is(err, io.EOF) && line[len(line)-1] != '\n' {
				c.unfinished = true
			}
		}
		if len(c.lines) == chunkLines || (errors.Is(err, io.EOF) && len(c.lines) > 0) {
			if !emit(c) {
				return ctx.Err()
			}
			c = &chunk{done: make(chan struct{})}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line with its newline; at the end of the input
// it returns the last bytes (possibly empty) and io.EOF.
func readLine(in *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		frag, err := in.ReadSlice('\n')
		if err == nil {
			if buf == nil {
				return append([]byte(nil), frag...), nil
			}
			return append(buf, frag...), nil
		}
		buf = append(buf, frag...)
		if len(buf) > maxLine {
			return nil, errLineTooLong
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

// DetectFile returns the format of the file at path, as ingest would
// detect it.
func DetectFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &FileError{File: path, Msg: "cannot open", Err: errors.Unwrap(err)}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return "", &FileError{File: path, Msg: "bad gzip header", Err: err}
		}
		r = zr
	}
	return detect(path, bufio.NewReaderSize(r, 1<<20))
}
