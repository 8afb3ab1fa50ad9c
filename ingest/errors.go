package ingest

import (
	"errors"
	"fmt"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// RecordError is a problem with one input record. Its text reads
// "file:line: field: what was wrong".
type RecordError struct {
	File  string
	Line  int
	Field string // JSON path or CSV column; empty if the whole record is wrong
	Msg   string
}

func (e *RecordError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// FileError is a problem with a whole file: it is not in a format ingest
// reads, it is truncated, or it cannot be read. Nothing of the file should
// be kept.
type FileError struct {
	File string
	Line int // 0 when the problem is not at one line
	Msg  string
	Err  error
}

func (e *FileError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

func (e *FileError) Unwrap() error { return e.Err }

// readError wraps an error met reading a file. A *FileError in it (the
// text decoder's, encoding.go, which names the line and byte offset) is
// returned as it is, with the file named if the decoder did not know it.
func readError(name string, line int, err error) error {
	if fe := textError(name, err); fe != nil {
		return fe
	}
	return &FileError{File: name, Line: line, Msg: "read error", Err: err}
}

// textError returns the *FileError in err, if any, naming file name.
func textError(name string, err error) *FileError {
	var fe *FileError
	if !errors.As(err, &fe) {
		return nil
	}
	if fe.File == "" {
		c := *fe
		c.File = name
		return &c
	}
	return fe
}

// storeError names the file, and the line if known, of the record a sink
// error is about (a record too large to store, say). line gives the line
// of a record by its ref (0 if unknown). Errors of the context pass as
// they are.
func storeError(name string, err error, line func(ref string) int) error {
	var re *graph.RefError
	if !errors.As(err, &re) {
		return err
	}
	l := 0
	if line != nil {
		l = line(re.Ref)
	}
	return &FileError{File: name, Line: l, Msg: fmt.Sprintf("record %q cannot be stored", re.Ref), Err: re.Err}
}
