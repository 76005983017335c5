#include "cli/core/state.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <system_error>
#include <vector>

#include "kdp/base/bytes.h"
#include "cli/core/atomic_file.h"
#include "cli/core/number.h"
#include "cli/core/state_lock.h"
#include "cli/core/state_session.h"
#include "cli/core/user_text.h"

namespace kdp::cli {
namespace {

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!(s = trim(s)).empty()) {
    const size_t end = s.find_first_of(" \t");
    out.push_back(s.substr(0, end));
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  return out;
}

Expected<int> parse_int(std::string_view text, std::string_view what, int min, int max) {
  KDP_TRY(uint64_t v, parse_u64(text, what));
  if (v < static_cast<uint64_t>(min) || v > static_cast<uint64_t>(max))
    return usage_error(std::string(what) + " " + std::string(text) + " is outside " + std::to_string(min) +
                       ".." + std::to_string(max));
  return static_cast<int>(v);
}

Status single_word(std::string_view value, std::string_view key) {
  if (value.empty()) return usage_error(std::string(key) + " needs a value");
  if (words(value).size() != 1) return usage_error(std::string(key) + " takes one word, got " + quote_user_text(value));
  return {};
}

Expected<char> parse_letter(std::string_view value, std::string_view letters, std::string_view key) {
  if (value == "natural" && key == "x.format") return '\0';
  if (value.size() == 1 && letters.find(value[0]) != std::string_view::npos) return value[0];
  return usage_error(std::string(key) + " " + quote_user_text(value) + " is not one of " + std::string(letters));
}

Status parse_breakpoint(std::string_view value, State& state) {
  const std::vector<std::string_view> w = words(value);
  Breakpoint bp;
  bp.temporary = !w.empty() && w.back() == "temporary";
  const size_t fields = w.size() - (bp.temporary ? 1 : 0);
  if (fields != 2 && !(fields == 4 && w[2] == "hits"))
    return usage_error("expected \"breakpoint NUMBER ADDRESS [hits COUNT] [temporary]\"");
  KDP_TRY(bp.number, parse_int(w[0], "breakpoint number", 1, 1000000));
  KDP_TRY(bp.address, parse_u64(w[1], "breakpoint address"));
  if (fields == 4) {
    KDP_TRY(bp.hits, parse_u64(w[3], "hit count"));
  }
  return state.breakpoints.restore(bp);
}

Status parse_planted(std::string_view value, State& state) {
  const std::vector<std::string_view> w = words(value);
  if (w.size() != 2) return usage_error("expected \"planted ADDRESS ORIGINAL-BYTE\"");
  PlantedBreakpoint p;
  KDP_TRY(p.address, parse_u64(w[0], "planted address"));
  KDP_TRY(uint64_t original, parse_u64(w[1], "original byte"));
  if (original > 0xff) return usage_error("original byte " + std::string(w[1]) + " is not a byte");  // a number by now
  p.original = static_cast<uint8_t>(original);
  state.planted.push_back(p);
  return {};
}

bool is_value_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "value NAME BITS ADDRESS|- TYPE...": the type last, as it may hold blanks.
Status parse_value(std::string_view value, State& state) {
  const std::vector<std::string_view> w = words(value);
  if (w.size() < 4) return usage_error("expected \"value NAME BITS ADDRESS|- TYPE\"");
  if (!is_value_name(w[0])) return usage_error("value name " + quote_user_text(w[0]) + " is not a name");
  StoredValue v;
  KDP_TRY(v.bits, parse_u64(w[1], "value bits"));
  if (w[2] != "-") {
    KDP_TRY(v.address, parse_u64(w[2], "value address"));
  }
  const size_t type_start = static_cast<size_t>(w[3].data() - value.data());
  v.type = std::string(trim(value.substr(type_start)));
  state.values[std::string(w[0])] = std::move(v);
  return {};
}

using KeyParser = std::function<Status(std::string_view value, State& state)>;

const std::map<std::string_view, KeyParser>& key_parsers() {
  static const std::map<std::string_view, KeyParser> parsers = {
      {"format", [](std::string_view v, State&) -> Status {
         KDP_TRY(int f, parse_int(v, "format", 1, 1000000));
         if (f != kStateFormat)
           return usage_error("format " + std::to_string(f) + " was written by a newer kdpctl (this one reads format " +
                              std::to_string(kStateFormat) + ")");
         return {};
       }},
      {"target", [](std::string_view v, State& s) -> Status {
         KDP_TRY_STATUS(single_word(v, "target"));
         s.target = std::string(v);
         return {};
       }},
      {"running", [](std::string_view v, State& s) -> Status {
         KDP_TRY_STATUS(single_word(v, "running"));
         s.running = std::string(v);
         return {};
       }},
      {"kernel", [](std::string_view v, State& s) -> Status {
         if (v.empty()) return usage_error("kernel needs a path");
         s.kernel = std::string(v);
         return {};
       }},
      {"kext", [](std::string_view v, State& s) -> Status {
         if (v.empty()) return usage_error("kext needs a path");
         s.kexts.emplace_back(v);
         return {};
       }},
      {"disassembly-flavor", [](std::string_view v, State& s) -> Status {
         if (v != "att" && v != "intel") return usage_error("disassembly-flavor must be att or intel");
         s.disassembly_flavor = std::string(v);
         return {};
       }},
      {"srtt-us", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.srtt_us, parse_u64(v, "srtt-us"));
         return {};
       }},
      {"retries", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.retries, parse_int(v, "retries", 1, 1000));
         return {};
       }},
      {"timeout-ms", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.timeout_ms, parse_u64(v, "timeout-ms"));
         return {};
       }},
      {"breakpoint", parse_breakpoint},
      {"planted", parse_planted},
      {"session", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.session, parse_kept_session(v));
         return {};
       }},
      {"next-breakpoint", [](std::string_view v, State& s) -> Status {
         KDP_TRY(int n, parse_int(v, "next-breakpoint", 1, 1000001));
         return s.breakpoints.set_next_number(n);
       }},
      {"x.format", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.examine.last_format, parse_letter(v, "xduotzacsi", "x.format"));
         return {};
       }},
      {"x.size", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.examine.last_size, parse_letter(v, "bhwg", "x.size"));
         return {};
       }},
      {"x.count", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.examine.last_count, parse_int(v, "x.count", 0, 1000000));
         return {};
       }},
      {"x.next", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.next_address, parse_u64(v, "x.next"));
         return {};
       }},
      {"value", parse_value},
      {"select", [](std::string_view v, State& s) -> Status {
         KDP_TRY(s.selection, parse_selection(v));
         return {};
       }},
      {"print.next", [](std::string_view v, State& s) -> Status {
         KDP_TRY(int next, parse_int(v, "print.next", 1, 1000000000));
         s.next_value = static_cast<uint64_t>(next);
         return {};
       }},
  };
  return parsers;
}

