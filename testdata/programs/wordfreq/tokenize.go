package main

// tokenize splits text into lower-case words. A word is a run of ASCII
// letters; everything else separates words. This byte loop is the program's
// dominant cost.
func tokenize(text []byte) []string {
	words := make([]string, 0, len(text)/6)
	buf := make([]byte, 0, 32)
	for _, c := range text {
		switch {
		case c >= 'a' && c <= 'z':
			buf = append(buf, c)
		case c >= 'A' && c <= 'Z':
			buf = append(buf, c+'a'-'A')
		default:
			if len(buf) > 0 {
				words = append(words, normalize(buf))
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		words = append(words, normalize(buf))
	}
	return words
}

// normalize folds doubled letters ("tarr" -> "tar") and interns nothing: it
// returns a fresh string for every word, which the heap profile shows.
func normalize(w []byte) string {
	n := 1
	for i := 1; i < len(w); i++ {
		if w[i] != w[n-1] {
			w[n] = w[i]
			n++
		}
	}
	return string(w[:n])
}
