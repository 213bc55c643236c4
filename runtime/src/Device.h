//===- Device.h - Device strings and the GPU program interface ---*- C++
//-*-===//
//
// A device string ("cpu", "vulkan", "vulkan:1", "cuda") names a kind of
// device and optionally which one. A model loaded for a GPU device holds a
// DeviceProgram: the artifact's dispatch list made ready on that device
// (pipelines built, buffers allocated, weights uploaded, commands recorded),
// so that a run only copies the inputs in, replays and copies the outputs
// out.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_SRC_DEVICE_H
#define CNNC_RUNTIME_SRC_DEVICE_H

#include "cnnc/runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnnc::rt {

enum class DeviceKind { Cpu, Vulkan, Cuda };

/// A parsed device string.
struct DeviceSpec {
  DeviceKind kind = DeviceKind::Cpu;
  /// Which device of that kind; -1 when the string names none ("vulkan").
  int64_t index = -1;
};

/// The artifact target a device kind runs: "cpu", "vulkan" or "cuda".
const char *targetOf(DeviceKind kind);

/// Parses `text` and checks that this runtime build can run on that kind of
/// device (not that such a device exists: that is found out when a model is
/// loaded on it). Fails with CNNC_ERROR_INVALID_ARGUMENT.
cnnc_status parseDevice(const std::string &text, DeviceSpec &spec);

/// A validated GPU program ready to run on one device. Not thread-safe: the
/// model serializes run() and dispatchTimes() (see Model.h).
class DeviceProgram {
public:
  virtual ~DeviceProgram();

  /// Runs the program once. `inputs[i]` and `outputs[i]` are the caller's
  /// dense buffers, already checked against the artifact's descriptions.
  virtual cnnc_status run(void *const *inputs, void *const *outputs) = 0;

  /// The device time of each dispatch of the last run, in milliseconds, in
  /// dispatch order. CNNC_ERROR_INVALID_ARGUMENT when there is no successful
  /// last run or the device cannot time its work.
  virtual cnnc_status dispatchTimes(std::vector<double> &milliseconds) = 0;
};

} // namespace cnnc::rt

#endif // CNNC_RUNTIME_SRC_DEVICE_H
