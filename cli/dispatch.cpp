#include "cli/dispatch.h"

#include <cxxopts.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "cli/agent/agent_client.h"
#include "cli/agent/agent_server.h"
#include "cli/command.h"
#include "cli/core/exit_codes.h"
#include "cli/core/json_error.h"
#include "cli/core/user_text.h"
#include "kdp/base/json.h"
#include "cli/global_options.h"
#include "cli/interrupt.h"
#include "cli/shell/shell.h"

#ifndef KDPCTL_VERSION
#define KDPCTL_VERSION "0.1.0"
#endif

namespace kdp::cli {
namespace {

constexpr const char* kIntro = "kdpctl: debug a Mac OS X (XNU) kernel over KDP (UDP 41139)";

Error unknown_command(const std::string& word) {
  const std::optional<std::string> near = nearest_command(word);
  return usage_error("unknown command " + quote_user_text(word) + (near ? " (did you mean " + *near + "?)" : "") +
                     " (see kdpctl --help)");
}

std::unique_ptr<cxxopts::Options> make_parser(const CommandSpec* spec) {
  auto options = std::make_unique<cxxopts::Options>("kdpctl", "");
  options->custom_help("").positional_help("").set_width(100);
  add_global_options(*options);
  options->add_options("global")("version", "print kdpctl's version");
  if (!spec)
    options->add_options("global")("x", "run the kdpctl commands in FILE, one a line (kdpctl < FILE too)",
                                   cxxopts::value<std::string>(), "FILE");
  if (spec && spec->add_options) spec->add_options(*options);
  options->add_options()("words", "command and arguments", cxxopts::value<std::vector<std::string>>());
  options->parse_positional({"words"});
  return options;
}

// cxxopts' option table for `groups`, without its usage banner.
std::string option_help(const cxxopts::Options& parser, const std::vector<std::string>& groups) {
  std::string text = parser.help(groups, false);
  return "\n" + text.substr(text.find_first_not_of('\n'));
}

std::string general_help() {
  std::string text = std::string(kIntro) +
                     "\n\nusage: kdpctl [OPTIONS] COMMAND [ARGS]\n"
                     "       kdpctl [OPTIONS] [shell]     the (kdpctl) prompt, on a terminal\n"
                     "       kdpctl [OPTIONS] -x FILE     run a script (also kdpctl < FILE)\n";
  // The general commands first, then each group under its own heading (gdb's `help kgm`).
  std::vector<std::string_view> groups = {""};
  for (const CommandSpec* c : all_commands())
    if (std::find(groups.begin(), groups.end(), c->group) == groups.end()) groups.push_back(c->group);
  for (std::string_view group : groups) {
    text += "\n" + (group.empty() ? std::string("Commands") : std::string(group)) + ":\n";
    for (const CommandSpec* c : all_commands()) {
      if (c->group != group) continue;
      std::string usage(c->usage);
      usage.resize(std::max<size_t>(usage.size() + 2, 26), ' ');
      text += "  " + usage + std::string(c->summary) + "\n";
    }
  }
  text += option_help(*make_parser(nullptr), {"global"});
  return text + "\n" + exit_code_help();
}

std::string command_help(const CommandSpec& spec) {
  std::string text = "usage: kdpctl " + std::string(spec.usage) + "\n\n" + std::string(spec.summary) + "\n";
  if (!spec.details.empty()) text += "\n" + std::string(spec.details) + "\n";
  auto parser = make_parser(&spec);
  const auto groups = parser->groups();
  std::vector<std::string> own;
  for (const std::string& g : groups)
    if (g != "global" && g != "") own.push_back(g);
  if (!own.empty()) text += option_help(*parser, own);
  return text;
}

struct Parsed {
  cxxopts::ParseResult result;
  std::vector<std::string> words;
};

// "-8", "-0x10", "-1.5": kdpctl has no option named by a digit, so such a word is an argument
// (x/8gx -8, an expression) that cxxopts would otherwise take for an unknown option.
bool negative_number(std::string_view word) { return word.size() >= 2 && word[0] == '-' && word[1] >= '0' && word[1] <= '9'; }

// "--timeout", "-o": the options that take a value ("-o -5" names a file "-5").
std::set<std::string> value_options(const cxxopts::Options& parser) {
  std::set<std::string> names;
  for (const std::string& group : parser.groups())
    for (const cxxopts::HelpOptionDetails& o : parser.group_help(group).options) {
      if (o.is_boolean) continue;
      if (!o.s.empty()) names.insert("-" + o.s);
      for (const std::string& l : o.l) names.insert("--" + l);
    }
  return names;
}

// argv with every negative number that is not an option's value swapped for a stand-in cxxopts
// takes as a positional word; the words and any error message get the originals back.
class ShieldedArgs {
 public:
  ShieldedArgs(int argc, const char* const* argv, const std::set<std::string>& takes_value) {
    for (int i = 0; i < argc; ++i) {
      std::string word = argv[i];
      if (i > 0 && negative_number(word) && !takes_value.count(argv[i - 1])) {
        originals_.push_back(word);
        word = stand_in(originals_.size() - 1);
      }
      storage_.push_back(std::move(word));
    }
    for (const std::string& w : storage_) pointers_.push_back(w.c_str());
  }
  int argc() const { return static_cast<int>(pointers_.size()); }
  const char* const* argv() const { return pointers_.data(); }
  std::string restore(std::string text) const {
    for (size_t i = originals_.size(); i-- > 0;) {
      const std::string from = stand_in(i);
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + originals_[i].size()))
        text.replace(at, from.size(), originals_[i]);
    }
    return text;
  }

