/*  rs_dirs: mkdir -p of a file's directory. */
#include "rs_dirs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_err.h"

static int
s_mkdir (const char *dir, char *failed, size_t size)
{
    if (mkdir (dir, 0775) == 0 || errno == EEXIST)
        return RS_OK;
    int saved = errno;
    snprintf (failed, size, "%s", dir);
    errno = saved;
    return RS_E_IO;
}

int
rs_dirs_make_parent (const char *path, char *failed, size_t size)
{
    char dir[4096];
    if (!path || snprintf (dir, sizeof dir, "%s", path) >= (int) sizeof dir)
        return RS_E_INVAL;
    char *slash = strrchr (dir, '/');
    if (!slash || slash == dir)
        return RS_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = s_mkdir (dir, failed, size);
        if (rc != RS_OK)
            return rc;
        *p = '/';
    }
    return s_mkdir (dir, failed, size);
}
