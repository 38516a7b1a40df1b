/* Table-driven F/D checker shared by f.c and d.c. Define FP_S or FP_D before
 * including. Every vector runs twice: static rounding mode (with frm set to a
 * different mode, to show it is ignored) and dynamic (frm = rm). Result bits
 * and fflags must match exactly; single results must be NaN-boxed. */
#include "rt.h"

struct fpvec {
    u8 op, rm;
    u64 a, b, c, r;
    u8 fl;
};

enum { OP_FADD, OP_FSUB, OP_FMUL, OP_FDIV, OP_FSQRT, OP_FMADD, OP_FMSUB, OP_FNMSUB, OP_FNMADD, OP_FMIN, OP_FMAX,
       OP_FEQ, OP_FLT, OP_FLE, OP_FSGNJ, OP_FSGNJN, OP_FSGNJX, OP_FCLASS, OP_FCVT_W, OP_FCVT_WU, OP_FCVT_L,
       OP_FCVT_LU, OP_FCVT_FROM_W, OP_FCVT_FROM_WU, OP_FCVT_FROM_L, OP_FCVT_FROM_LU, OP_FCVT_S_D, OP_FCVT_D_S };

static const char *const op_names[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmadd", "fmsub", "fnmsub", "fnmadd",
    "fmin", "fmax", "feq", "flt", "fle", "fsgnj", "fsgnjn", "fsgnjx", "fclass", "fcvt.w", "fcvt.wu", "fcvt.l",
    "fcvt.lu", "fcvt.from.w", "fcvt.from.wu", "fcvt.from.l", "fcvt.from.lu", "fcvt.s.d", "fcvt.d.s"};

#ifdef FP_S
#define P "s"
#define MVIN "fmv.w.x"
static const struct fpvec vecs[] = {
#include "fpvec_s.h"
};
#else
#define P "d"
#define MVIN "fmv.d.x"
static const struct fpvec vecs[] = {
#include "fpvec_d.h"
};
#endif

#define PRE MVIN " ft0, %2\n " MVIN " ft1, %3\n " MVIN " ft2, %4\n mv a0, %2\n fsflags x0\n "
#define POST_F "\n frflags %1\n fmv.x.d %0, ft3"
#define POST_X "\n frflags %1\n mv %0, a0"
#define RUN(pre, body, post) asm volatile(pre body post : "=r"(res), "=&r"(fl) \
    : "r"(v->a), "r"(v->b), "r"(v->c) : "ft0", "ft1", "ft2", "ft3", "a0", "memory")
#define WITH_RM(pre, insn, post) switch (rm) { \
    case 0: RUN(pre, insn ", rne", post); break; \
    case 1: RUN(pre, insn ", rtz", post); break; \
    case 2: RUN(pre, insn ", rdn", post); break; \
    case 3: RUN(pre, insn ", rup", post); break; \
    case 4: RUN(pre, insn ", rmm", post); break; \
    default: RUN(pre, insn ", dyn", post); break; }

#define RUN_INSN(pre, body, post, rmv) asm volatile(pre ".insn r " body post : "=r"(res), "=&r"(fl) \
    : "r"(v->a), "r"(v->b), "r"(v->c), [rm] "i"(rmv) : "ft0", "ft1", "ft2", "ft3", "a0", "memory")
#define WITH_RM_INSN(pre, insn, post) switch (rm) { \
    case 0: RUN_INSN(pre, insn, post, 0); break; \
    case 1: RUN_INSN(pre, insn, post, 1); break; \
    case 2: RUN_INSN(pre, insn, post, 2); break; \
    case 3: RUN_INSN(pre, insn, post, 3); break; \
    case 4: RUN_INSN(pre, insn, post, 4); break; \
    default: RUN_INSN(pre, insn, post, 7); break; }

