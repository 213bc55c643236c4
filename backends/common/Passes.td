//===- Passes.td - Lowering shared by every backend --------*- tablegen -*-===//
#ifndef CNNC_BACKENDS_COMMON_PASSES_TD
#define CNNC_BACKENDS_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertCNNToLinalg : Pass<"convert-cnn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower cnn ops to linalg, tensor and arith on tensors";
  let description = [{
    The lowering every backend shares. Pointwise (1x1, unit-stride,
    unpadded) convolutions become matrix-product contractions over the
    flattened spatial dim (grouped ones a batch of them, one per group);
    other convolutions and pooling become linalg's named NCHW ops (grouped
    convolutions the NGCHW form, depthwise the CHW form) over an explicitly
    padded input; a conv's epilogue activation and the activation ops share
    one element-wise definition; element-wise ops become
    `linalg.generic` with NumPy broadcasting maps, so that linalg's
    element-wise fusion can merge them; data movement becomes tensor slices
    and reshapes. Static shapes only.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FuseElementwise : Pass<"cnnc-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse element-wise linalg ops without recomputation";
  let description = [{
    Merges chains of element-wise linalg.generic ops (BatchNorm, activations,
    residual adds) into one loop nest, and propagates reshapes through
    them. Unlike upstream's element-wise fusion it never fuses a producer
    into a consumer that has reduction loops: a convolution or matrix
    product reads each input element many times, and fusing would
    recompute the producer once per read.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def PlanMemory : Pass<"cnnc-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every intermediate buffer of @main in one workspace";
  let description = [{
    After bufferization: computes the live range of each statically shaped
    `memref.alloc` at the top level of `@main` (from the allocation to the
    end of the last top-level op that uses it or any view of it), packs the
    buffers into one byte array so that buffers whose ranges overlap never
    share bytes (largest first, first fit, each at a multiple of
    `alignment` bytes: 64 for the CPU's cache lines, 256 for the GPUs'
    descriptor offsets), and replaces
    each allocation by a `memref.view` into a new last argument of `@main`,
    the workspace. The size is recorded as the module attribute
    `cnnc.workspace_bytes`; the runtime allocates the workspace once per
    loaded model, so running allocates nothing.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "byte alignment of every buffer in the workspace">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

#endif // CNNC_BACKENDS_COMMON_PASSES_TD
