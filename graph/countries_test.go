package graph

import "testing"

func TestCountryCode(t *testing.T) {
	cases := map[string]string{
		"KP": "kp", "kp": "kp", "North Korea": "kp", "Korea, North": "kp", "DPRK": "kp",
		"Democratic People's Republic of Korea": "kp", "D.P.R.K.": "kp",
		"Korea, South": "kr", "Republic of Korea": "kr",
		"Russia": "ru", "Russian Federation": "ru", "Iran (Islamic Republic of)": "ir",
		"Syrian Arab Republic": "sy", "United Kingdom of Great Britain and Northern Ireland": "gb",
		"Côte d'Ivoire": "ci", "Cote d'Ivoire": "ci", "Congo, Democratic Republic of the": "cd",
		"Türkiye": "tr", "Turkey": "tr", "Burma": "mm", "the Netherlands": "nl",
		"Crimea (Occupied Ukraine)": "ua-cri", "Hong Kong": "hk", "China": "cn",
		"": "", "Pyongyang": "", "Kp": "", "Atlantis": "", "Korea": "",
	}
	for in, want := range cases {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
	if CountryName("kp") != "North Korea" {
		t.Errorf("CountryName(kp) = %q", CountryName("kp"))
	}
}

func TestCountryOfAddress(t *testing.T) {
	cases := map[string]string{
		"FTB Building, Jungsong-dong, Central District, Pyongyang, DPRK": "kp",
		"Ulanskiy pereulok, number 13 building 1, Moscow 101000, Russia": "ru",
		"Pyongyang, Korea, North":                "kp",
		"Riga, Latvia":                           "lv",
		"Democratic Republic of the Congo (DRC)": "cd",
		"Russia Street 5, Minsk":                 "",
		"Central District, Pyongyang":            "",
		"12 Main Street, US":                     "us",
		"Dandong, Liaoning US":                   "",
	}
	for in, want := range cases {
		if got := CountryOfAddress(in); got != want {
			t.Errorf("CountryOfAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
