//===- cnnc.cpp - The cnnc compiler driver --------------------------------===//
//
// cnnc MODEL.onnx -o MODEL.so --target=cpu|vulkan
//
// Imports the model, runs the graph passes and the lowering every backend
// shares, then the stages of the target named by --target (so that --emit
// and --dump-dir can show each one), and lets the target write the
// artifact. The driver knows targets only through backends/Target.h.
//
//===----------------------------------------------------------------------===//
#include "backends/Target.h"
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
    target("target", cl::desc("Target (see --list-targets)"),
           cl::init("cpu"), cl::cat(cnncCategory));
static cl::opt<bool> listTargets("list-targets",
                                 cl::desc("Print the targets and exit"),
                                 cl::cat(cnncCategory));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Write this stage's IR instead of an artifact: cnn, "
                  "cnn-opt, linalg, then the target's (cpu: loops, "
                  "llvm-dialect, llvm; vulkan: gpu, spirv-dialect, spirv)"),
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

cnnc::TargetOptions targetOptions() {
  cnnc::TargetOptions options;
  options.cpu = mcpu;
  options.optLevel = optLevel;
  options.printWeights = printWeights;
  return options;
}

/// The stages every target shares, in pipeline order; the target's own
/// follow (backends/Target.h).
struct StageInfo {
  const char *name;
  const char *file;
};
const StageInfo kCommonStages[] = {
    {"cnn", "00-cnn.mlir"},
    {"cnn-opt", "01-cnn-opt.mlir"},
    {"linalg", "02-linalg.mlir"},
};

class Driver {
public:
  Driver(MLIRContext &ctx, const cnnc::Target &target,
         std::vector<cnnc::TargetStage> stages)
      : ctx_(ctx), target_(target), stages_(std::move(stages)) {
    timing_.setEnabled(false);
    applyDefaultTimingManagerCLOptions(timing_);
    root_ = timing_.getRootScope();
  }

  LogicalResult run();

private:
  /// Runs `build`'s passes (if any), dumps the result as `name`/`file`;
  /// sets `done` once --emit's stage has been written.
  LogicalResult runStage(ModuleOp module, StringRef name, StringRef file,
                         function_ref<void(OpPassManager &)> build);
  LogicalResult dump(StringRef name, StringRef file,
                     function_ref<void(llvm::raw_ostream &)> print);
  void print(ModuleOp module, llvm::raw_ostream &os) {
    OpPrintingFlags flags;
    if (!printWeights)
      flags.elideLargeElementsAttrs(16);
    module.print(os, flags);
  }

  MLIRContext &ctx_;
  const cnnc::Target &target_;
  std::vector<cnnc::TargetStage> stages_;
  bool done_ = false;
  DefaultTimingManager timing_;
  TimingScope root_;
};

LogicalResult Driver::dump(StringRef name, StringRef file,
                           function_ref<void(llvm::raw_ostream &)> print) {
  if (!dumpDir.empty()) {
    llvm::SmallString<128> path(dumpDir);
    llvm::sys::path::append(path, file);
    if (failed(cnnc::writeOutput(path, print)))
      return failure();
  }
  if (emit == name) {
    done_ = true;
    return cnnc::writeOutput(outputFile.empty() ? "-" : outputFile.getValue(),
                             print);
  }
  return success();
}

LogicalResult Driver::runStage(ModuleOp module, StringRef name, StringRef file,
                               function_ref<void(OpPassManager &)> build) {
  if (build) {
    PassManager pm(&ctx_);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    TimingScope scope = root_.nest(name);
    pm.enableTiming(scope);
    build(pm);
    if (failed(pm.run(module)))
      return failure();
  }
  return dump(name, file, [&](llvm::raw_ostream &os) { print(module, os); });
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
  if (failed(runStage(module, kCommonStages[0].name, kCommonStages[0].file,
                      nullptr)))
    return failure();
  if (done_)
    return success();

  FailureOr<cnnc::ArtifactSignature> signature = cnnc::readSignature(module);
  if (failed(signature))
    return failure();
  signature->model = llvm::sys::path::filename(inputFile).str();

  OpCounts before = countOps(module);
  bool graphOpt = optLevel > 0 && !noGraphOpt;
  if (failed(runStage(module, kCommonStages[1].name, kCommonStages[1].file,
                      [&](OpPassManager &pm) {
                        if (graphOpt)
                          cnnc::buildGraphOptimizationPipeline(pm);
                      })))
    return failure();
  if (stats)
    printStats(before, countOps(module));
  if (done_)
    return success();
  if (failed(runStage(module, kCommonStages[2].name, kCommonStages[2].file,
                      cnnc::buildCNNToLinalgPipeline)))
    return failure();
  for (const cnnc::TargetStage &stage : stages_) {
    if (done_)
      return success();
    if (failed(runStage(module, stage.name, stage.file, stage.build)))
      return failure();
  }
  if (done_)
    return success();

  cnnc::FinishRequest request;
  request.emit = emit;
  request.outputPath = outputFile.empty() ? "-" : outputFile.getValue();
  request.dumpDir = dumpDir;
  TimingScope scope = root_.nest("artifact");
  return target_.finish(module, *signature, targetOptions(), request);
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
                              "  cnnc MODEL.onnx -o MODEL.so --target=cpu|vulkan\n\n"
                              "  --stats prints op counts per kind before and "
                              "after the graph passes\n");

  cnnc::registerTargets();
  if (listTargets) {
    for (const cnnc::Target *t : cnnc::registeredTargets())
      llvm::outs() << t->name() << "\t" << t->description() << "\n";
    return 0;
  }
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
  const cnnc::Target *selected = cnnc::lookupTarget(target);
  if (!selected) {
    llvm::errs() << "cnnc: error: unknown target '" << target
                 << "' (supported: " << cnnc::targetNames() << ")\n";
    return 2;
  }
  std::string error;
  FailureOr<std::vector<cnnc::TargetStage>> stages =
      selected->stages(targetOptions(), error);
  if (failed(stages)) {
    llvm::errs() << "cnnc: error: " << error << "\n";
    return 1;
  }
  if (!emit.empty()) {
    std::vector<std::string> names;
    for (const StageInfo &stage : kCommonStages)
      names.push_back(stage.name);
    for (const cnnc::TargetStage &stage : *stages)
      names.push_back(stage.name);
    for (const cnnc::TargetEmit &e : selected->emits())
      names.push_back(e.name);
    if (!llvm::is_contained(names, emit.getValue())) {
      llvm::errs() << "cnnc: error: unknown --emit stage '" << emit
                   << "' for target " << target << " ("
                   << llvm::join(names, ", ") << ")\n";
      return 2;
    }
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
  Driver driver(ctx, *selected, std::move(*stages));
  return failed(driver.run()) ? 1 : 0;
}
