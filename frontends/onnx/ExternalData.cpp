//===- ExternalData.cpp - Tensor data kept in files next to the model -----===//
#include "frontends/onnx/ExternalData.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;
using namespace cnnc;
using namespace cnnc::onnx_import;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

/// The entries of TensorProto.external_data that cnnc reads.
struct ExternalDataInfo {
  std::string location;
  uint64_t offset = 0;
  /// Absent: the data runs to the end of the file.
  std::optional<uint64_t> length;
};

using ErrorFn = llvm::function_ref<InFlightDiagnostic()>;

} // namespace

/// `s` in single quotes, with non-printable characters escaped, so that a
/// hostile location cannot break the one-line diagnostic.
static std::string quote(llvm::StringRef s) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << '\'';
  llvm::printEscapedString(s, os);
  os << '\'';
  return out;
}

static FailureOr<ExternalDataInfo> parseEntries(const onnx::TensorProto &t,
                                                ErrorFn error) {
  ExternalDataInfo info;
  llvm::StringSet<> seen;
  for (const onnx::StringStringEntryProto &entry : t.external_data()) {
    llvm::StringRef key = entry.key(), value = entry.value();
    if (!seen.insert(key).second)
      return error() << "has external_data key " << quote(key)
                     << " more than once";
    if (key == "location") {
      info.location = value.str();
    } else if (key == "offset" || key == "length") {
      uint64_t n;
      if (value.getAsInteger(10, n))
        return error() << "has external data " << key << " " << quote(value)
                       << "; expected a non-negative integer";
      if (key == "offset")
        info.offset = n;
      else
        info.length = n;
    } else if (key != "checksum") {
      return error() << "has unsupported external_data key " << quote(key);
    }
  }
  if (info.location.empty())
    return error() << "has external data with no location";
  return info;
}

/// Rejects locations that could name a file outside the model's directory
/// whatever the file system holds.
static LogicalResult checkLocationText(llvm::StringRef location,
                                       ErrorFn error) {
  if (location.contains('\0'))
    return error() << "has external data location " << quote(location)
                   << " containing a NUL character";
  if (path::is_absolute(location))
    return error() << "has absolute external data location " << quote(location)
                   << "; it must be relative to the model's directory";
  for (llvm::StringRef component :
       llvm::make_range(path::begin(location), path::end(location)))
    if (component == "..")
      return error() << "has external data location " << quote(location)
                     << " with a '..' component; it must stay inside the "
                        "model's directory";
  return success();
}

/// Walks `location` from the model's directory one component at a time
/// without following symbolic links; returns the file's path and status.
static FailureOr<std::string> findFile(llvm::StringRef dir,
                                       llvm::StringRef location,
                                       fs::file_status &status, ErrorFn error) {
  llvm::SmallString<256> full(dir);
  llvm::SmallString<128> walked;
  for (llvm::StringRef component :
       llvm::make_range(path::begin(location), path::end(location))) {
    if (component == ".")
      continue;
    path::append(full, component);
    path::append(walked, component);
    if (std::error_code ec = fs::status(full, status, /*Follow=*/false))
      return error() << "has external data location " << quote(location)
                     << " that cannot be accessed (" << quote(walked)
                     << "): " << ec.message();
    if (status.type() == fs::file_type::symlink_file)
      return error() << "has external data location " << quote(location)
                     << " through the symbolic link " << quote(walked)
                     << "; symbolic links are not followed";
  }
  if (walked.empty() || status.type() != fs::file_type::regular_file)
    return error() << "has external data location " << quote(location)
                   << " that is not a regular file";
  return std::string(full);
}

