/*
 * x64_dump.c - append translated blocks to a raw file plus a text index
 * for objdump (see x64_dump.h for the commands).
 */
#include "vmm/jit/x64_dump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static char *concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

bool x64_dump_open(struct x64_dump *d, const char *prefix)
{
	char *idx_path = concat(prefix, ".idx");
	d->bin_path = concat(prefix, ".bin");
	d->bin = d->bin_path ? fopen(d->bin_path, "wb") : NULL;
	d->idx = idx_path ? fopen(idx_path, "w") : NULL;
	d->off = 0;
	free(idx_path);
	if (!d->bin || !d->idx || !d->bin_path) {
		int err = errno ? errno : ENOMEM;
		x64_dump_close(d);
		errno = err;
		return false;
	}
	fprintf(d->idx, "# guest_pc host off len | objdump command for the block\n");
	return true;
}

void x64_dump_block(struct x64_dump *d, uint64_t guest_pc, const uint8_t *code, size_t len)
{
	uint64_t host = (uint64_t)(uintptr_t)code;
	if (fwrite(code, 1, len, d->bin) != len)
		return; /* a debugging aid: a short dump is not worth stopping the guest */
	fprintf(d->idx,
		"0x%016" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " %zu | "
		"objdump -D -b binary -m i386:x86-64 -M intel --adjust-vma=0x%" PRIx64
		" --start-address=0x%" PRIx64 " --stop-address=0x%" PRIx64 " %s\n",
		guest_pc, host, d->off, len, host - d->off, host, host + len, d->bin_path);
	d->off += len;
	fflush(d->bin);
	fflush(d->idx);
}

void x64_dump_close(struct x64_dump *d)
{
	if (d->bin)
		fclose(d->bin);
	if (d->idx)
		fclose(d->idx);
	free(d->bin_path);
	d->bin = d->idx = NULL;
	d->bin_path = NULL;
}
