// pyroscopesvc: a stand-in for a Grafana Pyroscope server in heatls's
// network tests (no real Pyroscope can run where the tests run). It
// speaks the Connect unary protocol of Pyroscope's querier API on
// 127.0.0.1 (a port the kernel picks, printed as "port N" on stdout):
// POST /querier.v1.QuerierService/{ProfileTypes,LabelValues,
// SelectMergeStacktraces,SelectMergeProfile}.
//
// Every request is checked as Pyroscope would and more strictly: the
// method, the Content-Type, Connect-Protocol-Version, the credentials and
// the tenant it was told to want, and the body, decoded here by hand from
// the field numbers Pyroscope publishes (api/querier/v1/querier.proto,
// api/types/v1/types.proto), so that it checks heatls's own schema
// independently: an unknown field, a wrong wire type, a profile type id
// that is not name:type:unit:period_type:period_unit, a selector that is
// not {...}, times that are not milliseconds or not in order all get a
// Connect error. The answer is a real profile (testdata/programs/wordfreq)
// or a Connect error.
//
// How it answers depends on the first segment of the path, so that one
// server plays every kind of Pyroscope (heatls puts a URL's path before
// /querier.v1.QuerierService/):
//
//	(none)   today's Pyroscope: SelectMergeStacktraces answers the pprof
//	old      before PROFILE_FORMAT_PPROF: a flame graph (no pprof)
//	v0       SelectMergeStacktraces is Connect "unimplemented"
//	nomux    SelectMergeStacktraces is not routed: Go's plain 404
//	denied   every call: Connect permission_denied, as JSON
//	html     every call: 200 with an HTML page
//	text     every call: 200 text/plain
//	hang     every call: accepted, never answered
//	garbage  every call: 200 application/proto, bytes that are no message
//
// GET /last/METHOD answers the last request of METHOD as decoded (JSON),
// GET /calls the methods called in order, so tests can check what heatls
// sent. Standard library only; it exits when stdin closes or after -life.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	cpuFile  = flag.String("cpu", "", "the profile answered for process_cpu:cpu:nanoseconds:cpu:nanoseconds")
	heapFile = flag.String("heap", "", "the profile answered for memory:* types")
	services = flag.String("services", "checkout,cart", "the service_name values it has")
	user     = flag.String("user", "", "basic auth user it wants (with -password)")
	password = flag.String("password", "", "basic auth password it wants")
	token    = flag.String("token", "", "a bearer token it also accepts")
	tenant   = flag.String("tenant", "", "the X-Scope-OrgID it wants (empty: none)")
	life     = flag.Duration("life", 120*time.Second, "exit after this long")
)

var typeIDs = []string{
	"process_cpu:cpu:nanoseconds:cpu:nanoseconds",
	"memory:alloc_space:bytes:space:bytes",
	"memory:alloc_objects:count:space:bytes",
	"memory:inuse_space:bytes:space:bytes",
	"memory:inuse_objects:count:space:bytes",
}

// The wire format, by hand.

const (
	wireVarint = 0
	wireLen    = 2
)

type field struct {
	num   int
	wire  int
	value uint64 // varint
	bytes []byte // length-delimited
}

func varint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("a varint runs past the end")
}

