// hoterr parses a generated list of records again and again for about
// -seconds seconds, with the habits that heatls's built-in Go rules flag on
// hot paths: a constant fmt.Errorf, an errors.New returned on every call, and
// fmt.Sprint of one value. Its CPU profile (cpu.pb.gz) makes those lines hot
// for the editor tests of hot-path diagnostics and heatls.search.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

func parseDigit(c byte) (int, error) {
	if c < '0' || c > '9' {
		return 0, errors.New("not a digit")
	}
	return int(c - '0'), nil
}

func parseField(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("empty field")
	}
	n := 0
	for i := 0; i < len(s); i++ {
		d, err := parseDigit(s[i])
		if err != nil {
			return 0, err
		}
		n = n*10 + d
	}
	return n, nil
}

func label(n int) string {
	return fmt.Sprint(n)
}

// records makes n comma-separated records from a fixed seed: a third of the
// fields empty, one in eight with a letter in it.
func records(n int) []string {
	out := make([]string, 0, n)
	seed := uint32(12345)
	for i := 0; i < n; i++ {
		var b strings.Builder
		for f := 0; f < 6; f++ {
			seed = seed*1664525 + 1013904223
			if f > 0 {
				b.WriteByte(',')
			}
			switch {
			case seed>>29 < 3:
				// empty
			case seed>>29 == 3:
				b.WriteString("4x2")
			default:
				fmt.Fprintf(&b, "%d", seed>>12)
			}
		}
		out = append(out, b.String())
	}
	return out
}

func main() {
	seconds := flag.Float64("seconds", 3, "how long to work")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hoterr:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "hoterr:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	lines := records(1000)
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	sum, bad, width := 0, 0, 0
	for rounds := 0; time.Now().Before(deadline); rounds++ {
		for _, line := range lines {
			for _, field := range strings.Split(line, ",") {
				n, err := parseField(field)
				if err != nil {
					bad++
					continue
				}
				sum += n
				width += len(label(n))
			}
		}
	}
	fmt.Printf("sum %d, %d bad fields, width %d\n", sum, bad, width)
}
