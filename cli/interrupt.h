// Ctrl-C: the first SIGINT sets a flag the Session polls (long waits end with kInterrupted and the
// command reports it); a second one restores the default action so a stuck kdpctl still dies.
#pragma once

#include <atomic>

namespace kdp::cli {

void install_interrupt_handler();
// The shell, between commands: the flag cleared and the first-^C handler back, so ^C stops each
// command in turn without ending the shell.
void clear_interrupt();
const std::atomic<bool>* interrupt_flag();

}  // namespace kdp::cli
