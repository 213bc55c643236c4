//===- Error.cpp - Thread-local last error and status names ---------------===//

#include "runtime/src/Error.h"
#include "runtime/src/Export.h"

namespace {
thread_local std::string lastError;
// Set when storing the message itself ran out of memory.
thread_local const char *lastErrorFallback = nullptr;
} // namespace

cnnc_status cnnc::rt::fail(cnnc_status status, const std::string &message) {
  try {
    lastError = message;
    lastErrorFallback = nullptr;
  } catch (...) {
    lastErrorFallback = "out of memory while reporting an error";
  }
  return status;
}

CNNC_RUNTIME_API const char *cnnc_last_error(void) {
  return lastErrorFallback ? lastErrorFallback : lastError.c_str();
}

CNNC_RUNTIME_API const char *cnnc_status_name(cnnc_status status) {
  switch (status) {
  case CNNC_OK:
    return "ok";
  case CNNC_ERROR_INVALID_ARGUMENT:
    return "invalid-argument";
  case CNNC_ERROR_NOT_FOUND:
    return "not-found";
  case CNNC_ERROR_LOAD:
    return "load";
  case CNNC_ERROR_ABI_VERSION:
    return "abi-version";
  case CNNC_ERROR_TARGET:
    return "target";
  case CNNC_ERROR_INPUT_COUNT:
    return "input-count";
  case CNNC_ERROR_OUTPUT_COUNT:
    return "output-count";
  case CNNC_ERROR_SHAPE:
    return "shape";
  case CNNC_ERROR_DTYPE:
    return "dtype";
  case CNNC_ERROR_IO:
    return "io";
  case CNNC_ERROR_DEVICE:
    return "device";
  }
  return "unknown";
}