Status check_characters(std::string_view line) {
  for (char c : line)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
      return usage_error("unexpected control character " + hex(static_cast<unsigned char>(c)));
  return {};
}

Status parse_line(std::string_view raw, State& state) {
  KDP_TRY_STATUS(check_characters(raw));
  const std::string_view line = trim(raw);
  if (line.empty() || line[0] == '#') return {};
  const size_t end = line.find_first_of(" \t");
  const std::string_view key = line.substr(0, end);
  const std::string_view value = end == std::string_view::npos ? std::string_view() : trim(line.substr(end));
  const auto& parsers = key_parsers();
  const auto it = parsers.find(key);
  if (it == parsers.end()) return usage_error("unknown key " + quote_user_text(key));
  return it->second(value, state);
}

}  // namespace

Expected<State> parse_state(std::string_view text, std::string_view path) {
  State state;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    Status parsed = parse_line(line, state);
    if (!parsed)
      return std::move(parsed).error().context("state file " + std::string(path) + ":" + std::to_string(line_number));
  }
  return state;
}

std::string serialize_state(const State& s) {
  std::ostringstream out;
  out << "# kdpctl state: written by kdpctl; one \"key value\" per line\n";
  out << "format " << kStateFormat << "\n";
  if (s.target) out << "target " << *s.target << "\n";
  if (s.kernel) out << "kernel " << *s.kernel << "\n";
  for (const std::string& kext : s.kexts) out << "kext " << kext << "\n";
  if (s.disassembly_flavor) out << "disassembly-flavor " << *s.disassembly_flavor << "\n";
  if (s.retries) out << "retries " << *s.retries << "\n";
  if (s.timeout_ms) out << "timeout-ms " << *s.timeout_ms << "\n";
  if (s.srtt_us) out << "srtt-us " << *s.srtt_us << "\n";
  for (const Breakpoint& b : s.breakpoints.entries()) {
    out << "breakpoint " << b.number << " " << hex(b.address);
    if (b.hits) out << " hits " << b.hits;
    if (b.temporary) out << " temporary";
    out << "\n";
  }
  if (s.breakpoints.next_number() > 1) out << "next-breakpoint " << s.breakpoints.next_number() << "\n";
  for (const PlantedBreakpoint& p : s.planted) out << "planted " << hex(p.address) << " " << hex(p.original) << "\n";
  if (s.running) out << "running " << *s.running << "\n";
  if (s.session)
    if (auto line = format_kept_session(*s.session)) out << "session " << *line << "\n";
  if (s.examine.last_format) out << "x.format " << s.examine.last_format << "\n";
  if (s.examine.last_size != 'w') out << "x.size " << s.examine.last_size << "\n";
  if (s.examine.last_count) out << "x.count " << s.examine.last_count << "\n";
  if (s.next_address) out << "x.next " << hex(*s.next_address) << "\n";
  if (s.next_value) out << "print.next " << *s.next_value << "\n";
  for (const auto& [name, v] : s.values)
    out << "value " << name << " " << hex(v.bits) << " " << (v.address ? hex(*v.address) : "-") << " " << v.type << "\n";
  if (s.selection) out << "select " << format_selection(*s.selection) << "\n";
  return out.str();
}