// decode splits a message into its fields; only varint and
// length-delimited wire types are valid in the messages heatls sends.
func decode(b []byte) ([]field, error) {
	var out []field
	for len(b) > 0 {
		key, n, err := varint(b)
		if err != nil {
			return nil, err
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case wireVarint:
			f.value, n, err = varint(b)
			if err != nil {
				return nil, err
			}
			b = b[n:]
		case wireLen:
			l, n, err := varint(b)
			if err != nil {
				return nil, err
			}
			b = b[n:]
			if l > uint64(len(b)) {
				return nil, errors.New("a length runs past the end")
			}
			f.bytes = b[:l]
			b = b[l:]
		default:
			return nil, fmt.Errorf("field %d: wire type %d", f.num, f.wire)
		}
		out = append(out, f)
	}
	return out, nil
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b []byte, num int, data []byte) []byte {
	b = appendVarint(b, uint64(num)<<3|wireLen)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// schema: for each field number of a request, its name and kind
// ("string", "strings" (repeated), "int64", "enum").
type schema map[int][2]string

var schemas = map[string]schema{
	"ProfileTypes":           {1: {"start", "int64"}, 2: {"end", "int64"}},
	"LabelValues":            {1: {"name", "string"}, 2: {"matchers", "strings"}, 3: {"start", "int64"}, 4: {"end", "int64"}},
	"SelectMergeStacktraces": {1: {"profile_typeID", "string"}, 2: {"label_selector", "string"}, 3: {"start", "int64"}, 4: {"end", "int64"}, 5: {"max_nodes", "int64"}, 6: {"format", "enum"}},
	"SelectMergeProfile":     {1: {"profile_typeID", "string"}, 2: {"label_selector", "string"}, 3: {"start", "int64"}, 4: {"end", "int64"}, 5: {"max_nodes", "int64"}},
}

// request decodes body by the method's schema into a map.
func request(method string, body []byte) (map[string]interface{}, error) {
	s := schemas[method]
	fields, err := decode(body)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	for _, f := range fields {
		def, ok := s[f.num]
		if !ok {
			return nil, fmt.Errorf("%s has no field %d", method, f.num)
		}
		name, kind := def[0], def[1]
		switch kind {
		case "string", "strings":
			if f.wire != wireLen {
				return nil, fmt.Errorf("%s.%s: wire type %d, want 2", method, name, f.wire)
			}
			if kind == "strings" {
				l, _ := out[name].([]string)
				out[name] = append(l, string(f.bytes))
			} else {
				if _, dup := out[name]; dup {
					return nil, fmt.Errorf("%s.%s given twice", method, name)
				}
				out[name] = string(f.bytes)
			}
		default:
			if f.wire != wireVarint {
				return nil, fmt.Errorf("%s.%s: wire type %d, want 0", method, name, f.wire)
			}
			out[name] = int64(f.value)
		}
	}
	return out, nil
}

var selectorRe = regexp.MustCompile(`^\{(\s*[A-Za-z_][A-Za-z0-9_]*\s*(=|!=|=~|!~)\s*"(\\.|[^"\\])*"\s*(,\s*[A-Za-z_][A-Za-z0-9_]*\s*(=|!=|=~|!~)\s*"(\\.|[^"\\])*"\s*)*)?\}$`)
var serviceRe = regexp.MustCompile(`service_name\s*=\s*"([^"]*)"`)

// checkQuery checks what both Select RPCs carry.
func checkQuery(q map[string]interface{}) error {
	id, _ := q["profile_typeID"].(string)
	if strings.Count(id, ":") != 4 {
		return fmt.Errorf("profile_typeID %q: want name:type:unit:period_type:period_unit", id)
	}
	sel, _ := q["label_selector"].(string)
	if !selectorRe.MatchString(sel) {
		return fmt.Errorf("label_selector %q: not a selector", sel)
	}
	return checkRange(q, true)
}

func checkRange(q map[string]interface{}, required bool) error {
	start, _ := q["start"].(int64)
	end, _ := q["end"].(int64)
	if !required && start == 0 && end == 0 {
		return nil
	}
	now := time.Now().UnixMilli()
	// Milliseconds: after 2001 and not past now by more than a minute.
	if start < 1e12 || end < 1e12 || end > now+60000 {
		return fmt.Errorf("start %d, end %d: not milliseconds up to now", start, end)
	}
	if start >= end {
		return fmt.Errorf("start %d is not before end %d", start, end)
	}
	return nil
}

type server struct {
	mu    sync.Mutex
	last  map[string]map[string]interface{}
	calls []string
	cpu   []byte
	heap  []byte
}

func readProfile(path string) []byte {
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			log.Fatal(err)
		}
		raw, err = io.ReadAll(zr)
		if err != nil {
			log.Fatal(err)
		}
	}
	return raw // google.v1.Profile: pprof, not compressed
}

// connectError answers as Connect does: a JSON body with code and message.
func connectError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message})
}

func proto(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/proto")
	w.Write(body)
}

// authorized: the basic credentials or the bearer token it wants.
func authorized(r *http.Request) bool {
	if *user == "" && *token == "" {
		return r.Header.Get("Authorization") == ""
	}
	got := r.Header.Get("Authorization")
	if *user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(*user+":"+*password))
		if got == want {
			return true
		}
	}
	return *token != "" && got == "Bearer "+*token
}

