//===- Artifact.cpp - LLVM dialect module to a CPU artifact ---------------===//
#include "backends/cpu/Artifact.h"
#include "backends/common/ArtifactLibrary.h"
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

FailureOr<CPUVectorShape> cnnc::vectorShapeOf(const CPUTargetOptions &options,
                                              std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = createHostTargetMachine(options.cpu, options.optLevel, error);
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
  ArtifactABIBuilder abi(*module);
  abi.emitRun(entry, signature.inputs.size(), signature.outputs.size(),
              workspaceBytes > 0);
  abi.emitInfo("cpu", signature, workspaceBytes, nullptr);

  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createHostTargetMachine(options.cpu, options.optLevel, error);
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
  return linkSharedLibrary(module, options.cpu, options.optLevel, outputPath,
                           loc);
}
