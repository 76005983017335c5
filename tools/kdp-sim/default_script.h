// The path the simulated CPU walks when --script is not given: the instructions that follow the
// snapshot's RIP, decoded with Capstone up to the first `ret` (at most 16), looping.
#pragma once

#include <cstdint>
#include <vector>

#include "kdp/stub/memory.h"

namespace kdp::sim {

std::vector<uint64_t> default_script(const stub::Memory& memory, uint64_t rip);

}  // namespace kdp::sim
