/*
 * test_blkback.c - raw image backends on real temporary files: read and
 * write, discard and write-zeroes (holes where the file system punches
 * them), the -snapshot overlay (the image never changes), and the image lock
 * (a second writer or reader of an image being written is refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rvvm/blkback.h"

#define SIZE (1u << 20)

struct fx {
    char path[64];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/rvvm-blkback-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    uint8_t *buf = malloc(SIZE);
    for (unsigned i = 0; i < SIZE; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(write(fd, buf, SIZE), SIZE);
    free(buf);
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

static struct blkback *open_ok(struct fx *f, bool ro, bool snap)
{
    char err[256];
    int status = 0;
    struct blkback *b = blkback_open_file(f->path, ro, snap, err, sizeof(err), &status);
    if (!b)
        fail_msg("%s", err);
    return b;
}

static void rd(struct blkback *b, uint64_t off, void *dst, size_t len)
{
    /* Two iovecs, to exercise the scatter path. */
    struct iovec v[2] = {{dst, len / 2}, {(uint8_t *)dst + len / 2, len - len / 2}};
    assert_int_equal(b->ops->readv(b, v, 2, off), 0);
}

static void wr(struct blkback *b, uint64_t off, const void *src, size_t len)
{
    struct iovec v = {(void *)src, len};
    assert_int_equal(b->ops->writev(b, &v, 1, off), 0);
}

static uint8_t file_byte(struct fx *f, uint64_t off)
{
    FILE *fp = fopen(f->path, "rb");
    assert_non_null(fp);
    fseek(fp, (long)off, SEEK_SET);
    int c = fgetc(fp);
    fclose(fp);
    return (uint8_t)c;
}

static void test_rw_flush(void **state)
{
    struct fx *f = *state;
    struct blkback *b = open_ok(f, false, false);
    assert_int_equal(b->size, SIZE);
    assert_false(b->readonly);
    uint8_t buf[1024];
    rd(b, 4096, buf, sizeof(buf));
    assert_int_equal(buf[0], (uint8_t)(4096 * 7 + 1));
    memset(buf, 0xab, sizeof(buf));
    wr(b, 512, buf, sizeof(buf));
    assert_int_equal(b->ops->flush(b), 0);
    assert_int_equal(file_byte(f, 512), 0xab);
    assert_int_equal(file_byte(f, 512 + 1023), 0xab);
    blkback_close(b);
}

static void test_discard_and_zeroes(void **state)
{
    struct fx *f = *state;
    struct blkback *b = open_ok(f, false, false);
    struct stat st0, st1;
    stat(f->path, &st0);
    assert_int_equal(b->ops->discard(b, 64 << 10, 256 << 10), 0);
    assert_int_equal(b->ops->write_zeroes(b, 512 << 10, 8192, true), 0);
    assert_int_equal(b->ops->write_zeroes(b, 600 << 10, 1024, false), 0);
    uint8_t buf[8192];
    rd(b, 512 << 10, buf, sizeof(buf));
    for (unsigned i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    rd(b, 600 << 10, buf, 1024);
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(buf[i], 0);
    stat(f->path, &st1);
    assert_int_equal(st1.st_size, SIZE);
    /* Where the file system punches holes (ext4, xfs, tmpfs) space is freed. */
    printf("# blocks before %lld after %lld\n", (long long)st0.st_blocks,
           (long long)st1.st_blocks);
    assert_true(st1.st_blocks <= st0.st_blocks);
    blkback_close(b);
}

static void test_snapshot_leaves_image(void **state)
{
    struct fx *f = *state;
    struct blkback *b = open_ok(f, false, true);
    assert_false(b->readonly);
    uint8_t buf[2048], back[4096];
    memset(buf, 0x5a, sizeof(buf));
    wr(b, 1024, buf, sizeof(buf)); /* sectors 2..5 */
    assert_int_equal(b->ops->write_zeroes(b, 8192, 512, true), 0);
    /* Reads mix overlay and image sector by sector. */
    rd(b, 0, back, sizeof(back));
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(back[i], (uint8_t)(i * 7 + 1));
    for (unsigned i = 1024; i < 3072; i++)
        assert_int_equal(back[i], 0x5a);
    for (unsigned i = 3072; i < 4096; i++)
        assert_int_equal(back[i], (uint8_t)(i * 7 + 1));
    rd(b, 8192, back, 1024);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(back[i], 0);
    for (unsigned i = 512; i < 1024; i++)
        assert_int_equal(back[i], (uint8_t)((8192 + i) * 7 + 1));
    assert_int_equal(b->ops->flush(b), 0);
    assert_int_equal(b->ops->discard(b, 0, 65536), 0);
    blkback_close(b);
    assert_int_equal(file_byte(f, 1024), (uint8_t)(1024 * 7 + 1));
    assert_int_equal(file_byte(f, 8192), (uint8_t)(8192 * 7 + 1));
}

static void test_lock(void **state)
{
    struct fx *f = *state;
    char err[256];
    int status = 0;
    struct blkback *w = open_ok(f, false, false);
    /* A writer excludes every other user. */
    assert_null(blkback_open_file(f->path, false, false, err, sizeof(err), &status));
    assert_non_null(strstr(err, "locked"));
    assert_int_equal(status, 66);
    assert_null(blkback_open_file(f->path, true, false, err, sizeof(err), &status));
    assert_null(blkback_open_file(f->path, false, true, err, sizeof(err), &status));
    blkback_close(w);
    /* Readers share; a writer waits for them to go. */
    struct blkback *r1 = open_ok(f, true, false);
    struct blkback *r2 = open_ok(f, false, true);
    assert_true(r1->readonly);
    assert_null(blkback_open_file(f->path, false, false, err, sizeof(err), &status));
    blkback_close(r1);
    blkback_close(r2);
    blkback_close(open_ok(f, false, false));
}

static void test_missing(void **state)
{
    (void)state;
    char err[256];
    int status = 0;
    assert_null(blkback_open_file("/nonexistent/disk.img", false, false, err, sizeof(err),
                                  &status));
    assert_int_equal(status, 66);
    assert_non_null(strstr(err, "/nonexistent/disk.img"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rw_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard_and_zeroes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_leaves_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test(test_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
