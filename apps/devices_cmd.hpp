// `n2v devices`: the GPUs this build can use, or why there are none.
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace n2v::app {

CLI::App* AddDevicesCommand(CLI::App& app);
int RunDevices();
/// "13.0 (driver 12.8)" or the reason it cannot be read.
std::string CudaVersionString();

}  // namespace n2v::app
