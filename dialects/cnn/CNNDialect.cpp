//===- CNNDialect.cpp - The cnn dialect -----------------------------------===//
#include "dialects/cnn/CNNDialect.h"
#include "dialects/cnn/CNNOps.h"

using namespace mlir;
using namespace mlir::cnn;

#include "dialects/cnn/CNNDialect.cpp.inc"

void CNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/cnn/CNNOps.cpp.inc"
      >();
}
