//===- ExternalData.h - Tensor data kept in files next to the model -*- C++
//-*-===//
//
// Internal to the ONNX frontend. ONNX lets a tensor keep its bytes in a file
// next to the model (TensorProto.external_data: `location`, `offset`,
// `length`). The location comes from the model, so it is treated as hostile:
// it must be relative, have no `..` component and no symbolic link anywhere
// along it, and name a regular file with a single hard link inside the
// model's directory. ONNX's own CVE-2022-25882 and CVE-2024-27318 were path
// escapes of exactly this kind.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTENDS_ONNX_EXTERNALDATA_H
#define CNNC_FRONTENDS_ONNX_EXTERNALDATA_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <string>

namespace cnnc::onnx_import {

/// The directory external data locations are relative to; when there is
/// none, `whyNone` says why, completing "tensor 'T' stores its data in an
/// external file, but ...".
struct ExternalDataDir {
  std::string path;
  std::string whyNone;
};

/// The directory of the model file `modelName` if it names a file on disk;
/// otherwise no directory (a model imported from memory under some name).
ExternalDataDir externalDataDirOf(llvm::StringRef modelName);

/// Reads the external data of `tensor` (data_location EXTERNAL), which must
/// be exactly `size` bytes, reading only that range of the file. Once the
/// file and range are known to be valid, `destination` is called once and
/// returns where the `size` bytes go. Every problem is reported through
/// `emitError`, naming the tensor.
mlir::LogicalResult
readExternalData(const onnx::TensorProto &tensor, const ExternalDataDir &dir,
                 uint64_t size, llvm::function_ref<char *()> destination,
                 llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTENDS_ONNX_EXTERNALDATA_H
