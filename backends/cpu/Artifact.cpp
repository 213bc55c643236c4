//===- Artifact.cpp - LLVM dialect module to a CPU artifact ---------------===//
#include "backends/cpu/Artifact.h"
#include "runtime/include/cnnc/artifact_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace cnnc;

static constexpr const char *kEntry = "main";

FailureOr<ArtifactSignature> cnnc::readSignature(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>(kEntry);
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

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CPUTargetOptions &options, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!sti || !sti->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for " + triple +
            " (--mcpu takes native, generic or a CPU that `llc -mcpu=help` "
            "lists)";
    return nullptr;
  }
  llvm::CodeGenOptLevel level = options.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                : options.optLevel == 0
                                    ? llvm::CodeGenOptLevel::None
                                    : llvm::CodeGenOptLevel::Default;
  // Fuse multiply-adds, as ONNX Runtime's kernels do.
  llvm::TargetOptions targetOptions;
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!tm)
    error = "cannot create a target machine for " + triple + " (" + cpu + ")";
  return tm;
}

FailureOr<CPUVectorShape> cnnc::vectorShapeOf(const CPUTargetOptions &options,
                                              std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm)
    return failure();
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  auto has = [&](llvm::StringRef feature) { return sti->checkFeatures(feature); };
  if (tm->getTargetTriple().isX86()) {
    if (has("+avx512f"))
      return CPUVectorShape{16, 32};
    if (has("+avx"))
      return CPUVectorShape{8, 16};
    return CPUVectorShape{4, 16};
  }
  if (tm->getTargetTriple().isAArch64())
    return CPUVectorShape{4, 32};
  return CPUVectorShape{4, 16};
}

namespace {

/// Builds the ABI globals and entry points of artifact_abi.h.
class ABIEmitter {
public:
  ABIEmitter(llvm::Module &module)
      : module_(module), ctx_(module.getContext()),
        ptr_(llvm::PointerType::getUnqual(ctx_)), i32_(llvm::Type::getInt32Ty(ctx_)),
        descType_(llvm::StructType::get(ctx_, {ptr_, i32_, i32_, ptr_})) {}

  void emit(llvm::Function *entry, const ArtifactSignature &sig,
            uint64_t workspaceBytes) {
    emitRun(entry, sig.inputs.size(), sig.outputs.size(), workspaceBytes > 0);
    auto *u32 = llvm::ConstantInt::get(i32_, CNNC_ARTIFACT_ABI_VERSION);
    auto *i64 = llvm::Type::getInt64Ty(ctx_);
    auto *infoType = llvm::StructType::get(
        ctx_, {i32_, ptr_, ptr_, i32_, i32_, ptr_, ptr_, i64});
    llvm::Constant *info = llvm::ConstantStruct::get(
        infoType,
        {u32, string("cpu"), string(sig.model),
         llvm::ConstantInt::get(i32_, sig.inputs.size()),
         llvm::ConstantInt::get(i32_, sig.outputs.size()),
         descriptors(sig.inputs, "inputs"), descriptors(sig.outputs, "outputs"),
         llvm::ConstantInt::get(i64, workspaceBytes)});
    auto *infoVar = global(info, "cnnc.info");
    returning("cnnc_artifact_abi_version", i32_, u32);
    returning("cnnc_artifact_get_info", ptr_, infoVar);
  }

private:
  llvm::GlobalVariable *global(llvm::Constant *init, const llvm::Twine &name) {
    auto *var = new llvm::GlobalVariable(module_, init->getType(), true,
                                         llvm::GlobalValue::PrivateLinkage,
                                         init, name);
    var->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return var;
  }

  llvm::Constant *string(llvm::StringRef s) {
    return global(llvm::ConstantDataArray::getString(ctx_, s), "cnnc.str");
  }

  llvm::Constant *descriptors(const std::vector<ArtifactSignature::Tensor> &ts,
                              llvm::StringRef what) {
    std::vector<llvm::Constant *> descs;
    for (const auto &t : ts) {
      auto *shape = global(llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint64_t>(
                               reinterpret_cast<const uint64_t *>(t.shape.data()),
                               t.shape.size())),
                           "cnnc.shape");
      descs.push_back(llvm::ConstantStruct::get(
          descType_, {string(t.name), llvm::ConstantInt::get(i32_, CNNC_DTYPE_F32),
                      llvm::ConstantInt::get(i32_, t.shape.size()), shape}));
    }
    auto *arrayType = llvm::ArrayType::get(descType_, descs.size());
    return global(llvm::ConstantArray::get(arrayType, descs), "cnnc." + what);
  }

  void returning(llvm::StringRef name, llvm::Type *type, llvm::Constant *value) {
    auto *fn = llvm::Function::Create(llvm::FunctionType::get(type, false),
                                      llvm::GlobalValue::ExternalLinkage, name,
                                      module_);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
    b.CreateRet(value);
  }

  /// void cnnc_artifact_run(void *const *inputs, void *const *outputs,
  /// void *workspace): unpacks the pointer arrays into the bare-pointer
  /// arguments of `entry`, then the workspace if it takes one.
  void emitRun(llvm::Function *entry, size_t numInputs, size_t numOutputs,
               bool hasWorkspace) {
    auto *fn = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_),
                                {ptr_, ptr_, ptr_}, false),
        llvm::GlobalValue::ExternalLinkage, "cnnc_artifact_run", module_);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
    std::vector<llvm::Value *> args;
    auto unpack = [&](llvm::Value *array, size_t n) {
      for (size_t i = 0; i < n; ++i)
        args.push_back(
            b.CreateLoad(ptr_, b.CreateConstGEP1_64(ptr_, array, i)));
    };
    unpack(fn->getArg(0), numInputs);
    unpack(fn->getArg(1), numOutputs);
    if (hasWorkspace)
      args.push_back(fn->getArg(2));
    b.CreateCall(entry, args);
    b.CreateRetVoid();
  }

  llvm::Module &module_;
  llvm::LLVMContext &ctx_;
  llvm::PointerType *ptr_;
  llvm::IntegerType *i32_;
  llvm::StructType *descType_;
};

} // namespace

