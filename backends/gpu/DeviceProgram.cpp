//===- DeviceProgram.cpp - The dispatch list of a GPU artifact ------------===//
#include "backends/gpu/DeviceProgram.h"
#include "runtime/include/cnnc/artifact_abi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace cnnc;

namespace {

/// The ONNX node names in `loc` (NameLocs, possibly fused), in order.
void collectNodes(Location loc, std::vector<std::string> &names,
                  llvm::StringSet<> &seen) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (seen.insert(name.getName().getValue()).second)
      names.push_back(name.getName().str());
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNodes(inner, names, seen);
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    collectNodes(callSite.getCallee(), names, seen);
}

/// The bytes of a memref.global's initial value, splats expanded.
FailureOr<std::string> globalBytes(memref::GlobalOp global) {
  auto type = global.getType();
  int64_t bytes = type.getNumElements() *
                  type.getElementType().getIntOrFloatBitWidth() / 8;
  Attribute init = global.getInitialValueAttr();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(init)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      std::string out;
      out.reserve(bytes);
      for (int64_t i = 0; i < bytes; i += raw.size())
        out.append(raw.data(), raw.size());
      return out;
    }
    return std::string(raw.data(), raw.size());
  }
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(init)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob()) {
      ArrayRef<char> raw = blob->getData();
      if (static_cast<int64_t>(raw.size()) == bytes)
        return std::string(raw.data(), raw.size());
    }
  }
  return global.emitError("GPU artifact: constant without dense data");
}

/// The bytes a view of `type` reaches from its buffer's start: its static
/// element offset plus its farthest element, plus one.
FailureOr<uint64_t> reach(MemRefType type, Operation *user) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic) || !type.hasStaticShape())
    return user->emitError("GPU artifact: a kernel argument of dynamic layout ")
           << type;
  int64_t last = offset;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
    if (size == 0)
      return uint64_t(0);
    last += (size - 1) * stride;
  }
  return uint64_t(last + 1) * type.getElementTypeBitWidth() / 8;
}

class Reader {
public:
  Reader(ModuleOp module, func::FuncOp main, size_t numInputs,
         size_t numOutputs)
      : module_(module), main_(main), numInputs_(numInputs),
        numOutputs_(numOutputs) {}

  FailureOr<DeviceProgram> read() {
    for (Operation &op : main_.getBody().front()) {
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
        if (failed(addDispatch(launch)))
          return failure();
        continue;
      }
      if (isa<func::ReturnOp, arith::ConstantOp, memref::GetGlobalOp,
              memref::CastOp>(op) ||
          isa<ViewLikeOpInterface>(op))
        continue;
      return op.emitError("GPU artifact: '")
             << op.getName() << "' on the host has no dispatch";
    }
    if (auto attr = module_->getAttrOfType<IntegerAttr>("cnnc.workspace_bytes"))
      program_.workspaceBytes = attr.getInt();
    return program_;
  }

