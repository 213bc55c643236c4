//===- cnnc.cpp - The cnnc compiler driver --------------------------------===//
//
// cnnc MODEL.onnx -o MODEL.so --target=cpu
//
// Imports the model, runs the target's pipeline stage by stage (so that
// --emit and --dump-dir can show each one) and writes the artifact.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Artifact.h"
#include "backends/cpu/CPUPipeline.h"
#include "compiler/Registration.h"
#include "frontends/onnx/ONNXImporter.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory cnncCategory("cnnc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::cat(cnncCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("path"),
                                       cl::cat(cnncCategory));
static cl::opt<std::string>
    target("target", cl::desc("Target: cpu (cuda and vulkan are planned)"),
           cl::init("cpu"), cl::cat(cnncCategory));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Write this stage's IR instead of an artifact: cnn, "
                  "cnn-opt, linalg, loops, llvm-dialect, llvm (LLVM IR)"),
         cl::cat(cnncCategory));
static cl::opt<std::string>
    dumpDir("dump-dir", cl::desc("Write every stage's IR into this folder"),
            cl::cat(cnncCategory));
static cl::opt<std::string>
    mcpu("mcpu", cl::desc("CPU to compile for: native, generic or an LLVM "
                          "CPU name"),
         cl::init("native"), cl::cat(cnncCategory));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of a graph input, NAME:DxDx... (repeatable)"),
    cl::cat(cnncCategory));
static cl::opt<bool> printWeights("print-weights",
                                  cl::desc("Print weights in full in IR dumps"),
                                  cl::cat(cnncCategory));
static cl::opt<unsigned>
    optLevel("O", cl::Prefix,
             cl::desc("Optimization level: -O0 turns the graph passes off "
                      "and LLVM's optimizer down; default -O3"),
             cl::init(3), cl::cat(cnncCategory));
static cl::opt<bool> noGraphOpt("no-graph-opt",
                                cl::desc("Skip the graph passes (cnn-opt)"),
                                cl::cat(cnncCategory));
// `--stats` (op counts per kind before and after the graph passes, to
// stderr) is taken out of argv before LLVM parses it: LLVM owns `-stats`.
static bool stats = false;
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the supported ONNX operators as "
                                      "a Markdown table and exit"),
                             cl::cat(cnncCategory));

namespace {

/// The stages in pipeline order; --emit names one of them.
enum class Stage { CNN, CNNOpt, Linalg, Loops, LLVMDialect, LLVMIR, Artifact };
struct StageInfo {
  Stage stage;
  const char *name;
  const char *file;
};
const StageInfo kStages[] = {
    {Stage::CNN, "cnn", "00-cnn.mlir"},
    {Stage::CNNOpt, "cnn-opt", "01-cnn-opt.mlir"},
    {Stage::Linalg, "linalg", "02-linalg.mlir"},
    {Stage::Loops, "loops", "03-loops.mlir"},
    {Stage::LLVMDialect, "llvm-dialect", "04-llvm-dialect.mlir"},
    {Stage::LLVMIR, "llvm", "05-artifact.ll"},
};

class Driver {
public:
  Driver(MLIRContext &ctx, Stage last) : ctx_(ctx), last_(last) {
    timing_.setEnabled(false);
    applyDefaultTimingManagerCLOptions(timing_);
    root_ = timing_.getRootScope();
  }

  LogicalResult run();

private:
  LogicalResult runStage(ModuleOp module, const StageInfo &info,
                         function_ref<void(OpPassManager &)> build);
  LogicalResult dump(const StageInfo &info,
                     function_ref<void(llvm::raw_ostream &)> print);
  void print(ModuleOp module, llvm::raw_ostream &os) {
    OpPrintingFlags flags;
    if (!printWeights)
      flags.elideLargeElementsAttrs(16);
    module.print(os, flags);
  }

