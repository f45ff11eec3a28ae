/*  rs_config: one option table drives flags, environment, .env, --help and
    the README table. rs_config_load makes one pass over argv to collect flag
    values, finds and reads the .env file, then resolves every option in the
    order flag > environment > .env > default and validates it by type,
    naming where a bad value came from so the user can find it. Which file
    was read is logged once logging is set up (rs_config_apply_logging). */
#include "rs_config.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef RS_VERSION
#define RS_VERSION "dev"
#endif

//  A .env file is a handful of lines; anything bigger is a wrong path.
#define RS_ENV_FILE_MAX (1024 * 1024)
#define RS_ENV_FILE_VAR "RIGSTREAM_ENV_FILE"
#define RS_ENV_SEARCH_VAR "RIGSTREAM_ENV_SEARCH"
#define RS_ENV_SYSTEM "/etc/rigstream/rigstream.env"
//  The source tree and build tree this program was built from (CMake).
#ifndef RS_CONFIG_CHECKOUT_DIR
#define RS_CONFIG_CHECKOUT_DIR ""
#endif
#ifndef RS_CONFIG_BUILD_DIR
#define RS_CONFIG_BUILD_DIR ""
#endif

typedef enum {
    RS_SRC_DEFAULT,
    RS_SRC_DOTENV,
    RS_SRC_ENV,
    RS_SRC_FLAG
} rs_source_t;

static const char *s_source_names [] = { "default", ".env", "env", "flag" };

typedef struct {
    rs_option_t opt;        // the table row; its strings belong to the caller
    char *flag_value;       // from the command line, or NULL
    char *dotenv_value;     // from the .env file, or NULL
    int dotenv_line;
    char *value;            // resolved text, NULL when unset
    rs_source_t source;
    long ival;
    double dval;
    bool bval;
    bool is_name;           // the instance name: an id
} rs_entry_t;

struct rs_config_t {
    char *program;
    char *usage;
    char *positional;
    rs_entry_t *entries;
    size_t count;
    char *env_path;         // .env file being read, for messages
    const char *env_origin; // why that file: "--env-file", RS_ENV_FILE_VAR, "the current directory"...
    char *env_looked;       // the files looked for when none was found
    char *name_env;         // the instance name's variable, e.g. WITS0_NAME
    char **args;            // positional arguments, owned copies
    int argc;
};

//  The process's identity once rs_config_apply_logging has run: the
//  component's own name and the instance name that replaces it.
static char s_instance_component [RS_MAX_ID + 1];
static char s_instance_name [RS_MAX_ID + 1];

static const rs_option_t s_common_options [] = {
    { "log-level", "LOG_LEVEL", RS_OPT_STRING, "info",
      "log threshold: error, warn, info, debug or trace", 0, 0 },
    { "log-file", "LOG_FILE", RS_OPT_STRING, NULL,
      "also append log lines to this file", 0, 0 },
    RS_OPTION_END
};

//  Every broker client gets this (the env name is made per program).
static const char s_name_help [] =
    "instance name: heartbeat topic sys.NAME, log prefix and publisher id (default: the component's "
    "name; give one to run two of a kind)";

//  Flags handled by rs_config itself; a table must not redefine them.
static const char *s_reserved_flags [] = { "help", "version", "env-file", "print-env-table", NULL };

//  Replaces *dest with a copy of src (NULL clears). Returns -1 when out of memory.
static int
s_set_str (char **dest, const char *src)
{
    char *copy = NULL;
    if (src) {
        copy = strdup (src);
        if (!copy)
            return -1;
    }
    free (*dest);
    *dest = copy;
    return 0;
}

static rs_entry_t *
s_find_n (rs_config_t *self, const char *flag, size_t len)
{
    for (size_t i = 0; i < self->count; i++) {
        const char *name = self->entries [i].opt.flag;
        if (strlen (name) == len && memcmp (name, flag, len) == 0)
            return &self->entries [i];
    }
    return NULL;
}

static rs_entry_t *
s_find (rs_config_t *self, const char *flag)
{
    return s_find_n (self, flag, strlen (flag));
}

static rs_entry_t *
s_find_env_n (rs_config_t *self, const char *env, size_t len)
{
    for (size_t i = 0; i < self->count; i++) {
        const char *name = self->entries [i].opt.env;
        if (name && strlen (name) == len && memcmp (name, env, len) == 0)
            return &self->entries [i];
    }
    return NULL;
}

static bool
s_is_log_level (const rs_entry_t *entry)
{
    return strcmp (entry->opt.flag, "log-level") == 0;
}

static bool
s_parse_bool (const char *text, bool *value)
{
    static const char *yes [] = { "1", "true", "yes", "on", NULL };
    static const char *no [] = { "0", "false", "no", "off", NULL };
    for (int i = 0; yes [i]; i++) {
        if (strcasecmp (text, yes [i]) == 0) {
            *value = true;
            return true;
        }
        if (strcasecmp (text, no [i]) == 0) {
            *value = false;
            return true;
        }
    }
    return false;
}

static bool
s_has_space_or_control (const char *text)
{
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if (isspace (*p) || iscntrl (*p))
            return true;
    return false;
}

