//===- Error.h - Thread-local error reporting for the C API ------*- C++
//-*-===//
#ifndef CNNC_RUNTIME_SRC_ERROR_H
#define CNNC_RUNTIME_SRC_ERROR_H

#include "cnnc/runtime.h"

#include <new>
#include <string>

namespace cnnc::rt {

/// Records `message` as this thread's last error and returns `status`.
cnnc_status fail(cnnc_status status, const std::string &message);

/// Runs `body` (which returns a cnnc_status) and turns any C++ exception
/// into `statusOnException` so that none crosses the C boundary.
template <typename Body>
cnnc_status guarded(cnnc_status statusOnException, Body &&body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return fail(statusOnException, "out of memory");
  } catch (...) {
    return fail(statusOnException, "internal error in the cnnc runtime");
  }
}

} // namespace cnnc::rt

#endif // CNNC_RUNTIME_SRC_ERROR_H
