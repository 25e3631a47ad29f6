// Command wordfreq is a small, deterministic workload whose CPU and heap
// profiles serve as demo and test data for heatls.
//
// It builds a pseudo-random text corpus in memory from a fixed seed, then,
// until the work time is up, tokenizes it, counts the words, ranks them and
// hashes the result. Only the standard library is used.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

const (
	seed        = 20240607
	corpusWords = 200000
	topN        = 10
)

func main() {
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	memProfile := flag.String("memprofile", "", "write a heap profile to `file` after the work")
	seconds := flag.Float64("seconds", 3, "work for about `n` seconds")
	flag.Parse()
	if err := run(*cpuProfile, *memProfile, *seconds); err != nil {
		fmt.Fprintln(os.Stderr, "wordfreq:", err)
		os.Exit(1)
	}
}

func run(cpuProfile, memProfile string, seconds float64) error {
	if memProfile != "" {
		runtime.MemProfileRate = 1
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	corpus := generateCorpus(seed, corpusWords)
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	var last *Counter
	var report []Entry
	var digest uint64
	vowels := 0
	var isVowel [256]int
	for _, c := range "aeiou" {
		isVowel[c] = 1
	}
	// countVowels is a closure over vowels and isVowel: a small hot spot of
	// its own, in this file.
	countVowels := func(words []string) {
		for _, w := range words {
			for i := 0; i < len(w); i++ {
				vowels += isVowel[w[i]]
			}
		}
	}
	rounds := 0
	for rounds == 0 || time.Now().Before(deadline) {
		words := tokenize(corpus)
		counter := NewCounter()
		for _, w := range words {
			counter.Add(w)
		}
		report = counter.Top(topN)
		digest = hashWords(words)
		vowels = 0
		countVowels(words)
		last = counter
		rounds++
	}

	fmt.Printf("%d words, %d distinct, %d vowels, digest %016x\n",
		last.Total(), last.Distinct(), vowels, digest)
	for i, e := range report {
		fmt.Printf("%2d %-12s %6d\n", i+1, e.Word, e.Count)
	}
	fmt.Fprintf(os.Stderr, "wordfreq: %d rounds\n", rounds)

	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
	}
	runtime.KeepAlive(corpus)
	runtime.KeepAlive(last)
	return nil
}

// rng is a 64-bit linear congruential generator: the same seed always gives
// the same corpus, whatever the Go version's math/rand does.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state = r.state*6364136223846793005 + 1442695040888963407
	return r.state >> 17
}

// generateCorpus returns text of n words drawn from a made-up vocabulary with
// a skewed distribution, with capitals and punctuation for tokenize to strip.
func generateCorpus(s uint64, n int) []byte {
	r := &rng{state: s}
	syllables := []string{"ka", "lo", "mi", "ne", "su", "tar", "vin", "el", "or", "qua", "zed", "ri"}
	vocab := make([]string, 3000)
	for i := range vocab {
		var w []byte
		for k := 1 + int(r.next()%3); k >= 0; k-- {
			w = append(w, syllables[r.next()%uint64(len(syllables))]...)
		}
		vocab[i] = string(w)
	}
	out := make([]byte, 0, n*8)
	for i := 0; i < n; i++ {
		x := r.next() % uint64(len(vocab))
		w := vocab[x*x/uint64(len(vocab))]
		if i%17 == 0 {
			out = append(out, w[0]-'a'+'A')
			w = w[1:]
		}
		out = append(out, w...)
		switch r.next() % 11 {
		case 0:
			out = append(out, ", "...)
		case 1:
			out = append(out, ".\n"...)
		default:
			out = append(out, ' ')
		}
	}
	return out
}
