// Package exposure decides whether an entity is blocked under OFAC's 50
// Percent Rule (Revised Guidance of 13 August 2014, FAQs 398-402): stakes
// of blocked persons add up, stakes are intervals so that an unknown
// percentage is never guessed, control is reported apart, and every answer
// carries its chains of ownership as paths. It reads the graph through the
// Data interface, which the store implements on one snapshot.
package exposure
