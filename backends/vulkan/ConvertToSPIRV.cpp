//===- ConvertToSPIRV.cpp - gpu.module kernels to spirv.module ------------===//
#include "backends/vulkan/Passes.h"

#include "mlir/Conversion/ArithToSPIRV/ArithToSPIRV.h"
#include "mlir/Conversion/FuncToSPIRV/FuncToSPIRV.h"
#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRV.h"
#include "mlir/Conversion/IndexToSPIRV/IndexToSPIRV.h"
#include "mlir/Conversion/MathToSPIRV/MathToSPIRV.h"
#include "mlir/Conversion/MemRefToSPIRV/MemRefToSPIRV.h"
#include "mlir/Conversion/SCFToSPIRV/SCFToSPIRV.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/Dialect/SPIRV/Transforms/SPIRVConversion.h"
#include "mlir/Transforms/DialectConversion.h"

namespace cnnc {
#define GEN_PASS_DEF_VULKANCONVERTTOSPIRV
#include "backends/vulkan/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Vulkan 1.1 compute: SPIR-V 1.3, shaders reading and writing storage
/// buffers, nothing optional.
spirv::TargetEnvAttr vulkanTargetEnv(MLIRContext *ctx) {
  auto triple = spirv::VerCapExtAttr::get(
      spirv::Version::V_1_3, {spirv::Capability::Shader},
      {spirv::Extension::SPV_KHR_storage_buffer_storage_class}, ctx);
  return spirv::TargetEnvAttr::get(
      triple, spirv::getDefaultResourceLimits(ctx),
      spirv::ClientAPI::Vulkan, spirv::Vendor::Unknown,
      spirv::DeviceType::Unknown, spirv::TargetEnvAttr::kUnknownDeviceID);
}

/// Workgroup attributions (the shared GPU lowering's staging tiles) as
/// memref.alloc in workgroup memory at the kernel's entry, the form the
/// SPIR-V conversion turns into Workgroup variables.
void attributionsToAllocs(gpu::GPUFuncOp kernel) {
  unsigned n = kernel.getNumWorkgroupAttributions();
  if (n == 0)
    return;
  Block &entry = kernel.getBody().front();
  unsigned first = kernel.getFirstWorkgroupAttributionIndex();
  OpBuilder b(&entry, entry.begin());
  for (unsigned i = 0; i < n; ++i) {
    BlockArgument arg = entry.getArgument(first + i);
    // Memory space 3 is what the Vulkan storage-class map knows as
    // Workgroup (it does not read #gpu.address_space).
    auto type = cast<MemRefType>(arg.getType());
    auto alloc = b.create<memref::AllocOp>(
        kernel.getLoc(),
        MemRefType::get(type.getShape(), type.getElementType(),
                        type.getLayout(), b.getI64IntegerAttr(3)));
    arg.replaceAllUsesWith(alloc.getResult());
  }
  for (unsigned i = 0; i < n; ++i)
    entry.eraseArgument(first);
  kernel->setAttr(gpu::GPUFuncOp::getNumWorkgroupAttributionsAttrName(),
                  b.getI64IntegerAttr(0));
}

struct VulkanConvertToSPIRVPass
    : cnnc::impl::VulkanConvertToSPIRVBase<VulkanConvertToSPIRVPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = getOperation();
    spirv::TargetEnvAttr env = vulkanTargetEnv(ctx);
    SmallVector<gpu::GPUModuleOp> copies;
    OpBuilder builder(ctx);
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      gpuModule->setAttr(spirv::getTargetEnvAttrName(), env);
      for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>()) {
        std::optional<ArrayRef<int32_t>> block = kernel.getKnownBlockSize();
        if (!block) {
          kernel.emitError("kernel without a known workgroup size");
          return signalPassFailure();
        }
        kernel->setAttr(spirv::getEntryPointABIAttrName(),
                        spirv::getEntryPointABIAttr(ctx, *block));
      }
      builder.setInsertionPoint(gpuModule);
      copies.push_back(cast<gpu::GPUModuleOp>(builder.clone(*gpuModule)));
    }
    for (gpu::GPUModuleOp copy : copies) {
      copy.walk(attributionsToAllocs);
      // Memory space 0 (the host's buffers) becomes StorageBuffer.
      spirv::MemorySpaceToStorageClassConverter storage(
          spirv::mapMemorySpaceToVulkanStorageClass);
      spirv::convertMemRefTypesAndAttrs(copy, storage);
      auto storageTarget = spirv::getMemorySpaceToStorageClassTarget(*ctx);
      if (failed(applyFullConversion(copy, *storageTarget,
                                     RewritePatternSet(ctx))))
        return signalPassFailure();

      std::unique_ptr<ConversionTarget> target =
          SPIRVConversionTarget::get(env);
      SPIRVTypeConverter types(env);
      ScfToSPIRVContext scfContext;
      RewritePatternSet patterns(ctx);
      populateGPUToSPIRVPatterns(types, patterns);
      populateSCFToSPIRVPatterns(types, scfContext, patterns);
      arith::populateArithToSPIRVPatterns(types, patterns);
      populateMathToSPIRVPatterns(types, patterns);
      populateMemRefToSPIRVPatterns(types, patterns);
      populateFuncToSPIRVPatterns(types, patterns);
      index::populateIndexToSPIRVPatterns(types, patterns);
      if (failed(applyFullConversion(copy, *target, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