Expected<State> load_state(const std::string& path) {
  auto text = read_regular_file(path, kMaxStateBytes);
  if (!text) {
    if (text.error().kind() == ErrorKind::kNotFound) return State{};
    return std::move(text).error().context("state file");
  }
  return parse_state(*text, path);
}

namespace {

Status create_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Error(ErrorKind::kIo, "cannot create directory " + parent.string() + ": " + ec.message());
  return {};
}

// "20261201-151200": when a corrupt state file was set aside, in UTC.
std::string utc_stamp() {
  const time_t now = ::time(nullptr);
  struct tm utc {};
  ::gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &utc);
  return buf;
}

}  // namespace

Status save_state(const std::string& path, const State& state) {
  if (state.kernel && state.kernel->find('\n') != std::string::npos)
    return usage_error("kernel path contains a newline; it cannot be stored in " + path);
  for (const std::string& kext : state.kexts)
    if (kext.find('\n') != std::string::npos)
      return usage_error("kext path contains a newline; it cannot be stored in " + path);
  KDP_TRY_STATUS(create_parent_directory(path));
  const std::string text = serialize_state(state);
  const Bytes bytes(text.begin(), text.end());
  return write_file(path, bytes, 0600);
}

Status update_state(const std::string& path, const StateChange& change) {
  KDP_TRY(std::string real, resolve_symlinks(path));
  KDP_TRY_STATUS(create_parent_directory(real));
  KDP_TRY(StateLock lock, StateLock::acquire(real));
  KDP_TRY(State state, load_state(path));
  KDP_TRY_STATUS(change(state));
  return save_state(path, state);
}

Expected<std::optional<SetAside>> set_aside_corrupt_state(const std::string& path) {
  KDP_TRY(std::string real, resolve_symlinks(path));
  struct stat st;
  // Only a regular file is ours to move; anything else keeps its clear error in load_state.
  if (::lstat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::optional<SetAside>();
  KDP_TRY(StateLock lock, StateLock::acquire(real));
  auto text = read_regular_file(real, kMaxStateBytes);
  std::string problem;
  if (text) {
    auto parsed = parse_state(*text, path);
    if (parsed) return std::optional<SetAside>();
    problem = parsed.error().message();
  } else if (text.error().kind() == ErrorKind::kUsage) {
    problem = text.error().message();  // larger than any state file kdpctl writes
  } else {
    return std::move(text).error().context("state file");
  }
  std::string aside = real + ".corrupt-" + utc_stamp();
  if (::access(aside.c_str(), F_OK) == 0) aside += "-" + std::to_string(::getpid());
  if (::rename(real.c_str(), aside.c_str()) != 0)
    return Error(ErrorKind::kIo, "cannot move the corrupt state file " + real + " aside: " + std::strerror(errno));
  return std::optional<SetAside>(SetAside{aside, problem});
}

Expected<std::string> default_state_path(const char* kdpctl_state, const char* xdg_state_home, const char* home) {
  const auto set = [](const char* v) { return v != nullptr && *v != '\0'; };
  if (set(kdpctl_state)) return std::string(kdpctl_state);
  if (set(xdg_state_home)) return std::string(xdg_state_home) + "/kdpctl/state";
  if (set(home)) return std::string(home) + "/.local/state/kdpctl/state";
  return usage_error("no state file: set KDPCTL_STATE or HOME, or pass --state FILE");
}

}  // namespace kdp::cli