//  tcp://host:port (host may be '*' or [ipv6]; port may be '*' for "any free
//  port" when binding), ipc://path, inproc://name.
static bool
s_endpoint_valid (const char *text)
{
    if (s_has_space_or_control (text))
        return false;
    if (strncmp (text, "ipc://", 6) == 0)
        return text [6] != '\0';
    if (strncmp (text, "inproc://", 9) == 0)
        return text [9] != '\0';
    if (strncmp (text, "tcp://", 6) != 0)
        return false;
    const char *host = text + 6;
    const char *colon = strrchr (host, ':');
    if (!colon || colon == host)
        return false;
    const char *port = colon + 1;
    if (strcmp (port, "*") == 0)
        return true;
    if (*port == '\0' || strlen (port) > 5)
        return false;
    long number = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        number = number * 10 + (*p - '0');
    }
    return number >= 1 && number <= 65535;
}

//  Parses text for the entry's type into *out without touching the entry.
//  On failure writes what was expected into why and returns -1.
static int
s_parse_value (const rs_entry_t *entry, const char *text, rs_entry_t *out,
               char *why, size_t why_size)
{
    const rs_option_t *opt = &entry->opt;
    bool bounded = !(opt->min == 0 && opt->max == 0);
    int n = 0;
    switch (opt->type) {
        case RS_OPT_STRING:
            if (s_is_log_level (entry) && rs_log_level_parse (text) < 0) {
                n = snprintf (why, why_size, "expected error, warn, info, debug or trace");
                break;
            }
            if (entry->is_name && *text && !rs_id_valid (text, strlen (text))) {
                n = snprintf (why, why_size, "expected 1-%d of A-Z a-z 0-9 _ - (like every id)", RS_MAX_ID);
                break;
            }
            return 0;
        case RS_OPT_INT: {
            char *end = NULL;
            errno = 0;
            long value = strtol (text, &end, 10);
            //  strtol would skip leading blanks; a value with blanks is a typo.
            bool ok = *text && !isspace ((unsigned char) *text) && *end == '\0' && errno == 0
                   && (!bounded || (value >= opt->min && value <= opt->max));
            if (ok) {
                out->ival = value;
                out->dval = (double) value;
                return 0;
            }
            if (bounded)
                n = snprintf (why, why_size, "expected an integer between %.15g and %.15g",
                              opt->min, opt->max);
            else
                n = snprintf (why, why_size, "expected an integer");
            break;
        }
        case RS_OPT_DOUBLE: {
            char *end = NULL;
            errno = 0;
            double value = strtod (text, &end);
            bool ok = *text && !isspace ((unsigned char) *text) && *end == '\0'
                   && errno != ERANGE && isfinite (value)
                   && (!bounded || (value >= opt->min && value <= opt->max));
            if (ok) {
                out->dval = value;
                return 0;
            }
            if (bounded)
                n = snprintf (why, why_size, "expected a number between %.15g and %.15g",
                              opt->min, opt->max);
            else
                n = snprintf (why, why_size, "expected a finite number");
            break;
        }
        case RS_OPT_BOOL:
            if (s_parse_bool (text, &out->bval))
                return 0;
            n = snprintf (why, why_size, "expected true/false, yes/no, on/off or 1/0");
            break;
        case RS_OPT_ENDPOINT:
            if (s_endpoint_valid (text))
                return 0;
            n = snprintf (why, why_size,
                          "expected tcp://host:port (port 1-65535 or *), ipc://path or inproc://name");
            break;
        default:
            n = snprintf (why, why_size, "unknown option type %d", (int) opt->type);
            break;
    }
    //  The reasons are short fixed texts; a cut one is still a reason.
    if (n < 0 && why_size > 0)
        why [0] = '\0';
    return -1;
}

static void
s_report_invalid (rs_config_t *self, const rs_entry_t *entry, const char *text,
                  rs_source_t source, const char *why)
{
    const char *env = entry->opt.env;
    switch (source) {
        case RS_SRC_FLAG:
            fprintf (stderr, "%s: invalid value \"%s\" for --%s: %s\n",
                     self->program, text, entry->opt.flag, why);
            break;
        case RS_SRC_ENV:
            fprintf (stderr, "%s: invalid value \"%s\" for %s (from environment): %s\n",
                     self->program, text, env, why);
            break;
        case RS_SRC_DOTENV:
            fprintf (stderr, "%s: invalid value \"%s\" for %s (from %s:%d): %s\n",
                     self->program, text, env, self->env_path ? self->env_path : ".env",
                     entry->dotenv_line, why);
            break;
        case RS_SRC_DEFAULT:
            fprintf (stderr, "%s: invalid default \"%s\" for --%s in the option table: %s\n",
                     self->program, text, entry->opt.flag, why);
            break;
    }
}

//  Validates text and, if good, makes it the entry's value. Returns 0 or -1
//  (message printed).
static int
s_assign (rs_config_t *self, rs_entry_t *entry, const char *text, rs_source_t source)
{
    rs_entry_t parsed = { .ival = 0, .dval = 0, .bval = false };
    if (text) {
        char why [128];
        if (s_parse_value (entry, text, &parsed, why, sizeof why) != 0) {
            s_report_invalid (self, entry, text, source, why);
            return -1;
        }
    }
    if (s_set_str (&entry->value, text) != 0) {
        fprintf (stderr, "%s: out of memory\n", self->program);
        return -1;
    }
    entry->source = source;
    entry->ival = parsed.ival;
    entry->dval = parsed.dval;
    entry->bval = parsed.bval;
    return 0;
}