std::unique_ptr<llvm::Module>
cnnc::buildArtifactIR(ModuleOp llvmDialectModule,
                      const ArtifactSignature &signature,
                      const CPUTargetOptions &options,
                      llvm::LLVMContext &context) {
  // Argument names are in the signature; LLVM has no use for them.
  llvmDialectModule.walk([](LLVM::LLVMFuncOp fn) {
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      fn.removeArgAttr(i, StringAttr::get(fn.getContext(), "cnn.name"));
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      fn.removeResultAttr(i, StringAttr::get(fn.getContext(), "cnn.name"));
  });
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(llvmDialectModule, context, "cnnc_artifact");
  if (!module)
    return nullptr;
  uint64_t workspaceBytes = 0;
  if (auto attr = llvmDialectModule->getAttrOfType<IntegerAttr>(
          "cnnc.workspace_bytes"))
    workspaceBytes = attr.getInt();
  llvm::Function *entry = module->getFunction(kEntry);
  size_t numArgs = signature.inputs.size() + signature.outputs.size() +
                   (workspaceBytes > 0 ? 1 : 0);
  if (!entry || entry->arg_size() != numArgs ||
      !entry->getReturnType()->isVoidTy()) {
    emitError(llvmDialectModule.getLoc())
        << "the lowered module has no 'main' taking " << numArgs
        << " buffer pointers";
    return nullptr;
  }
  // Everything the module defines is internal except the ABI, so that LLVM
  // may inline and drop what the ABI does not reach.
  for (llvm::Function &fn : *module) {
    if (fn.isDeclaration())
      continue;
    fn.setLinkage(llvm::GlobalValue::InternalLinkage);
    // The pipeline chose vector sizes for the target's widest registers;
    // keep LLVM from splitting them (it prefers 256 bits on some CPUs).
    fn.addFnAttr("prefer-vector-width", "512");
    fn.addFnAttr("min-legal-vector-width", "512");
  }
  for (llvm::GlobalVariable &var : module->globals())
    if (!var.isDeclaration())
      var.setLinkage(llvm::GlobalValue::InternalLinkage);
  ABIEmitter(*module).emit(entry, signature, workspaceBytes);

  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm) {
    emitError(llvmDialectModule.getLoc()) << error;
    return nullptr;
  }
  module->setDataLayout(tm->createDataLayout());
  module->setTargetTriple(tm->getTargetTriple().str());

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = options.optLevel >= 3 ? llvm::OptimizationLevel::O3
                                  : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : options.optLevel == 1 ? llvm::OptimizationLevel::O1
                                                          : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager mpm = level == llvm::OptimizationLevel::O0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(*module, mam);
  return module;
}

void cnnc::printArtifactIR(llvm::Module &module, llvm::raw_ostream &os,
                           bool printWeights) {
  if (printWeights) {
    module.print(os, nullptr);
    return;
  }
  os << "; ModuleID = '" << module.getModuleIdentifier() << "'\n"
     << "target datalayout = \"" << module.getDataLayoutStr() << "\"\n"
     << "target triple = \"" << module.getTargetTriple() << "\"\n\n";
  const llvm::DataLayout &layout = module.getDataLayout();
  for (llvm::GlobalVariable &var : module.globals()) {
    uint64_t bytes = layout.getTypeAllocSize(var.getValueType());
    if (var.hasInitializer() && var.isConstant() && bytes > 256) {
      var.printAsOperand(os, false);
      os << " = constant " << *var.getValueType() << " ; " << bytes
         << " bytes of weights elided (--print-weights shows them)\n";
      continue;
    }
    var.print(os);
    os << "\n";
  }
  for (llvm::Function &fn : module)
    fn.print(os);
}

LogicalResult cnnc::writeArtifact(llvm::Module &module,
                                  const CPUTargetOptions &options,
                                  StringRef outputPath, Location loc) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(options, error);
  if (!tm)
    return emitError(loc) << error;

  llvm::SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("cnnc", "o", objectPath))
    return emitError(loc) << "cannot create a temporary file: " << ec.message();
  llvm::FileRemover removeObject(objectPath);
  {
    std::error_code ec;
    llvm::ToolOutputFile object(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return emitError(loc) << "cannot write '" << objectPath
                            << "': " << ec.message();
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, object.os(), nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return emitError(loc) << "the target cannot emit object files";
    codegen.run(module);
    object.keep();
  }

  // Link with lld; the artifact's only undefined symbols are libc's
  // (malloc, free, memcpy) and libm's, resolved when the runtime loads it.
  std::string lld = CNNC_LLD_PATH;
  if (const char *env = std::getenv("CNNC_LLD"))
    lld = env;
  llvm::SmallVector<llvm::StringRef> args = {
      lld, "-shared", "--gc-sections", "-z", "noexecstack", "-o", outputPath,
      objectPath};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(lld, args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0)
    return emitError(loc) << "linking '" << outputPath << "' with " << lld
                          << " failed"
                          << (message.empty() ? "" : ": " + message);
  return success();
}
