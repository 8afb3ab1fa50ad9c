package ingest

import (
	"fmt"
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
