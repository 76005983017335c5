// Test kernels shared by the macho tests: written once per process (the 10.7.3-sized one takes a
// few milliseconds, loading it a few more).
#pragma once

#include <optional>
#include <string>

#include "macho/kernel_image.h"
#include "tools/fixtures/testkernel/testkernel_writer.h"

namespace kdp::macho::testing {

const TestKernel& lion_kernel();     // thin, lion_10_7_3_spec()
const TestKernel& minimal_kernel();  // thin, minimal_kernel_spec()
const KernelImage& lion_image();     // lion_kernel() loaded

// Writes a spec / writes and loads it, failing the test on error.
TestKernel write_or_fail(const TestKernelSpec& spec);
KernelImage load_spec(const TestKernelSpec& spec);

// Loads bytes, failing the test on error.
KernelImage load_or_fail(const Bytes& file, const std::string& name = "test.kernel");
// The error message of loading `file`, or "" when it loads.
std::string load_error(const Bytes& file, const std::string& name = "bad.kernel");

const PlacedFunction& function_named(const TestKernel& k, const std::string& name);

// Writes bytes to a fresh file under the system temp directory and returns its path.
std::string write_temp_file(const Bytes& bytes, const std::string& stem);

// stdout of a shell command, or nullopt when it fails.
std::optional<std::string> run_command(const std::string& command);
// True when `tool` is on PATH.
bool have_tool(const std::string& tool);

}  // namespace kdp::macho::testing
