/*  rs_dirs: making the directories a file is to live in (a database, a
    spool), as `mkdir -p "$(dirname path)"` does. */
#ifndef RS_DIRS_H
#define RS_DIRS_H

#include <stddef.h>

//  Creates the directory that will hold the file at path, and its parents
//  (mode 0775, less the umask). Returns RS_OK (also when they exist or path
//  has no directory part), RS_E_INVAL when path is too long, or RS_E_IO with
//  errno set and the directory that failed in dir (size bytes) for the
//  caller's message.
int rs_dirs_make_parent (const char *path, char *dir, size_t size);

#endif
