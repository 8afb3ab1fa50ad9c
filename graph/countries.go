package graph

import (
	"encoding/json"
	"strings"
	"sync"
)

// Countries: the FtM country codes (ISO 3166-1 alpha-2 in lower case, plus
// a few FtM territory codes such as "ua-cri") and the names official lists
// give them. Lists spell countries many ways ("Korea, North", "Democratic
// People's Republic of Korea", "DPRK"); CountryCode maps each to one code so
// that countries can be compared across lists.

var (
	countriesOnce sync.Once
	countryNames  map[string]string // code -> English name (from the FtM model)
	countryByName map[string]string // Fold(name) -> code
)

// countryVariants are spellings the lists use that the FtM names do not
// cover, folded.
var countryVariants = map[string]string{
	"korea north":                          "kp",
	"dprk":                                 "kp",
	"d p r k":                              "kp",
	"democratic peoples republic of korea": "kp",
	"korea democratic peoples republic of": "kp",
	"korea democratic peoples republic":    "kp",
	"korea dem peoples rep":                "kp",
	"korea dprk":                           "kp",
	"north korean":                         "kp",
	"korean north":                         "kp",
	"korea south":                          "kr",
	"republic of korea":                    "kr",
	"korea republic of":                    "kr",
	"russian federation":                   "ru",
	"russian":                              "ru",
	"iran islamic republic of":             "ir",
	"islamic republic of iran":             "ir",
	"syrian arab republic":                 "sy",
	"venezuela bolivarian republic of":     "ve",
	"bolivarian republic of venezuela":     "ve",
	"bolivia plurinational state of":       "bo",
	"united kingdom of great britain and northern ireland": "gb",
	"great britain":                    "gb",
	"britain":                          "gb",
	"uk":                               "gb",
	"united states":                    "us",
	"usa":                              "us",
	"u s a":                            "us",
	"uae":                              "ae",
	"u a e":                            "ae",
	"viet nam":                         "vn",
	"lao peoples democratic republic":  "la",
	"democratic republic of the congo": "cd",
	"congo democratic republic of the": "cd",
	"congo democratic republic":        "cd",
	"democratic republic of congo":     "cd",
	"drc":                              "cd",
	"congo kinshasa":                   "cd",
	"republic of the congo":            "cg",
	"congo republic of the":            "cg",
	"congo":                            "cg",
	"ivory coast":                      "ci",
	"cote d ivoire":                    "ci",
	"burma":                            "mm",
	"turkey":                           "tr",
	"palestinian":                      "ps",
	"palestine":                        "ps",
	"state of palestine":               "ps",
	"west bank":                        "ps",
	"gaza":                             "ps",
	"gaza strip":                       "ps",
	"occupied palestinian territory":   "ps",
	"taiwan province of china":         "tw",
	"hong kong":                        "hk",
	"hong kong sar":                    "hk",
	"hong kong special administrative region": "hk",
	"macau":          "mo",
	"macao":          "mo",
	"czech republic": "cz",
	"macedonia":      "mk",
	"the former yugoslav republic of macedonia": "mk",
	"republic of north macedonia":               "mk",
	"swaziland":                                 "sz",
	"cabo verde":                                "cv",
	"east timor":                                "tl",
	"timor leste":                               "tl",
	"tanzania united republic of":               "tz",
	"united republic of tanzania":               "tz",
	"moldova republic of":                       "md",
	"republic of moldova":                       "md",
	"micronesia federated states of":            "fm",
	"vatican":                                   "va",
	"vatican city":                              "va",
	"brunei darussalam":                         "bn",
	"the gambia":                                "gm",
	"the bahamas":                               "bs",
	"the netherlands":                           "nl",
	"holland":                                   "nl",
	"kyrgyz republic":                           "kg",
	"slovak republic":                           "sk",
	"st kitts and nevis":                        "kn",
	"saint kitts and nevis":                     "kn",
	"st lucia":                                  "lc",
	"st vincent and the grenadines":             "vc",
	"crimea":                                    "ua-cri",
	"crimea region of ukraine":                  "ua-cri",
	"autonomous republic of crimea":             "ua-cri",
	"donetsk peoples republic":                  "ua-dpr",
	"luhansk peoples republic":                  "ua-lpr",
	"soviet union":                              "suhh",
	"ussr":                                      "suhh",
	"yugoslavia":                                "yucs",
	"serbia and montenegro":                     "csxx",
	"bosnia herzegovina":                        "ba",
	"bosnia":                                    "ba",
	"chinese":                                   "cn",
	"peoples republic of china":                 "cn",
	"china peoples republic of":                 "cn",
	"prc":                                       "cn",
	"iranian":                                   "ir",
	"syrian":                                    "sy",
	"iraqi":                                     "iq",
	"afghan":                                    "af",
	"lebanese":                                  "lb",
	"libyan":                                    "ly",
	"yemeni":                                    "ye",
	"sudanese":                                  "sd",
	"somali":                                    "so",
	"pakistani":                                 "pk",
	"saudi":                                     "sa",
	"saudi arabian":                             "sa",
	"belarusian":                                "by",
	"belarussian":                               "by",
	"ukrainian":                                 "ua",
	"venezuelan":                                "ve",
	"cuban":                                     "cu",
	"nicaraguan":                                "ni",
	"burmese":                                   "mm",
	"emirati":                                   "ae",
	"turkish":                                   "tr",
	"british":                                   "gb",
	"american":                                  "us",
	"german":                                    "de",
	"french":                                    "fr",
	"egyptian":                                  "eg",
	"jordanian":                                 "jo",
	"kuwaiti":                                   "kw",
	"qatari":                                    "qa",
	"tunisian":                                  "tn",
	"algerian":                                  "dz",
	"moroccan":                                  "ma",
	"indonesian":                                "id",
	"malaysian":                                 "my",
	"filipino":                                  "ph",
	"kazakh":                                    "kz",
	"uzbek":                                     "uz",
	"tajik":                                     "tj",
	"kyrgyz":                                    "kg",
	"georgian":                                  "ge",
	"armenian":                                  "am",
	"azerbaijani":                               "az",
	"mexican":                                   "mx",
	"colombian":                                 "co",
	"ethiopian":                                 "et",
	"eritrean":                                  "er",
	"nigerian":                                  "ng",
	"kenyan":                                    "ke",
	"malian":                                    "ml",
	"congolese":                                 "cd",
	"central african":                           "cf",
	"south sudanese":                            "ss",
	"haitian":                                   "ht",
	"bangladeshi":                               "bd",
	"indian":                                    "in",
	"israeli":                                   "il",
	"serbian":                                   "rs",
	"italian":                                   "it",
	"spanish":                                   "es",
	"dutch":                                     "nl",
	"swiss":                                     "ch",
	"cypriot":                                   "cy",
	"greek":                                     "gr",
	"latvian":                                   "lv",
	"lithuanian":                                "lt",
	"estonian":                                  "ee",
	"moldovan":                                  "md",
	"bahraini":                                  "bh",
	"omani":                                     "om",
	"canadian":                                  "ca",
	"australian":                                "au",
	"japanese":                                  "jp",
	"vietnamese":                                "vn",
	"thai":                                      "th",
	"singaporean":                               "sg",
	"panamanian":                                "pa",
	"rwandan":                                   "rw",
	"ugandan":                                   "ug",
	"zimbabwean":                                "zw",
	"south african":                             "za",
	"tanzanian":                                 "tz",
	"chadian":                                   "td",
	"nigerien":                                  "ne",
	"guinean":                                   "gn",
	"mauritanian":                               "mr",
	"senegalese":                                "sn",
	"burundian":                                 "bi",
	"south korean":                              "kr",
}

