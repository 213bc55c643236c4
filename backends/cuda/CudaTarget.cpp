//===- CudaTarget.cpp - CUDA behind the target interface ------------------===//
//
// Stages: "gpu" (backends/gpu, shared with Vulkan) and "nvvm" (every kernel
// in the LLVM dialect with NVVM intrinsics). The last step translates each
// kernel to LLVM IR, optimizes it and emits PTX with LLVM's NVPTX backend
// for the chip --mcpu names (sm_90 unless told), then writes the PTX, the
// weights and the dispatch list into the artifact.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/CudaTarget.h"
#include "backends/cuda/CudaPipeline.h"
#include "backends/gpu/DeviceProgram.h"
#include "backends/gpu/GPUPipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace cnnc;

namespace {

constexpr const char *kTriple = "nvptx64-nvidia-cuda";
constexpr const char *kDefaultChip = "sm_90";

std::string chipOf(const TargetOptions &options) {
  return options.cpu == "native" ? kDefaultChip : options.cpu;
}

std::unique_ptr<llvm::TargetMachine> createNVPTXMachine(StringRef chip,
                                                        std::string &error) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(kTriple, error);
  if (!target)
    return nullptr;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(kTriple, "", ""));
  if (!chip.starts_with("sm_") || !sti || !sti->isCPUStringValid(chip)) {
    error = "unknown CUDA chip '" + chip.str() +
            "' (--mcpu takes sm_80, sm_90, ...; `llc -march=nvptx64 "
            "-mcpu=help` lists them)";
    return nullptr;
  }
  // PTX ISA 8.0: CUDA 12.0 and later drivers, every chip from sm_50 to sm_90.
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      kTriple, chip, "+ptx80", llvm::TargetOptions(), std::nullopt,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    error = "cannot create an NVPTX target machine for " + chip.str();
  return tm;
}

/// Defines the libdevice functions convert-gpu-to-nvvm calls for what
/// cnnc-cuda-lower-math leaves, as the intrinsics NVPTX has instructions
/// for; any other libdevice call is an error (cnnc links no libdevice).
LogicalResult defineDeviceMath(llvm::Module &module, Location loc) {
  using llvm::Intrinsic::ID;
  const std::pair<const char *, ID> unary[] = {
      {"__nv_fabsf", llvm::Intrinsic::fabs},
      {"__nv_sqrtf", llvm::Intrinsic::sqrt},
      {"__nv_floorf", llvm::Intrinsic::floor},
      {"__nv_ceilf", llvm::Intrinsic::ceil},
  };
  for (llvm::Function &fn : module) {
    if (!fn.isDeclaration() || !fn.getName().starts_with("__nv_"))
      continue;
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(module.getContext(), "entry", &fn));
    llvm::Type *f32 = b.getFloatTy();
    std::vector<llvm::Value *> args;
    for (llvm::Argument &arg : fn.args())
      args.push_back(&arg);
    llvm::Value *result = nullptr;
    for (auto [name, id] : unary)
      if (fn.getName() == name)
        result = b.CreateUnaryIntrinsic(id, args[0]);
    if (fn.getName() == "__nv_fmaf")
      result = b.CreateIntrinsic(llvm::Intrinsic::fma, {f32}, args);
    if (fn.getName() == "__nv_rsqrtf")
      result = b.CreateFDiv(llvm::ConstantFP::get(f32, 1.0),
                            b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, args[0]));
    if (!result) {
      fn.getEntryBlock().eraseFromParent();
      return emitError(loc) << "CUDA: the kernel calls " << fn.getName().str()
                            << ", which needs libdevice";
    }
    b.CreateRet(result);
    fn.setLinkage(llvm::GlobalValue::InternalLinkage);
    fn.addFnAttr(llvm::Attribute::AlwaysInline);
  }
  return success();
}

/// PTX of one converted gpu.module.
FailureOr<std::string> emitPTX(gpu::GPUModuleOp kernel, llvm::TargetMachine &tm) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(kernel, context, kernel.getName());
  if (!module)
    return kernel.emitError("cannot translate the kernel to LLVM IR");
  module->setTargetTriple(kTriple);
  module->setDataLayout(tm.createDataLayout());
  if (failed(defineDeviceMath(*module, kernel.getLoc())))
    return failure();
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*module, mam);
  std::string ptx;
  {
    llvm::raw_string_ostream os(ptx);
    llvm::buffer_ostream out(os);
    llvm::legacy::PassManager codegen;
    if (tm.addPassesToEmitFile(codegen, out, nullptr,
                               llvm::CodeGenFileType::AssemblyFile))
      return kernel.emitError("the NVPTX backend cannot emit PTX");
    codegen.run(*module);
  }
  return ptx;
}

class CudaTarget : public Target {
public:
  StringRef name() const override { return "cuda"; }
  StringRef description() const override {
    return "NVIDIA GPUs (PTX from LLVM's NVPTX backend; --mcpu=sm_XX, "
           "default sm_90)";
  }

  FailureOr<std::vector<TargetStage>>
  stages(const TargetOptions &options, std::string &error) const override {
    if (!createNVPTXMachine(chipOf(options), error))
      return failure();
    return std::vector<TargetStage>{
        {"gpu", "03-gpu.mlir",
         "bufferized; one outlined GPU kernel per fused op",
         buildGPUKernelPipeline},
        {"nvvm", "04-nvvm.mlir", "every kernel in the LLVM dialect with NVVM",
         buildCudaNVVMPipeline},
    };
  }

  std::vector<TargetEmit> emits() const override {
    return {{"ptx", "NAME.ptx", "every kernel's PTX"}};
  }

  LogicalResult finish(ModuleOp module, const ArtifactSignature &signature,
                       const TargetOptions &options,
                       const FinishRequest &request) const override {
    std::string error;
    std::unique_ptr<llvm::TargetMachine> tm =
        createNVPTXMachine(chipOf(options), error);
    if (!tm)
      return module.emitError(error);
    return finishGPUTarget(
        "cuda", "ptx", "//", module, signature, request,
        [&](const DeviceProgram::Kernel &kernel,
            bool withText) -> FailureOr<KernelCode> {
          auto gpuModule = module.lookupSymbol<gpu::GPUModuleOp>(kernel.module);
          if (!gpuModule)
            return module.emitError("no gpu.module for kernel ")
                   << kernel.module;
          FailureOr<std::string> ptx = emitPTX(gpuModule, *tm);
          if (failed(ptx))
            return failure();
          KernelCode code;
          code.code = *ptx + '\0'; // cuModuleLoadData takes a C string
          if (withText) {
            code.text = *ptx;
            code.dumps = {{"ptx", *ptx}};
          }
          return code;
        });
  }
};

} // namespace

void cnnc::registerCudaTarget() {
  registerTarget(std::make_unique<CudaTarget>());
}
