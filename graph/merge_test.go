package graph

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func ent(ref, dataset, schema string, props map[string][]string) *Entity {
	return &Entity{ID: KeyFor(ref), Ref: ref, Schema: schema, Props: props, Sources: []Source{{Dataset: dataset, RecordID: ref}}}
}

func props(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestSameParty(t *testing.T) {
	p := props
	cases := []struct {
		name string
		a, b *Entity
		rule string // "" = not the same party
	}{
		{"swift", ent("a", "x", "Organization", p("name", "Foreign Trade Bank of the DPRK", "swiftBic", "FTBDKPPY")),
			ent("b", "y", "LegalEntity", p("name", "FOREIGN TRADE BANK (FTB)", "swiftBic", "FTBDKPPYXXX")), "swiftBic"},
		{"swift other branch", ent("a", "x", "Organization", p("name", "Bank Melli", "swiftBic", "MELIIRTH123")),
			ent("b", "y", "Organization", p("name", "Bank Melli", "swiftBic", "MELIIRTH456")), ""},
		{"swift but no shared word", ent("a", "x", "Organization", p("name", "Alpha Holdings", "swiftBic", "FTBDKPPY")),
			ent("b", "y", "Organization", p("name", "Omega Shipping", "swiftBic", "FTBDKPPY")), ""},
		{"same list", ent("a", "x", "Organization", p("name", "Foreign Trade Bank", "swiftBic", "FTBDKPPY")),
			ent("b", "x", "Organization", p("name", "Foreign Trade Bank", "swiftBic", "FTBDKPPY")), ""},
		{"imo", ent("a", "x", "Vessel", p("name", "SEA STAR", "imoNumber", "9030591")),
			ent("b", "y", "Vessel", p("name", "OCEAN QUEEN", "imoNumber", "IMO 9030591")), "imoNumber"},
		{"different imo", ent("a", "x", "Vessel", p("name", "SEA STAR", "imoNumber", "9030591")),
			ent("b", "y", "Vessel", p("name", "SEA STAR", "imoNumber", "7406784", "country", "kp")), ""},
		{"vessel and company", ent("a", "x", "Vessel", p("name", "SEA STAR")), ent("b", "y", "Company", p("name", "SEA STAR")), ""},
		{"OGRN, across fields", ent("a", "x", "Company", p("name", "Russian Financial Society", "registrationNumber", "1027744004903", "country", "ru")),
			ent("b", "y", "Company", p("name", "LLC NCO Russian Financial Society", "ogrnCode", "1027744004903")), "ogrnCode"},
		{"registration number, other country", ent("a", "x", "Company", p("name", "Acme Trading", "registrationNumber", "HRB 188123", "country", "de")),
			ent("b", "y", "Company", p("name", "Acme Trading", "registrationNumber", "HRB 188123", "country", "cy")), ""},
		{"registration number, no country apart", ent("a", "x", "Company", p("name", "Acme Trading", "registrationNumber", "HRB 188123", "country", "de")),
			ent("b", "y", "Company", p("name", "Acme Trading GmbH", "registrationNumber", "188123 (HRB)")), "registrationNumber"},
		{"short registration", ent("a", "x", "Company", p("name", "Acme Trading", "registrationNumber", "12345")),
			ent("b", "y", "Company", p("name", "Acme Trading Co", "registrationNumber", "12345")), ""},
		// Radiozavod: OFAC's in Penza, the EU's in Izhevsk; the EU holds
		// its INN as text in the registration-number field.
		{"Radiozavod: the same INN, whatever field", ent("ofac:37524", "us_ofac_sdn", "Organization", p("name", "JOINT STOCK COMPANY RADIOZAVOD",
			"country", "ru", "taxNumber", "5835049799", "address", "Baidukova st., 1, Penza 440039, Russia")),
			ent("eu:IV:172", "eu_journal_sanctions", "LegalEntity", p("name", "Radiozavod, JSC", "country", "ru",
				"registrationNumber", "5835049799 (Tax ID/INN)", "address", "440039, Penza Oblast, Penza, Baydukova Str., 1, Russian Federation")), "innCode"},
		{"Radiozavod: different INNs refuse the name", ent("ofac:37524", "us_ofac_sdn", "Organization", p("name", "JOINT STOCK COMPANY RADIOZAVOD",
			"alias", "JSC RADIOZAVOD", "country", "ru", "taxNumber", "5835049799", "address", "Baidukova st., 1, Penza 440039, Russia")),
			ent("eu:IV:882", "eu_journal_sanctions", "LegalEntity", p("name", "Radiozavod Zao", "alias", "JSC Radiozavod", "country", "ru",
				"registrationNumber", "1833010911 (INN)", "address", "19 Bazisnaya St., 426034 Izhevsk, Russian Federation")), ""},
		// LLC Zala Aero and LLC CST, sister companies, share the alias
		// Zala Aero Group, a city and a legal form; their INNs differ.
		{"Zala Aero and CST", ent("ofac:45934", "us_ofac_sdn", "Organization", p("name", "LIMITED LIABILITY COMPANY ZALA AERO",
			"alias", "ZALA AERO GROUP", "country", "ru", "taxNumber", "1841001815", "address", "9 Salyama Adilya St., Moscow 123154, Russia")),
			ent("eu:IV:502", "eu_journal_sanctions", "LegalEntity", p("name", "LLC CST (Zala Aero Group)", "alias", "Zala Aero Group",
				"country", "ru", "registrationNumber", "1841015504 (Tax ID/INN)", "address", "127030, Moscow, Institutskiy Lane, 2, Russian Federation")), ""},
		{"a JSC and an LLC of one name", ent("a", "x", "Organization", p("name", "JOINT STOCK COMPANY VREMYA CH", "country", "ru",
			"address", "Ul. Osharskaya D. 67, Nizhniy Novgorod 603105, Russia")),
			ent("b", "y", "LegalEntity", p("name", "Limited Liability Company Vremya-Ch", "country", "ru",
				"address", "Osharskaya 67, Nizhniy Novgorod, Russian Federation")), ""},
		{"one name and form in two cities", ent("a", "x", "LegalEntity", p("name", "NPP SALYUT JSC", "country", "ru",
			"address", "Plekhanova 6, 111123 Moscow, Russian Federation")),
			ent("b", "y", "LegalEntity", p("name", "AO NPP Salyut", "country", "ru",
				"address", "603107, Nizhny Novgorod Oblast, Nizhny Novgorod, Larina Str., 7, Russian Federation")), ""},
		{"name, country and address", ent("a", "x", "Organization", p("name", "KOREA KWANGSON BANKING CORP", "country", "kp",
			"address", "Jungson-dong, Sungri Street, Central District, Pyongyang, Korea, North")),
			ent("b", "y", "LegalEntity", p("name", "Korea Kwangson Banking Corporation (KKBC)", "alias", "Korea Kwangson Banking Corporation",
				"country", "kp", "address", "Jungson-dong, Sungri Street, Central District, Pyongyang, DPRK")), "name+country+address"},
		{"name and country alone", ent("a", "x", "Organization", p("name", "KOREA KWANGSON BANKING CORP", "country", "kp")),
			ent("b", "y", "LegalEntity", p("name", "Korea Kwangson Banking Corporation", "country", "kp")), ""},
		{"name and address, no country on one side", ent("a", "x", "Organization", p("name", "BANK TEJARAT", "address", "130 Taleghani Avenue, Tehran 11365, Iran")),
			ent("b", "y", "Organization", p("name", "Tejarat Bank", "address", "Taleghani Avenue, PO Box 11365-5416, Tehran")), "name+address"},
		{"name, country and legal form", ent("a", "x", "Organization", p("name", "LARRYCOM FOR INVESTMENT LTD", "country", "sd")),
			ent("b", "y", "LegalEntity", p("name", "Larrycom for Investment Ltd.", "country", "sd")), "name+country+legalForm"},
		{"a legal form does not make up for a missing country", ent("a", "x", "Organization", p("name", "LARRYCOM FOR INVESTMENT LTD")),
			ent("b", "y", "LegalEntity", p("name", "Larrycom for Investment Ltd.", "country", "sd")), ""},
		{"one word and a legal form", ent("a", "x", "Organization", p("name", "JOINT STOCK COMPANY RADIOZAVOD", "country", "ru")),
			ent("b", "y", "LegalEntity", p("name", "Radiozavod Zao", "country", "ru")), ""},
		{"names in common", ent("a", "x", "Organization", p("name", "ABU SAYYAF GROUP", "alias", "AL HARAKAT AL ISLAMIYYA")),
			ent("b", "y", "LegalEntity", p("name", "Abu Sayyaf Group", "alias", "Al Harakat Al Islamiyya", "country", "ph")), "name+aliases"},
		{"one name split from its acronym is one name", ent("a", "x", "Organization", p("name", "SAFETY EQUIPMENT PROCUREMENT (SEP)", "alias", "SAFETY EQUIPMENT PROCUREMENT")),
			ent("b", "y", "LegalEntity", p("name", "Safety Equipment Procurement (SEP)", "alias", "Safety Equipment Procurement")), ""},
		{"short name", ent("a", "x", "Organization", p("name", "HAMAS", "country", "ps", "address", "Gaza")),
			ent("b", "y", "Organization", p("name", "Hamas", "country", "ps", "address", "Gaza")), ""},
		{"weak alias only", ent("a", "x", "Organization", p("name", "Alpha", "weakAlias", "Korea Trading Bank", "country", "kp", "address", "Pyongyang")),
			ent("b", "y", "Organization", p("name", "Korea Trading Bank", "country", "kp", "address", "Pyongyang")), ""},
		{"person name and dob", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969-11-08")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08")), "name+birthDate"},
		{"person names that differ by a word, same day", ent("a", "x", "Person", p("name", "MEDVEDCHUK, Viktor", "birthDate", "1954-08-07")),
			ent("b", "y", "Person", p("name", "Viktor Volodymyrovych MEDVEDCHUK", "birthDate", "1954-08-07")), "name+birthDate"},
		{"patronymics spelled two ways, same day", ent("a", "x", "Person", p("name", "GUSEV, Dmitry Gennadyevich", "birthDate", "1972-07-23")),
			ent("b", "y", "Person", p("name", "Dmitry Gennadievich GUSEV", "birthDate", "1972-07-23")), "name+birthDate"},
		{"names that differ by a word, different day", ent("a", "x", "Person", p("name", "MEDVEDCHUK, Viktor", "birthDate", "1954-08-07")),
			ent("b", "y", "Person", p("name", "Viktor Volodymyrovych MEDVEDCHUK", "birthDate", "1961-02-11")), ""},
		{"person name and year", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08")), ""},
		{"person name, year and nationality", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969", "nationality", "kp")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08", "nationality", "kp")), "name+birthYear+nationality"},
		{"person name, year and birthplace", ent("a", "x", "Person", p("name", "ABDUL AZIZ ABBASIN", "birthDate", "1969",
			"birthPlace", "Sheykhan Village, Pirkowti Area, Orgun District, Paktika Province, Afghanistan")),
			ent("b", "y", "Person", p("name", "Abdul Aziz Abbasin", "birthDate", "1969", "birthPlace", "Sheykhan Village, Orgun District")), "name+birthYear+birthPlace"},
		{"no birth date on one side, names, nationality and birthplace agree", ent("a", "x", "Person", p("name", "JAN MOHAMMAD MADANI IKRAM",
			"birthDate", "1954", "nationality", "af", "birthPlace", "Siyachoy village, Panjwai District, Kandahar Province, Afghanistan")),
			ent("b", "y", "Person", p("name", "Jan Mohammad Madani Ikram", "nationality", "af", "birthPlace", "Siyachoy village, Panjwai District")), "name+noBirthDate+birthPlace"},
		{"no birth date on one side, a name alone", ent("a", "x", "Person", p("name", "MOHAMMAD HASSAN AKHUND", "birthDate", "1955")),
			ent("b", "y", "Person", p("name", "Mohammad Hassan Akhund")), ""},
		{"dates one digit apart: a slip, not a contradiction", ent("a", "x", "Person", p("name", "ALI AHMED SULEIMAN", "birthDate", "1966-07-04", "passportNumber", "P1234567")),
			ent("b", "y", "Person", p("name", "SULEIMAN, Ali Ahmed", "birthDate", "1966-07-14", "passportNumber", "P1234567")), "passportNumber"},
		{"01 Jan for an unknown day", ent("a", "x", "Person", p("name", "ABU UBAYDAH YUSUF AL-ANABI", "birthDate", "1969-02-07", "nationality", "dz")),
			ent("b", "y", "Person", p("name", "AL-ANABI, Abu Ubaydah Yusuf", "birthDate", "1969-01-01", "citizenship", "dz")), "name+birthYear+nationality"},
		{"person name only", ent("a", "x", "Person", p("name", "HAN, Jang Su")), ent("b", "y", "Person", p("name", "Jang Su Han")), ""},
		{"person other dob", ent("a", "x", "Person", p("name", "Kim Chol", "birthDate", "1960-01-01")),
			ent("b", "y", "Person", p("name", "Kim Chol", "birthDate", "1962-05-05")), ""},
		{"person passport", ent("a", "x", "Person", p("name", "SUN, Wei", "passportNumber", "G12345678")),
			ent("b", "y", "Person", p("name", "Wei Sun", "passportNumber", "G 12345678")), "passportNumber"},
		{"person national ID in another field", ent("a", "x", "Person", p("name", "D'AMELIO CARDIET, Tania", "idNumber", "11691429")),
			ent("b", "y", "Person", p("name", "Tania D’AMELIO CARDIET", "passportNumber", "V-11691429")), "passportNumber"},
		{"passport, other gender", ent("a", "x", "Person", p("name", "SUN, Wei", "passportNumber", "G12345678", "gender", "male")),
			ent("b", "y", "Person", p("name", "Wei Sun", "passportNumber", "G12345678", "gender", "female")), ""},
		{"different INNs of two persons", ent("a", "x", "Person", p("name", "MIKHEEV, Danila Yurievich", "birthDate", "1999-03-01", "taxNumber", "504414685889", "nationality", "ru")),
			ent("b", "y", "Person", p("name", "Danila Yurievich MIKHEEV", "birthDate", "1999-03-01", "taxNumber", "771577190559", "nationality", "ru")), ""},
		{"nationalities apart do not contradict", ent("a", "x", "Person", p("name", "TITSKIY, Anton Robertovich", "birthDate", "1990-02-12", "nationality", "ua")),
			ent("b", "y", "Person", p("name", "Anton Robertovich TITSKIY", "birthDate", "1990-02-12", "nationality", "ru")), "name+birthDate"},
		{"programme", &Entity{ID: uuid.New(), Schema: SchemaProgramme, Props: p("name", "US OFAC / NPWMD")},
			&Entity{ID: uuid.New(), Schema: SchemaProgramme, Props: p("name", "US OFAC / NPWMD")}, ""},
	}
	for _, c := range cases {
		ev, ok := SameParty(c.a, c.b)
		if got := ev.Rule; !ok && got != "" || (ok != (c.rule != "")) || got != c.rule {
			t.Errorf("%s: SameParty = %v %q (%s), want %q", c.name, ok, got, ev.Detail, c.rule)
		}
		ev2, ok2 := SameParty(c.b, c.a)
		if ok2 != ok || ev2.Rule != ev.Rule {
			t.Errorf("%s: not symmetric: %v %v", c.name, ev, ev2)
		}
	}
}

