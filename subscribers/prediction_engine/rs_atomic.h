/*  rs_atomic: replacing a file so that a crash (kill -9, power loss) leaves
    either the old content or the new one, never a torn mix: write a
    temporary file beside it, fsync it, rename it over the old one, fsync
    the directory. The engine keeps its rules and its alarm state this way. */
#ifndef RS_ATOMIC_H
#define RS_ATOMIC_H

#include <jansson.h>
#include <stddef.h>

#include "rs_err.h"

//  Writes len bytes of data to path atomically, creating its directory if
//  needed. Returns RS_OK, or an error code with the reason (naming the file) recorded
//  with rs_err_set (rs_errmsg).
rs_err_t rs_atomic_write (const char *path, const char *data, size_t len);

//  The same for a JSON document, indented for a human reader.
rs_err_t rs_atomic_write_json (const char *path, const json_t *doc);

#endif
