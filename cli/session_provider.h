// Where kdpctl's sessions come from. Commands ask open_session (session_open.h), which asks the
// invocation's SessionProvider: real UDP by default, the simulated network with its virtual clock
// in the in-process tests, the session an agent holds in agent mode. Commands never know which.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kdp/client/session.h"
#include "kgm/memory.h"

namespace kdp::cli {

enum class AttachKind { kReattach, kConnect };

class SessionProvider {
 public:
  virtual ~SessionProvider() = default;
  // A session on `target` ("host[:port]"), handshake done.
  virtual Expected<std::unique_ptr<client::Session>> open(const std::string& target, AttachKind kind,
                                                          client::SessionOptions options) = 0;
  // The memory a command reads through `session` (one this provider opened): the session's
  // memory behind a cache keyed by Session::generation(), so it holds only while the kernel stays
  // stopped. By default a new cache per call (direct mode: one per command); the agent keeps one
  // per held session, so a second command at the same stop reads what the first one cached.
  virtual std::shared_ptr<kgm::Memory> memory(client::Session& session);
  // True when sessions outlive the command that opened them (the agent): then the conversation is
  // the provider's own, and no resume point is kept in the state file for the next process.
  virtual bool keeps_sessions() const { return false; }
  // `reattach`: the next open() takes the kernel over anew (REATTACH + CONNECT), even where a
  // held session could have been lent.
  virtual void take_over_anew() {}
};

// A cache over `session`'s memory that owns its back-end; `keep` stays alive as long as it.
std::shared_ptr<kgm::Memory> cached_session_memory(client::Session& session, std::shared_ptr<void> keep = {});

// Client::Session::reattach / connect over a fresh UDP socket per session.
SessionProvider& udp_session_provider();

// What run_kdpctl needs from whoever runs it.
struct CliContext {
  SessionProvider* sessions = nullptr;             // null: udp_session_provider()
  const std::atomic<bool>* interrupt = nullptr;    // null: the SIGINT flag (interrupt.h)
  bool install_sigint = true;                      // the program installs its Ctrl-C handler
  // Agent mode (cli/agent): commands run in a background agent holding the session. The program
  // sets it unless --no-agent or CI=true; the tests and the agent itself leave it off.
  bool agent_mode = false;
  std::string program_path;  // argv[0] as given, to start the agent with the same binary
  // The program (not a test, not the agent itself): a command run directly asks an agent holding
  // its kernel to let go first (agent_client.h let_agent_go), so the two never fight over it.
  bool agents_may_hold = false;
  // The program: no command on a terminal opens the shell, `-x FILE` or a script on stdin runs it
  // (cli/shell/shell.h). Never inside the shell itself, the agent or the tests' in-process runs.
  bool may_open_shell = false;
  // Writes a file the user named for output (dump -o FILE); null: write_file here. The agent
  // streams the bytes to its client instead, which writes them (its files, its terminal for ^C).
  std::function<Status(const std::string& path, ByteView bytes)> write_output_file;
  // Whether the user's stderr is a terminal (progress bars are drawn only there); null: this
  // process's fd 2. The agent sets its client's.
  std::optional<bool> stderr_terminal;
};

}  // namespace kdp::cli
