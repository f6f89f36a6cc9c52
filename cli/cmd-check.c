/*
 * hotreload check LIB [--against OTHER]: a library's manifest, and whether
 * a host running LIB would accept OTHER as a reload.
 */
#include <stdio.h>
#include <string.h>

#include <hotreload.h>

#include "cli.h"

struct check_args {
    const char *lib;
    const char *against;
    int ignore_compiler;
};

static int parse_check_args(int argc, char **argv, struct check_args *a)
{
    int i;

    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--against") == 0) {
            if (++i == argc)
                return cli_usage_error("check", "--against needs a library");
            a->against = argv[i];
        } else if (strcmp(argv[i], "--ignore-compiler") == 0) {
            a->ignore_compiler = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        } else if (!a->lib) {
            a->lib = argv[i];
        } else {
            return cli_usage_error("check", "one library at a time ('%s' is extra)", argv[i]);
        }
    }
    if (!a->lib)
        return cli_usage_error("check", "which library?");
    return CLI_OK;
}

/* What the compiler saw behind the signature's text: a typedef changed
 * behind the same words shows here. */
static void print_layout(const hot_fn_desc *f)
{
    int i;

    if (f->n_params < 0 || !f->layout) {
        printf("  %-20s sizes not recorded (built without variadic macros)\n", "");
        return;
    }
    if (f->layout[0].size)
        printf("  %-20s sizes: return %lu", "", f->layout[0].size);
    else
        printf("  %-20s sizes: return void", "");
    for (i = 1; i <= f->n_params; i++)
        printf("%s%lu", i == 1 ? "; parameters " : ", ", f->layout[i].size);
    printf(" bytes\n");
}

static void print_functions(const hot_manifest *m)
{
    char sig[512];
    unsigned i;

    printf("functions (%u):\n", m->n_fns);
    for (i = 0; i < m->n_fns; i++) {
        hot_signature_normalize(m->fns[i].signature, sig, sizeof sig);
        printf("  %-20s %s\n", m->fns[i].name, sig);
        print_layout(&m->fns[i]);
    }
}

static void print_fields_of(const hot_manifest *m, const char *type)
{
    unsigned i;

    for (i = 0; i < m->n_fields; i++) {
        const hot_field_desc *f = &m->fields[i];
        if (strcmp(f->type, type) == 0)
            printf("    %-18s offset %lu, size %lu\n", f->name, f->offset, f->size);
    }
}

static void print_types(const hot_manifest *m)
{
    unsigned i;

    printf("shared types (%u):\n", m->n_types);
    for (i = 0; i < m->n_types; i++) {
        printf("  %-20s size %lu, align %lu\n", m->types[i].name, m->types[i].size,
               m->types[i].align);
        print_fields_of(m, m->types[i].name);
    }
}

/* The members of a listed type no listed field names (from the debug
 * info), or its bytes no listed field covers (without it): a FIELD left
 * out. */
static void print_uncovered(const hot_library_info *info)
{
    char lines[8192], how[1024];
    const char *line, *end;
    int n = hot_info_uncovered(info, lines, sizeof lines, how, sizeof how);

    if (hot_info_manifest(info)->n_types == 0 || n < 0)
        return;
    printf("fields:      checked by %s\n", how);
    for (line = lines; (end = strchr(line, '\n')) != NULL; line = end + 1)
        printf("warning: %.*s\n", (int)(end - line), line);
}

static void print_manifest(const char *path, const hot_library_info *info)
{
    const hot_manifest *m = hot_info_manifest(info);
    const char *build_id = hot_info_build_id(info);

    printf("library:     %s\n", path);
    printf("interface:   %s\n", m->interface_name);
    printf("runtime ABI: %u\n", m->abi);
    printf("compiler:    %s\n", m->compiler);
    printf("data model:  pointer %u, long %u, int %u bytes\n", m->data_model >> 16,
           (m->data_model >> 8) & 0xff, m->data_model & 0xff);
    printf("build-id:    %s\n", build_id[0] ? build_id : "(none)");
    print_functions(m);
    print_types(m);
    print_uncovered(info);
}

static int inspect_or_report(const char *path, hot_library_info **info)
{
    int err = hot_inspect(info, path);

    if (err < 0)
        fprintf(stderr, "hotreload check: %s (%s)\n", hot_last_error(), hot_errname(err));
    return err;
}

/* Prints the verdict and each reason; returns the exit status. */
static int compare(const struct check_args *a, const hot_library_info *from,
                   const hot_library_info *to)
{
    char reasons[8192] = "";
    int err = hot_manifest_compare(hot_info_manifest(from), hot_info_manifest(to),
                                   a->ignore_compiler, reasons, sizeof reasons);
    const char *line, *end;

    printf("\nreload %s -> %s: %s\n", a->lib, a->against, err == 0 ? "accepted" : "refused");
    for (line = reasons; *line; line = *end ? end + 1 : end) {
        end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        printf("  %.*s\n", (int)(end - line), line);
    }
    return err == 0 ? CLI_OK : CLI_REFUSED;
}

int cli_cmd_check(int argc, char **argv)
{
    struct check_args a;
    hot_library_info *from = NULL, *to = NULL;
    int status;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_print_usage(stdout, "check"), CLI_OK;
    if ((status = parse_check_args(argc, argv, &a)) != CLI_OK)
        return status;
    if (inspect_or_report(a.lib, &from) < 0)
        return CLI_USAGE;
    print_manifest(a.lib, from);
    status = CLI_OK;
    if (a.against) {
        fflush(stdout);
        if (inspect_or_report(a.against, &to) < 0)
            status = CLI_USAGE;
        else
            status = compare(&a, from, to);
    }
    hot_info_free(to);
    hot_info_free(from);
    return status;
}