static bool
s_check_table_row (rs_config_t *self, const rs_option_t *opt)
{
    if (!*opt->flag) {
        fprintf (stderr, "%s: option table has an empty flag name\n", self->program);
        return false;
    }
    for (int i = 0; s_reserved_flags [i]; i++)
        if (strcmp (opt->flag, s_reserved_flags [i]) == 0) {
            fprintf (stderr, "%s: option table redefines the built-in --%s\n",
                     self->program, opt->flag);
            return false;
        }
    if (s_find (self, opt->flag)) {
        fprintf (stderr, "%s: option table defines --%s twice\n", self->program, opt->flag);
        return false;
    }
    if (opt->env && s_find_env_n (self, opt->env, strlen (opt->env))) {
        fprintf (stderr, "%s: option table uses %s twice\n", self->program, opt->env);
        return false;
    }
    return true;
}

//  Adds --name to a broker client's table. Its variable is the program's
//  own (rigstream-wits0: WITS0_NAME): one .env serves every program, and a
//  shared variable would give them all one name.
static int
s_add_name (rs_config_t *self)
{
    const char *base = strncmp (self->program, "rigstream-", 10) == 0 ? self->program + 10 : self->program;
    size_t len = strlen (base);
    self->name_env = malloc (len + sizeof "_NAME");
    if (!self->name_env)
        return -1;
    for (size_t i = 0; i < len; i++)
        self->name_env [i] = isalnum ((unsigned char) base [i]) ? (char) toupper ((unsigned char) base [i]) : '_';
    memcpy (self->name_env + len, "_NAME", sizeof "_NAME");
    rs_entry_t *entry = &self->entries [self->count];
    entry->opt = (rs_option_t) { "name", self->name_env, RS_OPT_STRING, NULL, s_name_help, 0, 0 };
    if (s_find_env_n (self, self->name_env, strlen (self->name_env)))
        entry->opt.env = NULL;  // the table has that variable already: flag only
    entry->is_name = true;
    self->count++;
    return 0;
}

rs_config_t *
rs_config_new (const char *program, const char *usage,
               const rs_option_t *table, const char *positional)
{
    rs_config_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (s_set_str (&self->program, program ? program : "rigstream") != 0
    ||  s_set_str (&self->usage, usage) != 0
    ||  s_set_str (&self->positional, positional) != 0) {
        rs_config_destroy (&self);
        return NULL;
    }
    size_t rows = 0;
    for (size_t i = 0; table && table [i].flag; i++)
        rows++;
    size_t common = sizeof s_common_options / sizeof s_common_options [0] - 1;
    self->entries = calloc (rows + common + 1, sizeof *self->entries);
    if (!self->entries) {
        rs_config_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < rows + common; i++) {
        const rs_option_t *opt = i < rows ? &table [i] : &s_common_options [i - rows];
        if (!s_check_table_row (self, opt)) {
            rs_config_destroy (&self);
            return NULL;
        }
        rs_entry_t *entry = &self->entries [self->count++];
        entry->opt = *opt;
        //  A bad default is a bug in the table: refuse to build the config.
        if (s_assign (self, entry, opt->def, RS_SRC_DEFAULT) != 0) {
            rs_config_destroy (&self);
            return NULL;
        }
    }
    //  A client of the broker (the broker itself has heartbeats but no
    //  broker-host, and must stay sys.broker); a table with its own --name keeps it.
    if (s_find (self, "broker-host") && s_find (self, "heartbeat-ms") && !s_find (self, "name")
        && s_add_name (self) != 0) {
        rs_config_destroy (&self);
        return NULL;
    }
    return self;
}

static void
s_clear_loaded (rs_config_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        rs_entry_t *entry = &self->entries [i];
        free (entry->flag_value);
        entry->flag_value = NULL;
        free (entry->dotenv_value);
        entry->dotenv_value = NULL;
        entry->dotenv_line = 0;
    }
    for (int i = 0; i < self->argc; i++)
        free (self->args [i]);
    free (self->args);
    self->args = NULL;
    self->argc = 0;
    free (self->env_path);
    self->env_path = NULL;
    self->env_origin = NULL;
    free (self->env_looked);
    self->env_looked = NULL;
}

void
rs_config_destroy (rs_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_config_t *self = *self_p;
    s_clear_loaded (self);
    for (size_t i = 0; i < self->count; i++)
        free (self->entries [i].value);
    free (self->entries);
    free (self->name_env);
    free (self->program);
    free (self->usage);
    free (self->positional);
    free (self);
    *self_p = NULL;
}

static const char *
s_metavar (rs_opt_type_t type)
{
    switch (type) {
        case RS_OPT_INT:      return "N";
        case RS_OPT_DOUBLE:   return "X";
        case RS_OPT_BOOL:     return NULL;
        case RS_OPT_ENDPOINT: return "ENDPOINT";
        default:              return "TEXT";
    }
}

