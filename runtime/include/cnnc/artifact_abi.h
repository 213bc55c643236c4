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

#define CNNC_ARTIFACT_ABI_VERSION 3u

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

/* --- Device programs (GPU targets: "vulkan", "cuda") -------------------
 *
 * A GPU artifact carries no host code to call: it describes its work as a
 * list of kernel dispatches that the runtime records once and replays. Every
 * buffer a kernel touches is one of the model's inputs or outputs, one of
 * the artifact's constants (the weights, uploaded once at load) or the
 * workspace (`workspace_bytes`, the intermediate tensors, placed by the
 * compiler). */

/* Where a kernel binding points. Values are stable. */
typedef enum cnnc_buffer_kind {
  CNNC_BUFFER_INPUT = 1,
  CNNC_BUFFER_OUTPUT = 2,
  CNNC_BUFFER_CONSTANT = 3,
  CNNC_BUFFER_WORKSPACE = 4,
} cnnc_buffer_kind;

/* One storage-buffer binding of a dispatch: binding i of the kernel sees
 * `bytes` bytes of buffer (`kind`, `index`) from byte `offset` (a multiple
 * of 256): what the kernel's argument reaches, its element offset and
 * strides included. `bytes` 0 means: to the end of the buffer. */
typedef struct cnnc_binding {
  uint32_t kind;  /* a cnnc_buffer_kind */
  uint32_t index; /* which input, output or constant (0 for the workspace) */
  uint64_t offset;
  uint64_t bytes;
} cnnc_binding;

/* One compute kernel. */
typedef struct cnnc_kernel {
  const char *name;  /* entry point */
  const char *nodes; /* the ONNX nodes it computes, comma-separated */
  const void *code;  /* SPIR-V words (vulkan) or PTX text (cuda) */
  uint64_t code_bytes;
  uint32_t num_bindings;      /* storage buffers, bindings 0..n-1 of set 0 */
  uint32_t workgroup_size[3]; /* threads per workgroup (block) */
} cnnc_kernel;

/* One launch of a kernel over a grid of workgroups. Dispatches run in list
 * order; each sees every write of the ones before it. */
typedef struct cnnc_dispatch {
  uint32_t kernel;        /* index into kernels */
  uint32_t first_binding; /* kernel.num_bindings entries of bindings */
  uint32_t grid[3];       /* workgroups (blocks) in x, y, z */
} cnnc_dispatch;

/* One constant buffer (weights), `bytes` bytes at `data`. */
typedef struct cnnc_constant {
  const void *data;
  uint64_t bytes;
} cnnc_constant;

typedef struct cnnc_device_program {
  uint32_t num_kernels;
  uint32_t num_dispatches;
  uint32_t num_bindings;
  uint32_t num_constants;
  const cnnc_kernel *kernels;
  const cnnc_dispatch *dispatches;
  const cnnc_binding *bindings;
  const cnnc_constant *constants;
} cnnc_device_program;

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
  /* GPU targets: the dispatch list; null for "cpu". */
  const cnnc_device_program *program;
} cnnc_artifact_info;

/* Exported by every artifact. */
uint32_t cnnc_artifact_abi_version(void);
const cnnc_artifact_info *cnnc_artifact_get_info(void);

/* CPU artifacts only (GPU artifacts describe their work in `program`).
 * Runs the model once. `inputs[i]` and `outputs[i]` point to dense buffers
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
