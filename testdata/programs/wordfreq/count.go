package main

import "sort"

// Entry is one word and how often it occurred.
type Entry struct {
	Word  string
	Count int
}

// Counter counts word frequencies.
type Counter struct {
	counts map[string]int
	total  int
}

// NewCounter returns an empty Counter.
func NewCounter() *Counter {
	return &Counter{counts: make(map[string]int)}
}

// Add counts one occurrence of w.
func (c *Counter) Add(w string) {
	c.counts[w]++
	c.total++
}

// Total is the number of words added.
func (c *Counter) Total() int { return c.total }

// Distinct is the number of different words added.
func (c *Counter) Distinct() int { return len(c.counts) }

// Top returns the n most frequent words, ties broken by the word, so the
// result is the same on every run.
func (c *Counter) Top(n int) []Entry {
	entries := make([]Entry, 0, len(c.counts))
	for w, k := range c.counts {
		entries = append(entries, Entry{w, k})
	}
	less := func(i, j int) bool {
		if entries[i].Count != entries[j].Count {
			return entries[i].Count > entries[j].Count
		}
		return entries[i].Word < entries[j].Word
	}
	sort.Slice(entries, less)
	if len(entries) > n {
		entries = entries[:n]
	}
	return entries
}

// hashWords is FNV-1a over every word, with a separator byte between words.
func hashWords(words []string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			h ^= uint64(w[i])
			h *= prime
		}
		h ^= 0xff
		h *= prime
	}
	return h
}