//  Prints "  left" padded to width, then help; returns nothing, the left
//  column is printed directly so no buffer can be cut.
static void
s_help_row (FILE *out, int width, const char *flag, const char *metavar,
            const char *help, const char *env, const char *def)
{
    int n = fprintf (out, "  %s%s%s", flag, metavar ? " " : "", metavar ? metavar : "");
    if (n < 0)
        return;
    fprintf (out, "%*s%s", n < width ? width - n : 1, "", help ? help : "");
    bool has_env = env != NULL;
    bool has_def = def && *def;
    if (has_env || has_def)
        fprintf (out, " (%s%s%s%s%s)",
                 has_env ? "env " : "", has_env ? env : "",
                 has_env && has_def ? ", " : "",
                 has_def ? "default " : "", has_def ? def : "");
    fputc ('\n', out);
}

static void
s_print_help (rs_config_t *self, FILE *out)
{
    if (self->usage && *self->usage)
        fprintf (out, "%s: %s\n\n", self->program, self->usage);
    fprintf (out, "Usage: %s [options]%s%s\n\nOptions:\n", self->program,
             self->positional ? " " : "", self->positional ? self->positional : "");
    //  Width of the widest "  --flag METAVAR" plus a gap of three.
    int width = (int) strlen ("  --env-file PATH");
    for (size_t i = 0; i < self->count; i++) {
        const char *metavar = s_metavar (self->entries [i].opt.type);
        int w = 4 + (int) strlen (self->entries [i].opt.flag)
              + (metavar ? 1 + (int) strlen (metavar) : 0);
        if (w > width)
            width = w;
    }
    width += 3;
    for (size_t i = 0; i < self->count; i++) {
        const rs_option_t *opt = &self->entries [i].opt;
        char flag [4 + 64];
        int n = snprintf (flag, sizeof flag, "--%s", opt->flag);
        if (n < 0 || (size_t) n >= sizeof flag)
            continue;           // absurdly long flag names are not worth a row
        const char *def = opt->def;
        if (opt->type == RS_OPT_BOOL && !(def && *def))
            def = "false";
        s_help_row (out, width, flag, s_metavar (opt->type), opt->help, opt->env, def);
    }
    s_help_row (out, width, "--env-file", "PATH",
                "read settings from this file only (/dev/null: none); else the first of ./.env, the "
                "checkout's .env, " RS_ENV_SYSTEM, RS_ENV_FILE_VAR, NULL);
    s_help_row (out, width, "-h, --help", NULL, "print this help and exit", NULL, NULL);
    s_help_row (out, width, "--version", NULL, "print the version and exit", NULL, NULL);
    for (size_t i = 0; i < self->count; i++)
        if (self->entries [i].opt.type == RS_OPT_BOOL) {
            fprintf (out, "\nOptions without a value are switches: --name sets, --no-name clears.\n");
            break;
        }
}

//  Writes text for a Markdown table cell, escaping the column separator.
static void
s_markdown_cell (FILE *out, const char *text, bool code)
{
    fputs (" ", out);
    if (text && *text) {
        if (code)
            fputc ('`', out);
        for (const char *p = text; *p; p++) {
            if (*p == '|')
                fputc ('\\', out);
            fputc (*p, out);
        }
        if (code)
            fputc ('`', out);
    }
    fputs (" |", out);
}

void
rs_config_print_table (rs_config_t *self, FILE *out)
{
    if (!self)
        return;
    if (!out)
        out = stdout;
    fprintf (out, "| Variable | Flag | Default | Meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < self->count; i++) {
        const rs_option_t *opt = &self->entries [i].opt;
        fputs ("|", out);
        s_markdown_cell (out, opt->env, true);
        fprintf (out, " `--%s` |", opt->flag);
        s_markdown_cell (out, opt->def, true);
        s_markdown_cell (out, opt->help, false);
        fputc ('\n', out);
    }
    fprintf (out, "| `%s` | `--env-file` |  | settings file to read, alone (/dev/null: none); unset: the first "
             "of ./.env, the checkout's .env, " RS_ENV_SYSTEM " |\n", RS_ENV_FILE_VAR);
    fprintf (out, "| `%s` |  |  | the files tried after ./.env, separated by ':' (unset: the checkout's .env "
             "for a program run from its build, then " RS_ENV_SYSTEM ") |\n", RS_ENV_SEARCH_VAR);
}

static int
s_env_error (rs_config_t *self, int line, const char *reason)
{
    fprintf (stderr, "%s: %s:%d: %s\n", self->program,
             self->env_path ? self->env_path : "(buffer)", line, reason);
    return -1;
}

static bool
s_is_blank (char c)
{
    return c == ' ' || c == '\t';
}