 private:
  static std::string stand_in(size_t i) { return "\x1fkdpctl-negative-" + std::to_string(i) + "\x1f"; }
  std::vector<std::string> storage_;
  std::vector<const char*> pointers_;
  std::vector<std::string> originals_;
};

Expected<Parsed> parse(const CommandSpec* spec, int argc, const char* const* argv, bool lenient) {
  auto parser = make_parser(spec);
  if (lenient) parser->allow_unrecognised_options();
  const ShieldedArgs shielded(argc, argv, value_options(*parser));
  try {
    Parsed p{parser->parse(shielded.argc(), shielded.argv()), {}};
    if (p.result.count("words")) p.words = p.result["words"].as<std::vector<std::string>>();
    for (std::string& w : p.words) w = shielded.restore(std::move(w));
    return p;
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(shielded.restore(e.what()));
  }
}

// The one error shape of --json (README, "JSON output"): {"error": {"message", "exit_code",
// "fault_address" when memory could not be read}}; kgmacros' partial results carry the same object.
int report(const Error& error, bool json, std::ostream& out, std::ostream& err) {
  err << "kdpctl: " << printable_message(error.message()) << "\n";
  if (json) {
    JsonWriter j;
    j.begin_object().key("error");
    write_error_object(j, error);
    out << j.end_object().str() << "\n";
  }
  return exit_code_for(error);
}

// --json on a command line cxxopts could not parse (its words are all we have).
bool json_requested(int argc, const char* const* argv) {
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
    if (std::string_view(argv[i]) == "--json") return true;
  return false;
}

void write_command_json(JsonWriter& j, const CommandSpec& c) {
  j.begin_object().field("name", c.name).field("usage", c.usage).field("summary", c.summary);
  j.field("group", c.group.empty() ? std::string_view("general") : c.group);
  if (!c.details.empty()) j.field("details", c.details);
  j.end_object();
}

// `help --json`, `--help --json`: the command table as data.
std::string help_json(const CommandSpec* spec) {
  JsonWriter j;
  if (spec) {
    write_command_json(j, *spec);
    return j.str();
  }
  j.begin_object().field("usage", "kdpctl [OPTIONS] COMMAND [ARGS]").key("commands").begin_array();
  for (const CommandSpec* c : all_commands()) write_command_json(j, *c);
  return j.end_array().end_object().str();
}

// Agent mode: the command runs in the target's agent; `forwarded` gets its exit code.
bool forward_to_agent(const CommandSpec& spec, const Invocation& inv, int argc, const char* const* argv,
                      const CliContext& context, int& forwarded) {
  // Offline sources need no held session.
  if (agent::runs_locally(std::string(spec.name)) || inv.global.core || inv.global.replay) return false;
  agent::AgentCall call{{argv, argv + argc}, &inv.global, inv.word, inv.args, inv.global.idle_seconds};
  // A recording is of this command's own session, handshake included: it runs here, as do
  // --no-agent and CI=true, once an agent holding the kernel has let go of it.
  if (!context.agent_mode || inv.global.no_agent || inv.global.record) {
    if (context.agents_may_hold) {
      if (Status released = agent::let_agent_go(call, inv.err); !released) {
        forwarded = report(released.error(), inv.global.json, inv.out, inv.err);
        return true;
      }
    }
    return false;
  }
  const auto code = agent::run_through_agent(call, context, inv.out, inv.err);
  if (!code) {
    forwarded = report(code.error(), inv.global.json, inv.out, inv.err);
    return true;
  }
  if (*code) forwarded = **code;
  return code->has_value();
}

