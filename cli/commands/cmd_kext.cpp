// kdpctl kext add PATH[@ADDR]... | list | remove PATH...: the kexts remembered in the state file,
// which every later command loads as if given with --kext (their symbols, lines and types).
// `add` loads each one first the way every command will (bundle, Mach-O, dSYM), so a mistyped
// path is refused now; where the kext is loaded is looked up by each command, not remembered.
#include <algorithm>
#include <ostream>

#include "cli/command.h"
#include "cli/core/user_text.h"
#include "cli/kext_modules.h"
#include "kdp/base/json.h"

namespace kdp::cli {
namespace {

Status check_files(const std::string& text, bool force) {
  KDP_TRY(KextSpec spec, parse_kext_spec(text));
  KextTarget files_only;
  files_only.force = force;
  auto kext = load_kext(spec, files_only);
  if (!kext) return std::move(kext).error().context("kext add " + text);
  return {};
}

Status kext_add(Invocation& inv, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) KDP_TRY_STATUS(check_files(path, inv.global.force));
  return inv.update_state([&](State& now) -> Status {
    for (const std::string& path : paths)
      if (std::find(now.kexts.begin(), now.kexts.end(), path) == now.kexts.end()) now.kexts.push_back(path);
    return {};
  });
}

Status kext_remove(Invocation& inv, const std::vector<std::string>& paths) {
  return inv.update_state([&](State& now) -> Status {
    for (const std::string& path : paths) {
      auto it = std::find(now.kexts.begin(), now.kexts.end(), path);
      if (it == now.kexts.end()) return usage_error("kext remove: " + quote_user_text(path) + " is not remembered (kdpctl kext list)");
      now.kexts.erase(it);
    }
    return {};
  });
}

Status kext_list(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().key("kexts").begin_array();
    for (const std::string& path : state.kexts) j.value(path);
    inv.out << j.end_array().end_object().str() << "\n";
    return {};
  }
  if (state.kexts.empty()) inv.out << "No kexts remembered (kdpctl kext add PATH).\n";
  for (const std::string& path : state.kexts) inv.out << path << "\n";
  return {};
}

Status run_kext(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 64, "add PATH[@ADDR]...|list|remove PATH..."));
  const std::string what = inv.args[0];
  std::vector<std::string> paths(inv.args.begin() + 1, inv.args.end());
  inv.args.clear();
  if (what == "list") {
    if (!paths.empty()) return usage_error("kext list: unexpected argument " + quote_user_text(paths[0]));
    return kext_list(inv);
  }
  if (what != "add" && what != "remove") return usage_error("kext: expected add, list or remove, got " + quote_user_text(what));
  if (paths.empty()) return usage_error("kext " + what + ": expected PATH[@ADDR]...");
  KDP_TRY_STATUS(what == "add" ? kext_add(inv, paths) : kext_remove(inv, paths));
  // Silent on success as gdb's settings are; a script still gets one document: the set as it is now.
  return inv.global.json ? kext_list(inv) : Status{};
}

const CommandSpec kKext{
    .name = "kext",
    .usage = "kext add PATH[@ADDR]...|list|remove PATH...",
    .summary = "remember your kexts (a .kext bundle or its Mach-O, its .dSYM beside it) for every later command",
    .details = "A remembered kext is loaded by every command as if given with --kext: its symbols slid to\n"
               "where the running kernel's kmod list (by bundle id) or @ADDR puts it, its UUID checked\n"
               "against the Mach-O header in memory there, its dSYM's lines, arguments and types beside\n"
               "the kernel's. `reattach --kext PATH` remembers the kexts given, as it remembers --kernel.\n"
               "--kext on a command line is used instead of the remembered ones.",
    .run = run_kext,
};

}  // namespace

const CommandSpec& kext_command() { return kKext; }
}  // namespace kdp::cli
