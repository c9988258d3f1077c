// Package archtest holds tests of sigview's layout: which packages may do
// what. It has no code of its own.
package archtest
