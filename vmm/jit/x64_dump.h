/*
 * x64_dump.h - `-d jit` output: translated blocks in a form objdump reads.
 *
 * x64_dump_open(&d, "/tmp/rvvm-jit") creates /tmp/rvvm-jit.bin, the raw
 * bytes of every dumped block back to back, and /tmp/rvvm-jit.idx, one
 * text line per block: guest pc, host address, offset and length in the
 * .bin, and the objdump command that disassembles exactly that block at
 * its host address:
 *
 *   objdump -D -b binary -m i386:x86-64 -M intel \
 *       --adjust-vma=<host - off> --start-address=<host> \
 *       --stop-address=<host + len> /tmp/rvvm-jit.bin
 *
 * (--adjust-vma shifts the whole file so the block's offset lands on its
 * host address; start/stop are then in host addresses.) The whole file
 * also disassembles at once with just `objdump -D -b binary -m i386:x86-64`,
 * with file offsets as addresses. Both files are flushed per block, so a
 * dump is usable after a crash.
 */
#ifndef RVVM_X64_DUMP_H
#define RVVM_X64_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct x64_dump {
	FILE *bin, *idx;
	char *bin_path;
	uint64_t off; /* bytes written to bin so far */
};

/* Creates (truncates) <prefix>.bin and <prefix>.idx; false with errno set
 * on failure, and nothing left open. */
bool x64_dump_open(struct x64_dump *d, const char *prefix);
/* Appends one block's code and its index line. */
void x64_dump_block(struct x64_dump *d, uint64_t guest_pc, const uint8_t *code, size_t len);
void x64_dump_close(struct x64_dump *d);

#endif