func loadCountries() {
	var m struct {
		Countries map[string]string `json:"countries"`
	}
	if err := json.Unmarshal(ftmModelJSON, &m); err != nil {
		panic("graph: embedded FtM model: " + err.Error())
	}
	countryNames = m.Countries
	countryByName = make(map[string]string, len(m.Countries)*2+len(countryVariants))
	for code, name := range m.Countries {
		countryByName[Fold(name)] = code
		// "Crimea (Occupied Ukraine)", "Hong Kong SAR": also the part before
		// the parenthesis.
		if i := strings.IndexByte(name, '('); i > 0 {
			countryByName[Fold(name[:i])] = code
		}
	}
	for k, code := range countryVariants {
		countryByName[k] = code
	}
}

// IsCountryName reports whether a folded word or phrase is the English
// name of a country or territory as the FtM model spells it ("mexico",
// "chile"; not a variant such as "dprk" or an adjective such as "german").
func IsCountryName(folded string) bool {
	countriesOnce.Do(loadCountries)
	c, ok := countryByName[folded]
	return ok && c != "zz" && Fold(countryNames[c]) == folded
}

// CountryName returns the English name of an FtM country code, or "".
func CountryName(code string) string {
	countriesOnce.Do(loadCountries)
	return countryNames[strings.ToLower(code)]
}

// CountryCode returns the FtM code ("kp") of a country given by code
// ("KP", "kp"), name ("North Korea"), or a spelling the lists use ("Korea,
// North", "Democratic People's Republic of Korea", "DPRK", "Iran (Islamic
// Republic of)", "Russian"); "" if it names no country it knows.
func CountryCode(s string) string {
	countriesOnce.Do(loadCountries)
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 120 {
		return ""
	}
	if len(s) <= 7 {
		if l := strings.ToLower(s); countryNames[l] != "" && (len(s) != 2 || s == l || s == strings.ToUpper(s)) {
			return l
		}
	}
	f := Fold(s)
	if c, ok := countryByName[f]; ok {
		return c
	}
	f = strings.TrimPrefix(f, "the ")
	if c, ok := countryByName[f]; ok {
		return c
	}
	// "Korea, North" -> "North Korea"; "Iran (Islamic Republic of)".
	if i := strings.LastIndexByte(s, ','); i > 0 {
		if c, ok := countryByName[Fold(s[i+1:]+" "+s[:i])]; ok {
			return c
		}
	}
	if i := strings.IndexByte(s, '('); i > 0 {
		if c, ok := countryByName[Fold(s[:i])]; ok {
			return c
		}
	}
	return ""
}

// CountryOfAddress returns the country an address written as text ends
// with ("FTB Building, Jungsong-dong, Central District, Pyongyang, DPRK"
// -> "kp"), or "". Only the last one or two comma-separated parts are
// read: a country named earlier in an address ("Russia Street") is not a
// country of the address.
func CountryOfAddress(text string) string {
	parts := strings.Split(strings.TrimRight(strings.TrimSpace(text), ". "), ",")
	if len(parts) == 0 {
		return ""
	}
	last := strings.TrimSpace(parts[len(parts)-1])
	if len(parts) >= 2 {
		if c := CountryCode(strings.TrimSpace(parts[len(parts)-2]) + ", " + last); c != "" {
			return c
		}
	}
	if c := CountryCode(last); c != "" {
		return c
	}
	// "Moscow 101000, Russia" has the country last; "Pyongyang DPRK" has
	// it as the last word.
	if i := strings.LastIndexByte(last, ' '); i > 0 {
		if w := last[i+1:]; len(w) >= 3 { // not "US" at the end of a street
			return CountryCode(w)
		}
	}
	return ""
}
