// RUN: cnnc-opt %s --cnnc-gpu-kernels --split-input-file | FileCheck %s

// --cnnc-gpu-kernels: linalg on tensors to a host @main that only launches
// outlined kernels. Checked: one gpu.module / gpu.func per fused op, each
// kernel's workgroup and grid from its launch; gpu.launch_func operands are
// buffers only (constants were sunk into the kernels); the intermediates
// live in one workspace argument (memref<Nxi8>) of `cnnc.workspace_bytes`,
// every buffer at a 256-byte aligned offset.

// A padded 3x3 conv with bias and relu, then a 1x1 conv with a sigmoid: two
// kernels. The first takes the bias, the unpadded input (padding fused:
// no padded buffer in the workspace), the filter and its output, the one
// intermediate (1x4x8x8 floats = 1024 bytes, the whole workspace).
// CHECK:       module attributes {cnnc.workspace_bytes = 1024 : i64, gpu.container_module}
// CHECK:       func.func @main(%[[X:[^:]+]]: memref<1x3x8x8xf32> {cnn.name = "x"}, %[[Y:[^:]+]]: memref<1x2x8x8xf32> {cnn.name = "y"}, %[[WS:[^:]+]]: memref<1024xi8>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     gpu.launch blocks
// CHECK:         %[[T:.+]] = memref.view %[[WS]][%c0][] : memref<1024xi8> to memref<1x4x8x8xf32>
// CHECK-NOT:     memref.view
// CHECK:         gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%{{.+}} : memref<4xf32>, %[[X]] : memref<1x3x8x8xf32>, %{{.+}} : memref<4x3x3x3xf32>, %[[T]] : memref<1x4x8x8xf32>){{$}}
// CHECK-NEXT:    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%[[T]] : memref<1x4x8x8xf32>, %{{.+}} : memref<2x4x1x1xf32>, %[[Y]] : memref<1x2x8x8xf32>){{$}}
// CHECK-NEXT:    return
// CHECK:       gpu.module @main_kernel {
// CHECK-NEXT:    gpu.func @main_kernel(%{{.+}}: memref<4xf32>, %[[KX:[^:]+]]: memref<1x3x8x8xf32>, %{{.+}}: memref<4x3x3x3xf32>, %[[KT:[^:]+]]: memref<1x4x8x8xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>, known_grid_size = array<i32: 1, 1, 1>} {
// One invocation computes all 4 output channels (one grid-y block): one
// reduction loop, each padded input load made once for the 4 channels, 4
// epilogues and 4 stores.
// CHECK-NOT:       gpu.block_id  y
// CHECK:           scf.for
// CHECK:             scf.if
// CHECK-NEXT:          memref.load %[[KX]]
// CHECK:           arith.maximumf
// CHECK-NEXT:      memref.store %{{.+}}, %[[KT]]
// CHECK:           arith.maximumf
// CHECK-NEXT:      memref.store %{{.+}}, %[[KT]]
// CHECK:           arith.maximumf
// CHECK-NEXT:      memref.store %{{.+}}, %[[KT]]
// CHECK:           arith.maximumf
// CHECK-NEXT:      memref.store %{{.+}}, %[[KT]]
// CHECK:           gpu.return
// CHECK:       gpu.module @main_kernel_0 {
// CHECK-NEXT:    gpu.func @main_kernel(%{{.+}}: memref<1x4x8x8xf32>, %{{.+}}: memref<2x4x1x1xf32>, %[[KY:[^:]+]]: memref<1x2x8x8xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>, known_grid_size = array<i32: 1, 1, 1>} {
// CHECK:           scf.for
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:           memref.store %{{.+}}, %[[KY]]
// CHECK:           gpu.return
// CHECK-NOT:   gpu.module

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @main(%x: tensor<1x3x8x8xf32> {cnn.name = "x"}) -> (tensor<1x2x8x8xf32> {cnn.name = "y"}) {
  %w1 = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3, -0.4]> : tensor<4xf32>
  %w2 = arith.constant dense<0.25> : tensor<2x4x1x1xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %e0 = tensor.empty() : tensor<1x4x8x8xf32>
  %bias = linalg.broadcast ins(%b1 : tensor<4xf32>) outs(%e0 : tensor<1x4x8x8xf32>) dimensions = [0, 2, 3]
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %w1 : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%bias : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x4x8x8xf32>) outs(%e0 : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  %e1 = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%r, %w2 : tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>) outs(%f : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c2 : tensor<1x2x8x8xf32>) outs(%e1 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.000000e+00 : f32
    %d = arith.addf %one, %ex : f32
    %sg = arith.divf %one, %d : f32
    linalg.yield %sg : f32
  } -> tensor<1x2x8x8xf32>
  return %s : tensor<1x2x8x8xf32>
}

