#include "tests/dwarf/dwarf_support.h"

#include <array>
#include <cstdio>
#include <regex>
#include <sstream>

#include "tests/support/requirements.h"

namespace kdp::test {
namespace {

const std::regex kDieLine(R"(^0x[0-9a-f]+:( +)(DW_TAG_\w+|NULL))");
const std::regex kAttrLine(R"(^ +(DW_AT_\w+)\s+\((.*)\)$)");

std::string strip_quotes(const std::string& s) {
  return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

uint64_t number_in(const std::string& text) {
  const size_t at = text.find("0x");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at), nullptr, 16);
}

}  // namespace

std::string dwarf_kernel(const std::string& variant) {
  const std::string first = KDPCTL_DWARF_KERNEL;  // .../kernel/mach_kernel
  if (!require_input(!first.empty(), "clang, ld64.lld, dsymutil and llvm-dwarfdump (the DWARF test kernel)")) return {};
  return first.substr(0, first.rfind('/') + 1) + variant;
}

std::string dwarf_file(const std::string& variant) {
  const std::string kernel = dwarf_kernel(variant);
  return kernel.empty() ? kernel : kernel + ".dSYM/Contents/Resources/DWARF/" + variant;
}

std::string run_dwarfdump(const std::string& arguments, const std::string& variant) {
  const std::string command = std::string(KDPCTL_LLVM_DWARFDUMP) + " " + arguments + " '" + dwarf_file(variant) + "'";
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
    pclose(pipe);
  }
  return out;
}

std::map<std::string, std::map<std::string, std::string>> dwarfdump_members(const std::string& type_name,
                                                                            const std::string& variant) {
  std::istringstream in(run_dwarfdump("--name=" + type_name + " --show-children", variant));
  std::map<std::string, std::map<std::string, std::string>> members;
  std::map<std::string, std::string> current;
  bool in_member = false, seen_root = false;
  auto flush = [&] {
    if (in_member && current.contains("DW_AT_name")) members[strip_quotes(current["DW_AT_name"])] = current;
    current.clear();
  };
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kDieLine)) {
      flush();
      const size_t depth = (m[1].length() - 1) / 2;
      if (depth == 0 && seen_root) break;  // only the first DIE llvm-dwarfdump found
      seen_root = true;
      in_member = depth == 1 && m[2] == "DW_TAG_member";
    } else if (std::regex_match(line, m, kAttrLine)) {
      current[m[1]] = m[2];
    }
  }
  flush();
  return members;
}

std::map<std::string, uint64_t> dwarfdump_member_offsets(const std::string& type_name, const std::string& variant) {
  std::map<std::string, uint64_t> offsets;
  for (const auto& [name, attrs] : dwarfdump_members(type_name, variant))
    if (auto it = attrs.find("DW_AT_data_member_location"); it != attrs.end()) offsets[name] = number_in(it->second);
  return offsets;
}

std::vector<DumpedRow> dwarfdump_line_rows(const std::string& variant) {
  std::istringstream in(run_dwarfdump("--debug-line", variant));
  const std::regex row(R"(^0x([0-9a-f]{16}) +(\d+) +\d+ +\d+ +\d+ +\d+ +(.*)$)");
  std::vector<DumpedRow> rows;
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, row))
      rows.push_back({std::stoull(m[1], nullptr, 16), static_cast<uint32_t>(std::stoul(m[2])),
                      m[3].str().find("end_sequence") != std::string::npos});
  return rows;
}

std::optional<DumpedFunction> dwarfdump_function(const std::string& name, const std::string& variant) {
  std::istringstream in(run_dwarfdump("--name=" + name + " --show-children", variant));
  DumpedFunction f;
  bool found = false, in_param = false;
  std::string param, location, line;
  auto flush = [&] {
    if (in_param && location.starts_with("DW_OP_fbreg ")) f.fbreg_params.emplace_back(param, std::stoll(location.substr(12)));
    param.clear();
    location.clear();
  };
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kDieLine)) {
      flush();
      in_param = m[2] == "DW_TAG_formal_parameter";
    } else if (std::regex_match(line, m, kAttrLine)) {
      if (m[1] == "DW_AT_low_pc" && !found) f.low_pc = number_in(m[2]), found = true;
      if (m[1] == "DW_AT_name") param = strip_quotes(m[2]);
      if (m[1] == "DW_AT_location") location = m[2];
    }
  }
  flush();
  if (!found) return std::nullopt;
  return f;
}

std::string dwarfdump_uuid() {
  std::smatch m;
  const std::string out = run_dwarfdump("--uuid");
  if (std::regex_search(out, m, std::regex(R"(UUID: ([0-9A-F-]{36}))"))) return m[1];
  return {};
}

}  // namespace kdp::test
