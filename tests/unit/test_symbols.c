/*
 * test_symbols.c: Go symbol names -> (package, type, function), and
 * filepath.Base, against every row of the reference's table
 * (shared/golden/symbol-parsing.txt) and the examples of SPEC.md section 4.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "symbol.h"

typedef struct row {
  const char *name;
  const char *pkg; /* NULL: the reference panics, so no package */
  const char *type;
  const char *func;
} row_t;

static const row_t rows[] = {
    /* symbol-parsing.txt, in its order */
    {"bytes.(*Buffer).Write", "bytes", "Buffer", "Write"},
    {"bytes.(*Buffer).Write-fm", "bytes", "Buffer", "Write-fm"},
    {"bytes.Buffer.String", "bytes", "Buffer", "String"},
    {"main.main", "main", "", "main"},
    {"main.main.func1", "main", "", "main"},
    {"main.main.func1.1", "main", "", "main"},
    {"main.init.0", "main", "", "init"},
    {"main.F[...]", "main", "F[", "..]"},
    {"main.F[...].func1", "main", "F[", "..]"},
    {"main.(*List[...]).Push", "main", "List[...]", "Push"},
    {"main.List[...].Len", "main", "List[", "..].Len"},
    {"gopkg.in/yaml.v2.(*parser).parse", "yaml", "v2", "(*parser).parse"},
    {"type..eq.[2]interface {}", "type", "", "eq.[2]interface {}"},
    {"type..hash.example.com/pkg.T", "pkg", "", "T"},
    {"x.func", "x", "", "func"},
    {"x.func1", "x", "", "func1"},
    {"x.T.func", "x", "", "T"},
    {"pkg.Name.", "pkg", "", "Name"},
    {"pkg.Name..", "pkg", "", "Name"},
    {"main.main.func1.gowrap1", "main", "main", "func1.gowrap1"},
    {"main.(*T).M.deferwrap1", "main", "T", "M.deferwrap1"},
    {"runtime.goexit", "runtime", "", "goexit"},
    {"pkg.", NULL, NULL, NULL},
    {"pkg.(T)", NULL, NULL, NULL},
    {"pkg.(T).", NULL, NULL, NULL},
    {"pkg.123", NULL, NULL, NULL},
    {"pkg.(*)", NULL, NULL, NULL},
    {"pkg.()", NULL, NULL, NULL},
    {"pkg.(*T).1", NULL, NULL, NULL},
    {".", NULL, NULL, NULL},
    {"a.b.c.d", "a", "b", "c.d"},
    {"C.malloc", "C", "", "malloc"},
    {"_cgo_abc", "", "", "_cgo_abc"},
    {"main.glob..func1", "main", "", "glob"},
    {"pkg.T.Method.func2.3", "pkg", "T", "Method"},
    {"pkg.(*T).Method.func2.3", "pkg", "T", "Method"},
    /* SPEC.md section 4, rows not in the file above */
    {"bytes.(Buffer).Len", "bytes", "Buffer", "Len"},
    {"main.main.func2.3.func4", "main", "", "main"},
    {"example.com/a/b.(*T).M.func1.2.3", "b", "T", "M"},
    {"net/http.(*conn).serve.func1", "http", "conn", "serve"},
    {"noDotSymbol", "", "", "noDotSymbol"},
    {"example.com/nodot/x", "", "", "example.com/nodot/x"},
    {"__memmove_avx_unaligned_erms", "", "", "__memmove_avx_unaligned_erms"},
    /* Derived from the steps of section 4: a leading '/' is the last one;
     * trimLambda that empties the string panics like an empty one. */
    {"/pkg.F", "pkg", "", "F"},
    {"x..func1", NULL, NULL, NULL},
    {"x.T..", "x", "", "T"},
};

/* Names with no package whose other parts the spec leaves open. */
static const char *const no_package[] = {
    "main.(*T", "", "/", "a/b/", "pkg.(*T", "...",
};

/* A slice must be empty or lie inside name[0..len). */
static int inside(hx_slice_t s, const char *name, size_t len) {
  return s.len == 0 || (s.ptr >= name && s.ptr + s.len <= name + len);
}

