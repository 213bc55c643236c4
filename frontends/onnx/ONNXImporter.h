//===- ONNXImporter.h - ONNX ModelProto to the cnn dialect ------*- C++ -*-===//
//
// The only part of cnnc that knows ONNX exists. It turns a model into one
// `func.func @main` of cnn ops, one op per ONNX node, each located at its
// node (a NameLoc), with weights as constants. Every problem with the model
// is reported through the context's diagnostic engine at the offending
// node; the importer never asserts on model contents.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H
#define CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace cnnc {

struct ImportOptions {
  /// Static shapes for graph inputs whose ONNX shape has symbolic or
  /// unknown dimensions (or to override a declared shape), by input name.
  llvm::StringMap<llvm::SmallVector<int64_t, 4>> inputShapes;
};

/// Imports the ONNX model file at `path`.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXModel(llvm::StringRef path, mlir::MLIRContext &context,
                const ImportOptions &options = {});

/// Imports a serialized ModelProto; `name` is used in locations and errors,
/// and, when it names a file on disk, external data is read relative to its
/// directory (otherwise a model with external data is rejected).
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXModelFromBytes(llvm::StringRef bytes, llvm::StringRef name,
                         mlir::MLIRContext &context,
                         const ImportOptions &options = {});

/// One row of the operator table: an ONNX op, the opsets it is imported at,
/// and what the importer requires of it.
struct SupportedOp {
  llvm::StringRef opType;
  int minOpset;
  int maxOpset;
  llvm::StringRef constraints;
};
/// Every operator the importer knows, sorted by op type.
llvm::SmallVector<SupportedOp> supportedOps();

} // namespace cnnc

#endif // CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H
