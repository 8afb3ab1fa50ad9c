package graph

// Designation is one listing of an entity by an authority under a
// programme, read from a designated-by relationship.
type Designation struct {
	Authority string   `json:"authority"`
	Programme string   `json:"programme,omitempty"`
	ListedOn  string   `json:"listedOn,omitempty"`
	EndedOn   string   `json:"endedOn,omitempty"`
	Reference string   `json:"reference,omitempty"` // list reference: "KPe.047", an OFAC entry number
	Reason    string   `json:"reason,omitempty"`
	Sources   []Source `json:"sources,omitempty"`
	// Relationship is the designated-by edge the designation was read from.
	Relationship *Relationship `json:"-"`
}

// NewDesignation reads a designation from a designated-by relationship and
// the programme or authority node it points at (which may be nil).
func NewDesignation(r *Relationship, target *Entity) Designation {
	d := Designation{Relationship: r, Sources: r.Sources}
	if target != nil {
		if info := DesignatorOf(target); info != nil {
			d.Authority, d.Programme = info.Authority, info.Programme
		}
	}
	if d.Authority == "" {
		d.Authority = r.First("authority")
	}
	if d.Programme == "" {
		d.Programme = firstOf(r, "programId", "program")
	}
	d.ListedOn = firstOf(r, "listingDate", "startDate", "date")
	d.EndedOn = r.First("endDate")
	d.Reference = firstOf(r, "unscId", "authorityId", "recordId")
	d.Reason = firstOf(r, "reason", "summary")
	return d
}

// Active reports whether the designation has not ended by date (YYYY-MM-DD;
// empty means today or any time: only an end date in the past counts).
func (d Designation) Active(date string) bool {
	return d.EndedOn == "" || (date != "" && d.EndedOn > date)
}

func firstOf(r *Relationship, props ...string) string {
	for _, p := range props {
		if v := r.First(p); v != "" {
			return v
		}
	}
	return ""
}

// DesignatorOf describes an authority or programme entity for the index;
// it returns nil for other entities.
func DesignatorOf(e *Entity) *DesignatorInfo {
	switch e.Schema {
	case SchemaAuthority:
		return &DesignatorInfo{Authority: e.Name(), Name: e.Name()}
	case SchemaProgramme:
		d := &DesignatorInfo{Authority: e.First("authority"), Programme: e.First("programId"), Name: e.Name()}
		if d.Programme == "" {
			d.Programme = e.Name()
			if a := d.Authority + " / "; len(d.Programme) > len(a) && d.Programme[:len(a)] == a {
				d.Programme = d.Programme[len(a):]
			}
		}
		return d
	}
	return nil
}
