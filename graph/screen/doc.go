// Package screen compares a name (with kind, country, birth date and
// identifiers if known) with the names of listed parties: transliteration
// and romanisation, word-by-word alignment with typos, initials and
// given-name variants, word weights from the index's name postings (IDF),
// candidates found in those postings (Lookup), and an explanation of every
// hit. It imports the model and reads the index; legal forms come from the
// model's one table (graph.LegalFormAt).
package screen
