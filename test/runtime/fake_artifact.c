/*===- fake_artifact.c - Hand-written stand-ins for cnnc artifacts --------===*
 *
 * Compiled once per variant by CMakeLists.txt:
 *   (none)             target "cpu", f32 input 'x' [2,3], f32 output 'y' [2,3],
 *                      y = 2 * x
 *   FAKE_MULTI         inputs 'x' f32 [2,3] and 'k' i64 [4]; outputs
 *                      'y' f32 [2,3] = x + sum(k) and 'z' i64 [4] = 3 * k
 *   FAKE_BAD_ABI       reports ABI version CNNC_ARTIFACT_ABI_VERSION + 1
 *   FAKE_TARGET_CUDA   target "cuda"
 *   FAKE_BAD_INFO      input with an unknown dtype
 *   FAKE_NO_SYMBOLS    exports none of the artifact symbols
 *===---------------------------------------------------------------------===*/

#include "cnnc/artifact_abi.h"

#include <stdint.h>

#ifdef FAKE_NO_SYMBOLS

int fake_artifact_unrelated_function(void) { return 42; }

#else

#ifdef FAKE_BAD_ABI
#define FAKE_ABI_VERSION (CNNC_ARTIFACT_ABI_VERSION + 1u)
#else
#define FAKE_ABI_VERSION CNNC_ARTIFACT_ABI_VERSION
#endif

#ifdef FAKE_TARGET_CUDA
#define FAKE_TARGET "cuda"
#else
#define FAKE_TARGET "cpu"
#endif

#ifdef FAKE_BAD_INFO
#define FAKE_INPUT_DTYPE 99
#else
#define FAKE_INPUT_DTYPE CNNC_DTYPE_F32
#endif

static const int64_t kMatrixShape[2] = {2, 3};

#ifdef FAKE_MULTI
static const int64_t kVectorShape[1] = {4};
static const cnnc_tensor_desc kInputs[2] = {
    {"x", CNNC_DTYPE_F32, 2, kMatrixShape},
    {"k", CNNC_DTYPE_I64, 1, kVectorShape},
};
static const cnnc_tensor_desc kOutputs[2] = {
    {"y", CNNC_DTYPE_F32, 2, kMatrixShape},
    {"z", CNNC_DTYPE_I64, 1, kVectorShape},
};
#else
static const cnnc_tensor_desc kInputs[1] = {
    {"x", FAKE_INPUT_DTYPE, 2, kMatrixShape},
};
static const cnnc_tensor_desc kOutputs[1] = {
    {"y", CNNC_DTYPE_F32, 2, kMatrixShape},
};
#endif

static const cnnc_artifact_info kInfo = {
    FAKE_ABI_VERSION,
    FAKE_TARGET,
    "fake.onnx",
    sizeof(kInputs) / sizeof(kInputs[0]),
    sizeof(kOutputs) / sizeof(kOutputs[0]),
    kInputs,
    kOutputs,
    256, /* workspace_bytes */
    0,   /* program: CPU artifacts have none */
};

uint32_t cnnc_artifact_abi_version(void) { return FAKE_ABI_VERSION; }

const cnnc_artifact_info *cnnc_artifact_get_info(void) { return &kInfo; }

void cnnc_artifact_run(void *const *inputs, void *const *outputs,
                       void *workspace) {
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  /* The runtime must pass a 64-byte aligned workspace of the size asked
   * for; a wrong one shows up as NaN outputs. */
  unsigned char *scratch = (unsigned char *)workspace;
  float poison = 0.0f;
  if (scratch == 0 || ((uintptr_t)scratch % 64) != 0)
    poison = __builtin_nanf("");
  else
    for (int i = 0; i < 256; ++i)
      scratch[i] = (unsigned char)i;
#ifdef FAKE_MULTI
  const int64_t *k = (const int64_t *)inputs[1];
  int64_t *z = (int64_t *)outputs[1];
  int64_t sum = 0;
  for (int i = 0; i < 4; ++i) {
    sum += k[i];
    z[i] = 3 * k[i];
  }
  for (int i = 0; i < 6; ++i)
    y[i] = x[i] + (float)sum + poison;
#else
  for (int i = 0; i < 6; ++i)
    y[i] = 2.0f * x[i] + poison;
#endif
}

#endif /* FAKE_NO_SYMBOLS */
