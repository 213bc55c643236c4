//===- TensorFormat.h - Dtype names, shape strings, checked sizes -*- C++
//-*-===//
//
// Small helpers shared by the runtime and its tools so that both describe
// tensors the same way ("f32 [1,3,224,224]"). Header-only on purpose: the
// tools use them without the runtime exporting C++ symbols.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_SRC_TENSORFORMAT_H
#define CNNC_RUNTIME_SRC_TENSORFORMAT_H

#include "cnnc/artifact_abi.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace cnnc::rt {

/// Largest rank the runtime accepts from an artifact or a caller.
constexpr int32_t kMaxRank = 32;

/// "f32", "i64", or nullptr for an unknown dtype.
inline const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case CNNC_DTYPE_F32:
    return "f32";
  case CNNC_DTYPE_I64:
    return "i64";
  default:
    return nullptr;
  }
}

/// Bytes per element, or 0 for an unknown dtype.
inline size_t dtypeSize(int32_t dtype) {
  switch (dtype) {
  case CNNC_DTYPE_F32:
    return 4;
  case CNNC_DTYPE_I64:
    return 8;
  default:
    return 0;
  }
}

/// Like dtypeName but never null: "dtype 7 (unknown)" for unknown values.
inline std::string describeDtype(int32_t dtype) {
  if (const char *name = dtypeName(dtype))
    return name;
  return "dtype " + std::to_string(dtype) + " (unknown)";
}

/// "[1,3,224,224]"; "[]" for rank 0.
inline std::string formatShape(const int64_t *shape, int32_t rank) {
  std::string text = "[";
  for (int32_t i = 0; i < rank; ++i) {
    if (i != 0)
      text += ',';
    text += std::to_string(shape[i]);
  }
  text += ']';
  return text;
}

/// Number of bytes of a dense tensor. Returns false for an unknown dtype, a
/// negative extent or a size that does not fit in size_t.
inline bool denseByteSize(int32_t dtype, const int64_t *shape, int32_t rank,
                          size_t &bytes) {
  size_t total = dtypeSize(dtype);
  if (total == 0 || rank < 0)
    return false;
  for (int32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return false;
    uint64_t extent = static_cast<uint64_t>(shape[i]);
    if (extent != 0 && total > std::numeric_limits<size_t>::max() / extent)
      return false;
    total *= static_cast<size_t>(extent);
  }
  bytes = total;
  return true;
}

/// "1 input", "2 inputs".
inline std::string countOf(size_t count, const char *noun) {
  std::string text = std::to_string(count) + " " + noun;
  if (count != 1)
    text += 's';
  return text;
}

} // namespace cnnc::rt

#endif // CNNC_RUNTIME_SRC_TENSORFORMAT_H
