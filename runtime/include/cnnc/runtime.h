/*===- runtime.h - cnnc runtime C API --------------------------------------===*
 *
 * Load a cnnc artifact, query its inputs and outputs, run it, free it.
 * Every function that can fail returns a cnnc_status; on failure a message
 * describing the problem is available from cnnc_last_error() on the same
 * thread until the next failing call on that thread.
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

/* Loads the artifact at `path` for `device` ("cpu"). */
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
 * against the model before touching any data. */
cnnc_status cnnc_model_run(cnnc_model *model, const cnnc_tensor *inputs,
                           size_t num_inputs, cnnc_tensor *outputs,
                           size_t num_outputs);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RUNTIME_H */
