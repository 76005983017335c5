// Names for the numbers KDP carries, shared by describe() and by anything that prints a stop
// (the client's StopEvent::description). command_name() and error_name() are declared in packet.h.
#pragma once

#include <cstdint>
#include <string>

namespace kdp::wire {

// Mach exception types (osfmk/mach/exception_types.h): "EXC_BREAKPOINT" for 1..10, else
// "EXC(0x2a)".
std::string exception_name(uint32_t exception);

// KDP_TERMINATION term_code: "KDP_EXIT" for 0..4, else "KDP_TERM(0x9)".
std::string termination_name(uint32_t term_code);

}  // namespace kdp::wire