/* Execute v->op with rounding mode rm (7 = dynamic); returns result bits. */
static u64 exec(const struct fpvec *v, int rm, u64 *flags)
{
    u64 res = 0, fl = 0;
    switch (v->op) {
    case OP_FADD: WITH_RM(PRE, "fadd." P " ft3, ft0, ft1", POST_F); break;
    case OP_FSUB: WITH_RM(PRE, "fsub." P " ft3, ft0, ft1", POST_F); break;
    case OP_FMUL: WITH_RM(PRE, "fmul." P " ft3, ft0, ft1", POST_F); break;
    case OP_FDIV: WITH_RM(PRE, "fdiv." P " ft3, ft0, ft1", POST_F); break;
    case OP_FSQRT: WITH_RM(PRE, "fsqrt." P " ft3, ft0", POST_F); break;
    case OP_FMADD: WITH_RM(PRE, "fmadd." P " ft3, ft0, ft1, ft2", POST_F); break;
    case OP_FMSUB: WITH_RM(PRE, "fmsub." P " ft3, ft0, ft1, ft2", POST_F); break;
    case OP_FNMSUB: WITH_RM(PRE, "fnmsub." P " ft3, ft0, ft1, ft2", POST_F); break;
    case OP_FNMADD: WITH_RM(PRE, "fnmadd." P " ft3, ft0, ft1, ft2", POST_F); break;
    case OP_FMIN: RUN(PRE, "fmin." P " ft3, ft0, ft1", POST_F); break;
    case OP_FMAX: RUN(PRE, "fmax." P " ft3, ft0, ft1", POST_F); break;
    case OP_FEQ: RUN(PRE, "feq." P " a0, ft0, ft1", POST_X); break;
    case OP_FLT: RUN(PRE, "flt." P " a0, ft0, ft1", POST_X); break;
    case OP_FLE: RUN(PRE, "fle." P " a0, ft0, ft1", POST_X); break;
    case OP_FSGNJ: RUN(PRE, "fsgnj." P " ft3, ft0, ft1", POST_F); break;
    case OP_FSGNJN: RUN(PRE, "fsgnjn." P " ft3, ft0, ft1", POST_F); break;
    case OP_FSGNJX: RUN(PRE, "fsgnjx." P " ft3, ft0, ft1", POST_F); break;
    case OP_FCLASS: RUN(PRE, "fclass." P " a0, ft0", POST_X); break;
    case OP_FCVT_W: WITH_RM(PRE, "fcvt.w." P " a0, ft0", POST_X); break;
    case OP_FCVT_WU: WITH_RM(PRE, "fcvt.wu." P " a0, ft0", POST_X); break;
    case OP_FCVT_L: WITH_RM(PRE, "fcvt.l." P " a0, ft0", POST_X); break;
    case OP_FCVT_LU: WITH_RM(PRE, "fcvt.lu." P " a0, ft0", POST_X); break;
#ifdef FP_S
    case OP_FCVT_FROM_W: WITH_RM(PRE, "fcvt.s.w ft3, a0", POST_F); break;
    case OP_FCVT_FROM_WU: WITH_RM(PRE, "fcvt.s.wu ft3, a0", POST_F); break;
#else
    /* exact conversions: binutils takes no rm operand; encode it with .insn */
    case OP_FCVT_FROM_W: WITH_RM_INSN(PRE, "0x53, %c[rm], 0x69, ft3, a0, x0", POST_F); break;
    case OP_FCVT_FROM_WU: WITH_RM_INSN(PRE, "0x53, %c[rm], 0x69, ft3, a0, x1", POST_F); break;
#endif
    case OP_FCVT_FROM_L: WITH_RM(PRE, "fcvt." P ".l ft3, a0", POST_F); break;
    case OP_FCVT_FROM_LU: WITH_RM(PRE, "fcvt." P ".lu ft3, a0", POST_F); break;
#ifdef FP_D
    case OP_FCVT_S_D: WITH_RM(PRE, "fcvt.s.d ft3, ft0", POST_F); break;
    /* the single input must be NaN-boxed: box it in the source register */
    case OP_FCVT_D_S: WITH_RM_INSN("fmv.w.x ft0, %2\n mv a0, %3\n mv a0, %4\n fsflags x0\n ", "0x53, %c[rm], 0x21, ft3, ft0, f0", POST_F); break;
#endif
    default: FAIL_HERE("bad op in vector table");
    }
    *flags = fl;
    return res;
}

static __attribute__((unused)) int is_fp_result(int op)
{
    return !(op == OP_FEQ || op == OP_FLT || op == OP_FLE || op == OP_FCLASS ||
             (op >= OP_FCVT_W && op <= OP_FCVT_LU));
}

static int has_rm(int op)
{
    return !(op >= OP_FMIN && op <= OP_FCLASS);
}

static void report(u64 i, const struct fpvec *v, int rm, u64 got, u64 exp, u64 gfl)
{
    puts_("FAIL vector ");
    putdec(i);
    puts_(" ");
    puts_(op_names[v->op]);
    puts_("." P " rm=");
    putdec(v->rm);
    puts_(rm == 7 ? " (dynamic)" : " (static)");
    puts_("\n  a=");
    puthex(v->a);
    puts_(" b=");
    puthex(v->b);
    puts_(" c=");
    puthex(v->c);
    puts_("\n  got ");
    puthex(got);
    puts_(" fflags ");
    puthex(gfl);
    puts_("\n  exp ");
    puthex(exp);
    puts_(" fflags ");
    puthex(v->fl);
    putc_('\n');
}

/* Returns the number of failing vectors (all are reported, up to 20). */
static u64 run_vectors(void)
{
    u64 nfail = 0, n = sizeof(vecs) / sizeof(vecs[0]);
    for (u64 i = 0; i < n; i++) {
        const struct fpvec *v = &vecs[i];
        u64 exp = v->r;
#ifdef FP_S
        if (is_fp_result(v->op))
            exp = 0xffffffff00000000UL | (u32)exp;
#else
        if (v->op == OP_FCVT_S_D)
            exp = 0xffffffff00000000UL | (u32)exp;
#endif
        for (int pass = 0; pass < (has_rm(v->op) ? 2 : 1); pass++) {
            int rm = pass ? 7 : v->rm;
            csr_write(frm, pass ? v->rm : (v->rm + 1) % 5);
            u64 fl, got = exec(v, rm, &fl);
            if (got != exp || fl != v->fl) {
                if (nfail < 20)
                    report(i, v, rm, got, exp, fl);
                nfail++;
            }
        }
    }
    csr_write(frm, 0);
    puts_("vectors: ");
    putdec(n);
    puts_(", failing: ");
    putdec(nfail);
    putc_('\n');
    return nfail;
}