//  One .env line, without its '\n'. Returns 0 (stored, ignored or blank) or
//  -1 (malformed; message printed).
static int
s_parse_env_line (rs_config_t *self, const char *line, size_t len, int lineno)
{
    const char *p = line;
    const char *end = line + len;
    if (memchr (line, '\0', len))
        return s_env_error (self, lineno, "NUL byte in line");
    if (end > p && end [-1] == '\r')
        end--;                  // files edited on Windows
    while (p < end && s_is_blank (*p))
        p++;
    if (p == end || *p == '#')
        return 0;
    if (end - p > 7 && memcmp (p, "export", 6) == 0 && s_is_blank (p [6])) {
        p += 7;
        while (p < end && s_is_blank (*p))
            p++;
    }
    const char *name = p;
    if (p < end && (isalpha ((unsigned char) *p) || *p == '_'))
        while (p < end && (isalnum ((unsigned char) *p) || *p == '_'))
            p++;
    size_t name_len = (size_t) (p - name);
    while (p < end && s_is_blank (*p))
        p++;
    if (name_len == 0 || p == end || *p != '=')
        return s_env_error (self, lineno, "expected NAME=value");
    p++;
    while (p < end && s_is_blank (*p))
        p++;

    //  The value never grows: escapes only shrink it.
    char *value = malloc ((size_t) (end - p) + 1);
    if (!value)
        return s_env_error (self, lineno, "out of memory");
    size_t vlen = 0;
    const char *reason = NULL;
    if (p < end && *p == '"') {
        bool closed = false;
        for (p++; p < end; ) {
            char c = *p++;
            if (c == '"') {
                closed = true;
                break;
            }
            if (c == '\\' && p < end) {
                char next = *p++;
                if (next == 'n')
                    c = '\n';
                else
                if (next == '"' || next == '\\')
                    c = next;
                else {
                    value [vlen++] = '\\';  // unknown escapes stay as written
                    c = next;
                }
            }
            value [vlen++] = c;
        }
        if (!closed)
            reason = "unterminated double quote";
    }
    else
    if (p < end && *p == '\'') {
        const char *close = memchr (p + 1, '\'', (size_t) (end - p - 1));
        if (close) {
            vlen = (size_t) (close - p - 1);
            memcpy (value, p + 1, vlen);
            p = close + 1;
        }
        else
            reason = "unterminated single quote";
    }
    else {
        //  Unquoted: '#' starts a comment only after a blank, so a=b#c keeps
        //  its '#' (the '=' or a value character precedes it).
        const char *start = p;
        while (p < end && !(*p == '#' && s_is_blank (p [-1])))
            p++;
        const char *stop = p;
        while (stop > start && s_is_blank (stop [-1]))
            stop--;
        vlen = (size_t) (stop - start);
        memcpy (value, start, vlen);
        p = end;
    }
    if (!reason) {
        while (p < end && s_is_blank (*p))
            p++;
        if (p < end && *p != '#')
            reason = "unexpected text after the closing quote";
    }
    if (reason) {
        free (value);
        return s_env_error (self, lineno, reason);
    }
    value [vlen] = '\0';

    //  A .env is shared by every program; names this one lacks are not errors.
    rs_entry_t *entry = s_find_env_n (self, name, name_len);
    if (entry) {
        free (entry->dotenv_value);
        entry->dotenv_value = value;
        entry->dotenv_line = lineno;
    }
    else
        free (value);
    return 0;
}

static int
s_parse_env_buffer (rs_config_t *self, const char *data, size_t len)
{
    if (!data && len > 0)
        return -1;
    int lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        lineno++;
        const char *line = data + pos;
        const char *newline = memchr (line, '\n', len - pos);
        size_t line_len = newline ? (size_t) (newline - line) : len - pos;
        if (s_parse_env_line (self, line, line_len, lineno) != 0)
            return -1;
        pos += line_len + (newline ? 1 : 0);
    }
    return 0;
}

static int
s_load_env_file (rs_config_t *self, const char *path)
{
    if (s_set_str (&self->env_path, path) != 0) {
        fprintf (stderr, "%s: out of memory\n", self->program);
        return -1;
    }
    FILE *file = fopen (path, "r");
    if (!file) {
        fprintf (stderr, "%s: cannot open env file %s: %s\n", self->program, path, strerror (errno));
        return -1;
    }
    //  Read in chunks: /dev/null and pipes have no useful size to stat.
    char *data = NULL;
    size_t len = 0;
    const char *failure = NULL;
    while (!failure) {
        if (len >= RS_ENV_FILE_MAX) {
            failure = "file too large";
            break;
        }
        char *bigger = realloc (data, len + 4096);
        if (!bigger) {
            failure = "out of memory";
            break;
        }
        data = bigger;
        size_t got = fread (data + len, 1, 4096, file);
        len += got;
        if (got < 4096) {
            if (ferror (file))
                failure = strerror (errno);
            break;
        }
    }
    fclose (file);
    int rc = -1;
    if (failure)
        fprintf (stderr, "%s: cannot read env file %s: %s\n", self->program, path, failure);
    else
        rc = s_parse_env_buffer (self, data, len);
    free (data);
    return rc;
}

static int
s_add_positional (rs_config_t *self, const char *arg)
{
    if (!self->positional) {
        fprintf (stderr, "%s: unexpected argument \"%s\" (see --help)\n", self->program, arg);
        return -1;
    }
    char **bigger = realloc (self->args, ((size_t) self->argc + 1) * sizeof *bigger);
    if (!bigger) {
        fprintf (stderr, "%s: out of memory\n", self->program);
        return -1;
    }
    self->args = bigger;
    self->args [self->argc] = strdup (arg);
    if (!self->args [self->argc]) {
        fprintf (stderr, "%s: out of memory\n", self->program);
        return -1;
    }
    self->argc++;
    return 0;
}

static bool
s_name_is (const char *name, size_t len, const char *word)
{
    return strlen (word) == len && memcmp (name, word, len) == 0;
}

//  Takes the value of a flag that needs one: inline (--x=v) or the next
//  argument unless that looks like another flag (negative numbers pass).
static const char *
s_flag_value (rs_config_t *self, const char *inline_value, int argc, char **argv,
              int *index, const char *name, size_t name_len)
{
    if (inline_value)
        return inline_value;
    if (*index + 1 < argc && strncmp (argv [*index + 1], "--", 2) != 0)
        return argv [++*index];
    fprintf (stderr, "%s: option --%.*s needs a value (see --help)\n",
             self->program, (int) name_len, name);
    return NULL;
}

