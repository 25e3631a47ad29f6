/*
 * text_buf.h: a buffer that text outputs are written into: bytes, decimal
 * integers and JSON strings without stdio's format parsing, which cost
 * more than the rest of a line of `heatls json` or an inlay hint.
 *
 * Three kinds: one over a FILE, into caller-given storage that is written
 * out whenever it fills (the CLI's outputs); one in memory that grows up
 * to a cap (an answer to be framed); one over a caller's array of fixed
 * size (a value or a label). A failure (no memory, over the
 * cap) is remembered and the text is lost, so that a writer checks once,
 * at the end (text_buf_take); a FILE's write errors stay on the FILE
 * (ferror), as with stdio.
 */
#ifndef HEATLS_TEXT_BUF_H
#define HEATLS_TEXT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct text_buf {
  char *data;
  size_t len, cap;
  FILE *sink;  /* NULL: in memory */
  size_t max;  /* in memory: no more bytes than this */
  bool failed; /* in memory: out of memory or over max */
  bool fixed;  /* over a caller's array: never grows */
} text_buf_t;

/* Over sink, with storage[0..size) (size > 0) as its buffer. */
void text_buf_init_file(text_buf_t *t, FILE *sink, char *storage, size_t size);
/* In memory, growing up to max bytes. */
void text_buf_init_mem(text_buf_t *t, size_t max);
/* Over buf[0..size) (size > 0), NUL-terminated by text_buf_cstr; a text
 * that does not fit is cut, as snprintf cuts it, and marks the buffer
 * failed. */
void text_buf_init_array(text_buf_t *t, char *buf, size_t size);
/* An array buffer's text, NUL-terminated. */
const char *text_buf_cstr(text_buf_t *t);

/* Makes room for n more bytes at t->data + t->len (writing out a FILE's
 * buffer, growing a memory one); false when there is none (a failed
 * buffer, or n over a FILE buffer's size). */
bool text_buf_reserve(text_buf_t *t, size_t n);

/* The part of text_buf_put that makes room first. */
void text_buf_put_more(text_buf_t *t, const char *s, size_t n);
static inline void text_buf_put(text_buf_t *t, const char *s, size_t n) {
  if (t->cap - t->len >= n) {
    memcpy(t->data + t->len, s, n);
    t->len += n;
  } else {
    text_buf_put_more(t, s, n);
  }
}
void text_buf_str(text_buf_t *t, const char *s);
static inline void text_buf_char(text_buf_t *t, char c) {
  if (t->len < t->cap || text_buf_reserve(t, 1))
    t->data[t->len++] = c;
}
void text_buf_u64(text_buf_t *t, uint64_t v);
void text_buf_i64(text_buf_t *t, int64_t v);
/* x as printf's "%.*f" (decimals 0..3) gives it, with a '+' before a
 * value without a minus sign when plus is set ("%+.*f"): the digits come
 * from the exact value of x, rounded half to even as glibc's printf does,
 * in integer arithmetic, without printf (which is used past 1e15, for
 * infinities and NaN). */
void text_buf_fixed(text_buf_t *t, double x, int decimals, bool plus);
/* printf's format, for what has no writer of its own here. */
void text_buf_printf(text_buf_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string literal of s (quotes included). Valid UTF-8 stays as it is;
 * control characters are escaped; bytes that are not UTF-8 become U+FFFD. */
void text_buf_json_string(text_buf_t *t, const char *s);

/* A FILE's buffer written out (the FILE is not flushed). */
void text_buf_flush(text_buf_t *t);
/* In memory: the bytes written (NUL-terminated, *len without the NUL),
 * now the caller's to free, or NULL when the buffer failed. t is closed. */
char *text_buf_take(text_buf_t *t, size_t *len);
/* In memory: frees the bytes (NULL data is fine). */
void text_buf_close(text_buf_t *t);

#endif
