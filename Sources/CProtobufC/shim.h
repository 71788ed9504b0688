/* libprotobuf-c's runtime (Debian: libprotobuf-c-dev), for the Wire module only. */
#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