//  Returns 0 to go on, 1 when help/version/table was printed, -1 on error.
static int
s_parse_args (rs_config_t *self, int argc, char **argv, const char **env_file)
{
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (!arg)
            break;
        if (flags_done || arg [0] != '-' || arg [1] == '\0') {
            if (s_add_positional (self, arg) != 0)
                return -1;
            continue;
        }
        if (strcmp (arg, "--") == 0) {
            flags_done = true;
            continue;
        }
        if (strcmp (arg, "-h") == 0 || strcmp (arg, "--help") == 0) {
            s_print_help (self, stdout);
            return 1;
        }
        if (arg [1] != '-') {
            fprintf (stderr, "%s: unknown option %s (see --help)\n", self->program, arg);
            return -1;
        }
        const char *name = arg + 2;
        const char *eq = strchr (name, '=');
        size_t name_len = eq ? (size_t) (eq - name) : strlen (name);
        const char *inline_value = eq ? eq + 1 : NULL;

        if (s_name_is (name, name_len, "version") || s_name_is (name, name_len, "print-env-table")) {
            if (inline_value) {
                fprintf (stderr, "%s: option --%.*s takes no value\n",
                         self->program, (int) name_len, name);
                return -1;
            }
            if (name [0] == 'v')
                printf ("%s rigstream %s\n", self->program, RS_VERSION);
            else
                rs_config_print_table (self, stdout);
            return 1;
        }
        if (s_name_is (name, name_len, "env-file")) {
            *env_file = s_flag_value (self, inline_value, argc, argv, &i, name, name_len);
            if (!*env_file)
                return -1;
            continue;
        }
        rs_entry_t *entry = s_find_n (self, name, name_len);
        bool negated = false;
        if (!entry && name_len > 3 && memcmp (name, "no-", 3) == 0) {
            entry = s_find_n (self, name + 3, name_len - 3);
            if (entry && entry->opt.type == RS_OPT_BOOL)
                negated = true;
            else
                entry = NULL;
        }
        if (!entry) {
            fprintf (stderr, "%s: unknown option --%.*s (see --help)\n",
                     self->program, (int) name_len, name);
            return -1;
        }
        const char *value;
        if (entry->opt.type == RS_OPT_BOOL) {
            if (negated && inline_value) {
                fprintf (stderr, "%s: option --%.*s takes no value\n",
                         self->program, (int) name_len, name);
                return -1;
            }
            value = negated ? "false" : inline_value ? inline_value : "true";
        }
        else {
            value = s_flag_value (self, inline_value, argc, argv, &i, name, name_len);
            if (!value)
                return -1;
        }
        if (s_set_str (&entry->flag_value, value) != 0) {
            fprintf (stderr, "%s: out of memory\n", self->program);
            return -1;
        }
    }
    return 0;
}

