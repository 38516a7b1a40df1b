/* benchutil: the small helper that benchgen's Linux workloads need, built
 * statically for riscv64 (into the benchmark initramfs) and natively for x86-64
 * (the host reference) from this one file. Subcommands:
 *
 *   benchutil now               CLOCK_MONOTONIC as seconds with 9 decimals
 *                               (busybox date has no %N; /proc/uptime ticks in 10 ms)
 *   benchutil gen SEED BYTES    deterministic, compressible text on stdout: words
 *                               drawn with a skewed distribution from a vocabulary
 *                               made from SEED, so compressors have real work
 *   benchutil sys MODE N        N iterations of a syscall- or trap-heavy loop, timed
 *                               inside; MODE is getpid, read (1 byte of /dev/zero),
 *                               fault (mmap, touch 16 pages, munmap) or pipe (a
 *                               1-byte ping-pong with a child: two context switches)
 *
 * sys prints "ops=N secs=S check=C": C depends only on N and MODE, so the runner
 * compares it with the native run's value and a wrong answer voids the figure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "benchutil: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* xorshift64*: fixed output for a fixed seed on every host */
static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

#define VOCAB 4096

static int cmd_gen(uint64_t seed, uint64_t bytes)
{
    static char words[VOCAB][16];
    static char buf[1 << 16];
    static const char letters[] = "etaoinshrdlucmfwypvbgkjqxz";
    size_t n = 0;
    unsigned col = 0;

    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (int i = 0; i < VOCAB; i++) {
        int len = 2 + (int)(rng() % 9);
        for (int j = 0; j < len; j++) {
            /* squaring skews towards the frequent letters */
            uint64_t r = rng() % 26;
            words[i][j] = letters[(r * r) / 26];
        }
        words[i][len] = 0;
    }
    while (bytes) {
        uint64_t r = rng();
        char tmp[32];
        int len;
        if ((r & 63) == 0) {
            len = snprintf(tmp, sizeof(tmp), "%u", (unsigned)(r >> 40) % 100000);
        } else {
            /* (x*x) over [0, VOCAB): the low word numbers are the frequent ones */
            uint64_t x = (r >> 16) % VOCAB;
            len = (int)strlen(words[(x * x) / VOCAB]);
            memcpy(tmp, words[(x * x) / VOCAB], (size_t)len);
        }
        col += (unsigned)len + 1;
        tmp[len++] = col > 72 ? '\n' : ((r >> 8) & 15) == 0 ? ',' : ' ';
        if (col > 72)
            col = 0;
        for (int i = 0; i < len && bytes; i++, bytes--) {
            buf[n++] = tmp[i];
            if (n == sizeof(buf)) {
                if (fwrite(buf, 1, n, stdout) != n)
                    die("write");
                n = 0;
            }
        }
    }
    if (n && fwrite(buf, 1, n, stdout) != n)
        die("write");
    if (fflush(stdout))
        die("write");
    return 0;
}

static int cmd_sys(const char *mode, long n)
{
    uint64_t check = 0;
    double t0, t1;

    if (!strcmp(mode, "getpid")) {
        pid_t me = getpid();
        t0 = now();
        for (long i = 0; i < n; i++)
            /* the raw syscall: glibc does not cache getpid, but make sure */
            check += (uint64_t)(syscall(SYS_getpid) == me);
        t1 = now();
    } else if (!strcmp(mode, "read")) {
        int fd = open("/dev/zero", O_RDONLY);
        unsigned char c;
        if (fd < 0)
            die("/dev/zero");
        t0 = now();
        for (long i = 0; i < n; i++) {
            c = 1;
            if (read(fd, &c, 1) != 1)
                die("read /dev/zero");
            check += (uint64_t)(c == 0);
        }
        t1 = now();
        close(fd);
    } else if (!strcmp(mode, "fault")) {
        const long pages = 16, pg = sysconf(_SC_PAGESIZE);
        t0 = now();
        for (long i = 0; i < n; i++) {
            volatile unsigned char *p = mmap(NULL, (size_t)(pages * pg), PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                die("mmap");
            for (long j = 0; j < pages; j++)
                p[j * pg] = (unsigned char)(j + 1);
            for (long j = 0; j < pages; j++)
                check += p[j * pg];
            if (munmap((void *)p, (size_t)(pages * pg)))
                die("munmap");
        }
        t1 = now();
    } else if (!strcmp(mode, "pipe")) {
        int ab[2], ba[2];
        unsigned char c = 0;
        if (pipe(ab) || pipe(ba))
            die("pipe");
        pid_t child = fork();
        if (child < 0)
            die("fork");
        if (child == 0) {
            /* echo every byte back, plus one, until the parent closes its end */
            close(ab[1]);
            close(ba[0]);
            while (read(ab[0], &c, 1) == 1) {
                c++;
                if (write(ba[1], &c, 1) != 1)
                    _exit(1);
            }
            _exit(0);
        }
        close(ab[0]);
        close(ba[1]);
        t0 = now();
        for (long i = 0; i < n; i++) {
            c = (unsigned char)i;
            if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
                die("pipe ping-pong");
            check += c;
        }
        t1 = now();
        close(ab[1]);
        int st;
        if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
            die("child");
    } else {
        fprintf(stderr, "benchutil: unknown sys mode %s (getpid, read, fault, pipe)\n", mode);
        return 2;
    }
    printf("ops=%ld secs=%.6f check=%llu\n", n, t1 - t0, (unsigned long long)check);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "now")) {
        printf("%.9f\n", now());
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "gen"))
        return cmd_gen(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
    if (argc == 4 && !strcmp(argv[1], "sys"))
        return cmd_sys(argv[2], strtol(argv[3], NULL, 0));
    fprintf(stderr, "usage: benchutil now | gen SEED BYTES | sys getpid|read|fault|pipe N\n");
    return 2;
}