static void check_row(const row_t *r) {
  hx_symbol_t sym;
  size_t len = strlen(r->name);
  memset(&sym, 0xa5, sizeof sym);
  hx__symbol_parse(r->name, len, &sym);
  if (!r->pkg) {
    if (sym.package.len != 0)
      fprintf(stderr, "  name \"%s\"\n", r->name);
    CHECK_INT(sym.package.len, 0);
    return;
  }
  CHECK_MEM(sym.package.ptr, sym.package.len, r->pkg);
  if (*r->pkg == '\0')
    return; /* skipped frame: type and func are not used */
  CHECK_MEM(sym.type.ptr, sym.type.len, r->type);
  CHECK_MEM(sym.func.ptr, sym.func.len, r->func);
  CHECK(inside(sym.package, r->name, len));
  CHECK(inside(sym.type, r->name, len));
  CHECK(inside(sym.func, r->name, len));
}

static void test_rows(void) {
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    check_row(&rows[i]);
  for (size_t i = 0; i < sizeof no_package / sizeof no_package[0]; i++) {
    hx_symbol_t sym;
    hx__symbol_parse(no_package[i], strlen(no_package[i]), &sym);
    CHECK_INT(sym.package.len, 0);
  }
}

/* Only name[0..len) is read: the bytes after it change nothing. */
static void test_length_bounds(void) {
  static const char name[] = "main.(*T).Method.func1XYZ/q.r";
  hx_symbol_t sym;
  hx__symbol_parse(name, strlen("main.(*T).Method.func1"), &sym);
  CHECK_MEM(sym.package.ptr, sym.package.len, "main");
  CHECK_MEM(sym.type.ptr, sym.type.len, "T");
  CHECK_MEM(sym.func.ptr, sym.func.len, "Method");

  /* "pkg.Name.3" cut before its ".3", and "a.b" cut to "a" (no dot). */
  hx__symbol_parse("pkg.Name.3", 8, &sym);
  CHECK_MEM(sym.func.ptr, sym.func.len, "Name");
  hx__symbol_parse("a.b", 1, &sym);
  CHECK_INT(sym.package.len, 0);
  hx__symbol_parse("", 0, &sym);
  CHECK_INT(sym.package.len, 0);
}

/* A name from heap memory of its exact length, so that AddressSanitizer
 * catches a read past len (a missing NUL is not an excuse to overrun). */
static void test_no_overread(void) {
  static const char *const names[] = {"main.main.func1", "pkg.",
                                      "pkg.(T)",         "pkg.(*T",
                                      "x.T.func",        "pkg.Name.."};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t len = strlen(names[i]);
    char *copy = malloc(len);
    CHECK(copy != NULL);
    if (!copy)
      return;
    memcpy(copy, names[i], len);
    hx_symbol_t sym;
    hx__symbol_parse(copy, len, &sym);
    CHECK(inside(sym.package, copy, len));
    free(copy);
  }
}

static void check_base(const char *path, const char *want) {
  hx_slice_t s = hx__path_base(path, strlen(path));
  CHECK_MEM(s.ptr, s.len, want);
}

static void test_path_base(void) {
  /* symbol-parsing.txt */
  check_base("", ".");
  check_base("/", "/");
  check_base("a/b/", "b");
  check_base("/x/y.go", "y.go");
  check_base("y.go", "y.go");
  check_base("C:\\x\\y.go", "C:\\x\\y.go");
  /* Go's filepath.Base on Unix, SPEC.md section 3 step 5 */
  check_base("///", "/");
  check_base("a//", "a");
  check_base("/a", "a");
  check_base("//srv//x.go", "x.go");
  check_base(".", ".");

  /* The result points into the path (not for "." or "/"). */
  static const char p[] = "/src/pkg/file.go";
  hx_slice_t s = hx__path_base(p, strlen(p));
  CHECK(s.ptr == p + 9);
  CHECK_INT(s.len, 7);
  /* Only path[0..len) is read. */
  s = hx__path_base(p, 8); /* "/src/pkg" */
  CHECK_MEM(s.ptr, s.len, "pkg");
}

int main(void) {
  test_rows();
  test_length_bounds();
  test_no_overread();
  test_path_base();
  CHECK_DONE();
}
