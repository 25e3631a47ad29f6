// pprofsvc: a Go service for heatls's network tests. It serves
// net/http/pprof on 127.0.0.1 (a port the kernel picks, printed as
// "port N" on stdout) while it burns CPU, allocates and contends on a
// mutex, and it serves the bad answers a profile source can give under
// /bad/. Standard library only; it exits when stdin closes or after
// -life, so a test that dies leaves nothing running.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	runtimepprof "runtime/pprof"
	"strconv"
	"sync"
	"time"
)

var (
	tlsDir       = flag.String("tls", "", "serve HTTPS with a certificate made now; the CA goes to DIR/ca.pem")
	clientCerts  = flag.Bool("client-certs", false, "with -tls: require a client certificate; one is made in DIR/client.pem and DIR/client-key.pem")
	writeTimeout = flag.Duration("write-timeout", 0, "the server's WriteTimeout (0: none)")
	serveFile    = flag.String("file", "", "a file served at /file (the benchmark profile)")
	life         = flag.Duration("life", 120*time.Second, "exit after this long")
	token        = flag.String("token", "s3cret-token", "the bearer token /auth/ wants")
)

var sink [][]byte
var mu sync.Mutex
var shared int

// work keeps every profile busy: CPU, allocations, a contended mutex.
func work() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1000)
	for i := 0; i < 2; i++ {
		go func() {
			x := 0
			for {
				for j := 0; j < 1000000; j++ {
					x += j * j
				}
				if x == 42 {
					fmt.Println(x)
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	go func() {
		for {
			sink = append(sink, make([]byte, 64<<10+len(sink)))
			if len(sink) > 256 {
				sink = sink[:0]
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for i := 0; i < 4; i++ {
		go func() {
			for {
				mu.Lock()
				shared++
				time.Sleep(50 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
}

// makeCert writes dir/ca.pem and returns a server certificate for
// 127.0.0.1 signed by that CA, and the CA; with -client-certs also a
// client certificate and its key in dir.
func makeCert(dir string) (tls.Certificate, *x509.Certificate) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "heatls test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	check(err)
	caCert, err := x509.ParseCertificate(caDER)
	check(err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	check(err)
	check(os.WriteFile(filepath.Join(dir, "ca.pem"),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	if *clientCerts {
		ckey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		check(err)
		client := &x509.Certificate{
			SerialNumber: big.NewInt(3),
			Subject:      pkix.Name{CommonName: "heatls test client"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		cder, err := x509.CreateCertificate(rand.Reader, client, caCert, &ckey.PublicKey, caKey)
		check(err)
		kder, err := x509.MarshalECPrivateKey(ckey)
		check(err)
		check(os.WriteFile(filepath.Join(dir, "client.pem"),
			pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}), 0o644))
		check(os.WriteFile(filepath.Join(dir, "client-key.pem"),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caCert
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// heapProfile is a real gzipped heap profile of this process.
func heapProfile() []byte {
	var b bytes.Buffer
	check(runtimepprof.Lookup("heap").WriteTo(&b, 0))
	return b.Bytes()
}

func bad(mux *http.ServeMux) {
	mux.HandleFunc("/bad/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><body>not a profile</body></html>\n")
	})
	// /bad/big?mib=N: N MiB of random bytes (over any small cap).
	mux.HandleFunc("/bad/big", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("mib"))
		chunk := make([]byte, 1<<20)
		rand.Read(chunk)
		for i := 0; i < n; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/bad/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/bad/loop", http.StatusFound)
	})
	mux.HandleFunc("/bad/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://127.0.0.1/profile", http.StatusFound)
	})
	mux.HandleFunc("/bad/cut", func(w http.ResponseWriter, r *http.Request) {
		p := heapProfile()
		w.Write(p[:len(p)/2])
	})
	// Accepts, then never answers (until the client goes, or a minute).
	mux.HandleFunc("/bad/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	// /auth/heap: the heap profile for "Authorization: Bearer TOKEN" only.
	mux.HandleFunc("/auth/heap", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+*token ||
			r.Header.Get("X-Scope-OrgID") != "tenant-1" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Write(heapProfile())
	})
	if *serveFile != "" {
		mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, *serveFile)
		})
	}
}

func main() {
	flag.Parse()
	work()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	bad(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	srv := &http.Server{Handler: mux, WriteTimeout: *writeTimeout}
	if *tlsDir != "" {
		cert, ca := makeCert(*tlsDir)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		if *clientCerts {
			pool := x509.NewCertPool()
			pool.AddCert(ca)
			srv.TLSConfig.ClientCAs = pool
			srv.TLSConfig.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	go func() {
		time.Sleep(*life)
		os.Exit(0)
	}()
	if *tlsDir != "" {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	log.Fatal(err)
}
