//===- DeviceProgram.h - The dispatch list of a GPU artifact ----*- C++ -*-===//
//
// After buildGPUKernelPipeline the host function `main` only makes buffer
// views and launches kernels. This reads it into the artifact's
// cnnc_device_program (runtime/include/cnnc/artifact_abi.h): each
// gpu.launch_func becomes a dispatch whose bindings name the input,
// output, constant or workspace buffer that each argument views, at a byte
// offset; the kernel's own argument types carry the element offsets and
// strides of subviews. CUDA and Vulkan differ only in the kernels' code.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_GPU_DEVICEPROGRAM_H
#define CNNC_BACKENDS_GPU_DEVICEPROGRAM_H

#include "backends/common/ArtifactLibrary.h"

#include "mlir/IR/BuiltinOps.h"

#include <array>
#include <string>
#include <vector>

namespace cnnc {

struct DeviceProgram {
  struct Kernel {
    std::string module, name; // gpu.module and gpu.func symbols
    std::string nodes;        // ONNX nodes, comma-separated
    std::string code;         // SPIR-V words or PTX text, set by the target
    uint32_t numBindings = 0;
    std::array<uint32_t, 3> workgroupSize = {1, 1, 1};
  };
  struct Binding {
    uint32_t kind, index;
    uint64_t offset, bytes;
  };
  struct Dispatch {
    uint32_t kernel, firstBinding;
    std::array<uint32_t, 3> grid;
  };
  std::vector<Kernel> kernels;
  std::vector<Dispatch> dispatches;
  std::vector<Binding> bindings;
  std::vector<std::string> constants; // bytes of each weight buffer
  uint64_t workspaceBytes = 0;
};

/// Reads the dispatch list off `module`'s host function `main`. Fails
/// with an error at the op the runtime could not replay.
mlir::FailureOr<DeviceProgram> readDeviceProgram(mlir::ModuleOp module,
                                                 size_t numInputs,
                                                 size_t numOutputs);

/// The cnnc_device_program global of `program`, for ArtifactABIBuilder's
/// emitInfo.
llvm::Constant *emitDeviceProgram(ArtifactABIBuilder &abi,
                                  const DeviceProgram &program);

/// One kernel's code as a GPU target makes it.
struct KernelCode {
  std::string code; // what the artifact carries
  /// Files for --dump-dir, by extension ("spv", "ptx", ...), and the text
  /// --emit prints; only asked for when dumping or emitting.
  std::vector<std::pair<std::string, std::string>> dumps;
  std::string text;
};

/// The last step of a GPU target: reads the dispatch list off `module`,
/// has `codegen` make each kernel's code (`withText`: also its dumps and
/// text), writes the dumps as DIR/KERNEL.EXT, and then the listing of
/// every kernel's text (each after a `comment` line naming the kernel and
/// its ONNX nodes) if `request` asks for `emit`, the artifact otherwise.
mlir::LogicalResult finishGPUTarget(
    llvm::StringRef target, llvm::StringRef emit, llvm::StringRef comment,
    mlir::ModuleOp module, const ArtifactSignature &signature,
    const FinishRequest &request,
    llvm::function_ref<mlir::FailureOr<KernelCode>(
        const DeviceProgram::Kernel &, bool withText)>
        codegen);

/// Writes a GPU artifact: a host shared library holding `program` (the
/// kernels' code set), target `target` in its info.
mlir::LogicalResult writeGPUArtifact(llvm::StringRef target,
                                     const DeviceProgram &program,
                                     const ArtifactSignature &signature,
                                     llvm::StringRef outputPath,
                                     mlir::Location loc);

} // namespace cnnc

#endif // CNNC_BACKENDS_GPU_DEVICEPROGRAM_H
