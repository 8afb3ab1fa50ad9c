package ingest

import "context"

// The UK HMT CSV reader is not written yet.

func sniffUKHMT(head []byte) bool { return false }

func parseUKHMT(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the UK HMT CSV format is not implemented yet"}
}
