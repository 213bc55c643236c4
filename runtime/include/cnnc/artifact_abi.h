/*===- artifact_abi.h - The ABI between a cnnc artifact and the runtime -===*
 *
 * A cnnc artifact is a native shared library produced by `cnnc`. It exports
 * exactly the symbols declared here, with C linkage. The runtime reads
 * `cnnc_artifact_abi_version()` first and touches nothing else unless it
 * equals CNNC_ARTIFACT_ABI_VERSION: every change to a struct or a signature
 * below bumps that number.
 *
 * Plain C, no dependency on MLIR or LLVM.
 *===---------------------------------------------------------------------===*/
#ifndef CNNC_ARTIFACT_ABI_H
#define CNNC_ARTIFACT_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNNC_ARTIFACT_ABI_VERSION 2u

/* Element types of artifact inputs and outputs. Values are stable. */
typedef enum cnnc_dtype {
  CNNC_DTYPE_F32 = 1,
  CNNC_DTYPE_I64 = 2,
} cnnc_dtype;

/* One input or output: a dense row-major (C order) tensor. */
typedef struct cnnc_tensor_desc {
  const char *name;     /* ONNX graph input/output name. */
  int32_t dtype;        /* a cnnc_dtype */
  int32_t rank;
  const int64_t *shape; /* `rank` static extents */
} cnnc_tensor_desc;

/* Everything the runtime needs to know about an artifact before running it. */
typedef struct cnnc_artifact_info {
  uint32_t abi_version;  /* == CNNC_ARTIFACT_ABI_VERSION */
  const char *target;    /* "cpu", "cuda" or "vulkan" */
  const char *model;     /* the model file it was compiled from (base name) */
  uint32_t num_inputs;
  uint32_t num_outputs;
  const cnnc_tensor_desc *inputs;  /* graph order */
  const cnnc_tensor_desc *outputs; /* graph order */
  uint64_t workspace_bytes; /* scratch memory one run needs (may be 0) */
} cnnc_artifact_info;

/* Exported by every artifact. */
uint32_t cnnc_artifact_abi_version(void);
const cnnc_artifact_info *cnnc_artifact_get_info(void);

/* Runs the model once. `inputs[i]` and `outputs[i]` point to dense buffers
 * of the shapes and dtypes in the info; the artifact reads the inputs and
 * writes every element of the outputs. `workspace` points to
 * `workspace_bytes` bytes aligned to 64 that the artifact uses for its
 * intermediate tensors (the compiler planned their placement); it allocates
 * nothing itself. No two buffers may overlap. The artifact keeps no state
 * between calls: calls with distinct workspaces may run concurrently. */
void cnnc_artifact_run(void *const *inputs, void *const *outputs,
                       void *workspace);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_ARTIFACT_ABI_H */