private:
  FailureOr<DeviceProgram::Binding> resolve(Operation *user, Value value) {
    uint64_t offset = 0;
    while (true) {
      if (auto arg = dyn_cast<BlockArgument>(value)) {
        if (arg.getOwner()->getParentOp() != main_)
          break;
        unsigned i = arg.getArgNumber();
        if (i < numInputs_)
          return DeviceProgram::Binding{CNNC_BUFFER_INPUT, i, offset, 0};
        if (i < numInputs_ + numOutputs_)
          return DeviceProgram::Binding{
              CNNC_BUFFER_OUTPUT, static_cast<uint32_t>(i - numInputs_),
              offset, 0};
        return DeviceProgram::Binding{CNNC_BUFFER_WORKSPACE, 0, offset, 0};
      }
      Operation *def = value.getDefiningOp();
      if (!def)
        break;
      if (auto view = dyn_cast<memref::ViewOp>(def)) {
        auto shift = getConstantIntValue(view.getByteShift());
        if (!shift || !view.getSizes().empty())
          return view.emitError("GPU artifact: dynamic view");
        offset += *shift;
        value = view.getSource();
        continue;
      }
      if (auto cast = dyn_cast<memref::CastOp>(def)) {
        value = cast.getSource();
        continue;
      }
      if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
        auto [it, inserted] =
            constantIndex_.try_emplace(get.getName(), program_.constants.size());
        if (inserted) {
          auto global =
              module_.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
          FailureOr<std::string> bytes =
              global ? globalBytes(global) : FailureOr<std::string>(failure());
          if (failed(bytes))
            return failure();
          program_.constants.push_back(std::move(*bytes));
        }
        return DeviceProgram::Binding{CNNC_BUFFER_CONSTANT, it->second,
                                      offset, 0};
      }
      // Subviews and reshapes: the kernel's argument type holds their
      // offsets and strides, relative to the buffer they view.
      if (auto view = dyn_cast<ViewLikeOpInterface>(def);
          view && !isa<memref::ViewOp>(def)) {
        value = view.getViewSource();
        continue;
      }
      break;
    }
    return user->emitError("GPU artifact: a kernel argument is not a view of "
                           "an input, output, constant or the workspace");
  }

  LogicalResult addDispatch(gpu::LaunchFuncOp launch) {
    if (!SymbolTable::lookupNearestSymbolFrom(launch, launch.getKernel()))
      return launch.emitError("GPU artifact: kernel not found");
    DeviceProgram::Kernel k;
    k.module = launch.getKernelModuleName().str();
    k.name = launch.getKernelName().str();
    std::vector<std::string> names;
    llvm::StringSet<> seen;
    collectNodes(launch.getLoc(), names, seen);
    k.nodes = llvm::join(names, ",");
    k.numBindings = launch.getNumKernelOperands();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    Value threads[3] = {block.x, block.y, block.z};
    for (int i = 0; i < 3; ++i) {
      auto n = getConstantIntValue(threads[i]);
      if (!n)
        return launch.emitError("GPU artifact: dynamic block size");
      k.workgroupSize[i] = *n;
    }

    DeviceProgram::Dispatch d;
    d.kernel = program_.kernels.size();
    d.firstBinding = program_.bindings.size();
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    Value sizes[3] = {grid.x, grid.y, grid.z};
    for (int i = 0; i < 3; ++i) {
      auto n = getConstantIntValue(sizes[i]);
      if (!n)
        return launch.emitError("GPU artifact: dynamic grid size");
      d.grid[i] = *n;
    }
    for (Value operand : launch.getKernelOperands()) {
      if (!isa<MemRefType>(operand.getType()))
        return launch.emitError("GPU artifact: kernel argument of type ")
               << operand.getType() << " (only buffers are bound)";
      FailureOr<DeviceProgram::Binding> binding = resolve(launch, operand);
      if (failed(binding))
        return failure();
      FailureOr<uint64_t> bytes =
          reach(cast<MemRefType>(operand.getType()), launch);
      if (failed(bytes))
        return failure();
      binding->bytes = *bytes;
      program_.bindings.push_back(*binding);
    }
    program_.kernels.push_back(std::move(k));
    program_.dispatches.push_back(d);
    return success();
  }

  ModuleOp module_;
  func::FuncOp main_;
  size_t numInputs_, numOutputs_;
  DeviceProgram program_;
  llvm::StringMap<uint32_t> constantIndex_;
};

} // namespace

FailureOr<DeviceProgram> cnnc::readDeviceProgram(ModuleOp module,
                                                 size_t numInputs,
                                                 size_t numOutputs) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return module.emitError("GPU artifact: no host function 'main'");
  return Reader(module, main, numInputs, numOutputs).read();
}

