/*
 * fp.c - F and D instructions for the interpreter (and as helpers for the
 * translator): register access, NaN-boxing, rounding-mode resolution,
 * mstatus.FS, and fflags accrual around the pure arithmetic in vmm/hart/fpu.
 *
 * ISA 20191213 chapters 11 (F) and 12 (D); privileged v1.12 3.1.6.6 (FS).
 */
#include <stdint.h>

#include "vmm/hart/csr.h"
#include "vmm/hart/fpu.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"
#include "vmm/interp/interp.h"

static inline uint32_t fs(const struct hart *h, unsigned r)
{
    return fpu_unbox_s(h->f[r]);
}

bool interp_fp(struct hart *h, const struct insn *in)
{
    const uint64_t pc = h->pc;
    if (!csr_fs_enabled(h)) {
        hart_illegal(h, in->raw);
        return false;
    }
    unsigned rm = in->rm == RM_DYN ? h->frm : in->rm;
    uint32_t fl = 0;
    uint64_t *f = h->f;
    const unsigned rd = in->rd, r1 = in->rs1, r2 = in->rs2, r3 = in->rs3;
    uint64_t xres = 0;
    bool to_x = false; /* result goes to x[rd] rather than f[rd] */
    uint64_t fres = 0;

    switch ((enum op)in->op) {
    case OP_FLW:
    case OP_FLD: {
        uint64_t v;
        unsigned size = in->op == OP_FLW ? 4 : 8;
        if (!mmu_load(h, h->x[r1] + (uint64_t)(int64_t)in->imm, size, &v))
            return false;
        f[rd] = size == 4 ? fpu_box_s((uint32_t)v) : v;
        csr_fs_dirty(h);
        h->pc = pc + in->len;
        h->instret++;
        return true;
    }
    case OP_FSW:
    case OP_FSD: {
        unsigned size = in->op == OP_FSW ? 4 : 8;
        if (!mmu_store(h, h->x[r1] + (uint64_t)(int64_t)in->imm, size, f[r2]))
            return false;
        h->pc = pc + in->len;
        h->instret++;
        return true;
    }
    default:
        break;
    }

    /* Operations that round need a valid mode (frm 5..7 is reserved). */
    switch ((enum op)in->op) {
    case OP_FSGNJ_S: case OP_FSGNJN_S: case OP_FSGNJX_S: case OP_FMIN_S: case OP_FMAX_S:
    case OP_FMV_X_W: case OP_FMV_W_X: case OP_FEQ_S: case OP_FLT_S: case OP_FLE_S:
    case OP_FCLASS_S:
    case OP_FSGNJ_D: case OP_FSGNJN_D: case OP_FSGNJX_D: case OP_FMIN_D: case OP_FMAX_D:
    case OP_FMV_X_D: case OP_FMV_D_X: case OP_FEQ_D: case OP_FLT_D: case OP_FLE_D:
    case OP_FCLASS_D:
        break;
    default:
        if (rm > FPU_RMM) {
            hart_illegal(h, in->raw);
            return false;
        }
    }

    switch ((enum op)in->op) {
    /* ---- single ---- */
    case OP_FMADD_S: fres = fpu_box_s(fpu_madd_s(fs(h, r1), fs(h, r2), fs(h, r3), rm, &fl)); break;
    case OP_FMSUB_S: fres = fpu_box_s(fpu_msub_s(fs(h, r1), fs(h, r2), fs(h, r3), rm, &fl)); break;
    case OP_FNMSUB_S: fres = fpu_box_s(fpu_nmsub_s(fs(h, r1), fs(h, r2), fs(h, r3), rm, &fl)); break;
    case OP_FNMADD_S: fres = fpu_box_s(fpu_nmadd_s(fs(h, r1), fs(h, r2), fs(h, r3), rm, &fl)); break;
    case OP_FADD_S: fres = fpu_box_s(fpu_add_s(fs(h, r1), fs(h, r2), rm, &fl)); break;
    case OP_FSUB_S: fres = fpu_box_s(fpu_sub_s(fs(h, r1), fs(h, r2), rm, &fl)); break;
    case OP_FMUL_S: fres = fpu_box_s(fpu_mul_s(fs(h, r1), fs(h, r2), rm, &fl)); break;
    case OP_FDIV_S: fres = fpu_box_s(fpu_div_s(fs(h, r1), fs(h, r2), rm, &fl)); break;
    case OP_FSQRT_S: fres = fpu_box_s(fpu_sqrt_s(fs(h, r1), rm, &fl)); break;
    case OP_FSGNJ_S: fres = fpu_box_s(fpu_sgnj_s(fs(h, r1), fs(h, r2))); break;
    case OP_FSGNJN_S: fres = fpu_box_s(fpu_sgnjn_s(fs(h, r1), fs(h, r2))); break;
    case OP_FSGNJX_S: fres = fpu_box_s(fpu_sgnjx_s(fs(h, r1), fs(h, r2))); break;
    case OP_FMIN_S: fres = fpu_box_s(fpu_min_s(fs(h, r1), fs(h, r2), &fl)); break;
    case OP_FMAX_S: fres = fpu_box_s(fpu_max_s(fs(h, r1), fs(h, r2), &fl)); break;
    case OP_FCVT_W_S: to_x = true; xres = fpu_cvt_w_s(fs(h, r1), rm, &fl); break;
    case OP_FCVT_WU_S: to_x = true; xres = fpu_cvt_wu_s(fs(h, r1), rm, &fl); break;
    case OP_FCVT_L_S: to_x = true; xres = fpu_cvt_l_s(fs(h, r1), rm, &fl); break;
    case OP_FCVT_LU_S: to_x = true; xres = fpu_cvt_lu_s(fs(h, r1), rm, &fl); break;
    case OP_FCVT_S_W: fres = fpu_box_s(fpu_cvt_s_w(h->x[r1], rm, &fl)); break;
    case OP_FCVT_S_WU: fres = fpu_box_s(fpu_cvt_s_wu(h->x[r1], rm, &fl)); break;
    case OP_FCVT_S_L: fres = fpu_box_s(fpu_cvt_s_l(h->x[r1], rm, &fl)); break;
    case OP_FCVT_S_LU: fres = fpu_box_s(fpu_cvt_s_lu(h->x[r1], rm, &fl)); break;
    /* fmv.x.w moves the raw low 32 bits, boxed or not. */
    case OP_FMV_X_W: to_x = true; xres = (uint64_t)(int64_t)(int32_t)(uint32_t)f[r1]; break;
    case OP_FMV_W_X: fres = fpu_box_s((uint32_t)h->x[r1]); break;
    case OP_FEQ_S: to_x = true; xres = fpu_eq_s(fs(h, r1), fs(h, r2), &fl); break;
    case OP_FLT_S: to_x = true; xres = fpu_lt_s(fs(h, r1), fs(h, r2), &fl); break;
    case OP_FLE_S: to_x = true; xres = fpu_le_s(fs(h, r1), fs(h, r2), &fl); break;
    case OP_FCLASS_S: to_x = true; xres = fpu_class_s(fs(h, r1)); break;

    /* ---- double ---- */
    case OP_FMADD_D: fres = fpu_madd_d(f[r1], f[r2], f[r3], rm, &fl); break;
    case OP_FMSUB_D: fres = fpu_msub_d(f[r1], f[r2], f[r3], rm, &fl); break;
    case OP_FNMSUB_D: fres = fpu_nmsub_d(f[r1], f[r2], f[r3], rm, &fl); break;
    case OP_FNMADD_D: fres = fpu_nmadd_d(f[r1], f[r2], f[r3], rm, &fl); break;
    case OP_FADD_D: fres = fpu_add_d(f[r1], f[r2], rm, &fl); break;
    case OP_FSUB_D: fres = fpu_sub_d(f[r1], f[r2], rm, &fl); break;
    case OP_FMUL_D: fres = fpu_mul_d(f[r1], f[r2], rm, &fl); break;
    case OP_FDIV_D: fres = fpu_div_d(f[r1], f[r2], rm, &fl); break;
    case OP_FSQRT_D: fres = fpu_sqrt_d(f[r1], rm, &fl); break;
    case OP_FSGNJ_D: fres = fpu_sgnj_d(f[r1], f[r2]); break;
    case OP_FSGNJN_D: fres = fpu_sgnjn_d(f[r1], f[r2]); break;
    case OP_FSGNJX_D: fres = fpu_sgnjx_d(f[r1], f[r2]); break;
    case OP_FMIN_D: fres = fpu_min_d(f[r1], f[r2], &fl); break;
    case OP_FMAX_D: fres = fpu_max_d(f[r1], f[r2], &fl); break;
    case OP_FCVT_W_D: to_x = true; xres = fpu_cvt_w_d(f[r1], rm, &fl); break;
    case OP_FCVT_WU_D: to_x = true; xres = fpu_cvt_wu_d(f[r1], rm, &fl); break;
    case OP_FCVT_L_D: to_x = true; xres = fpu_cvt_l_d(f[r1], rm, &fl); break;
    case OP_FCVT_LU_D: to_x = true; xres = fpu_cvt_lu_d(f[r1], rm, &fl); break;
    case OP_FCVT_D_W: fres = fpu_cvt_d_w(h->x[r1], rm, &fl); break;
    case OP_FCVT_D_WU: fres = fpu_cvt_d_wu(h->x[r1], rm, &fl); break;
    case OP_FCVT_D_L: fres = fpu_cvt_d_l(h->x[r1], rm, &fl); break;
    case OP_FCVT_D_LU: fres = fpu_cvt_d_lu(h->x[r1], rm, &fl); break;
    case OP_FCVT_S_D: fres = fpu_box_s(fpu_cvt_s_d(f[r1], rm, &fl)); break;
    case OP_FCVT_D_S: fres = fpu_cvt_d_s(fs(h, r1), &fl); break;
    case OP_FMV_X_D: to_x = true; xres = f[r1]; break;
    case OP_FMV_D_X: fres = h->x[r1]; break;
    case OP_FEQ_D: to_x = true; xres = fpu_eq_d(f[r1], f[r2], &fl); break;
    case OP_FLT_D: to_x = true; xres = fpu_lt_d(f[r1], f[r2], &fl); break;
    case OP_FLE_D: to_x = true; xres = fpu_le_d(f[r1], f[r2], &fl); break;
    case OP_FCLASS_D: to_x = true; xres = fpu_class_d(f[r1]); break;

    default:
        /* Not an FP operation: the decoder and interp_exec disagree. */
        hart_illegal(h, in->raw);
        return false;
    }

    if (to_x) {
        if (rd)
            h->x[rd] = xres;
    } else {
        f[rd] = fres;
    }
    if (!to_x || fl) {
        h->fflags |= fl;
        csr_fs_dirty(h);
    }
    h->pc = pc + in->len;
    h->instret++;
    return true;
}
