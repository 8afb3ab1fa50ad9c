package ingest

import "context"

// The OFAC advanced XML reader is not written yet.

func sniffOFACAdvanced(head []byte) bool { return false }

func parseOFACAdvanced(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the OFAC advanced XML format is not implemented yet"}
}