// A merge refused for a contradiction says what agreed and why it was
// refused; a record of one list and a list's own cross-reference to the
// UN listing override a birth date but never a registry number.
func TestCompare(t *testing.T) {
	p := props
	radiozavodPenza := ent("ofac:37524", "us_ofac_sdn", "Organization", p("name", "JOINT STOCK COMPANY RADIOZAVOD",
		"alias", "JSC RADIOZAVOD", "country", "ru", "taxNumber", "5835049799", "address", "Baidukova st., 1, Izhevsk 440039, Russia"))
	radiozavodIzhevsk := ent("eu:IV:882", "eu_journal_sanctions", "LegalEntity", p("name", "Radiozavod JSC", "alias", "JSC Radiozavod",
		"country", "ru", "registrationNumber", "1833010911 (INN)", "address", "19 Bazisnaya St., 426034 Izhevsk, Russian Federation"))
	c := Compare(radiozavodPenza, radiozavodIzhevsk)
	if c.Same() || !c.Refused() || c.Evidence.Rule != "name+country+address" {
		t.Fatalf("Compare(Radiozavod, Radiozavod) = same %v, refused %v, rule %q, want a refused name+country+address", c.Same(), c.Refused(), c.Evidence.Rule)
	}
	if want := "different INN: 5835049799 / 1833010911"; c.Contradiction.Detail != want {
		t.Errorf("contradiction = %q, want %q", c.Contradiction.Detail, want)
	}

	// The UN listing KPi.055 cited by a UK record: the cross-reference
	// holds against a slipped birth date.
	un := ent("un:6908614", "un_sc_sanctions", "Person", p("name", "KIM KYONG NAM", "birthDate", "1976-07-11"))
	un.Sources[0].RecordID = "KPi.055"
	uk := ent("uk:1", "gb_hmt_sanctions", "Person", p("name", "KIM, Kyong Nam", "birthDate", "1977-03-21", "unscId", "KPi.055"))
	c = Compare(un, uk)
	if !c.Same() || c.Evidence.Rule != RuleUNReference || c.Contradiction == nil {
		t.Fatalf("Compare(UN, UK citing it) = same %v, rule %q, contradiction %v, want unReference over a birth-date contradiction", c.Same(), c.Evidence.Rule, c.Contradiction)
	}
	last := c.Evidence.Checked[len(c.Evidence.Checked)-1]
	if !strings.Contains(last, "overridden by the list's cross-reference") {
		t.Errorf("checked %q, want the overridden contradiction named", c.Evidence.Checked)
	}
	// ... but not against a registry number.
	unCo := ent("un:1", "un_sc_sanctions", "Organization", p("name", "ACME TRADING", "country", "ru", "taxNumber", "5835049799"))
	unCo.Sources[0].RecordID = "KPe.099"
	ukCo := ent("uk:2", "gb_hmt_sanctions", "Organization", p("name", "Acme Trading", "country", "ru", "taxNumber", "1833010911", "unscId", "KPe.099"))
	if c := Compare(unCo, ukCo); c.Same() {
		t.Errorf("Compare(UN, UK citing it, different INNs) = same, want refused")
	}
	// Two EU records of two regimes may be one party; of one regime not.
	a := ent("eu:1", "eu_journal_sanctions", "LegalEntity", p("name", "Turbina JSC", "registrationNumber", "7452033815 (Tax ID/INN)", "country", "ru"))
	b := ent("eu:2", "eu_journal_sanctions", "LegalEntity", p("name", "JSC SKB Turbina", "taxNumber", "7452033815", "country", "ru"))
	a.Sources[0].Part, b.Sources[0].Part = "32014R0833 IV", "32014R0269 I.ENTITIES"
	if ev, ok := SameParty(a, b); !ok || ev.Rule != "innCode" {
		t.Errorf("SameParty(two EU regimes) = %v %v, want innCode", ev, ok)
	}
	b.Sources[0].Part = a.Sources[0].Part
	if c := Compare(a, b); c.Same() || c.Refused() || c.Contradiction.Kind != "list" {
		t.Errorf("Compare(one EU annex) = same %v refused %v %v, want apart, not reported", c.Same(), c.Refused(), c.Contradiction)
	}
}