func (s *server) profileFor(q map[string]interface{}) []byte {
	sel, _ := q["label_selector"].(string)
	if m := serviceRe.FindStringSubmatch(sel); m != nil {
		known := false
		for _, name := range strings.Split(*services, ",") {
			known = known || name == m[1]
		}
		if !known {
			return nil // Pyroscope answers an empty profile
		}
	}
	id, _ := q["profile_typeID"].(string)
	switch {
	case id == typeIDs[0]:
		return s.cpu
	case strings.HasPrefix(id, "memory:"):
		return s.heap
	}
	return nil
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	mode := ""
	if len(parts) == 3 {
		mode, parts = parts[0], parts[1:]
	}
	if len(parts) != 2 || parts[0] != "querier.v1.QuerierService" {
		http.NotFound(w, r)
		return
	}
	method := parts[1]
	if _, ok := schemas[method]; !ok {
		connectError(w, http.StatusNotFound, "unimplemented", "querier.v1.QuerierService/"+method+" is not implemented")
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, mode+"/"+method)
	s.mu.Unlock()
	switch mode {
	case "denied":
		connectError(w, http.StatusForbidden, "permission_denied", "this tenant may not read profiles")
		return
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><body>Grafana</body></html>")
		return
	case "text":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
		return
	case "hang":
		<-r.Context().Done()
		return
	case "garbage":
		proto(w, []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
		return
	case "nomux":
		if method == "SelectMergeStacktraces" {
			http.NotFound(w, r)
			return
		}
	case "v0":
		if method == "SelectMergeStacktraces" {
			connectError(w, http.StatusNotImplemented, "unimplemented", "querier.v1.QuerierService.SelectMergeStacktraces is not implemented")
			return
		}
	case "", "old":
	default:
		http.NotFound(w, r)
		return
	}
	// What every Connect unary call must carry.
	switch {
	case r.Method != http.MethodPost:
		connectError(w, http.StatusMethodNotAllowed, "unimplemented", "method "+r.Method+", want POST")
		return
	case r.Header.Get("Content-Type") != "application/proto":
		connectError(w, http.StatusUnsupportedMediaType, "invalid_argument", "Content-Type "+r.Header.Get("Content-Type")+", want application/proto")
		return
	case r.Header.Get("Connect-Protocol-Version") != "1":
		connectError(w, http.StatusBadRequest, "invalid_argument", "Connect-Protocol-Version "+r.Header.Get("Connect-Protocol-Version")+", want 1")
		return
	case !authorized(r):
		connectError(w, http.StatusUnauthorized, "unauthenticated", "no valid credentials")
		return
	case r.Header.Get("X-Scope-OrgID") != *tenant:
		connectError(w, http.StatusUnauthorized, "unauthenticated", "tenant \""+r.Header.Get("X-Scope-OrgID")+"\" unknown")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		connectError(w, http.StatusBadRequest, "invalid_argument", err.Error())
		return
	}
	q, err := request(method, body)
	if err == nil {
		switch method {
		case "ProfileTypes":
			err = checkRange(q, false)
		case "LabelValues":
			if q["name"] != "service_name" {
				err = fmt.Errorf("LabelValues of %v: heatls asks for service_name", q["name"])
			}
			if err == nil {
				err = checkRange(q, false)
			}
		default:
			err = checkQuery(q)
		}
	}
	if err == nil && method == "SelectMergeStacktraces" && mode == "" && q["format"] != int64(4) {
		err = fmt.Errorf("format %v: heatls asks for PROFILE_FORMAT_PPROF (4)", q["format"])
	}
	s.mu.Lock()
	q["mode"] = mode
	q["authorization"] = strings.SplitN(r.Header.Get("Authorization"), " ", 2)[0]
	q["tenant"] = r.Header.Get("X-Scope-OrgID")
	s.last[method] = q
	s.mu.Unlock()
	if err != nil {
		connectError(w, http.StatusBadRequest, "invalid_argument", err.Error())
		return
	}
	switch method {
	case "ProfileTypes":
		var out []byte
		for _, id := range typeIDs {
			p := strings.Split(id, ":")
			var t []byte
			t = appendBytes(t, 1, []byte(id))
			t = appendBytes(t, 2, []byte(p[0]))
			t = appendBytes(t, 4, []byte(p[1]))
			t = appendBytes(t, 5, []byte(p[2]))
			t = appendBytes(t, 6, []byte(p[3]))
			t = appendBytes(t, 7, []byte(p[4]))
			out = appendBytes(out, 1, t)
		}
		proto(w, out)
	case "LabelValues":
		var out []byte
		for _, name := range strings.Split(*services, ",") {
			out = appendBytes(out, 1, []byte(name))
		}
		proto(w, out)
	case "SelectMergeProfile":
		proto(w, s.profileFor(q))
	case "SelectMergeStacktraces":
		var out []byte
		if mode == "old" {
			// A flame graph (names, one level, total), as a server from
			// before PROFILE_FORMAT_PPROF answers whatever the format.
			var fg []byte
			fg = appendBytes(fg, 1, []byte("total"))
			fg = appendBytes(fg, 2, appendBytes(nil, 1, []byte{0, 1, 0, 0}))
			fg = appendVarint(fg, 3<<3|wireVarint)
			fg = appendVarint(fg, 1)
			out = appendBytes(out, 1, fg)
		} else if p := s.profileFor(q); p != nil {
			out = appendBytes(out, 5, appendBytes(nil, 1, p))
		} else {
			out = appendBytes(out, 5, nil)
		}
		proto(w, out)
	}
}

func (s *server) lastOf(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/calls" {
		json.NewEncoder(w).Encode(s.calls)
		return
	}
	json.NewEncoder(w).Encode(s.last[strings.TrimPrefix(r.URL.Path, "/last/")])
}

func main() {
	flag.Parse()
	s := &server{last: map[string]map[string]interface{}{}, cpu: readProfile(*cpuFile), heap: readProfile(*heapFile)}
	mux := http.NewServeMux()
	mux.HandleFunc("/last/", s.lastOf)
	mux.HandleFunc("/calls", s.lastOf)
	mux.HandleFunc("/", s.handle)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
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
	log.Fatal(http.Serve(ln, mux))
}
