#include "cli/interrupt.h"

#include <signal.h>

namespace kdp::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  if (g_interrupted.exchange(true)) ::signal(SIGINT, SIG_DFL);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking waits return and look at the flag
  ::sigaction(SIGINT, &action, nullptr);
}

void clear_interrupt() {
  g_interrupted = false;
  install_interrupt_handler();
}

const std::atomic<bool>* interrupt_flag() { return &g_interrupted; }

}  // namespace kdp::cli
