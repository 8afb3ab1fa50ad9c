package ingest

import "context"

// The UN consolidated XML reader is not written yet.

func sniffUNXML(head []byte) bool { return false }

func parseUNXML(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the UN consolidated XML format is not implemented yet"}
}
