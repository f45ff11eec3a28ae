/*  rs_atomic: atomic file replacement (see rs_atomic.h). */
#include "rs_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_dirs.h"
#include "rs_err.h"

//  The rename is durable only once the directory entry is on disk.
static void
s_sync_dir (const char *path)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", path);
    char *slash = strrchr (dir, '/');
    if (!slash)
        snprintf (dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open (dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
}

rs_err_t
rs_atomic_write (const char *path, const char *data, size_t len)
{
    char tmp[4096], dir[4096];
    if (!path || !*path || snprintf (tmp, sizeof tmp, "%s.tmp.%ld", path, (long) getpid ()) >= (int) sizeof tmp) {
        return rs_err_set (RS_E_IO, "%s: no path or path too long", path ? path : "");
    }
    if (rs_dirs_make_parent (path, dir, sizeof dir) != 0) {
        return rs_err_set (RS_E_IO, "%s: cannot create the directory %s: %s", path, dir, strerror (errno));
    }
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return rs_err_set (RS_E_IO, "%s: cannot write: %s", tmp, strerror (errno));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write (fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t) n;
    }
    int saved = errno;
    bool ok = done == len && fsync (fd) == 0;
    if (!ok && done == len)
        saved = errno;
    close (fd);
    if (!ok || rename (tmp, path) != 0) {
        if (ok)
            saved = errno;
        rs_err_set (RS_E_IO, "%s: cannot write: %s", path, strerror (saved));
        unlink (tmp);
        return rs_errcode ();
    }
    s_sync_dir (path);
    return RS_OK;
}

rs_err_t
rs_atomic_write_json (const char *path, const json_t *doc)
{
    char *text = json_dumps (doc, JSON_INDENT (2) | JSON_REAL_PRECISION (10));
    if (!text) {
        return rs_err_set (RS_E_NOMEM, "%s: out of memory", path);
    }
    rs_err_t rc = rs_atomic_write (path, text, strlen (text));
    free (text);
    return rc;
}
