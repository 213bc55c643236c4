//===- VulkanTarget.cpp - Vulkan behind the target interface --------------===//
//
// Stages: "gpu" (backends/gpu: a host function launching one outlined
// kernel per fused op) and "spirv-dialect" (every kernel a spirv.module).
// The last step serializes each kernel, reads the dispatch list off the
// host function and writes them with the weights into the artifact.
//
//===----------------------------------------------------------------------===//
#include "backends/vulkan/VulkanTarget.h"
#include "backends/gpu/DeviceProgram.h"
#include "backends/gpu/GPUPipeline.h"
#include "backends/vulkan/VulkanPipeline.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Target/SPIRV/Serialization.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using namespace cnnc;

namespace {

/// `spirv-dis` (SPIRV-Tools) on `code`.
FailureOr<std::string> disassemble(StringRef code, Location loc) {
  llvm::ErrorOr<std::string> tool = llvm::sys::findProgramByName("spirv-dis");
  if (!tool)
    return emitError(loc) << "disassembling SPIR-V needs spirv-dis "
                             "(Debian package spirv-tools) on PATH";
  llvm::SmallString<128> in, out;
  if (llvm::sys::fs::createTemporaryFile("cnnc", "spv", in) ||
      llvm::sys::fs::createTemporaryFile("cnnc", "spvasm", out))
    return emitError(loc) << "cannot create a temporary file";
  llvm::FileRemover removeIn(in), removeOut(out);
  if (failed(writeBinary(in, code)))
    return failure();
  std::string message;
  StringRef args[] = {*tool, "--raw-id", in, "-o", out};
  if (llvm::sys::ExecuteAndWait(*tool, args, std::nullopt, {}, 0, 0,
                                &message) != 0)
    return emitError(loc) << "spirv-dis failed: " << message;
  auto text = llvm::MemoryBuffer::getFile(out);
  if (!text)
    return emitError(loc) << "cannot read spirv-dis output";
  return (*text)->getBuffer().str();
}

class VulkanTarget : public Target {
public:
  StringRef name() const override { return "vulkan"; }
  StringRef description() const override {
    return "any Vulkan 1.1 device (SPIR-V compute shaders)";
  }

  FailureOr<std::vector<TargetStage>>
  stages(const TargetOptions &, std::string &) const override {
    return std::vector<TargetStage>{
        {"gpu", "03-gpu.mlir",
         "bufferized; one outlined GPU kernel per fused op",
         buildGPUKernelPipeline},
        {"spirv-dialect", "04-spirv.mlir", "every kernel a spirv.module",
         buildVulkanSPIRVPipeline},
    };
  }

  std::vector<TargetEmit> emits() const override {
    return {{"spirv", "NAME.spvasm",
             "every kernel's SPIR-V, disassembled (--dump-dir also writes "
             "NAME.spv)"}};
  }

  LogicalResult finish(ModuleOp module, const ArtifactSignature &signature,
                       const TargetOptions &,
                       const FinishRequest &request) const override {
    return finishGPUTarget(
        "vulkan", "spirv", ";", module, signature, request,
        [&](const DeviceProgram::Kernel &kernel,
            bool withText) -> FailureOr<KernelCode> {
          auto spv = module.lookupSymbol<spirv::ModuleOp>("__spv__" +
                                                          kernel.module);
          if (!spv)
            return module.emitError("no SPIR-V module for kernel ")
                   << kernel.name;
          SmallVector<uint32_t> words;
          if (failed(spirv::serialize(spv, words)))
            return failure();
          KernelCode code;
          code.code.assign(reinterpret_cast<const char *>(words.data()),
                           words.size() * sizeof(uint32_t));
          if (!withText)
            return code;
          FailureOr<std::string> text = disassemble(code.code, spv.getLoc());
          if (failed(text))
            return failure();
          code.text = *text;
          code.dumps = {{"spv", code.code}, {"spvasm", *text}};
          return code;
        });
  }
};

} // namespace

void cnnc::registerVulkanTarget() {
  registerTarget(std::make_unique<VulkanTarget>());
}
