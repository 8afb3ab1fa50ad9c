package ingest

import "context"

// The OFAC SDN.XML reader is not written yet.

func sniffOFACXML(head []byte) bool { return false }

func parseOFACXML(ctx context.Context, src *listSource) (*ListParse, error) {
	return nil, &FileError{File: src.Name, Msg: "reading the OFAC SDN.XML format is not implemented yet"}
}
