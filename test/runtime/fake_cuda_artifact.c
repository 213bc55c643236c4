/*===- fake_cuda_artifact.c - Hand-written stand-ins for cuda artifacts ===*
 *
 * A "cuda" artifact with f32 input 'x' [2,3], f32 output 'y' [2,3], two
 * constants w0 and w1 (6 floats each), a 512-byte workspace and two
 * dispatches of a hand-written PTX kernel (below), once per entry point
 * name:
 *
 *   dispatch 0: scale_add_0(x, w0) -> workspace from byte 256:  t = 2x + w0
 *   dispatch 1: scale_add_1(t, w1) -> y:                        y = 2t + w1
 *
 * so y = 4x + 2 w0 + w1, which needs the second dispatch to see the first
 * one's writes. Each kernel is its own PTX module; kernel 0's code_bytes
 * leaves out the text's terminating NUL and kernel 1's counts it (the ABI
 * allows both). Compiled once per variant by CMakeLists.txt:
 *   (none)             as above
 *   FAKE_CU_SHARED       both kernels point to one PTX module that defines
 *                        both entries
 *   FAKE_CU_NO_PROGRAM   info->program is null
 *   FAKE_CU_BAD_KERNEL   dispatch 1 uses kernel 7 (there are 2)
 *   FAKE_CU_NOT_PTX      kernel 0's code is not PTX text
 *   FAKE_CU_NUL          kernel 0's PTX has a NUL byte inside
 *   FAKE_CU_NO_TARGET    kernel 0's PTX has no .target directive
 *   FAKE_CU_NO_ENTRY     kernel 0 is named 'missing_entry', which its PTX
 *                        does not define
 *   FAKE_CU_PARAMS       kernel 0 declares 2 bindings, its entry takes 3
 *   FAKE_CU_BAD_BINDING  binding 2 starts past the end of the workspace
 *   FAKE_CU_MISALIGNED   the workspace is bound from byte 4, not a multiple
 *                        of 256
 *   FAKE_CU_SM_HIGH      kernel 0's PTX targets sm_990, which no device is
 *   FAKE_CU_BAD_PTX      kernel 0's PTX has an unknown instruction: only
 *                        the driver's JIT compiler finds it
 *   FAKE_CU_BIG_BLOCK    kernel 0's workgroup has 4096 threads, more than
 *                        any device's block
 *   FAKE_CU_TRAP         kernel 1 executes `trap`: every run fails on the
 *                        device
 *===---------------------------------------------------------------------===*/

#include "cnnc/artifact_abi.h"

#include <stdint.h>

/* --- The kernel -----------------------------------------------------------
 *
 * dst[i] = 2 * src[i] + w[i] for the 6 elements of a [2,3] tensor, with
 * i = ctaid.x * ntid.x + tid.x. Run with blocks of 4 on a grid of 2, so
 * that 2 threads must skip their element. The product 2 * src[i] is exact,
 * so the fused multiply-add rounds like a multiply then an add.
 * Checked with `ptxas -arch=sm_90`. */

#ifdef FAKE_CU_SM_HIGH
#define FAKE_TARGET_0 "sm_990"
#else
#define FAKE_TARGET_0 "sm_52"
#endif

#define PTX_HEADER(TARGET)                                                     \
  ".version 7.8\n"                                                             \
  ".target " TARGET "\n"                                                       \
  ".address_size 64\n"                                                         \
  "\n"

#define PTX_PARAMS(NAME)                                                       \
  ".visible .entry " NAME "(\n"                                                \
  "\t.param .u64 " NAME "_src,\n"                                              \
  "\t.param .u64 " NAME "_w,\n"                                                \
  "\t.param .u64 " NAME "_dst\n"                                               \
  ")\n"

/* The multiply-add instruction, or (FAKE_CU_BAD_PTX) one that does not
 * exist. */
#define PTX_FMA "\tfma.rn.f32 \t%f3, %f1, 0f40000000, %f2;\n"
#define PTX_NOT_AN_INSTRUCTION "\tfrobnicate.f32 \t%f3, %f1;\n"

