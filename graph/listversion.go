package graph

import "time"

// Where the date of a list version comes from (ListVersion.DateFrom).
const (
	ListDateStated = "stated" // the file states it (the UN list's dateGenerated, OFAC XML's Publish_Date)
	ListDateGiven  = "given"  // the person who ingested it gave it (ingest --list-date)
)

// ListVersion is one version of an official list as an ingest run read
// it: what an answer resting on the list's records rests on.
type ListVersion struct {
	Dataset string `json:"dataset"`         // us_ofac_sdn, un_sc_sanctions, ...
	Title   string `json:"title,omitempty"` // OFAC Specially Designated Nationals (SDN) list
	// Date is the version's date (YYYY-MM-DD), "" when neither the file
	// nor the person who ingested it stated one; DateFrom says which.
	Date     string `json:"date,omitempty"`
	DateFrom string `json:"dateFrom,omitempty"`
	File     string `json:"file,omitempty"` // the file's name
	URL      string `json:"url,omitempty"`  // where the list is published
	Entries  int    `json:"entries"`
	// Run and Ingested are the ingest run that read it and when it was
	// committed (set by the store).
	Run      uint64    `json:"run,omitempty"`
	Ingested time.Time `json:"ingested,omitzero"`
}
