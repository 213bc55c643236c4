//===- npy.h - Read and write NumPy .npy files -------------------*- C++
//-*-===//
//
// Supports what cnnc's tools exchange with NumPy: format versions 1.0, 2.0
// and 3.0, little-endian float32 ('<f4') and int64 ('<i8'), C order (Fortran
// order only where it is the same layout, rank <= 1). Errors are returned as
// values, never thrown.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_TOOLS_NPY_H
#define CNNC_RUNTIME_TOOLS_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc::npy {

/// A dense C-order array as read from a .npy file.
struct Array {
  int32_t dtype = 0; // a cnnc_dtype
  std::vector<int64_t> shape;
  std::vector<unsigned char> data; // little-endian elements

  size_t numElements() const;
};

/// The .npy 'descr' of a cnnc_dtype ("<f4", "<i8"), or nullptr.
const char *descrOf(int32_t dtype);

/// Reads `path` into `array`. On failure returns false and sets `error` to a
/// message that names the file and the problem.
bool read(const std::string &path, Array &array, std::string &error);

/// Writes a dense C-order array of `dtype` (a cnnc_dtype) to `path` as a
/// version 1.0 file. `data` holds the product
/// of `shape` elements. On failure no file is left behind.
bool write(const std::string &path, int32_t dtype,
           const std::vector<int64_t> &shape, const void *data,
           std::string &error);

} // namespace cnnc::npy

#endif // CNNC_RUNTIME_TOOLS_NPY_H