// -----

// Three convs whose 1x4x7x7 results (784 bytes each) are all alive at the
// add that reads them: three workspace buffers at offsets 0, 1024 and 2048
// (784 rounded up to 256-byte alignment), 3072 bytes in all. Each fill
// fuses into its conv (4 kernels for the 8 ops), and the add and the multiply
// after it are one kernel over 196 points (4 workgroups of 64).
// CHECK:       module attributes {cnnc.workspace_bytes = 3072 : i64, gpu.container_module}
// CHECK:       func.func @main(%[[X:[^:]+]]: memref<1x3x9x9xf32> {cnn.name = "x"}, %[[Y:[^:]+]]: memref<1x4x7x7xf32> {cnn.name = "y"}, %[[WS:[^:]+]]: memref<3072xi8>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1024:.+]] = arith.constant 1024 : index
// CHECK-DAG:     %[[C2048:.+]] = arith.constant 2048 : index
// CHECK-DAG:     %[[V0:.+]] = memref.view %[[WS]][%[[C0]]][] : memref<3072xi8> to memref<1x4x7x7xf32>
// CHECK-DAG:     %[[V1:.+]] = memref.view %[[WS]][%[[C1024]]][] : memref<3072xi8> to memref<1x4x7x7xf32>
// CHECK-DAG:     %[[V2:.+]] = memref.view %[[WS]][%[[C2048]]][] : memref<3072xi8> to memref<1x4x7x7xf32>
// CHECK:         gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%[[X]] : memref<1x3x9x9xf32>, %{{.+}} : memref<4x3x3x3xf32>, %{{.+}} : memref<1x4x7x7xf32>){{$}}
// CHECK-NEXT:    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%[[X]] : memref<1x3x9x9xf32>, %{{.+}} : memref<4x3x3x3xf32>, %{{.+}} : memref<1x4x7x7xf32>){{$}}
// CHECK-NEXT:    gpu.launch_func @main_kernel_1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%[[X]] : memref<1x3x9x9xf32>, %{{.+}} : memref<4x3x3x3xf32>, %{{.+}} : memref<1x4x7x7xf32>){{$}}
// CHECK-NEXT:    gpu.launch_func @main_kernel_2::@main_kernel blocks in (%c4, %c1, %c1) threads in (%c64, %c1, %c1) args(%{{.+}} : memref<1x4x7x7xf32>, %{{.+}} : memref<1x4x7x7xf32>, %{{.+}} : memref<1x4x7x7xf32>, %[[Y]] : memref<1x4x7x7xf32>){{$}}
// CHECK-NEXT:    return
// CHECK:       gpu.module @main_kernel_2 {
// CHECK-NEXT:    gpu.func @main_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 64, 1, 1>, known_grid_size = array<i32: 4, 1, 1>} {
// CHECK:           %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %c196 : index
// CHECK:           scf.if %[[IN]] {
// CHECK:             arith.addf
// CHECK:             arith.mulf
// CHECK:             memref.store
// CHECK-NOT:   gpu.module

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @main(%x: tensor<1x3x9x9xf32> {cnn.name = "x"}) -> (tensor<1x4x7x7xf32> {cnn.name = "y"}) {
  %w1 = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %w2 = arith.constant dense<0.25> : tensor<4x3x3x3xf32>
  %w3 = arith.constant dense<-0.5> : tensor<4x3x3x3xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<1x4x7x7xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %t1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%f1 : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %t2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w2 : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%f2 : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %t3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w3 : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%f3 : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  %a1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%t1, %t2 : tensor<1x4x7x7xf32>, tensor<1x4x7x7xf32>) outs(%e : tensor<1x4x7x7xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %s = arith.addf %i, %j : f32
    linalg.yield %s : f32
  } -> tensor<1x4x7x7xf32>
  %a2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a1, %t3 : tensor<1x4x7x7xf32>, tensor<1x4x7x7xf32>) outs(%e : tensor<1x4x7x7xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %s = arith.mulf %i, %j : f32
    linalg.yield %s : f32
  } -> tensor<1x4x7x7xf32>
  return %a2 : tensor<1x4x7x7xf32>
}
