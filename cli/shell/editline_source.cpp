#include "cli/shell/editline_source.h"

#include <histedit.h>

#include <cerrno>
#include <cstdio>

#include "cli/interrupt.h"

// LeakSanitizer (the sanitizer build's tests) ignores what libedit allocates for EL_ADDFN: libedit
// 3.1 keeps wide-character copies of a function's name and help that el_end() never frees (208
// bytes once per shell), not ours to fix.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define KDPCTL_LIBEDIT_LEAKS_IGNORED() __lsan::ScopedDisabler libedit_keeps_these
#endif
#endif
#ifndef KDPCTL_LIBEDIT_LEAKS_IGNORED
#define KDPCTL_LIBEDIT_LEAKS_IGNORED() static_cast<void>(0)
#endif

namespace kdp::cli::shell {

struct EditLineSource::Editor {
  EditorSetup setup;
  EditLine* el = nullptr;
  History* history = nullptr;
  std::string prompt_text;  // what the prompt callback hands libedit; lives until the next prompt
  bool continuation = false;

  static Editor& of(EditLine* el) {
    void* data = nullptr;
    el_get(el, EL_CLIENTDATA, &data);
    return *static_cast<Editor*>(data);
  }

  static char* prompt(EditLine* el) {
    Editor& self = of(el);
    self.prompt_text = self.continuation ? ">" : self.setup.prompt ? self.setup.prompt() : std::string();
    return self.prompt_text.data();
  }

  static unsigned char complete(EditLine* el, int) {
    Editor& self = of(el);
    if (!self.setup.completer) return CC_ERROR;
    const LineInfo* line = el_line(el);
    const std::string before(line->buffer, line->cursor);
    const Completion found = self.setup.completer->complete(before);
    if (found.candidates.empty()) return CC_ERROR;  // the terminal bell
    const std::string typed = before.substr(found.start);
    std::string rest = common_prefix(found.candidates).substr(typed.size());
    if (found.candidates.size() == 1 && line->cursor == line->lastchar) rest += " ";
    if (!rest.empty()) return el_insertstr(el, rest.c_str()) == 0 ? CC_REFRESH : CC_ERROR;
    self.list(found.candidates);
    return CC_REDISPLAY;
  }

  // A second Tab with nothing more to insert: the candidates under the line, as bash shows them.
  void list(const std::vector<std::string>& candidates) const {
    constexpr size_t kShown = 200;
    std::string text = "\n";
    for (size_t i = 0; i < candidates.size() && i < kShown; ++i) text += candidates[i] + (i % 4 == 3 ? "\n" : "  ");
    if (candidates.size() > kShown) text += "\n(" + std::to_string(candidates.size() - kShown) + " more)";
    if (text.back() != '\n') text += "\n";
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
  }
};

EditLineSource::EditLineSource(EditorSetup setup) : editor_(std::make_unique<Editor>()) {
  Editor& e = *editor_;
  e.setup = std::move(setup);
  e.history = history_init();
  HistEvent event;
  history(e.history, &event, H_SETSIZE, 1000);
  history(e.history, &event, H_SETUNIQUE, 1);
  for (const std::string& line : e.setup.history) history(e.history, &event, H_ENTER, line.c_str());
  e.el = el_init("kdpctl", stdin, stdout, stderr);
  el_set(e.el, EL_CLIENTDATA, &e);
  el_set(e.el, EL_EDITOR, "emacs");
  el_set(e.el, EL_PROMPT, &Editor::prompt);
  el_set(e.el, EL_HIST, history, e.history);
  {
    KDPCTL_LIBEDIT_LEAKS_IGNORED();
    el_set(e.el, EL_ADDFN, "kdpctl-complete", "complete a command, symbol or field", &Editor::complete);
  }
  el_set(e.el, EL_BIND, "^I", "kdpctl-complete", nullptr);
  el_source(e.el, nullptr);  // ~/.editrc, as every editline program reads it
}

EditLineSource::~EditLineSource() {
  el_end(editor_->el);
  history_end(editor_->history);
}

InputLine EditLineSource::read_line() {
  // The Ctrl-C flag is cleared here, before the line is typed, not when its command starts: a ^C
  // typed between Enter and the start still stops that command.
  clear_interrupt();
  int count = 0;
  errno = 0;
  const char* text = el_gets(editor_->el, &count);
  if (!text || count <= 0) {
    // ^C interrupts the read (the SIGINT handler has no SA_RESTART); ^D ends the input.
    const bool interrupted = count < 0 && errno == EINTR;
    std::fputs("\n", stdout);
    std::fflush(stdout);
    return {interrupted ? InputLine::Kind::kInterrupted : InputLine::Kind::kEnd, ""};
  }
  std::string line(text, static_cast<size_t>(count));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return {InputLine::Kind::kLine, std::move(line)};
}

void EditLineSource::set_continuation(bool on) { editor_->continuation = on; }

void EditLineSource::remember(const std::string& line) {
  HistEvent event;
  history(editor_->history, &event, H_ENTER, line.c_str());
  if (editor_->setup.remembered) editor_->setup.remembered(line);
}

}  // namespace kdp::cli::shell

