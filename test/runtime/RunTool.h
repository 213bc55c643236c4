//===- RunTool.h - Run a tool and capture what it prints (tests) -*- C++ -*-===//
#ifndef CNNC_TEST_RUNTIME_RUNTOOL_H
#define CNNC_TEST_RUNTIME_RUNTOOL_H

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace cnnc::test {

struct Result {
  int exitCode = -1;
  std::string output; // stdout and stderr together
};

/// Runs `tool` with `args` (already shell-quoted where needed), after
/// `environment` ("NAME=value " or "").
inline Result runTool(const char *tool, const std::string &args,
                      const std::string &environment = "") {
  std::string command =
      environment + "'" + std::string(tool) + "' " + args + " 2>&1";
  Result result;
  FILE *pipe = popen(command.c_str(), "r");
  if (pipe == nullptr)
    return result;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, got);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status))
    result.exitCode = WEXITSTATUS(status);
  return result;
}

} // namespace cnnc::test

#endif // CNNC_TEST_RUNTIME_RUNTOOL_H
