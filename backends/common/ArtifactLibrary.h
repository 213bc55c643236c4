//===- ArtifactLibrary.h - The artifact as a host shared library -*- C++ -*-===//
//
// Every artifact is a shared library for the host that exports the ABI of
// runtime/include/cnnc/artifact_abi.h: the CPU's carries the model's code,
// a GPU target's its kernels and dispatch list as data. This is what they
// share: the host target machine, the ABI's globals and entry points, and
// compiling and linking the library with lld.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_COMMON_ARTIFACTLIBRARY_H
#define CNNC_BACKENDS_COMMON_ARTIFACTLIBRARY_H

#include "backends/Target.h"

#include "mlir/IR/Location.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace cnnc {

/// A target machine for the host triple and `cpu` ("native", "generic" or
/// an LLVM CPU name); null with `error` set if there is none.
std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(llvm::StringRef cpu, unsigned optLevel,
                        std::string &error);

/// Builds the ABI's globals and entry points into a module.
class ArtifactABIBuilder {
public:
  explicit ArtifactABIBuilder(llvm::Module &module);

  /// cnnc_artifact_abi_version and cnnc_artifact_get_info; `program` is
  /// the cnnc_device_program of a GPU target (null for the CPU).
  void emitInfo(llvm::StringRef target, const ArtifactSignature &sig,
                uint64_t workspaceBytes, llvm::Constant *program);
  /// cnnc_artifact_run(inputs, outputs, workspace): unpacks the pointer
  /// arrays into the bare-pointer arguments of `entry`, then the workspace
  /// if it takes one.
  void emitRun(llvm::Function *entry, size_t numInputs, size_t numOutputs,
               bool hasWorkspace);

  /// A private constant global.
  llvm::GlobalVariable *global(llvm::Constant *init, const llvm::Twine &name);
  /// A private NUL-terminated string.
  llvm::Constant *string(llvm::StringRef s);

  llvm::LLVMContext &context() { return ctx_; }
  llvm::PointerType *ptrType() { return ptr_; }

private:
  llvm::Constant *descriptors(const std::vector<ArtifactSignature::Tensor> &ts,
                              llvm::StringRef what);
  void returning(llvm::StringRef name, llvm::Type *type,
                 llvm::Constant *value);

  llvm::Module &module_;
  llvm::LLVMContext &ctx_;
  llvm::PointerType *ptr_;
  llvm::IntegerType *i32_;
  llvm::StructType *descType_;
};

/// Compiles `module` for the host (`cpu`) and links it into the shared
/// library `outputPath`.
mlir::LogicalResult linkSharedLibrary(llvm::Module &module,
                                      llvm::StringRef cpu, unsigned optLevel,
                                      llvm::StringRef outputPath,
                                      mlir::Location loc);

} // namespace cnnc

#endif // CNNC_BACKENDS_COMMON_ARTIFACTLIBRARY_H
