/*
 * error.c: the server's error codes and their conversions.
 */
#include "error.h"

#include "rpc_error.h"

#include <uv.h>

const char *srv_strerror(int code) {
  switch (code) {
  case 0: return "success";
  case SRV_ENOMEM: return "out of memory";
  case SRV_EINVAL: return "invalid value";
  case SRV_EIO: return "input/output error";
  case SRV_ECLOSED: return "the client is gone";
  case SRV_ESTALLED: return "the client stopped reading";
  case SRV_EBUSY: return "too many pending operations";
  case SRV_EEXIST: return "already present";
  case SRV_ENET: return "the profile could not be fetched";
  case SRV_ECANCELED: return "cancelled";
  default: return "unknown error";
  }
}

int srv_error_from_uv(int uv_code) {
  switch (uv_code) {
  case 0: return 0;
  case UV_ENOMEM:
  case UV_ENOBUFS: return SRV_ENOMEM;
  case UV_EINVAL: return SRV_EINVAL;
  case UV_EPIPE:
  case UV_ECONNRESET:
  case UV_EOF: return SRV_ECLOSED;
  case UV_EBUSY: return SRV_EBUSY;
  default: return SRV_EIO;
  }
}

int srv_error_from_rpc(int rpc_code) {
  switch (rpc_code) {
  case 0: return 0;
  case RPC_ENOMEM: return SRV_ENOMEM;
  case RPC_EEXIST: return SRV_EEXIST;
  case RPC_ETOOBIG: return SRV_EBUSY;
  default: return SRV_EINVAL;
  }
}
