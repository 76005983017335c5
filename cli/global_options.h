// Options every subcommand accepts, before or after the command word.
#pragma once

#include <string>

#include "kdp/base/error.h"
#include "cli/invocation.h"

namespace cxxopts {
class Options;
class ParseResult;
}  // namespace cxxopts

namespace kdp::cli {

void add_global_options(cxxopts::Options& options);
Expected<GlobalOptions> read_global_options(const cxxopts::ParseResult& parsed);

// The closing part of `kdpctl --help`: exit codes and where state lives.
std::string exit_code_help();

}  // namespace kdp::cli