//  True when this program runs from the build tree of a checkout (not an
//  installed copy): then the checkout's .env is its own.
static bool
s_in_checkout (void)
{
    if (!*RS_CONFIG_CHECKOUT_DIR || !*RS_CONFIG_BUILD_DIR)
        return false;
    char exe [PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe [n] = '\0';
    //  /proc/self/exe has no symbolic links; the build path may have some.
    char build [PATH_MAX];
    if (!realpath (RS_CONFIG_BUILD_DIR, build))
        return false;
    size_t len = strlen (build);
    return strncmp (exe, build, len) == 0 && exe [len] == '/';
}

//  Finds the settings file when none is named: ./.env, then the files of
//  RIGSTREAM_ENV_SEARCH, or by default the checkout's .env (for a program
//  run from the checkout's build) and the installation's. The first that
//  exists is read, alone. Returns 0 with self->env_path set, 1 when there is
//  none (self->env_looked lists what was tried), -1 out of memory.
static int
s_search_env_file (rs_config_t *self)
{
    char defaults [PATH_MAX + sizeof RS_ENV_SYSTEM + 8];
    const char *search = getenv (RS_ENV_SEARCH_VAR);
    if (!search || !*search) {
        int n = s_in_checkout ()
              ? snprintf (defaults, sizeof defaults, "%s/.env:%s", RS_CONFIG_CHECKOUT_DIR, RS_ENV_SYSTEM)
              : snprintf (defaults, sizeof defaults, "%s", RS_ENV_SYSTEM);
        if (n < 0 || (size_t) n >= sizeof defaults)
            snprintf (defaults, sizeof defaults, "%s", RS_ENV_SYSTEM);
        search = defaults;
    }
    size_t looked_size = strlen (search) + 32;
    char *looked = malloc (looked_size);
    if (!looked)
        return -1;
    snprintf (looked, looked_size, "./.env");
    if (access (".env", F_OK) == 0) {
        free (looked);
        self->env_origin = "the current directory";
        return s_set_str (&self->env_path, ".env");
    }
    bool checkout = search == defaults && s_in_checkout ();
    for (const char *p = search; *p; ) {
        const char *colon = strchr (p, ':');
        size_t len = colon ? (size_t) (colon - p) : strlen (p);
        char path [PATH_MAX];
        if (len > 0 && len < sizeof path) {
            memcpy (path, p, len);
            path [len] = '\0';
            size_t used = strlen (looked);
            snprintf (looked + used, looked_size - used, ", %s", path);
            if (access (path, F_OK) == 0) {
                free (looked);
                self->env_origin = search != defaults ? RS_ENV_SEARCH_VAR
                                 : checkout && p == search ? "the checkout" : "the installation";
                return s_set_str (&self->env_path, path);
            }
        }
        p += len + (colon ? 1 : 0);
    }
    free (self->env_looked);
    self->env_looked = looked;
    return 1;
}

//  rs_config_load with the inner convention: 0, 1 (--help, --version) or -1.
static int
s_load (rs_config_t *self, int argc, char **argv)
{
    if (!self)
        return -1;
    s_clear_loaded (self);
    const char *env_file = NULL;
    int rc = s_parse_args (self, argc, argv, &env_file);
    if (rc != 0)
        return rc;

    //  An explicit file wins and ends the search, so RIGSTREAM_ENV_FILE=
    //  /dev/null switches every .env off. Empty counts as unset, as for options.
    const char *origin = "--env-file";
    if (!env_file) {
        const char *from_env = getenv (RS_ENV_FILE_VAR);
        if (from_env && *from_env) {
            env_file = from_env;
            origin = RS_ENV_FILE_VAR;
        }
    }
    if (env_file) {
        rc = s_load_env_file (self, env_file);
        self->env_origin = origin;
    }
    else {
        rc = s_search_env_file (self);
        if (rc == 0) {
            char *path = strdup (self->env_path);
            rc = path ? s_load_env_file (self, path) : -1;
            free (path);
        }
        else
        if (rc > 0)
            rc = 0;
        else
            fprintf (stderr, "%s: out of memory\n", self->program);
    }
    if (rc != 0)
        return -1;

    int errors = 0;
    for (size_t i = 0; i < self->count; i++) {
        rs_entry_t *entry = &self->entries [i];
        //  For typed options an empty value means "not given" and falls
        //  through; for strings it is a real value (e.g. LOG_FILE= disables).
        bool empty_is_unset = entry->opt.type != RS_OPT_STRING;
        const char *env = entry->opt.env ? getenv (entry->opt.env) : NULL;
        if (env && !*env && empty_is_unset)
            env = NULL;
        const char *dotenv = entry->dotenv_value;
        if (dotenv && !*dotenv && empty_is_unset)
            dotenv = NULL;
        if (entry->flag_value)
            rc = s_assign (self, entry, entry->flag_value, RS_SRC_FLAG);
        else
        if (env)
            rc = s_assign (self, entry, env, RS_SRC_ENV);
        else
        if (dotenv)
            rc = s_assign (self, entry, dotenv, RS_SRC_DOTENV);
        else
            rc = s_assign (self, entry, entry->opt.def, RS_SRC_DEFAULT);
        if (rc != 0)
            errors++;
    }
    return errors ? -1 : 0;
}

static rs_entry_t *
s_require (rs_config_t *self, const char *flag, const char *getter)
{
    rs_entry_t *entry = self && flag ? s_find (self, flag) : NULL;
    if (!entry) {
        fprintf (stderr, "%s: %s (\"%s\"): no such option in the table (programming error)\n",
                 self ? self->program : "rs_config", getter, flag ? flag : "(null)");
        abort ();
    }
    return entry;
}

static void
s_wrong_type (rs_config_t *self, const char *flag, const char *getter)
{
    fprintf (stderr, "%s: %s (\"%s\"): option has another type (programming error)\n",
             self->program, getter, flag);
    abort ();
}

const char *
rs_config_str (rs_config_t *self, const char *flag)
{
    rs_entry_t *entry = s_require (self, flag, "rs_config_str");
    return entry->value ? entry->value : "";
}

long
rs_config_int (rs_config_t *self, const char *flag)
{
    rs_entry_t *entry = s_require (self, flag, "rs_config_int");
    if (entry->opt.type != RS_OPT_INT)
        s_wrong_type (self, flag, "rs_config_int");
    return entry->ival;
}

double
rs_config_double (rs_config_t *self, const char *flag)
{
    rs_entry_t *entry = s_require (self, flag, "rs_config_double");
    if (entry->opt.type != RS_OPT_DOUBLE && entry->opt.type != RS_OPT_INT)
        s_wrong_type (self, flag, "rs_config_double");
    return entry->dval;
}

bool
rs_config_bool (rs_config_t *self, const char *flag)
{
    rs_entry_t *entry = s_require (self, flag, "rs_config_bool");
    if (entry->opt.type != RS_OPT_BOOL)
        s_wrong_type (self, flag, "rs_config_bool");
    return entry->bval;
}

int
rs_config_list (rs_config_t *self, const char *flag, char *buf, size_t size, const char **items,
                size_t max)
{
    const char *text = rs_config_str (self, flag);
    if (strlen (text) >= size)
        return -1;
    memcpy (buf, text, strlen (text) + 1);
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r (buf, ", ", &save); t; t = strtok_r (NULL, ", ", &save)) {
        if (n == max)
            return -1;
        items[n++] = t;
    }
    items[n] = NULL;
    return (int) n;
}

bool
rs_config_has (rs_config_t *self, const char *flag)
{
    return self && flag && s_find (self, flag) != NULL;
}

