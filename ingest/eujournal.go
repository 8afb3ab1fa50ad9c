package ingest

import "context"

// The EU journal CSV reader is not written yet.

func sniffEUJournal(head []byte) bool { return false }

func parseEUJournal(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the EU journal CSV format is not implemented yet"}
}