llvm::Constant *cnnc::emitDeviceProgram(ArtifactABIBuilder &abi,
                                        const DeviceProgram &program) {
  llvm::LLVMContext &ctx = abi.context();
  llvm::PointerType *ptr = abi.ptrType();
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *dim3 = llvm::ArrayType::get(i32, 3);
  auto u32 = [&](uint64_t v) { return llvm::ConstantInt::get(i32, v); };
  auto u64 = [&](uint64_t v) { return llvm::ConstantInt::get(i64, v); };
  auto triple = [&](const std::array<uint32_t, 3> &v) {
    return llvm::ConstantArray::get(dim3, {u32(v[0]), u32(v[1]), u32(v[2])});
  };
  auto array = [&](llvm::Type *type, ArrayRef<llvm::Constant *> elements,
                   const char *name) -> llvm::Constant * {
    if (elements.empty())
      return llvm::ConstantPointerNull::get(ptr);
    return abi.global(
        llvm::ConstantArray::get(llvm::ArrayType::get(type, elements.size()),
                                 elements),
        name);
  };
  auto blob = [&](StringRef bytes, unsigned align, const char *name) {
    llvm::GlobalVariable *var = abi.global(
        llvm::ConstantDataArray::getRaw(bytes, bytes.size(),
                                        llvm::Type::getInt8Ty(ctx)),
        name);
    var->setAlignment(llvm::Align(align));
    return var;
  };

  auto *kernelType =
      llvm::StructType::get(ctx, {ptr, ptr, ptr, i64, i32, dim3});
  std::vector<llvm::Constant *> kernels;
  for (const DeviceProgram::Kernel &k : program.kernels)
    kernels.push_back(llvm::ConstantStruct::get(
        kernelType, {abi.string(k.name), abi.string(k.nodes),
                     blob(k.code, 16, "cnnc.code"), u64(k.code.size()),
                     u32(k.numBindings), triple(k.workgroupSize)}));
  auto *dispatchType = llvm::StructType::get(ctx, {i32, i32, dim3});
  std::vector<llvm::Constant *> dispatches;
  for (const DeviceProgram::Dispatch &d : program.dispatches)
    dispatches.push_back(llvm::ConstantStruct::get(
        dispatchType, {u32(d.kernel), u32(d.firstBinding), triple(d.grid)}));
  auto *bindingType = llvm::StructType::get(ctx, {i32, i32, i64, i64});
  std::vector<llvm::Constant *> bindings;
  for (const DeviceProgram::Binding &b : program.bindings)
    bindings.push_back(llvm::ConstantStruct::get(
        bindingType, {u32(b.kind), u32(b.index), u64(b.offset), u64(b.bytes)}));
  auto *constantType = llvm::StructType::get(ctx, {ptr, i64});
  std::vector<llvm::Constant *> constants;
  for (const std::string &bytes : program.constants)
    constants.push_back(llvm::ConstantStruct::get(
        constantType, {blob(bytes, 64, "cnnc.weights"), u64(bytes.size())}));

  auto *programType = llvm::StructType::get(
      ctx, {i32, i32, i32, i32, ptr, ptr, ptr, ptr});
  return abi.global(
      llvm::ConstantStruct::get(
          programType,
          {u32(kernels.size()), u32(dispatches.size()), u32(bindings.size()),
           u32(constants.size()), array(kernelType, kernels, "cnnc.kernels"),
           array(dispatchType, dispatches, "cnnc.dispatches"),
           array(bindingType, bindings, "cnnc.bindings"),
           array(constantType, constants, "cnnc.constants")}),
      "cnnc.program");
}

LogicalResult cnnc::writeGPUArtifact(StringRef target,
                                     const DeviceProgram &program,
                                     const ArtifactSignature &signature,
                                     StringRef outputPath, Location loc) {
  llvm::LLVMContext context;
  llvm::Module module("cnnc_artifact", context);
  std::string error;
  // Data and two accessors: any x86-64 runs it.
  std::unique_ptr<llvm::TargetMachine> tm =
      createHostTargetMachine("generic", 2, error);
  if (!tm)
    return emitError(loc) << error;
  module.setDataLayout(tm->createDataLayout());
  module.setTargetTriple(tm->getTargetTriple().str());
  ArtifactABIBuilder abi(module);
  abi.emitInfo(target, signature, program.workspaceBytes,
               emitDeviceProgram(abi, program));
  return linkSharedLibrary(module, "generic", 2, outputPath, loc);
}

LogicalResult cnnc::finishGPUTarget(
    StringRef target, StringRef emit, StringRef comment, ModuleOp module,
    const ArtifactSignature &signature, const FinishRequest &request,
    function_ref<FailureOr<KernelCode>(const DeviceProgram::Kernel &, bool)>
        codegen) {
  FailureOr<DeviceProgram> program = readDeviceProgram(
      module, signature.inputs.size(), signature.outputs.size());
  if (failed(program))
    return failure();
  bool withText = !request.dumpDir.empty() || request.emit == emit;
  std::string listing;
  for (DeviceProgram::Kernel &kernel : program->kernels) {
    FailureOr<KernelCode> code = codegen(kernel, withText);
    if (failed(code))
      return failure();
    kernel.code = std::move(code->code);
    if (!request.dumpDir.empty()) {
      for (const auto &[extension, bytes] : code->dumps) {
        llvm::SmallString<128> path(request.dumpDir);
        llvm::sys::path::append(path, kernel.module + "." + extension);
        if (failed(writeBinary(path, bytes)))
          return failure();
      }
    }
    if (withText)
      listing += (comment + " kernel " + kernel.module + " (" + kernel.nodes +
                  ")\n" + code->text + "\n")
                     .str();
  }
  if (request.emit == emit)
    return writeBinary(request.outputPath, listing);
  return writeGPUArtifact(target, *program, signature, request.outputPath,
                          module.getLoc());
}
