// kdpctl dump ADDR LEN -o FILE: kernel memory to a file.
#include <cxxopts.hpp>

#include <algorithm>
#include <ostream>

#include "cli/command.h"
#include "kgm/memory_read.h"
#include "cli/core/atomic_file.h"
#include "cli/core/examine.h"
#include "kdp/base/json.h"
#include "cli/core/number.h"
#include "cli/kernel_hooks.h"
#include "cli/progress.h"
#include "cli/session_open.h"

namespace kdp::cli {
namespace {

// The user's stderr: this process's, or through the agent its client's.
bool stderr_is_terminal(const Invocation& inv) {
  if (inv.context && inv.context->stderr_terminal) return *inv.context->stderr_terminal;
  return ProgressBar::stderr_is_terminal();
}

constexpr uint64_t kBlock = 64 * 1024;  // progress granularity; the session splits at MAXBYTES

// Reads [address, address + length) until it is done or memory stops being readable.
Expected<Bytes> read_range(client::Session& session, uint64_t address, uint64_t length, ProgressBar& progress) {
  Bytes data;
  while (data.size() < length) {
    const uint64_t want = std::min(kBlock, length - data.size());
    KDP_TRY(Bytes block, session.read_memory_partial(address + data.size(), want));
    data.insert(data.end(), block.begin(), block.end());
    progress.update(data.size(), length);
    if (block.size() < want) break;
  }
  progress.finish();
  return data;
}

// The summary goes to stderr when FILE is a stream (-, /dev/stdout, a pipe): stdout may be FILE.
void print_result(Invocation& inv, std::ostream& to, const std::string& file, uint64_t address, uint64_t length,
                  uint64_t written) {
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("file", file).hex_field("address", address).field("length", length);
    to << j.field("written", written).field("complete", written == length).end_object().str() << "\n";
    return;
  }
  to << "Wrote " << written << " bytes from " << hex(address) << " to " << file;
  if (written < length) to << " (memory at " << hex(address + written) << " is not readable; " << length << " asked)";
  to << "\n";
}

Status write_output(Invocation& inv, const std::string& file, const Bytes& data) {
  if (file != "-") return inv.write_output_file(file, data);
  inv.out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  inv.out.flush();
  if (!inv.out) return Error(ErrorKind::kIo, "dump: cannot write to stdout");
  return {};
}

Status run_dump(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(2, 2, "ADDR LEN"));
  if (!inv.flags->count("output")) return usage_error("dump: -o FILE is required");
  const std::string file = (*inv.flags)["output"].as<std::string>();
  const bool partial = inv.flags->count("partial") != 0;
  KDP_TRY(uint64_t length, parse_size(inv.args[1], "length"));
  KDP_TRY(State state, inv.load_state());
  uint64_t address = 0;
  Bytes data;
  const SessionWork work = [&](client::Session& session) -> Status {
    KDP_TRY(auto hooks, load_kernel_hooks(inv, state, &session));
    KDP_TRY(address, resolve_address(inv.args[0], *hooks));
    ProgressBar progress(inv.err, stderr_is_terminal(inv) && !inv.global.json, "dump " + hex(address));
    KDP_TRY(data, read_range(session, address, length, progress));
    return {};
  };
  KDP_TRY(auto session, open_session(inv, state, AttachKind::kReattach, work));
  // A short dump that looks complete is worse than none: without --partial nothing is written.
  if (data.size() < length && (!partial || data.empty()))
    return kgm::cannot_access(address + data.size())
        .context("dump: read " + std::to_string(data.size()) + " of " + std::to_string(length) +
                 " bytes, nothing written (--partial keeps the readable part)");
  KDP_TRY_STATUS(write_output(inv, file, data));
  const bool stream = file == "-" || is_stream_file(file);
  print_result(inv, stream ? inv.err : inv.out, file, address, length, data.size());
  return {};
}

const CommandSpec kDump{
    .name = "dump",
    .usage = "dump ADDR LEN -o FILE",
    .summary = "save LEN bytes of kernel memory (64K, 2M ... accepted) to FILE",
    .details = "Shows a progress bar when stderr is a terminal. The file is written only when every byte\n"
               "was read (atomically: an existing FILE stays intact until then; a symlink is followed and\n"
               "stays); --partial keeps what could be read before the first unreadable address. `-o -`,\n"
               "a device or a FIFO (/dev/stdout, a pipe) receive the bytes as a stream, and the summary\n"
               "goes to stderr. LEN: bytes, decimal or 0x hex, optionally with K, M or G (1.5M works).",
    .add_options =
        [](cxxopts::Options& o) {
          o.add_options("dump")("o,output", "file to write (- for stdout)", cxxopts::value<std::string>(), "FILE")(
              "partial", "write the readable prefix when memory ends early");
        },
    .run = run_dump,
};

}  // namespace

const CommandSpec& dump_command() { return kDump; }
}  // namespace kdp::cli
