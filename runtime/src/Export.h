//===- Export.h - Visibility of the runtime's C API --------------*- C++
//-*-===//
//
// The runtime library is built with hidden visibility so that it exports
// exactly the C API of runtime.h; every definition of that API is marked
// with CNNC_RUNTIME_API.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_SRC_EXPORT_H
#define CNNC_RUNTIME_SRC_EXPORT_H

#define CNNC_RUNTIME_API extern "C" __attribute__((visibility("default")))

#endif // CNNC_RUNTIME_SRC_EXPORT_H
