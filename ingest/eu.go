package ingest

import "context"

// The EU FSF XML reader is not written yet.

func sniffEUFSF(head []byte) bool { return false }

func parseEUFSF(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the EU FSF XML format is not implemented yet"}
}
