// RUN: cnnc-opt %s --cnnc-plan-memory --split-input-file | FileCheck %s

// %a and %b are live at the same time: disjoint bytes. %c is allocated
// after %a's last use, so it reuses %a's bytes.
// CHECK: module attributes {cnnc.workspace_bytes = 128 : i64}
// CHECK-LABEL: func @main
// CHECK-SAME:    %[[WS:[a-z0-9]+]]: memref<128xi8>
// CHECK-NOT:   memref.alloc
// CHECK-NOT:   memref.dealloc
// CHECK:       %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT:  %[[A:.+]] = memref.view %[[WS]][%[[C0]]][] : memref<128xi8> to memref<16xf32>
// CHECK:       %[[C64:.+]] = arith.constant 64 : index
// CHECK:       %[[B:.+]] = memref.view %[[WS]][%[[C64]]][] : memref<128xi8> to memref<16xf32>
// CHECK:       memref.copy %[[A]], %[[B]]
// CHECK:       %[[C0B:.+]] = arith.constant 0 : index
// CHECK-NEXT:  %[[C:.+]] = memref.view %[[WS]][%[[C0B]]][] : memref<128xi8> to memref<16xf32>
// CHECK:       memref.copy %[[B]], %[[C]]
// CHECK:       memref.copy %[[C]], %arg1
func.func @main(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %a, %b : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<16xf32>
  %c = memref.alloc() : memref<16xf32>
  memref.copy %b, %c : memref<16xf32> to memref<16xf32>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  memref.dealloc %c : memref<16xf32>
  return
}

// -----

// A buffer used inside a loop, through a view, lives until the loop ends,
// so %b, allocated before the loop, gets its own bytes.
// CHECK: module attributes {cnnc.workspace_bytes = 128 : i64}
// CHECK-LABEL: func @main
// CHECK:       memref.view %arg2[%c0_0][] : memref<128xi8> to memref<16xf32>
// CHECK:       memref.view %arg2[%c64][] : memref<128xi8> to memref<16xf32>
// CHECK:       scf.for
func.func @main(%in: memref<4x4xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<16xf32>
  %v = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %b = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %in[%i, %c0] : memref<4x4xf32>
    memref.store %x, %v[%i, %c0] : memref<4x4xf32>
    memref.store %x, %b[%i] : memref<16xf32>
  }
  memref.copy %b, %out : memref<16xf32> to memref<16xf32>
  %y = memref.load %b[%c0] : memref<16xf32>
  return
}

// -----

// Nothing to place: no workspace argument.
// CHECK-LABEL: func @main
// CHECK-SAME:    (%{{.+}}: memref<16xf32>, %{{.+}}: memref<16xf32>)
// CHECK-NOT:   cnnc.workspace_bytes
func.func @main(%in: memref<16xf32>, %out: memref<16xf32>) {
  memref.copy %in, %out : memref<16xf32> to memref<16xf32>
  return
}
