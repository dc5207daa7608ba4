/*
 * The file-system floor of rewrite mode, for scripts/bench: replace each listed file with its
 * own bytes the way rewrite-buildspec replaces a file it rewrites, and do nothing else. A
 * temporary file in the same folder (mkstemp), the bytes written, the permissions copied,
 * then a rename over the original; no fsync, as the tool does none.
 *
 *   cc -O2 -o atomic-replace Benchmarks/atomic-replace.c
 *   atomic-replace -l LIST         replace the files listed in LIST, one path a line
 *
 * No rewrite can be faster than this on the same file system: on this project's 2-core VM,
 * creating a file in a folder not written to recently costs about half a millisecond.
 * Prints "N files replaced, F failed" on stderr; exit 1 when any file failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned char *buffer;
static size_t capacity;
static unsigned long replaced, failed;

static int replace(const char *path) {
    int input = open(path, O_RDONLY | O_CLOEXEC);
    if (input < 0) return -1;
    struct stat status;
    if (fstat(input, &status) != 0) { close(input); return -1; }
    size_t length = 0;
    for (;;) {
        if (length == capacity) {
            capacity = capacity ? capacity * 2 : 1 << 16;
            buffer = realloc(buffer, capacity);
            if (!buffer) { perror("realloc"); exit(2); }
        }
        ssize_t n = read(input, buffer + length, capacity - length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { close(input); return -1; }
        if (n == 0) break;
        length += (size_t)n;
    }
    close(input);

    char temporary[2 * 4096 + 32];
    const char *slash = strrchr(path, '/');
    int folder = slash ? (int)(slash - path) : 1;
    int needed = snprintf(temporary, sizeof temporary, "%.*s/.%s.replace-XXXXXX", folder, slash ? path : ".", slash ? slash + 1 : path);
    if (needed < 0 || (size_t)needed >= sizeof temporary) { errno = ENAMETOOLONG; return -1; }
    int output = mkstemp(temporary);
    if (output < 0) return -1;
    size_t written = 0;
    while (written < length) {
        ssize_t n = write(output, buffer + written, length - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { close(output); unlink(temporary); return -1; }
        written += (size_t)n;
    }
    if (fchmod(output, status.st_mode & 07777) != 0) { close(output); unlink(temporary); return -1; }
    close(output);
    if (rename(temporary, path) != 0) { unlink(temporary); return -1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3 || strcmp(argv[1], "-l") != 0) {
        fprintf(stderr, "usage: atomic-replace -l LIST\n");
        return 64;
    }
    FILE *list = fopen(argv[2], "r");
    if (!list) { perror(argv[2]); return 1; }
    char line[4096];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (replace(line) == 0) replaced++; else { perror(line); failed++; }
    }
    fclose(list);
    fprintf(stderr, "%lu files replaced, %lu failed\n", replaced, failed);
    return failed ? 1 : 0;
}
