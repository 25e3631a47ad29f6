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

/* Diffs (docs/levels.md, Percentages). The server's hints, hovers and
 * lenses and the CLI's diff formats share these, so that their texts
 * agree. */

/* A signed value for people: "+1.20s", "-12.50MiB", "+0". */
void fmt_signed_value(char *buf, size_t size, int64_t value,
                      const hx_summary_t *summary);

/* A line's own change, its cum against its base cum: "+60.0%", "new" (no
 * base value), "gone" (no new value). */
void fmt_own_change(char *buf, size_t size, int64_t now, int64_t base);

/* A change relative to the base's total: "+6.00%" ("n/a" when the base's
 * total is 0). */
void fmt_of_base(char *buf, size_t size, int64_t delta,
                 const hx_summary_t *summary);

#endif