#define PTX_SCALE_ADD(NAME, FMA)                                               \
  PTX_PARAMS(NAME)                                                             \
  "{\n"                                                                        \
  "\t.reg .pred \t%p<2>;\n"                                                    \
  "\t.reg .b32 \t%r<5>;\n"                                                     \
  "\t.reg .f32 \t%f<4>;\n"                                                     \
  "\t.reg .b64 \t%rd<11>;\n"                                                   \
  "\n"                                                                         \
  "\tld.param.u64 \t%rd1, [" NAME "_src];\n"                                   \
  "\tld.param.u64 \t%rd2, [" NAME "_w];\n"                                     \
  "\tld.param.u64 \t%rd3, [" NAME "_dst];\n"                                   \
  "\tmov.u32 \t%r1, %ctaid.x;\n"                                               \
  "\tmov.u32 \t%r2, %ntid.x;\n"                                                \
  "\tmov.u32 \t%r3, %tid.x;\n"                                                 \
  "\tmad.lo.s32 \t%r4, %r1, %r2, %r3;\n"                                       \
  "\tsetp.ge.u32 \t%p1, %r4, 6;\n"                                             \
  "\t@%p1 bra \t$L__done;\n"                                                   \
  "\tcvta.to.global.u64 \t%rd4, %rd1;\n"                                       \
  "\tcvta.to.global.u64 \t%rd5, %rd2;\n"                                       \
  "\tcvta.to.global.u64 \t%rd6, %rd3;\n"                                       \
  "\tmul.wide.u32 \t%rd7, %r4, 4;\n"                                           \
  "\tadd.s64 \t%rd8, %rd4, %rd7;\n"                                            \
  "\tld.global.f32 \t%f1, [%rd8];\n"                                           \
  "\tadd.s64 \t%rd9, %rd5, %rd7;\n"                                            \
  "\tld.global.f32 \t%f2, [%rd9];\n" FMA "\tadd.s64 \t%rd10, %rd6, %rd7;\n"    \
  "\tst.global.f32 \t[%rd10], %f3;\n"                                          \
  "$L__done:\n"                                                                \
  "\tret;\n"                                                                   \
  "}\n"

/* An entry with the same parameters that stops the kernel with an error. */
#define PTX_TRAP(NAME)                                                         \
  PTX_PARAMS(NAME)                                                             \
  "{\n"                                                                        \
  "\ttrap;\n"                                                                  \
  "\tret;\n"                                                                   \
  "}\n"

#ifdef FAKE_CU_BAD_PTX
#define FAKE_FMA_0 PTX_NOT_AN_INSTRUCTION
#else
#define FAKE_FMA_0 PTX_FMA
#endif

static const char kPtx0[] =
    PTX_HEADER(FAKE_TARGET_0) PTX_SCALE_ADD("scale_add_0", FAKE_FMA_0);

#ifdef FAKE_CU_TRAP
static const char kPtx1[] = PTX_HEADER("sm_52") PTX_TRAP("scale_add_1");
#else
static const char kPtx1[] =
    PTX_HEADER("sm_52") PTX_SCALE_ADD("scale_add_1", PTX_FMA);
#endif

#if defined(FAKE_CU_SHARED)
static const char kShared[] = PTX_HEADER("sm_52") PTX_SCALE_ADD(
    "scale_add_0", PTX_FMA) "\n" PTX_SCALE_ADD("scale_add_1", PTX_FMA);
#define FAKE_CODE_0 kShared
#define FAKE_CODE_0_BYTES sizeof(kShared)
#define FAKE_CODE_1 kShared
#define FAKE_CODE_1_BYTES sizeof(kShared)
#else
#if defined(FAKE_CU_NOT_PTX)
static const char kNotPtx[] = "this is not PTX\n";
#define FAKE_CODE_0 kNotPtx
#elif defined(FAKE_CU_NUL)
/* The NUL sits right after the header: at byte 46. */
static const char kNul[] =
    PTX_HEADER("sm_52") "\0" PTX_SCALE_ADD("scale_add_0", PTX_FMA);
#define FAKE_CODE_0 kNul
#elif defined(FAKE_CU_NO_TARGET)
static const char kNoTarget[] = ".version 7.8\n"
                                ".address_size 64\n"
                                "\n" PTX_SCALE_ADD("scale_add_0", PTX_FMA);