func TestMergeEntities(t *testing.T) {
	a := ent("ofac:1", "us", "Organization", map[string][]string{"name": {"FTB"}, "swiftBic": {"FTBDKPPY"}})
	a.Referents = []string{"ofac-1"}
	b := ent("eu:1", "eu", "Company", map[string][]string{"name": {"Foreign Trade Bank", "ftb"}, "country": {"kp"}})
	m := MergeEntities(b.ID, []*Entity{a, b})
	if m.ID != b.ID || m.Ref != "eu:1" || m.Schema != "Company" {
		t.Errorf("merged id/ref/schema %s %s %s", m.ID, m.Ref, m.Schema)
	}
	if len(m.Props["name"]) != 2 || m.Props["swiftBic"][0] != "FTBDKPPY" || m.Props["country"][0] != "kp" {
		t.Errorf("merged props %v", m.Props)
	}
	if len(m.Referents) != 2 || len(m.Sources) != 2 {
		t.Errorf("merged referents %v sources %v", m.Referents, m.Sources)
	}
}

// A scope is comparable with another exactly when Compare finds no
// contradiction of kind or list between their records: a store may skip
// the other pairs unread.
func TestMergeScope(t *testing.T) {
	p := props
	src := func(e *Entity, dataset, part string) *Entity {
		e.Sources = append(e.Sources, Source{Dataset: dataset, Part: part})
		return e
	}
	same := p("name", "Ivan Petrov", "birthDate", "1960-01-02")
	recs := []*Entity{
		ent("p1", "ofac", "Person", same),
		ent("p2", "un", "Person", same),
		ent("p3", "ofac", "Person", same),
		src(ent("p4", "eu", "Person", same), "eu", "A"),
		src(ent("p5", "eu", "Person", same), "eu", "B"),
		{Ref: "p6", Schema: "Person", Props: same}, // no source
		{Ref: "p7", Schema: "Person", Props: same},
		ent("c1", "ofac", "Company", p("name", "Petrov LLC")),
		ent("c2", "un", "Organization", p("name", "Petrov LLC")),
		ent("c3", "un", "LegalEntity", p("name", "Petrov LLC")),
		ent("v1", "ofac", "Vessel", p("name", "Petrov")),
		ent("v2", "un", "Vessel", p("name", "Petrov")),
		ent("g1", "ofac", SchemaProgramme, p("name", "Petrov")),
		ent("g2", "un", SchemaProgramme, p("name", "Petrov")),
		ent("u1", "ofac", "NoSuchSchema", p("name", "Petrov")),
		ent("u2", "un", "NoSuchSchema", p("name", "Petrov")),
		src(ent("m1", "ofac", "Person", same), "un", ""),
	}
	scopes := map[*Entity]*MergeScope{}
	for _, e := range recs {
		scopes[e] = NewMergeScope(e.Schema, MergeLists(e))
	}
	for _, a := range recs {
		for _, b := range recs {
			c := Compare(a, b)
			structural := c.Contradiction != nil && c.Contradiction.structural()
			if got := scopes[a].Comparable(scopes[b]); got == structural {
				t.Errorf("Comparable(%s, %s) = %v, but Compare finds %v", a.Ref, b.Ref, got, c.Contradiction)
			}
			if a != b {
				// Two scopes of the same content, not one pointer.
				if got, want := NewMergeScope(a.Schema, MergeLists(a)).Comparable(scopes[b]), scopes[a].Comparable(scopes[b]); got != want {
					t.Errorf("Comparable(%s, %s) depends on the pointer: %v, %v", a.Ref, b.Ref, got, want)
				}
			}
		}
	}
}