  MLIRContext &ctx_;
  Stage last_;
  DefaultTimingManager timing_;
  TimingScope root_;
};

LogicalResult writeFile(StringRef path,
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

LogicalResult Driver::dump(const StageInfo &info,
                           function_ref<void(llvm::raw_ostream &)> print) {
  if (!dumpDir.empty()) {
    llvm::SmallString<128> path(dumpDir);
    llvm::sys::path::append(path, info.file);
    if (failed(writeFile(path, print)))
      return failure();
  }
  if (info.stage == last_)
    return writeFile(outputFile.empty() ? std::string("-") : outputFile.getValue(), print);
  return success();
}

LogicalResult Driver::runStage(ModuleOp module, const StageInfo &info,
                               function_ref<void(OpPassManager &)> build) {
  PassManager pm(&ctx_);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  TimingScope scope = root_.nest(info.name);
  pm.enableTiming(scope);
  build(pm);
  if (failed(pm.run(module)))
    return failure();
  return dump(info, [&](llvm::raw_ostream &os) { print(module, os); });
}

LogicalResult parseInputShapes(cnnc::ImportOptions &options) {
  for (const std::string &spec : inputShapes) {
    auto [name, dims] = StringRef(spec).rsplit(':');
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    SmallVector<int64_t, 4> shape;
    for (StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d) || d <= 0) {
        llvm::errs() << "cnnc: error: bad --input-shape '" << spec
                     << "' (expected NAME:DxDx..., positive extents)\n";
        return failure();
      }
      shape.push_back(d);
    }
    if (name.empty() || shape.empty()) {
      llvm::errs() << "cnnc: error: bad --input-shape '" << spec << "'\n";
      return failure();
    }
    options.inputShapes[name] = shape;
  }
  return success();
}

/// Number of ops of each kind in the graph function (constants excluded).
using OpCounts = std::map<std::string, int>;
OpCounts countOps(ModuleOp module) {
  OpCounts counts;
  module.walk([&](Operation *op) {
    if (!isa<ModuleOp, func::FuncOp, func::ReturnOp, arith::ConstantOp>(op))
      ++counts[op->getName().getStringRef().str()];
  });
  return counts;
}

void printStats(const OpCounts &before, const OpCounts &after) {
  std::set<std::string> kinds;
  for (const auto &[kind, n] : before)
    kinds.insert(kind);
  for (const auto &[kind, n] : after)
    kinds.insert(kind);
  auto get = [](const OpCounts &c, const std::string &k) {
    auto it = c.find(k);
    return it == c.end() ? 0 : it->second;
  };
  int totalBefore = 0, totalAfter = 0;
  llvm::errs() << llvm::format("%-24s %8s %8s\n", (const char *)"op",
                               (const char *)"before", (const char *)"after");
  for (const std::string &kind : kinds) {
    totalBefore += get(before, kind);
    totalAfter += get(after, kind);
    llvm::errs() << llvm::format("%-24s %8d %8d\n", kind.c_str(),
                                 get(before, kind), get(after, kind));
  }
  llvm::errs() << llvm::format("%-24s %8d %8d\n", (const char *)"total",
                               totalBefore, totalAfter);
}

LogicalResult Driver::run() {
  cnnc::ImportOptions options;
  if (failed(parseInputShapes(options)))
    return failure();
  FailureOr<OwningOpRef<ModuleOp>> imported = [&] {
    TimingScope scope = root_.nest("import");
    return cnnc::importONNXModel(inputFile, ctx_, options);
  }();
  if (failed(imported))
    return failure();
  ModuleOp module = imported->get();
  if (failed(dump(kStages[0],
                  [&](llvm::raw_ostream &os) { print(module, os); })) ||
      last_ == Stage::CNN)
    return failure(last_ != Stage::CNN);

  FailureOr<cnnc::ArtifactSignature> signature = cnnc::readSignature(module);
  if (failed(signature))
    return failure();
  signature->model = llvm::sys::path::filename(inputFile).str();

  OpCounts before = countOps(module);
  bool graphOpt = optLevel > 0 && !noGraphOpt;
  if (failed(runStage(module, kStages[1], [&](OpPassManager &pm) {
        if (graphOpt)
          cnnc::buildGraphOptimizationPipeline(pm);
      })))
    return failure();
  if (stats)
    printStats(before, countOps(module));
  if (last_ == Stage::CNNOpt)
    return success();

  if (failed(runStage(module, kStages[2], cnnc::buildCNNToLinalgPipeline)) ||
      last_ == Stage::Linalg)
    return failure(last_ != Stage::Linalg);
  cnnc::CPUTargetOptions targetOptions;
  targetOptions.cpu = mcpu;
  targetOptions.optLevel = optLevel;
  std::string error;
  FailureOr<cnnc::CPUVectorShape> vectors =
      cnnc::vectorShapeOf(targetOptions, error);
  if (failed(vectors)) {
    llvm::errs() << "cnnc: error: " << error << "\n";
    return failure();
  }
  if (failed(runStage(module, kStages[3],
                      [&](OpPassManager &pm) {
                        cnnc::buildCPUBufferizePipeline(pm, *vectors);
                      })) ||
      last_ == Stage::Loops)
    return failure(last_ != Stage::Loops);
  if (failed(runStage(module, kStages[4], cnnc::buildCPUToLLVMPipeline)) ||
      last_ == Stage::LLVMDialect)
    return failure(last_ != Stage::LLVMDialect);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> ir;
  {
    TimingScope scope = root_.nest("llvm-optimize");
    ir = cnnc::buildArtifactIR(module, *signature, targetOptions, llvmContext);
  }
  if (!ir || failed(dump(kStages[5], [&](llvm::raw_ostream &os) {
        cnnc::printArtifactIR(*ir, os, printWeights);
      })))
    return failure();
  if (last_ == Stage::LLVMIR)
    return success();
  TimingScope scope = root_.nest("llvm-codegen-and-link");
  return cnnc::writeArtifact(*ir, targetOptions, outputFile, module.getLoc());
}

