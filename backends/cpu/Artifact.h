//===- Artifact.h - LLVM dialect module to a CPU artifact -------*- C++ -*-===//
//
// Turns the CPU pipeline's LLVM-dialect module into the artifact: LLVM IR
// with the ABI of runtime/include/cnnc/artifact_abi.h added (the run entry
// point and the description of inputs and outputs), optimized, compiled to
// an object file for the target CPU and linked into a shared library.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_CPU_ARTIFACT_H
#define CNNC_BACKENDS_CPU_ARTIFACT_H

#include "backends/Target.h"
#include "backends/cpu/CPUPipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace cnnc {

struct CPUTargetOptions {
  /// "native" (the compiling machine's CPU), "generic", or an LLVM CPU name.
  std::string cpu = "native";
  unsigned optLevel = 3;
};

/// The vector shape of the CPU `options` names: AVX-512 16 lanes and 32
/// registers, AVX 8 and 16, SSE 4 and 16, NEON 4 and 32. Fails with
/// `error` if no target machine can be made for it.
mlir::FailureOr<CPUVectorShape> vectorShapeOf(const CPUTargetOptions &options,
                                              std::string &error);

/// LLVM IR for the artifact: the lowered module plus the ABI, optimized for
/// the target. Errors go to the module's diagnostic handler.
std::unique_ptr<llvm::Module>
buildArtifactIR(mlir::ModuleOp llvmDialectModule,
                const ArtifactSignature &signature,
                const CPUTargetOptions &options, llvm::LLVMContext &context);

/// Prints `module`; unless `printWeights`, large constant arrays (the
/// weights) are replaced by a comment giving their size, so the dump stays
/// readable.
void printArtifactIR(llvm::Module &module, llvm::raw_ostream &os,
                     bool printWeights);

/// Compiles `module` for the target and links it into the shared library
/// `outputPath`.
mlir::LogicalResult writeArtifact(llvm::Module &module,
                                  const CPUTargetOptions &options,
                                  llvm::StringRef outputPath,
                                  mlir::Location loc);

} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_ARTIFACT_H
