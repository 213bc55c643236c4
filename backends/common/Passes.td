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

def PrivateDestinations
    : Pass<"cnnc-private-destinations", "mlir::func::FuncOp"> {
  let summary = "Give every kernel a destination tensor of its own";
  let description = [{
    Before bufferization: a `tensor.empty`, or a `linalg.fill` of one, that
    several ops use (CSE merged identical ones) is cloned for every user but
    the first, so that bufferization gives each kernel its own buffer
    instead of copying a shared initial value into a shared buffer, and
    `cnnc-forward-copies` can then compute concat pieces in place.
  }];
}

def ForwardCopies : Pass<"cnnc-forward-copies", "mlir::ModuleOp"> {
  let summary = "Compute a buffer in the place it is finally copied to";
  let description = [{
    After bufferization, a concatenation computes each piece in a buffer of
    its own and copies it into a view of the result; a result computed in a
    buffer is copied into its output argument. For each `linalg.copy` or
    `memref.copy` at the top level of a function whose source is a
    `memref.alloc` of that block (possibly through reshapes) and whose
    target is a static view (subviews, reshapes) of a function argument or
    of another such allocation, this pass replaces the buffer by the target
    seen through the inverse reshapes, and erases the copy and the buffer,
    when:

    - the copy is the buffer's last use (of it or of any view of it);
    - every user of the buffer's views takes any strided layout (linalg
      ops, vector transfers, memref.load/store; vector.load/store while the
      innermost stride stays 1), and every reshape of it stays valid for
      the target's strides;
    - nothing between the allocation and the copy accesses the target's
      root, except through static subviews whose boxes are disjoint from
      the target's.

    The target's allocation and views move above the buffer's allocation
    when they come after it. Loop-carried buffers that loops yield
    unchanged are folded first, so that the buffers' uses are direct. The
    pass repeats until no copy is left to forward, so every piece of a
    concatenation, and the concatenation itself when it is copied into an
    output, is computed in place.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // CNNC_BACKENDS_COMMON_PASSES_TD