/// One line per diagnostic: "cnnc: error: <where>: <message>". Importer
/// messages already name their node.
void printDiagnostic(Diagnostic &diag) {
  llvm::errs() << "cnnc: "
               << (diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                   : diag.getSeverity() == DiagnosticSeverity::Warning
                       ? "warning"
                       : "note")
               << ": ";
  std::string message = diag.str();
  Location loc = diag.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (!StringRef(message).starts_with("node '"))
      llvm::errs() << "node '" << name.getName().getValue() << "': ";
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    llvm::errs() << file.getFilename().getValue() << ": ";
  }
  llvm::errs() << message << "\n";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
  std::vector<char *> args;
  for (int i = 0; i < argc; ++i) {
    StringRef arg = argv[i];
    if (i > 0 && (arg == "--stats" || arg == "-stats"))
      stats = true;
    else
      args.push_back(argv[i]);
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  cl::ParseCommandLineOptions(argc, argv,
                              "cnnc: ahead-of-time compiler for CNNs\n\n"
                              "  cnnc MODEL.onnx -o MODEL.so --target=cpu\n\n"
                              "  --stats prints op counts per kind before and "
                              "after the graph passes\n");

  if (listOps) {
    llvm::outs() << "| ONNX operator | opsets | constraints |\n"
                    "|---|---|---|\n";
    for (const cnnc::SupportedOp &op : cnnc::supportedOps())
      llvm::outs() << "| " << op.opType << " | " << op.minOpset << "-"
                   << op.maxOpset << " | " << op.constraints << " |\n";
    return 0;
  }
  if (inputFile.empty()) {
    llvm::errs() << "cnnc: error: no input model (see --help)\n";
    return 2;
  }
  if (target != "cpu") {
    llvm::errs() << "cnnc: error: target '" << target
                 << "' is not supported yet (supported: cpu)\n";
    return 2;
  }
  Stage last = Stage::Artifact;
  if (!emit.empty()) {
    const StageInfo *info = llvm::find_if(
        kStages, [](const StageInfo &s) { return emit == s.name; });
    if (info == std::end(kStages)) {
      llvm::errs() << "cnnc: error: unknown --emit stage '" << emit
                   << "' (cnn, cnn-opt, linalg, loops, llvm-dialect, "
                      "llvm)\n";
      return 2;
    }
    last = info->stage;
  } else if (outputFile.empty()) {
    llvm::errs() << "cnnc: error: -o is required to write an artifact\n";
    return 2;
  }
  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir)) {
      llvm::errs() << "cnnc: error: cannot create '" << dumpDir
                   << "': " << ec.message() << "\n";
      return 1;
    }
  }

  DialectRegistry registry;
  cnnc::registerDialects(registry);
  MLIRContext ctx(registry);
  ctx.printOpOnDiagnostic(false);
  ctx.getDiagEngine().registerHandler([](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  Driver driver(ctx, last);
  return failed(driver.run()) ? 1 : 0;
}
