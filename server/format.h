/*
 * format.h: how heatls writes values and strings in its text outputs.
 */
#ifndef HEATLS_FORMAT_H
#define HEATLS_FORMAT_H

#include "heat_index.h"

#include <stdint.h>
#include <stdio.h>

/* A JSON string literal of s (quotes included). Valid UTF-8 stays as it is;
 * control characters are escaped; bytes that are not UTF-8 become U+FFFD. */
void fmt_json_string(FILE *out, const char *s);

/* Seconds as Go's time.Duration.Seconds() computes them from nanoseconds. */
double fmt_seconds(int64_t ns);

/* value (in the index's sample unit) as nanoseconds; saturates. */
int64_t fmt_to_ns(int64_t value, const hx_summary_t *summary);

/* A value for people: "3.97s", "12.50MiB", "1234". */
void fmt_value(char *buf, size_t size, int64_t value,
               const hx_summary_t *summary);

#endif
