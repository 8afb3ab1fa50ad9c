package graph

import (
	"strings"
	"sync"
)

// The one table of legal forms: words and phrases (after Fold) that name
// the legal form of a company rather than the company. Name keys drop
// some of them (NameKey: "Dandong Zhongsheng Industry & Trade Co., Ltd."
// and "DANDONG ZHONGSHENG INDUSTRY AND TRADE CO LTD" share a key),
// screening drops all of them and compares their classes, and the merge
// rules compare them.
//
// The class groups forms that are the same kind of company in different
// languages: two names whose legal forms are of different classes
// ("Deutsche Bank AG" / "Deutsche Bank GmbH") name different companies.
// Forms without a class ("Co", "Corp", "Inc", "Company") say little and
// never disagree.
//
// inKey marks the forms that name keys drop. The others are short words
// that are also ordinary name words in some language ("AS", "AB", "PT",
// "SL") or forms added after stores were written with keys that keep them;
// changing the set changes every stored name key (store's x keys).
var legalFormTable = []struct {
	form  string
	class string
	inKey bool
}{
	// private companies with limited liability
	{"llc", "llc", true}, {"ltd", "llc", true}, {"limited", "llc", true}, {"ooo", "llc", true},
	{"tov", "llc", true}, {"gmbh", "llc", true}, {"sarl", "llc", true}, {"srl", "llc", true},
	{"sro", "llc", true}, {"doo", "llc", true}, {"kft", "llc", true}, {"ltda", "llc", true},
	{"pty", "llc", true}, {"pte", "llc", true}, {"pvt", "llc", true}, {"bv", "llc", true},
	{"aps", "llc", true}, {"fzllc", "llc", true},
	{"limited liability company", "llc", true},
	{"obshchestvo s ogranichennoy otvetstvennostyu", "llc", true},
	{"obshchestvo s ogranichennoi otvetstvennostiu", "llc", true},
	{"obshchestvo s ogranichennoi otvetstvennostyu", "llc", false},
	{"spzoo", "llc", false}, {"sp z o o", "llc", false}, {"sl", "llc", false},
	{"gesellschaft mit beschrankter haftung", "llc", false},
	{"societatea cu raspundere limitata", "llc", false},
	{"sociedad limitada", "llc", false},
	{"s a r l", "llc", false}, {"s r l", "llc", false}, {"l l c", "llc", false},
	// companies with shares (stock corporations)
	{"ag", "stock", true}, {"sa", "stock", true}, {"jsc", "stock", true}, {"ojsc", "stock", true},
	{"cjsc", "stock", true}, {"pjsc", "stock", true}, {"oao", "stock", true}, {"zao", "stock", true},
	{"pao", "stock", true}, {"ao", "stock", true}, {"nv", "stock", true}, {"spa", "stock", true},
	{"plc", "stock", true}, {"s a", "stock", true},
	{"joint stock company", "stock", true}, {"open joint stock company", "stock", true},
	{"closed joint stock company", "stock", true}, {"public joint stock company", "stock", true},
	{"aktsionernoe obshchestvo", "stock", true}, {"publichnoe aktsionernoe obshchestvo", "stock", true},
	{"sociedad anonima", "stock", true},
	{"aktiengesellschaft", "stock", false}, {"asa", "stock", false}, {"oyj", "stock", false},
	{"sae", "stock", false}, {"kk", "stock", false}, {"kabushiki", "stock", false},
	{"kaisha", "stock", false}, {"tbk", "stock", false}, {"as", "stock", false}, {"a s", "stock", false},
	{"ab", "stock", false}, {"s p a", "stock", false}, {"joint stock", "stock", false},
	{"sociedade anonima", "stock", false}, {"public limited company", "stock", false},
	// simplified joint-stock companies (France)
	{"sas", "sas", true}, {"s a s", "sas", false},
	// partnerships
	{"lp", "partnership", true}, {"llp", "partnership", true}, {"kg", "partnership", true},
	{"limited liability partnership", "partnership", true},
	{"l p", "partnership", false}, {"l l p", "partnership", false},
	// non-commercial organisations and state enterprises
	{"ano", "nonprofit", false}, {"nko", "nonprofit", false},
	{"avtonomnaya nekommercheskaya organizatsiya", "nonprofit", false},
	{"fgup", "unitary", false}, {"gup", "unitary", false}, {"mup", "unitary", false},
	// forms that say little
	{"co", "", true}, {"company", "", true}, {"corp", "", true}, {"corporation", "", true},
	{"inc", "", true}, {"incorporated", "", true}, {"fze", "", true}, {"fzco", "", true},
	{"fzc", "", true}, {"dmcc", "", true}, {"oy", "", true}, {"sdn", "", true}, {"bhd", "", true},
	{"cv", "", true}, {"co ltd", "", true},
	{"rl", "", false}, // S. de R.L. (responsabilidad limitada)
	{"tob", "", false}, {"saog", "", false}, {"wll", "", false}, {"pllc", "", false},
	{"lda", "", false}, {"pt", "", false}, {"sp", "", false},
}

type legalFormInfo struct {
	class string
	inKey bool
}

var (
	legalFormsOnce sync.Once
	legalForms     map[string]legalFormInfo // form -> info
	legalFormWords int                      // words in the longest form
)

func loadLegalForms() {
	legalForms = make(map[string]legalFormInfo, len(legalFormTable))
	for _, f := range legalFormTable {
		if _, dup := legalForms[f.form]; dup {
			panic("graph: legal form listed twice: " + f.form)
		}
		legalForms[f.form] = legalFormInfo{class: f.class, inKey: f.inKey}
		legalFormWords = max(legalFormWords, strings.Count(f.form, " ")+1)
	}
}

// LegalFormAt returns the number of words of the longest legal form that
// toks (folded words) start with, 0 if none, and its class ("llc",
// "stock", "sas", "partnership", "nonprofit", "unitary", or "" for forms
// that say little). With keyOnly, only the forms name keys drop count.
func LegalFormAt(toks []string, keyOnly bool) (n int, class string) {
	legalFormsOnce.Do(loadLegalForms)
	var b strings.Builder
	for i := 0; i < len(toks) && i < legalFormWords; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(toks[i])
		if f, ok := legalForms[b.String()]; ok && (f.inKey || !keyOnly) {
			n, class = i+1, f.class
		}
	}
	return n, class
}

// IsLegalForm reports whether a folded word is a legal form on its own
// ("llc", "gmbh"); with keyOnly, one that name keys drop.
func IsLegalForm(word string, keyOnly bool) bool {
	n, _ := LegalFormAt([]string{word}, keyOnly)
	return n == 1
}
