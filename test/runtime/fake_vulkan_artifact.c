/*===- fake_vulkan_artifact.c - Hand-written stand-ins for vulkan artifacts ===*
 *
 * A "vulkan" artifact with f32 input 'x' [2,3], f32 output 'y' [2,3], two
 * constants w0 and w1 (6 floats each), a 512-byte workspace and two
 * dispatches of the kernel in scale_add.comp (compiled to SPIR-V at build
 * time, once per entry point name):
 *
 *   dispatch 0: scale_add_0(x, w0) -> workspace from byte 256:  t = 2x + w0
 *   dispatch 1: scale_add_1(t, w1) -> y:                        y = 2t + w1
 *
 * so y = 4x + 2 w0 + w1, which needs the second dispatch to see the first
 * one's writes. Compiled once per variant by CMakeLists.txt:
 *   (none)             as above
 *   FAKE_VK_NO_PROGRAM       info->program is null
 *   FAKE_VK_BAD_KERNEL       dispatch 1 uses kernel 7 (there are 2)
 *   FAKE_VK_BAD_CODE         kernel 0 has 2 bytes too few (not whole words)
 *   FAKE_VK_NOT_SPIRV        kernel 0's code does not start with a header
 *   FAKE_VK_BAD_BINDING      binding 2 starts past the end of the workspace
 *   FAKE_VK_OVERREACH        dispatch 0's input binding says its kernel reaches
 *                            1 MiB of the 2x3 input
 *   FAKE_VK_MISALIGNED       the workspace is bound from byte 4, below every
 *                            real device's storage-buffer offset alignment
 *===---------------------------------------------------------------------===*/

#include "cnnc/artifact_abi.h"

#include <stdint.h>

/* Generated: const uint32_t kScaleAdd0[] and kScaleAdd1[]. */
#include "scale_add_0.h"
#include "scale_add_1.h"

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

#ifdef FAKE_VK_NOT_SPIRV
static const uint32_t kNotSpirv[8] = {0x12345678u, 1, 2, 3, 4, 5, 6, 7};
#define FAKE_CODE_0 kNotSpirv
#else
#define FAKE_CODE_0 kScaleAdd0
#endif

#ifdef FAKE_VK_BAD_CODE
#define FAKE_CODE_0_BYTES (sizeof(FAKE_CODE_0) - 2)
#else
#define FAKE_CODE_0_BYTES sizeof(FAKE_CODE_0)
#endif

static const cnnc_kernel kKernels[2] = {
    {"scale_add_0",
     "Mul_0,Add_1",
     FAKE_CODE_0,
     FAKE_CODE_0_BYTES,
     3,
     {4, 1, 1}},
    {"scale_add_1",
     "Mul_2,Add_3",
     kScaleAdd1,
     sizeof(kScaleAdd1),
     3,
     {4, 1, 1}},
};

#ifdef FAKE_VK_BAD_BINDING
#define FAKE_TEMP_OFFSET 4096
#elif defined(FAKE_VK_MISALIGNED)
#define FAKE_TEMP_OFFSET 4
#else
#define FAKE_TEMP_OFFSET 256
#endif

#ifdef FAKE_VK_OVERREACH
#define FAKE_INPUT_REACH (1u << 20)
#else
#define FAKE_INPUT_REACH 0
#endif

static const cnnc_binding kBindings[6] = {
    /* dispatch 0 */
    {CNNC_BUFFER_INPUT, 0, 0, FAKE_INPUT_REACH},
    {CNNC_BUFFER_CONSTANT, 0, 0, 0},
    {CNNC_BUFFER_WORKSPACE, 0, FAKE_TEMP_OFFSET, 0},
    /* dispatch 1 */
    {CNNC_BUFFER_WORKSPACE, 0, FAKE_TEMP_OFFSET, 0},
    {CNNC_BUFFER_CONSTANT, 1, 0, 0},
    {CNNC_BUFFER_OUTPUT, 0, 0, 0},
};

#ifdef FAKE_VK_BAD_KERNEL
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
    "vulkan",
    "fake.onnx",
    1,
    1,
    kInputs,
    kOutputs,
    512, /* workspace_bytes */
#ifdef FAKE_VK_NO_PROGRAM
    0,
#else
    &kProgram,
#endif
};

uint32_t cnnc_artifact_abi_version(void) { return CNNC_ARTIFACT_ABI_VERSION; }

const cnnc_artifact_info *cnnc_artifact_get_info(void) { return &kInfo; }

#ifdef FAKE_VK_NO_PROGRAM
/* Keeps the unreferenced program from being reported as unused. */
const cnnc_device_program *fake_vulkan_unused_program(void) {
  return &kProgram;
}
#endif
