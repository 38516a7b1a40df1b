/*
 * loader.c - ELF64/raw image loading (see loader.h).
 *
 * The ELF checks follow the System V gABI and the RISC-V ELF psABI
 * (EM_RISCV = 243, ELFCLASS64, little-endian). Every segment is checked
 * against guest RAM before a byte is copied.
 */
#include "vmm/loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rvvm/bus.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* path opened (*fd) as a regular file of *size bytes, or one clear error. */
static enum loader_err open_regular(const char *path, int *fd, uint64_t *size, char *err,
                                    size_t errlen)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return LOADER_ENOENT;
    }
    struct stat st;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': not a regular file", path);
        close(*fd);
        return LOADER_ENOENT;
    }
    *size = (uint64_t)st.st_size;
    return LOADER_OK;
}

/* The file, mapped read-only with its pages populated from the page cache
 * at once (a malloc'd copy took a host page fault per 4 KiB page, ~1,700
 * for a kernel and an initramfs). Undone by unmap_file. */
static enum loader_err read_file(const char *path, uint8_t **data, size_t *len, char *err,
                                 size_t errlen)
{
    int fd;
    uint64_t size;
    enum loader_err e = open_regular(path, &fd, &size, err, errlen);
    if (e)
        return e;
    *len = (size_t)size;
    *data = NULL;
    if (*len) {
        void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p == MAP_FAILED) {
            snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
            close(fd);
            return LOADER_ENOENT;
        }
        *data = p;
    }
    close(fd);
    return LOADER_OK;
}

static void unmap_file(uint8_t *data, size_t len)
{
    if (len)
        munmap(data, len);
}

static void ram_range_text(const struct bus *b, char *out, size_t n)
{
    out[0] = 0;
    for (unsigned i = 0; i < b->nmem; i++) {
        if (b->mem[i].readonly)
            continue;
        snprintf(out, n, "RAM is 0x%" PRIx64 "-0x%" PRIx64, b->mem[i].base,
                 b->mem[i].base + b->mem[i].size - 1);
    }
}

static enum loader_err load_elf(struct bus *b, const char *path, const uint8_t *d, size_t len,
                                struct loader_image *out, char *err, size_t errlen)
{
    if (len < sizeof(Elf64_Ehdr) || d[EI_CLASS] != ELFCLASS64 || d[EI_DATA] != ELFDATA2LSB) {
        snprintf(err, errlen, "'%s' is not a 64-bit little-endian ELF file", path);
        return LOADER_EBADIMG;
    }
    Elf64_Ehdr eh;
    memcpy(&eh, d, sizeof(eh));
    if (eh.e_machine != EM_RISCV) {
        snprintf(err, errlen, "'%s' is an ELF for another machine (e_machine %u, not RISC-V)",
                 path, eh.e_machine);
        return LOADER_EBADIMG;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        snprintf(err, errlen, "'%s' is not an executable ELF (e_type %u)", path, eh.e_type);
        return LOADER_EBADIMG;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
        (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff) {
        snprintf(err, errlen, "'%s': broken ELF program header table", path);
        return LOADER_EBADIMG;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    /* Check everything first, so a bad image loads nothing at all. */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            memcpy(&ph, d + eh.e_phoff + i * sizeof(ph), sizeof(ph));
            if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
                continue;
            if (pass == 0) {
                if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
                    ph.p_filesz > len - ph.p_offset) {
                    snprintf(err, errlen, "'%s': segment %u lies outside the file", path, i);
                    return LOADER_EBADIMG;
                }
                if (!bus_mem_ptr(b, ph.p_paddr, ph.p_memsz, true)) {
                    char ram[96];
                    ram_range_text(b, ram, sizeof(ram));
                    snprintf(err, errlen,
                             "'%s': segment %u (0x%" PRIx64 "-0x%" PRIx64
                             ") does not fit in guest RAM (%s; try a larger -m)",
                             path, i, (uint64_t)ph.p_paddr,
                             (uint64_t)(ph.p_paddr + ph.p_memsz - 1), ram);
                    return LOADER_EBADIMG;
                }
                if (ph.p_paddr < lo)
                    lo = ph.p_paddr;
                if (ph.p_paddr + ph.p_memsz > hi)
                    hi = ph.p_paddr + ph.p_memsz;
            } else {
                uint8_t *dst = bus_mem_ptr(b, ph.p_paddr, ph.p_memsz, true);
                memcpy(dst, d + ph.p_offset, ph.p_filesz);
                memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
            }
        }
    }
    if (hi == 0) {
        snprintf(err, errlen, "'%s': ELF has no loadable segments", path);
        return LOADER_EBADIMG;
    }
    out->entry = eh.e_entry;
    out->start = lo;
    out->end = hi;
    out->is_elf = 1;
    return LOADER_OK;
}

enum loader_err loader_load_buf(struct bus *b, const char *what, const void *data, size_t len,
                                uint64_t base, struct loader_image *out, char *err,
                                size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "'%s' is empty", what);
        return LOADER_EBADIMG;
    }
    uint8_t *dst = bus_mem_ptr(b, base, len, true);
    if (!dst) {
        char ram[96];
        ram_range_text(b, ram, sizeof(ram));
        snprintf(err, errlen,
                 "'%s' (%zu bytes) does not fit in guest RAM at 0x%" PRIx64 " (%s; try a larger -m)",
                 what, len, base, ram);
        return LOADER_EBADIMG;
    }
    memcpy(dst, data, len);
    out->entry = base;
    out->start = base;
    out->end = base + len;
    out->is_elf = 0;
    return LOADER_OK;
}

static enum loader_err load(struct bus *b, const char *path, uint64_t raw_base, bool elf_ok,
                            struct loader_image *out, char *err, size_t errlen)
{
    uint8_t *d;
    size_t len;
    enum loader_err e = read_file(path, &d, &len, err, errlen);
    if (e)
        return e;
    if (elf_ok && len >= 4 && memcmp(d, ELFMAG, SELFMAG) == 0)
        e = load_elf(b, path, d, len, out, err, errlen);
    else
        e = loader_load_buf(b, path, d, len, raw_base, out, err, errlen);
    unmap_file(d, len);
    return e;
}

enum loader_err loader_load(struct bus *b, const char *path, uint64_t raw_base,
                            struct loader_image *out, char *err, size_t errlen)
{
    return load(b, path, raw_base, true, out, err, errlen);
}

enum loader_err loader_load_raw(struct bus *b, const char *path, uint64_t base,
                                struct loader_image *out, char *err, size_t errlen)
{
    return load(b, path, base, false, out, err, errlen);
}

enum loader_err loader_file_size(const char *path, uint64_t *size, char *err, size_t errlen)
{
    int fd;
    enum loader_err e = open_regular(path, &fd, size, err, errlen);
    if (!e)
        close(fd);
    return e;
}
