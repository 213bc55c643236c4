//===- Target.h - The interface every backend registers behind -*- C++ -*-===//
//
// A target is a name, the MLIR stages that take the shared linalg-on-tensors
// form of backends/common to the target's code, and the last step that
// writes the artifact (or the target's own non-MLIR dumps: LLVM IR, SPIR-V).
// The driver and cnnc-opt name targets by string; adding one means writing
// a Target and registering it in compiler/Registration.cpp, never touching
// the driver.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_TARGET_H
#define CNNC_BACKENDS_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cnnc {

/// What the artifact tells the runtime about its inputs and outputs.
struct ArtifactSignature {
  struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
  };
  std::string model;
  std::vector<Tensor> inputs, outputs;
};

/// Reads the signature off the `main` function of an imported cnn module
/// (argument and result attributes `cnn.name`). Call before lowering.
mlir::FailureOr<ArtifactSignature> readSignature(mlir::ModuleOp module);

/// The driver's options that targets may use.
struct TargetOptions {
  /// CPU targets: "native", "generic" or an LLVM CPU name.
  std::string cpu = "native";
  unsigned optLevel = 3;
  bool printWeights = false;
};

/// One MLIR stage of a target: the driver runs it, then dumps the module
/// as `file` (in --dump-dir) or as the --emit=`name` output.
struct TargetStage {
  std::string name, file, description;
  std::function<void(mlir::OpPassManager &)> build;
};

/// A dump the target writes itself in its last step (--emit=`name`).
struct TargetEmit {
  std::string name, file, description;
};

/// What the driver asks of the last step.
struct FinishRequest {
  std::string emit;       // one of emits(), or empty for the artifact
  std::string outputPath; // the artifact, or the --emit output ("-": stdout)
  std::string dumpDir;    // write every emit there too (may be empty)
};

class Target {
public:
  virtual ~Target() = default;
  virtual llvm::StringRef name() const = 0;
  virtual llvm::StringRef description() const = 0;
  /// The stages after backends/common's, in order. Fails with `error` if
  /// the options do not fit the target (an unknown --mcpu).
  virtual mlir::FailureOr<std::vector<TargetStage>>
  stages(const TargetOptions &options, std::string &error) const = 0;
  virtual std::vector<TargetEmit> emits() const = 0;
  /// Writes what `request` asks for from the module the stages produced.
  virtual mlir::LogicalResult finish(mlir::ModuleOp module,
                                     const ArtifactSignature &signature,
                                     const TargetOptions &options,
                                     const FinishRequest &request) const = 0;
};

void registerTarget(std::unique_ptr<Target> target);
/// Null if no target has that name.
const Target *lookupTarget(llvm::StringRef name);
/// Every registered target, in registration order.
std::vector<const Target *> registeredTargets();
/// "cpu, vulkan, ...".
std::string targetNames();

/// Opens `path` ("-" for stdout), calls `print` and keeps the file; one
/// "cnnc: error: ..." line on failure.
mlir::LogicalResult
writeOutput(llvm::StringRef path,
            llvm::function_ref<void(llvm::raw_ostream &)> print);
/// Writes `bytes` to `path` as they are.
mlir::LogicalResult writeBinary(llvm::StringRef path, llvm::StringRef bytes);

/// The cnnc-opt pipeline `cnnc-target{target=NAME}`: the named target's
/// stages (defaults for the options).
void registerTargetPipeline();

} // namespace cnnc

#endif // CNNC_BACKENDS_TARGET_H
