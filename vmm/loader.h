/*
 * loader.h - put guest images into guest RAM: RISC-V ELF64 executables (by
 * their physical load addresses) or raw binaries at a given address.
 */
#ifndef RVVM_LOADER_H
#define RVVM_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct bus;

/* Error classes, so main can pick a documented exit status. */
enum loader_err {
    LOADER_OK = 0,
    LOADER_ENOENT, /* missing or unreadable file */
    LOADER_EBADIMG, /* wrong format, wrong machine, does not fit in RAM */
};

struct loader_image {
    uint64_t entry; /* ELF entry point, or the load address of a raw image */
    uint64_t start; /* lowest loaded address */
    uint64_t end;   /* one past the highest loaded byte */
    int is_elf;
};

/* Load `path`: an ELF (detected by its magic) goes where its program headers
 * say; anything else is copied to raw_base. On error, err gets one line
 * naming the problem. */
enum loader_err loader_load(struct bus *b, const char *path, uint64_t raw_base,
                            struct loader_image *out, char *err, size_t errlen);

/* Load `path` as raw bytes at base, whatever it contains. */
enum loader_err loader_load_raw(struct bus *b, const char *path, uint64_t base,
                                struct loader_image *out, char *err, size_t errlen);

/* Copy a buffer to guest RAM at base, checked like a file. */
enum loader_err loader_load_buf(struct bus *b, const char *what, const void *data, size_t len,
                                uint64_t base, struct loader_image *out, char *err,
                                size_t errlen);

/* Size of a file, for placing it before loading it. */
enum loader_err loader_file_size(const char *path, uint64_t *size, char *err, size_t errlen);

#endif
