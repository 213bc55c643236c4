/*===- runtime.h - cnnc runtime C API --------------------------------------===*
 *
 * Load a cnnc artifact, query its inputs and outputs, run it, free it;
 * list the devices this runtime can run on; read the device time of each
 * kernel dispatch of a GPU model's last run. Every function that can fail
 * returns a cnnc_status; on failure a message describing the problem is
 * available from cnnc_last_error() on the same thread until the next
 * failing call on that thread.
 *
 * Plain C, no dependency on MLIR or LLVM.
 *===---------------------------------------------------------------------===*/
#ifndef CNNC_RUNTIME_H
#define CNNC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "cnnc/artifact_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnnc_status {
  CNNC_OK = 0,
  CNNC_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad index, bad device */
  CNNC_ERROR_NOT_FOUND = 2,        /* missing file or symbol */
  CNNC_ERROR_LOAD = 3,             /* dlopen failed, not an artifact */
  CNNC_ERROR_ABI_VERSION = 4,      /* artifact built for another ABI */
  CNNC_ERROR_TARGET = 5,           /* artifact built for another device */
  CNNC_ERROR_INPUT_COUNT = 6,
  CNNC_ERROR_OUTPUT_COUNT = 7,
  CNNC_ERROR_SHAPE = 8,
  CNNC_ERROR_DTYPE = 9,
  CNNC_ERROR_IO = 10, /* reading or writing a file (e.g. .npy) */
  /* The device failed or is missing: no Vulkan loader or driver, no CUDA
   * driver (libcuda.so.1) or a failing cuInit, no device, a device limit
   * the artifact exceeds (for CUDA also a compute capability below the
   * architecture the PTX targets), out of device memory, the device was
   * lost or a kernel faulted. */
  CNNC_ERROR_DEVICE = 11,
} cnnc_status;

/* A caller-owned tensor passed to cnnc_run. */
typedef struct cnnc_tensor {
  int32_t dtype; /* a cnnc_dtype */
  int32_t rank;
  const int64_t *shape;
  void *data; /* dense, row-major */
} cnnc_tensor;

typedef struct cnnc_model cnnc_model;

/* Message of the last failure on this thread ("" if none). */
const char *cnnc_last_error(void);
/* Short name of a status code ("ok", "abi-version", ...). */
const char *cnnc_status_name(cnnc_status status);

/* Loads the artifact at `path` for `device`:
 *   "cpu"        the host CPU; the artifact's target must be "cpu".
 *   "vulkan"     a Vulkan device (the first discrete GPU, else the first
 *                integrated, virtual or CPU device); target "vulkan".
 *   "vulkan:N"   the N-th Vulkan physical device (0-based, the order of
 *                cnnc_list_devices); target "vulkan".
 *   "cuda"       CUDA device 0; target "cuda".
 *   "cuda:N"     CUDA device N (the driver's ordinal, as cnnc_list_devices
 *                lists them); target "cuda".
 * For a Vulkan device the load creates the device, its pipelines and its
 * buffers, uploads the weights and records the command buffer that every
 * run replays. For a CUDA device it JIT-compiles the kernels' PTX, allocates
 * the buffers, uploads the weights and captures the CUDA graph that every
 * run launches. */
cnnc_status cnnc_model_load(const char *path, const char *device,
                            cnnc_model **out_model);
void cnnc_model_free(cnnc_model *model);

size_t cnnc_model_num_inputs(const cnnc_model *model);
size_t cnnc_model_num_outputs(const cnnc_model *model);
/* Descriptions stay valid until the model is freed. */
cnnc_status cnnc_model_input(const cnnc_model *model, size_t index,
                             const cnnc_tensor_desc **out_desc);
cnnc_status cnnc_model_output(const cnnc_model *model, size_t index,
                              const cnnc_tensor_desc **out_desc);

/* Runs once. Checks counts, ranks, shapes and dtypes of every tensor
 * against the model before touching any data. Concurrent runs on one model
 * are safe; on a GPU model they take turns (one command buffer or CUDA
 * graph). */
cnnc_status cnnc_model_run(cnnc_model *model, const cnnc_tensor *inputs,
                           size_t num_inputs, cnnc_tensor *outputs,
                           size_t num_outputs);

/* Lists the devices cnnc_model_load accepts on this machine as text, one
 * line per device: the device string, a space and a description, e.g.
 *
 *   cpu host CPU
 *   vulkan:0 llvmpipe (LLVM 15.0.6, 256 bits) [cpu, Vulkan 1.3.230, default]
 *   cuda:0 NVIDIA H200 [sm_90, 139 GiB]
 *
 * "default" marks the device that plain "vulkan" selects (plain "cuda" is
 * cuda:0). Lines starting with '#' are notes, not devices (e.g. why no
 * Vulkan or CUDA device is listed).
 * The text ends with a newline and a terminating NUL.
 *
 * Always sets *out_size to the size of the text including its NUL. Writes
 * the text and returns CNNC_OK when `size` is at least that; the query
 * `buffer` = NULL, `size` = 0 also returns CNNC_OK; any other `size` too
 * small writes "" (if `size` > 0) and returns CNNC_ERROR_INVALID_ARGUMENT.
 * (Devices may come and go between two calls: retry with *out_size.) */
cnnc_status cnnc_list_devices(char *buffer, size_t size, size_t *out_size);

/* The device time of one kernel dispatch. */
typedef struct cnnc_dispatch_profile {
  const char *kernel; /* the kernel's entry point */
  const char *nodes;  /* the ONNX nodes it computes, comma-separated */
  double device_ms;   /* device time of the dispatch in the last run */
} cnnc_dispatch_profile;

/* Device time of each dispatch of the last cnnc_model_run of a GPU model,
 * in dispatch order, measured with timestamp queries (Vulkan) or CUDA
 * events (CUDA: the first call after a run replays that run's dispatches
 * once on its inputs, outside the run's graph, with an event on each side
 * of every launch; later calls until the next run return the same times;
 * the caller's outputs are not touched). Sets *out_count to
 * the number of dispatches and fills the first min(capacity, count)
 * entries (`entries` may be NULL when `capacity` is 0). The strings stay
 * valid until the model is freed. Fails with CNNC_ERROR_INVALID_ARGUMENT
 * for a CPU model, when the last run failed or there was none, or when the
 * device cannot time its compute queue (then *out_count is 0), and with
 * CNNC_ERROR_DEVICE when reading the timestamps (or replaying) fails. */
cnnc_status cnnc_model_profile(cnnc_model *model,
                               cnnc_dispatch_profile *entries,
                               size_t capacity, size_t *out_count);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RUNTIME_H */
