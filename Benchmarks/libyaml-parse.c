/*
 * The baseline for scripts/bench: parse every file with libyaml's event API and do nothing
 * else. This is the floor for rewrite-buildspec, which reads the same files with the same
 * parser (and then analyses, rewrites and re-parses them).
 *
 *   cc -O2 -o libyaml-parse Benchmarks/libyaml-parse.c -lyaml
 *   libyaml-parse FILE...          parse the files named
 *   libyaml-parse -l LIST          parse the files listed in LIST, one path a line
 *
 * Each file is read whole into memory and parsed from the string, as the tool does. Prints
 * "N files, E events, B bytes, F failed" on stderr; exit 1 when any file failed to read/parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static unsigned char *buffer;
static size_t capacity;
static unsigned long long events, bytes;
static unsigned long files, failed;

static void parse_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); failed++; return; }
    size_t length = 0, n;
    for (;;) {
        if (length == capacity) {
            capacity = capacity ? capacity * 2 : 1 << 16;
            buffer = realloc(buffer, capacity);
            if (!buffer) { perror("realloc"); exit(2); }
        }
        n = fread(buffer + length, 1, capacity - length, file);
        if (n == 0) break;
        length += n;
    }
    fclose(file);
    files++;
    bytes += length;

    yaml_parser_t parser;
    yaml_event_t event;
    if (!yaml_parser_initialize(&parser)) { fprintf(stderr, "out of memory\n"); exit(2); }
    yaml_parser_set_input_string(&parser, buffer, length);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s: %s\n", path, parser.problem ? parser.problem : "parse error");
            failed++;
            break;
        }
        events++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "-l") == 0) {
        FILE *list = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
        if (!list) { perror(argv[2]); return 2; }
        char *line = NULL;
        size_t size = 0;
        ssize_t got;
        while ((got = getline(&line, &size, list)) > 0) {
            if (line[got - 1] == '\n') line[--got] = 0;
            if (got) parse_file(line);
        }
        free(line);
    } else {
        for (int i = 1; i < argc; i++) parse_file(argv[i]);
    }
    fprintf(stderr, "%lu files, %llu events, %llu bytes, %lu failed\n", files, events, bytes, failed);
    return failed ? 1 : 0;
}
