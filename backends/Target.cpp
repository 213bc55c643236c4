//===- Target.cpp - The target registry -----------------------------------===//
#include "backends/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace cnnc;

static std::vector<std::unique_ptr<Target>> &registry() {
  static std::vector<std::unique_ptr<Target>> targets;
  return targets;
}

void cnnc::registerTarget(std::unique_ptr<Target> target) {
  if (!lookupTarget(target->name()))
    registry().push_back(std::move(target));
}

const Target *cnnc::lookupTarget(StringRef name) {
  for (const auto &target : registry())
    if (target->name() == name)
      return target.get();
  return nullptr;
}

std::vector<const Target *> cnnc::registeredTargets() {
  std::vector<const Target *> targets;
  for (const auto &target : registry())
    targets.push_back(target.get());
  return targets;
}

std::string cnnc::targetNames() {
  std::string names;
  for (const auto &target : registry())
    names += (names.empty() ? "" : ", ") + target->name().str();
  return names;
}

FailureOr<ArtifactSignature> cnnc::readSignature(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no 'main' function to compile");
  ArtifactSignature sig;
  if (auto name = dyn_cast<NameLoc>(module.getLoc()))
    sig.model = name.getName().str();
  auto tensor = [](Type type, StringAttr name,
                   size_t index) -> ArtifactSignature::Tensor {
    auto shaped = cast<RankedTensorType>(type);
    return {name ? name.str() : "t" + std::to_string(index),
            std::vector<int64_t>(shaped.getShape().begin(),
                                 shaped.getShape().end())};
  };
  for (auto [i, type] : llvm::enumerate(main.getArgumentTypes())) {
    if (!isa<RankedTensorType>(type))
      return main.emitError("argument ") << i << " is not a ranked tensor";
    sig.inputs.push_back(
        tensor(type, main.getArgAttrOfType<StringAttr>(i, "cnn.name"), i));
  }
  for (auto [i, type] : llvm::enumerate(main.getResultTypes())) {
    if (!isa<RankedTensorType>(type))
      return main.emitError("result ") << i << " is not a ranked tensor";
    sig.outputs.push_back(
        tensor(type, main.getResultAttrOfType<StringAttr>(i, "cnn.name"), i));
  }
  return sig;
}

LogicalResult
cnnc::writeOutput(StringRef path,
                  function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "cnnc: error: " << error << "\n";
    return failure();
  }
  print(file->os());
  file->keep();
  return success();
}

LogicalResult cnnc::writeBinary(StringRef path, StringRef bytes) {
  return writeOutput(path, [&](llvm::raw_ostream &os) { os << bytes; });
}

namespace {
struct TargetPipelineOptions : PassPipelineOptions<TargetPipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("target name (cnnc --list-targets)"),
                             llvm::cl::init("cpu")};
};
} // namespace

void cnnc::registerTargetPipeline() {
  PassPipelineRegistration<TargetPipelineOptions>(
      "cnnc-target",
      "linalg on tensors to the named target's code (its every stage)",
      [](OpPassManager &pm, const TargetPipelineOptions &options) {
        const Target *target = lookupTarget(options.target);
        std::string error;
        if (!target) {
          llvm::errs() << "cnnc-opt: error: unknown target '"
                       << options.target << "' (" << targetNames() << ")\n";
          std::exit(2);
        }
        auto stages = target->stages(TargetOptions(), error);
        if (failed(stages)) {
          llvm::errs() << "cnnc-opt: error: " << error << "\n";
          std::exit(2);
        }
        for (const TargetStage &stage : *stages)
          stage.build(pm);
      });
}
