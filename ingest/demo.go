package ingest

import (
	"bytes"
	"context"
	_ "embed"
)

//go:embed demo/demo.ftm.json
var demoData []byte

// DemoName is the file name the demo data is reported under.
const DemoName = "demo.ftm.json (embedded)"

// Demo ingests the embedded demo dataset (see demo/SOURCES.md): the DPRK
// Foreign Trade Bank network around the 2018 and 2019 US Treasury actions.
func Demo(ctx context.Context, sink Sink) (*Summary, error) {
	return Reader(ctx, DemoName, bytes.NewReader(demoData), sink, Options{Format: "ftm", Dataset: "sanctionsgraph_demo"})
}