#define FAKE_CODE_0 kNoTarget
#else
#define FAKE_CODE_0 kPtx0
#endif
/* Without the terminating NUL. */
#define FAKE_CODE_0_BYTES (sizeof(FAKE_CODE_0) - 1)
#define FAKE_CODE_1 kPtx1
/* With it. */
#define FAKE_CODE_1_BYTES sizeof(kPtx1)
#endif

static const int64_t kShape[2] = {2, 3};
static const cnnc_tensor_desc kInputs[1] = {
    {"x", CNNC_DTYPE_F32, 2, kShape},
};
static const cnnc_tensor_desc kOutputs[1] = {
    {"y", CNNC_DTYPE_F32, 2, kShape},
};

static const float kW0[6] = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
static const float kW1[6] = {10.0f, 20.0f, 30.0f, 40.0f, 50.0f, 60.0f};
static const cnnc_constant kConstants[2] = {
    {kW0, sizeof(kW0)},
    {kW1, sizeof(kW1)},
};

#ifdef FAKE_CU_NO_ENTRY
#define FAKE_NAME_0 "missing_entry"
#else
#define FAKE_NAME_0 "scale_add_0"
#endif

#ifdef FAKE_CU_PARAMS
#define FAKE_BINDINGS_0 2
#else
#define FAKE_BINDINGS_0 3
#endif

#ifdef FAKE_CU_BIG_BLOCK
#define FAKE_BLOCK_0 4096
#else
#define FAKE_BLOCK_0 4
#endif

static const cnnc_kernel kKernels[2] = {
    {FAKE_NAME_0,
     "Mul_0,Add_1",
     FAKE_CODE_0,
     FAKE_CODE_0_BYTES,
     FAKE_BINDINGS_0,
     {FAKE_BLOCK_0, 1, 1}},
    {"scale_add_1",
     "Mul_2,Add_3",
     FAKE_CODE_1,
     FAKE_CODE_1_BYTES,
     3,
     {4, 1, 1}},
};

#ifdef FAKE_CU_BAD_BINDING
#define FAKE_TEMP_OFFSET 4096
#elif defined(FAKE_CU_MISALIGNED)
#define FAKE_TEMP_OFFSET 4
#else
#define FAKE_TEMP_OFFSET 256
#endif

static const cnnc_binding kBindings[6] = {
    /* dispatch 0 */
    {CNNC_BUFFER_INPUT, 0, 0, 0},
    {CNNC_BUFFER_CONSTANT, 0, 0, 0},
    {CNNC_BUFFER_WORKSPACE, 0, FAKE_TEMP_OFFSET, 0},
    /* dispatch 1 */
    {CNNC_BUFFER_WORKSPACE, 0, FAKE_TEMP_OFFSET, 0},
    {CNNC_BUFFER_CONSTANT, 1, 0, 0},
    {CNNC_BUFFER_OUTPUT, 0, 0, 0},
};

#ifdef FAKE_CU_BAD_KERNEL
#define FAKE_SECOND_KERNEL 7
#else
#define FAKE_SECOND_KERNEL 1
#endif

static const cnnc_dispatch kDispatches[2] = {
    {0, 0, {2, 1, 1}},
    {FAKE_SECOND_KERNEL, 3, {2, 1, 1}},
};

static const cnnc_device_program kProgram = {
    2, /* num_kernels */
    2, /* num_dispatches */
    6, /* num_bindings */
    2, /* num_constants */
    kKernels, kDispatches, kBindings, kConstants,
};

static const cnnc_artifact_info kInfo = {
    CNNC_ARTIFACT_ABI_VERSION,
    "cuda",
    "fake.onnx",
    1,
    1,
    kInputs,
    kOutputs,
    512, /* workspace_bytes */
#ifdef FAKE_CU_NO_PROGRAM
    0,
#else
    &kProgram,
#endif
};

uint32_t cnnc_artifact_abi_version(void) { return CNNC_ARTIFACT_ABI_VERSION; }

const cnnc_artifact_info *cnnc_artifact_get_info(void) { return &kInfo; }

#ifdef FAKE_CU_NO_PROGRAM
/* Keeps the unreferenced program from being reported as unused. */
const cnnc_device_program *fake_cuda_unused_program(void) { return &kProgram; }
#endif

/* Keeps the PTX texts a variant does not use from being reported as
 * unused. */
const char *fake_cuda_ptx(int which) { return which == 0 ? kPtx0 : kPtx1; }
