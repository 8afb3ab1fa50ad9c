// Package ingest reads sanctions data (FollowTheMoney JSON lines and the
// OpenSanctions delta format, plain or gzip; an investigator's findings CSV)
// into graph.Records, and hands them in batches to a Sink such as a
// store.Run.
//
// Errors in single records are RecordErrors naming the file, line and
// field; the record is rejected and reading goes on (or stops, in strict
// mode). Errors that make the whole file untrustworthy (not FtM at all,
// truncated, unreadable) are returned from File, and the caller rolls the
// run back.
package ingest
