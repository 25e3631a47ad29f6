/*
 * load_pool.h: several profile loads at once, taken in order.
 *
 * A pool runs jobs 0..count-1 through one callback on up to `threads`
 * threads, which take the jobs in order. The caller waits for each job in
 * order, uses its result and frees it, so that no more than about
 * `threads` results are alive at once (a merge adds input i before it
 * needs input i+1). After a job fails no thread starts another: the first
 * failure in order is the one the caller reports, and the loads behind it
 * are not paid for. Used by the CLI (cli_load.c) and the language server
 * (profile.c) to index the inputs of a merge or a diff.
 *
 * Plain C and pthreads; the callback runs on the pool's threads, several
 * at once, and must touch only what belongs to its job.
 */
#ifndef HEATLS_SRV_LOAD_POOL_H
#define HEATLS_SRV_LOAD_POOL_H

#include <stddef.h>

#include "heat_index.h"

/* Job i: 0 with its result in *out, or a negative HX_E* code with err
 * filled in (and *out left NULL). */
typedef int (*srv_load_job_fn)(void *ctx, size_t i, void **out,
                               hx_error_t *err);

/* Frees a result nobody waited for (a pool freed after a failure). */
typedef void (*srv_load_drop_fn)(void *result);

typedef struct srv_load_pool srv_load_pool_t;

/* The cores online, at least 1: the threads worth starting. */
size_t srv_load_pool_cores(void);

/* Starts count jobs (count >= 1) on min(threads, count) threads; threads
 * may be 0. A thread that cannot be created is done without: a job that
 * no thread takes runs on the caller's thread, in srv_load_pool_wait.
 * fn, ctx and drop are borrowed until srv_load_pool_free. 0 with a new
 * pool in *out (the caller's, srv_load_pool_free), or HX_ENOMEM with *out
 * NULL and nothing started. */
int srv_load_pool_start(size_t count, size_t threads, srv_load_job_fn fn,
                        srv_load_drop_fn drop, void *ctx,
                        srv_load_pool_t **out);

/* Waits for job i, or runs it here if no thread will (none started, or
 * the pool stopped). Its result goes to *out, which then owns it; the
 * return value and err are the job's. Each job is waited for at most once,
 * in order. */
int srv_load_pool_wait(srv_load_pool_t *pool, size_t i, void **out,
                       hx_error_t *err);

/* Stops the threads from taking more jobs, waits for those running,
 * frees the results nobody waited for and the pool. NULL is allowed. */
void srv_load_pool_free(srv_load_pool_t *pool);

#endif
