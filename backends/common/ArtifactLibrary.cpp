//===- ArtifactLibrary.cpp - The artifact as a host shared library --------===//
#include "backends/common/ArtifactLibrary.h"
#include "runtime/include/cnnc/artifact_abi.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace cnnc;

std::unique_ptr<llvm::TargetMachine>
cnnc::createHostTargetMachine(StringRef cpuName, unsigned optLevel,
                             std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = cpuName.str();
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
  llvm::CodeGenOptLevel level = optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                : optLevel == 0
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

ArtifactABIBuilder::ArtifactABIBuilder(llvm::Module &module)
      : module_(module), ctx_(module.getContext()),
        ptr_(llvm::PointerType::getUnqual(ctx_)), i32_(llvm::Type::getInt32Ty(ctx_)),
        descType_(llvm::StructType::get(ctx_, {ptr_, i32_, i32_, ptr_})) {}

void ArtifactABIBuilder::emitInfo(StringRef target,
                                  const ArtifactSignature &sig,
                                  uint64_t workspaceBytes,
                                  llvm::Constant *program) {
  auto *u32 = llvm::ConstantInt::get(i32_, CNNC_ARTIFACT_ABI_VERSION);
  auto *i64 = llvm::Type::getInt64Ty(ctx_);
  auto *infoType = llvm::StructType::get(
      ctx_, {i32_, ptr_, ptr_, i32_, i32_, ptr_, ptr_, i64, ptr_});
  llvm::Constant *info = llvm::ConstantStruct::get(
      infoType,
      {u32, string(target), string(sig.model),
       llvm::ConstantInt::get(i32_, sig.inputs.size()),
       llvm::ConstantInt::get(i32_, sig.outputs.size()),
       descriptors(sig.inputs, "inputs"), descriptors(sig.outputs, "outputs"),
       llvm::ConstantInt::get(i64, workspaceBytes),
       program ? program : llvm::ConstantPointerNull::get(ptr_)});
  auto *infoVar = global(info, "cnnc.info");
  returning("cnnc_artifact_abi_version", i32_, u32);
  returning("cnnc_artifact_get_info", ptr_, infoVar);
}


llvm::GlobalVariable *ArtifactABIBuilder::global(llvm::Constant *init,
                                              const llvm::Twine &name) {
  auto *var = new llvm::GlobalVariable(module_, init->getType(), true,
                                       llvm::GlobalValue::PrivateLinkage,
                                       init, name);
  var->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return var;
}

llvm::Constant *ArtifactABIBuilder::string(llvm::StringRef s) {
  return global(llvm::ConstantDataArray::getString(ctx_, s), "cnnc.str");
}

llvm::Constant *ArtifactABIBuilder::descriptors(
  const std::vector<ArtifactSignature::Tensor> &ts, llvm::StringRef what) {
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

void ArtifactABIBuilder::returning(llvm::StringRef name, llvm::Type *type,
                                 llvm::Constant *value) {
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(type, false),
                                    llvm::GlobalValue::ExternalLinkage, name,
                                    module_);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
  b.CreateRet(value);
}

/// void cnnc_artifact_run(void *const *inputs, void *const *outputs,
/// void *workspace): unpacks the pointer arrays into the bare-pointer
/// arguments of `entry`, then the workspace if it takes one.
void ArtifactABIBuilder::emitRun(llvm::Function *entry, size_t numInputs,
                               size_t numOutputs, bool hasWorkspace) {
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

LogicalResult cnnc::linkSharedLibrary(llvm::Module &module, StringRef cpu,
                                      unsigned optLevel, StringRef outputPath,
                                      Location loc) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createHostTargetMachine(cpu, optLevel, error);
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
