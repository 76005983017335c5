// Durations as errors and reports print them: "3.2 s", "45 ms", "0.31 ms".
#pragma once

#include <string>

#include "kdp/base/endpoint.h"

namespace kdp::client {

std::string duration_text(Duration d);

}  // namespace kdp::client