bool
rs_config_is_set (rs_config_t *self, const char *flag)
{
    return s_require (self, flag, "rs_config_is_set")->source != RS_SRC_DEFAULT;
}

const char *
rs_config_source (rs_config_t *self, const char *flag)
{
    return s_source_names [s_require (self, flag, "rs_config_source")->source];
}

int
rs_config_argc (rs_config_t *self)
{
    return self ? self->argc : 0;
}

const char *
rs_config_argv (rs_config_t *self, int index)
{
    if (!self || index < 0 || index >= self->argc)
        return NULL;
    return self->args [index];
}

int
rs_config_load (rs_config_t *self, int argc, char **argv)
{
    int rc = s_load (self, argc, argv);
    return rc == 0 ? RS_OK : rc > 0 ? RS_E_EXIT : RS_E_CONFIG;
}

int
rs_config_start (rs_config_t **self_p, int argc, char **argv, const char *component)
{
    if (!*self_p)
        return RS_E_CONFIG;
    int rc = rs_config_load (*self_p, argc, argv);
    if (rc == RS_OK && rs_config_apply_logging (*self_p, component) == RS_OK)
        return RS_OK;
    rs_config_destroy (self_p);
    return rc == RS_E_EXIT ? RS_E_EXIT : RS_E_CONFIG;
}

static size_t
s_table_len (const rs_option_t *table)
{
    size_t n = 0;
    while (table && table[n].flag)
        n++;
    return n;
}

static bool
s_table_has (const rs_option_t *table, const char *flag)
{
    for (size_t i = 0; table && table[i].flag; i++)
        if (strcmp (table[i].flag, flag) == 0)
            return true;
    return false;
}

rs_option_t *
rs_config_table (const rs_option_t *front, const rs_option_t *own, const rs_option_t *back)
{
    rs_option_t *table = calloc (s_table_len (front) + s_table_len (own) + s_table_len (back) + 1,
                                 sizeof *table);
    if (!table)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; front && front[i].flag; i++)
        if (!s_table_has (own, front[i].flag))
            table[n++] = front[i];
    for (size_t i = 0; own && own[i].flag; i++)
        table[n++] = own[i];
    for (size_t i = 0; back && back[i].flag; i++)
        if (!s_table_has (own, back[i].flag))
            table[n++] = back[i];
    table[n] = (rs_option_t) RS_OPTION_END;
    return table;
}

const char *
rs_config_name (rs_config_t *self)
{
    for (size_t i = 0; self && i < self->count; i++)
        if (self->entries [i].is_name)
            return self->entries [i].value ? self->entries [i].value : "";
    return "";
}

const char *
rs_config_instance (const char *component)
{
    if (component && *s_instance_name && strcmp (component, s_instance_component) == 0)
        return s_instance_name;
    return component;
}

int
rs_config_apply_logging (rs_config_t *self, const char *component)
{
    int level = rs_log_level_parse (rs_config_str (self, "log-level"));
    if (level < 0)
        level = RS_LOG_INFO;    // cannot happen after a successful load
    const char *file = rs_config_str (self, "log-file");
    const char *name = rs_config_name (self);
    s_instance_component [0] = s_instance_name [0] = '\0';
    if (component && *name) {
        snprintf (s_instance_component, sizeof s_instance_component, "%s", component);
        snprintf (s_instance_name, sizeof s_instance_name, "%s", name);
    }
    int rc = rs_log_init (*name ? name : component ? component : self->program, (rs_log_level_t) level,
                          *file ? file : NULL);
    if (rc == 0 && self->env_path && strcmp (self->env_path, "/dev/null") != 0)
        rs_info ("settings from %s (%s)", self->env_path, self->env_origin ? self->env_origin : "");
    else
    if (rc == 0 && self->env_path)
        rs_info ("no settings file (%s=/dev/null)",
                 self->env_origin && strcmp (self->env_origin, "--env-file") == 0 ? "--env-file" : RS_ENV_FILE_VAR);
    else
    if (rc == 0)
        rs_info ("no settings file (looked for %s)", self->env_looked ? self->env_looked : "./.env");
    return rc == 0 ? RS_OK : RS_E_IO;
}

int
rs_config_broker_endpoint (rs_config_t *self, bool backend, char *buf, size_t size)
{
    if (!self || !buf || size == 0)
        return RS_E_CONFIG;
    buf [0] = '\0';
    int n;
    rs_entry_t *full = s_find (self, backend ? "backend" : "frontend");
    if (full && full->value && *full->value)
        n = snprintf (buf, size, "%s", full->value);
    else {
        rs_entry_t *host = s_find (self, "broker-host");
        rs_entry_t *port = s_find (self, backend ? "backend-port" : "frontend-port");
        if (!host || !port || port->opt.type != RS_OPT_INT || !host->value || !*host->value)
            return RS_E_CONFIG;
        //  ZeroMQ wants an IPv6 literal in brackets.
        bool bracket = strchr (host->value, ':') && host->value [0] != '[';
        n = snprintf (buf, size, bracket ? "tcp://[%s]:%ld" : "tcp://%s:%ld",
                      host->value, port->ival);
    }
    if (n < 0 || (size_t) n >= size) {
        buf [0] = '\0';
        return RS_E_CONFIG;
    }
    return RS_OK;
}
