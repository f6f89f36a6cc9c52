/*
 * Reading the compiler's dependency files (gcc/clang -MMD): the headers a
 * library includes, so that `hotreload run` rebuilds when one changes even
 * if it sits outside the watched folders.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"

int deps_contains(const struct dep_set *set, const char *path)
{
    int i;

    for (i = 0; i < set->count; i++) {
        if (strcmp(set->paths[i], path) == 0)
            return 1;
    }
    return 0;
}

static void add_path(struct dep_set *set, const char *path,
                     void (*add_dir)(const char *dir, void *ud), void *ud)
{
    char dir[PATH_MAX], *slash;
    char **grown;

    if (deps_contains(set, path))
        return;
    if (set->count == set->cap) {
        grown = realloc(set->paths, (size_t)(set->cap ? set->cap * 2 : 16) * sizeof *grown);
        if (!grown)
            return;
        set->paths = grown;
        set->cap = set->cap ? set->cap * 2 : 16;
    }
    if (!(set->paths[set->count] = strdup(path)))
        return;
    set->count++;
    snprintf(dir, sizeof dir, "%s", path);
    if ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        add_dir(dir[0] ? dir : "/", ud);
    }
}

/* One prerequisite word: made absolute and canonical when it exists. */
static void add_word(struct dep_set *set, const char *word, const char *base,
                     void (*add_dir)(const char *dir, void *ud), void *ud)
{
    char joined[PATH_MAX], canonical[PATH_MAX];

    if (word[0] == '/')
        snprintf(joined, sizeof joined, "%s", word);
    else
        snprintf(joined, sizeof joined, "%s/%s", base, word);
    if (realpath(joined, canonical))
        add_path(set, canonical, add_dir, ud);
}

/* Splits the text after each rule's colon into words; targets (before a
 * colon) and line continuations are skipped. */
static void parse_rules(struct dep_set *set, char *text, const char *base,
                        void (*add_dir)(const char *dir, void *ud), void *ud)
{
    char *p = text, *word;
    int in_prereqs = 0;

    while (*p) {
        if (*p == '\n') {
            in_prereqs = 0;
            p++;
        } else if (*p == ' ' || *p == '\t' || (*p == '\\' && p[1] == '\n')) {
            p += *p == '\\' ? 2 : 1;
        } else {
            word = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\n' && !(*p == '\\' && p[1] == '\n'))
                p++;
            if (p > word && p[-1] == ':' && !in_prereqs) {
                in_prereqs = 1;
                continue;
            }
            if (in_prereqs) {
                char saved = *p;
                *p = '\0';
                add_word(set, word, base, add_dir, ud);
                *p = saved;
            }
        }
    }
}

void deps_read_file(struct dep_set *set, const char *path, const char *base,
                    void (*add_dir)(const char *dir, void *ud), void *ud)
{
    FILE *f = fopen(path, "r");
    char *text;
    long size;

    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (text) {
        text[fread(text, 1, (size_t)size, f)] = '\0';
        parse_rules(set, text, base, add_dir, ud);
        free(text);
    }
    fclose(f);
}

void deps_scan_folder(struct dep_set *set, const char *dir, const char *base,
                      void (*add_dir)(const char *dir, void *ud), void *ud)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX];
    size_t len;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".d") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        deps_read_file(set, path, base, add_dir, ud);
    }
    closedir(d);
}

/* Ninja keeps the compiler's dependencies in its own log (.ninja_deps) and
 * deletes the .d files: `ninja -t deps` lists them, one indented path per
 * line under each target, relative to the build folder. System headers
 * (under /usr/) are left out: they do not change while one works. */
void deps_read_ninja(struct dep_set *set, const char *build_dir,
                     void (*add_dir)(const char *dir, void *ud), void *ud)
{
    char command[PATH_MAX + 64], line[PATH_MAX], *word;
    FILE *p;

    if (strchr(build_dir, '\''))
        return; /* cannot be quoted for the shell below */
    snprintf(command, sizeof command, "ninja -C '%s' -t deps 2>/dev/null", build_dir);
    if (!(p = popen(command, "r")))
        return;
    while (fgets(line, sizeof line, p)) {
        if (line[0] != ' ')
            continue; /* "target: #deps N, ..." or a blank line */
        word = line + strspn(line, " \t");
        word[strcspn(word, "\r\n")] = '\0';
        if (*word && strncmp(word, "/usr/", 5) != 0)
            add_word(set, word, build_dir, add_dir, ud);
    }
    pclose(p);
}

static int is_ninja_build(const char *dir)
{
    char path[PATH_MAX];
    FILE *f;

    if (cli_path_join(path, sizeof path, dir, ".ninja_deps") < 0 || !(f = fopen(path, "r")))
        return 0;
    fclose(f);
    return 1;
}

void deps_scan_ninja(struct dep_set *set, const char *project,
                     void (*add_dir)(const char *dir, void *ud), void *ud)
{
    DIR *d = opendir(project);
    struct dirent *e;
    char path[PATH_MAX];

    if (is_ninja_build(project))
        deps_read_ninja(set, project, add_dir, ud);
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (cli_path_join(path, sizeof path, project, e->d_name) == 0 && is_ninja_build(path))
            deps_read_ninja(set, path, add_dir, ud);
    }
    if (d)
        closedir(d);
}

void deps_free(struct dep_set *set)
{
    int i;

    for (i = 0; i < set->count; i++)
        free(set->paths[i]);
    free(set->paths);
    memset(set, 0, sizeof *set);
}
