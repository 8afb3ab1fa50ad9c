package ingest

import "context"

// The OFAC CSV reader is not written yet.

func sniffOFACCSV(head []byte) bool { return false }

func parseOFACCSV(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the OFAC CSV format is not implemented yet"}
}

func sniffOFACCSVPart(head []byte) bool { return false }

func parseOFACCSVPart(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "not implemented"}
}
