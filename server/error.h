/*
 * error.h: the server's error domain.
 *
 * Functions of server/ return 0 or a negative SRV_E* code, as the index
 * (HX_E*) and protocol (RPC_E*) modules do in theirs; libuv's and the
 * protocol module's codes are converted at the call that received them, so
 * a caller never has to know which library a failure came from.
 */
#ifndef HEATLS_SRV_ERROR_H
#define HEATLS_SRV_ERROR_H

enum {
  SRV_ENOMEM = -1,   /* allocation failure */
  SRV_EINVAL = -2,   /* a bad value (settings, arguments) */
  SRV_EIO = -3,      /* reading or writing failed */
  SRV_ECLOSED = -4,  /* the other side is gone (stdout closed) */
  SRV_ESTALLED = -5, /* the client stopped reading: output over its cap */
  SRV_EBUSY = -6,    /* a bounded table is full */
  SRV_EEXIST = -7,   /* already there (a request id in use) */
  SRV_ENET = -8,     /* a fetch failed (connect, TLS, HTTP status, cap) */
  SRV_ECANCELED = -9 /* cancelled before it ended */
};

/* A static description of an SRV_E* code. */
const char *srv_strerror(int code);

/* A libuv error code (negative errno) as an SRV_E* code. */
int srv_error_from_uv(int uv_code);

/* A protocol module RPC_E* code as an SRV_E* code. */
int srv_error_from_rpc(int rpc_code);

#endif
