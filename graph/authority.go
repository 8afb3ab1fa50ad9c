package graph

import "strings"

// authorityNames maps folded spellings of well-known designating bodies to
// one canonical name, so that the same body is one node whatever the list
// calls it.
var authorityNames = map[string]string{
	"ofac":                             "US OFAC",
	"us ofac":                          "US OFAC",
	"office of foreign assets control": "US OFAC",
	"us treasury ofac":                 "US OFAC",
	"us department of the treasury":    "US OFAC",
	"department of the treasury":       "US OFAC",
	"un security council":              "UN Security Council",
	"united nations security council":  "UN Security Council",
	"security council":                 "UN Security Council",
	"un":                               "UN Security Council",
	"council of the european union":    "EU Council",
	"european union":                   "EU Council",
	"eu":                               "EU Council",
	"eu council":                       "EU Council",
	"hm treasury":                      "UK HM Treasury (OFSI)",
	"office of financial sanctions implementation": "UK HM Treasury (OFSI)",
	"ofsi":                "UK HM Treasury (OFSI)",
	"uk hm treasury ofsi": "UK HM Treasury (OFSI)",
	"foreign commonwealth and development office": "UK FCDO",
	"fcdo": "UK FCDO",
	"directorate general for financial stability financial services and capital markets union": "EU Council",
	"european commission": "EU Council",
}

// CanonicalAuthority returns the canonical name of a designating authority.
// Without an authority it names one from the country ("Unknown authority (CA)").
func CanonicalAuthority(authority, country string) string {
	a := strings.TrimSpace(authority)
	if a == "" {
		if country == "" {
			return "Unknown authority"
		}
		return "Unknown authority (" + strings.ToUpper(country) + ")"
	}
	if c, ok := authorityNames[Fold(a)]; ok {
		return c
	}
	return a
}

// MatchAuthority reports whether filter names the authority: the canonical
// names are equal, or the filter's words are contained in the authority's
// ("ofac" matches "US OFAC", "security council" matches "UN Security Council").
func MatchAuthority(filter, authority string) bool {
	if filter == "" {
		return true
	}
	if CanonicalAuthority(filter, "") == authority {
		return true
	}
	f, a := Fold(filter), Fold(authority)
	return f != "" && strings.Contains(" "+a+" ", " "+f+" ")
}

// MatchProgramme reports whether filter names the programme (its id or
// name, compared after Fold; "dprk3" matches "DPRK3", "1718" matches
// "1718 Committee").
func MatchProgramme(filter string, names ...string) bool {
	if filter == "" {
		return true
	}
	f := Fold(filter)
	for _, n := range names {
		if a := Fold(n); a == f || (f != "" && strings.Contains(" "+a+" ", " "+f+" ")) {
			return true
		}
	}
	return false
}