/// Defense in depth: the resolved file must lie inside the resolved model
/// directory (the walk above already refuses every way out).
static LogicalResult checkInside(llvm::StringRef dir, llvm::StringRef file,
                                 llvm::StringRef location, ErrorFn error) {
  llvm::SmallString<256> realDir, realFile;
  if (std::error_code ec = fs::real_path(dir, realDir))
    return error() << "has external data, but the model's directory "
                   << quote(dir) << " cannot be resolved: " << ec.message();
  if (std::error_code ec = fs::real_path(file, realFile))
    return error() << "has external data location " << quote(location)
                   << " that cannot be resolved: " << ec.message();
  llvm::StringRef rest = realFile;
  if (!rest.consume_front(realDir) ||
      !(path::is_separator(realDir.back()) ||
        (!rest.empty() && path::is_separator(rest.front()))))
    return error() << "has external data location " << quote(location)
                   << " that resolves outside the model's directory";
  return success();
}

ExternalDataDir onnx_import::externalDataDirOf(llvm::StringRef modelName) {
  ExternalDataDir dir;
  if (fs::is_regular_file(modelName)) {
    llvm::StringRef parent = path::parent_path(modelName);
    dir.path = parent.empty() ? "." : parent.str();
  } else {
    dir.whyNone = "the model was not read from a file (" + quote(modelName) +
                  " is not one), so there is no directory to find it in";
  }
  return dir;
}

LogicalResult onnx_import::readExternalData(
    const onnx::TensorProto &t, const ExternalDataDir &dir, uint64_t size,
    llvm::function_ref<char *()> destination, ErrorFn emitError) {
  auto error = [&] { return emitError() << "tensor '" << t.name() << "' "; };
  if (dir.path.empty())
    return error() << "stores its data in an external file, but "
                   << dir.whyNone;
  FailureOr<ExternalDataInfo> info = parseEntries(t, error);
  if (failed(info))
    return failure();
  llvm::StringRef location = info->location;
  if (failed(checkLocationText(location, error)))
    return failure();

  fs::file_status found;
  FailureOr<std::string> file = findFile(dir.path, location, found, error);
  if (failed(file) || failed(checkInside(dir.path, *file, location, error)))
    return failure();

  llvm::Expected<fs::file_t> fd = fs::openNativeFileForRead(*file);
  if (!fd)
    return error() << "has external data file " << quote(location)
                   << " that cannot be opened: "
                   << llvm::toString(fd.takeError());
  auto closeOnExit = llvm::make_scope_exit([&] { fs::closeFile(*fd); });
  // Check what was opened, not what was looked at: the same file (not one
  // swapped in since) with a single link.
  fs::file_status opened;
  if (std::error_code ec = fs::status(*fd, opened))
    return error() << "has external data file " << quote(location)
                   << " that cannot be examined: " << ec.message();
  if (opened.getUniqueID() != found.getUniqueID())
    return error() << "has external data file " << quote(location)
                   << " that changed while it was being opened";
  if (opened.getLinkCount() > 1)
    return error() << "has external data file " << quote(location) << " with "
                   << opened.getLinkCount()
                   << " hard links; a file with more than one link may be "
                      "shared with one outside the model's directory";

  uint64_t fileSize = opened.getSize();
  uint64_t offset = info->offset;
  if (offset > fileSize)
    return error() << "has external data offset " << offset
                   << " beyond the end of " << quote(location) << " ("
                   << fileSize << " bytes)";
  // Compared without computing offset + length, which may overflow.
  uint64_t length = info->length.value_or(fileSize - offset);
  if (length > fileSize - offset)
    return error() << "has external data offset " << offset << " + length "
                   << length << " beyond the end of " << quote(location) << " ("
                   << fileSize << " bytes)";
  if (length != size)
    return error() << "has " << length << " bytes of external data"
                   << (info->length ? "" : " (the rest of the file)")
                   << ", expected " << size;

  llvm::MutableArrayRef<char> dest(destination(), size);
  for (uint64_t done = 0; done < size;) {
    llvm::Expected<size_t> n =
        fs::readNativeFileSlice(*fd, dest.drop_front(done), offset + done);
    if (!n)
      return error() << "has external data file " << quote(location)
                     << " that cannot be read: "
                     << llvm::toString(n.takeError());
    if (*n == 0)
      return error() << "has external data file " << quote(location)
                     << " that shrank while it was being read";
    done += *n;
  }
  return success();
}