Status run_command(const CommandSpec& spec, int argc, const char* const* argv, std::ostream& out,
                   std::ostream& err, bool& json, const CliContext& context, std::optional<int>& forwarded) {
  KDP_TRY(Parsed p, parse(&spec, argc, argv, false));
  if (p.result.count("help")) {
    out << (p.result.count("json") ? help_json(&spec) + "\n" : command_help(spec));
    return {};
  }
  KDP_TRY(GlobalOptions global, read_global_options(p.result));
  json = global.json;
  Invocation inv{std::move(global), p.words.front(), {p.words.begin() + 1, p.words.end()}, &p.result, out, err,
                 &context};
  if (int code = 0; forward_to_agent(spec, inv, argc, argv, context, code)) {
    forwarded = code;
    return {};
  }
  Status done = spec.run(inv);
  if (inv.json_printed) json = false;  // the result's document is out; the error goes to stderr
  return done;
}

// `kdpctl shell`, no command on a terminal, `-x FILE`, a script on stdin (cli/shell/shell.h);
// nullopt when the command line asks for something else.
std::optional<int> open_shell(int argc, const char* const* argv, const Parsed& first, std::ostream& out,
                              std::ostream& err, const CliContext& context) {
  std::optional<std::string> script;
  if (first.result.count("x")) script = first.result["x"].as<std::string>();
  auto start = shell::shell_start(argc, argv, first.words, script);
  if (!start) return report(start.error(), false, out, err);
  if (!*start) return std::nullopt;
  auto global = read_global_options(first.result);
  if (!global) return report(global.error(), false, out, err);
  Invocation inv{std::move(*global), "shell", {}, &first.result, out, err, &context};
  return shell::run_shell(**start, inv);
}

// `kdpctl agent --serve TARGET`: how kdpctl starts an agent (hidden; `agent stop` is a command).
bool serves_agent(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--serve") return true;
  return false;
}

// The whole run; run_kdpctl adds the check that stdout took the output.
int run_parsed(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const CliContext& context) {
  auto first = parse(nullptr, argc, argv, true);
  if (!first) return report(first.error(), json_requested(argc, argv), out, err);
  bool json = first->result.count("json") != 0;
  if (first->result.count("version")) {
    if (json)
      out << JsonWriter().begin_object().field("version", KDPCTL_VERSION).end_object().str() << "\n";
    else
      out << "kdpctl " << KDPCTL_VERSION << "\n";
    return kExitOk;
  }
  if (context.may_open_shell && !first->result.count("help")) {
    if (std::optional<int> code = open_shell(argc, argv, *first, out, err, context)) return *code;
  }
  if (first->words.empty() || first->words.front() == "help") {
    const CommandSpec* spec = first->words.size() > 1 ? find_command(first->words[1]) : nullptr;
    if (first->words.size() > 1 && !spec)
      return report(unknown_command(first->words[1]),
                    json, out, err);
    if (json)
      out << help_json(spec) << "\n";
    else
      out << (spec ? command_help(*spec) : general_help());
    const bool asked = first->result.count("help") || !first->words.empty();
    return asked ? kExitOk : kExitUsage;
  }
  if (first->words.front() == "agent" && serves_agent(argc, argv)) return agent::run_agent_command(argc, argv, err);
  const CommandSpec* spec = find_command(first->words.front());
  if (!spec)
    return report(unknown_command(first->words.front()), json, out, err);
  std::optional<int> forwarded;
  Status done = run_command(*spec, argc, argv, out, err, json, context, forwarded);
  if (forwarded) return *forwarded;
  return done ? kExitOk : report(done.error(), json, out, err);
}

}  // namespace

int run_kdpctl(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const CliContext& context) {
  if (context.install_sigint) install_interrupt_handler();
  const int code = run_parsed(argc, argv, out, err, context);
  errno = 0;
  out.flush();
  if (out) return code;
  // Output that did not arrive (a full disk, a closed pipe, /dev/full) is a failed run.
  const int why = errno;
  err << "kdpctl: cannot write the output to stdout" << (why ? std::string(": ") + std::strerror(why) : "") << "\n";
  return code == kExitOk ? kExitTarget : code;
}

}  // namespace kdp::cli
