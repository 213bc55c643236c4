//===- CPUTarget.cpp - The CPU behind the target interface ----------------===//
#include "backends/cpu/CPUTarget.h"
#include "backends/cpu/Artifact.h"
#include "backends/cpu/CPUPipeline.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace cnnc;

namespace {

class CPUTarget : public Target {
public:
  StringRef name() const override { return "cpu"; }
  StringRef description() const override {
    return "the host CPU (LLVM, a shared library of native code)";
  }

  FailureOr<std::vector<TargetStage>>
  stages(const TargetOptions &options, std::string &error) const override {
    FailureOr<CPUVectorShape> vectors =
        vectorShapeOf(cpuOptions(options), error);
    if (failed(vectors))
      return failure();
    CPUVectorShape shape = *vectors;
    return std::vector<TargetStage>{
        {"loops", "03-loops.mlir", "bufferized, tiled, vectorized loops",
         [shape](OpPassManager &pm) { buildCPUBufferizePipeline(pm, shape); }},
        {"llvm-dialect", "04-llvm-dialect.mlir", "the LLVM dialect",
         buildCPUToLLVMPipeline},
    };
  }

  std::vector<TargetEmit> emits() const override {
    return {{"llvm", "05-artifact.ll", "LLVM IR of the artifact, optimized"}};
  }

  LogicalResult finish(ModuleOp module, const ArtifactSignature &signature,
                       const TargetOptions &options,
                       const FinishRequest &request) const override {
    CPUTargetOptions cpu = cpuOptions(options);
    llvm::LLVMContext context;
    std::unique_ptr<llvm::Module> ir =
        buildArtifactIR(module, signature, cpu, context);
    if (!ir)
      return failure();
    auto print = [&](llvm::raw_ostream &os) {
      printArtifactIR(*ir, os, options.printWeights);
    };
    if (!request.dumpDir.empty()) {
      llvm::SmallString<128> path(request.dumpDir);
      llvm::sys::path::append(path, "05-artifact.ll");
      if (failed(writeOutput(path, print)))
        return failure();
    }
    if (request.emit == "llvm")
      return writeOutput(request.outputPath, print);
    return writeArtifact(*ir, cpu, request.outputPath, module.getLoc());
  }

private:
  static CPUTargetOptions cpuOptions(const TargetOptions &options) {
    CPUTargetOptions cpu;
    cpu.cpu = options.cpu;
    cpu.optLevel = options.optLevel;
    return cpu;
  }
};

} // namespace

void cnnc::registerCPUTarget() {
  registerTarget(std::make_unique<CPUTarget>());
}
