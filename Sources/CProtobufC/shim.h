/* libprotobuf-c's runtime (Debian: libprotobuf-c-dev), for the Wire module only. */
#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>

/* The shared "" every string field starts as (an extern array Swift cannot take the address of). */
static inline const char *cprotobufc_empty_string(void) { return protobuf_c_empty_string; }
#endif
