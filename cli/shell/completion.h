// Tab completion of a shell line: the first word from the command table (and the shell's own
// words), later words as symbols, or as a struct's fields after `->` or `.` when the type of what
// stands before it is known. Where names come from is injected, so this needs neither a kernel nor
// a terminal.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kdp::cli::shell {

struct NameSources {
  // The kernel's symbol names ("kernproc", "kext_alloc"), asked for at the first symbol to
  // complete; empty (or an empty list) without a kernel file.
  std::function<std::vector<std::string>()> symbols;
  // The field names of the struct `expression` is (or points to), empty when its type is unknown.
  std::function<std::vector<std::string>(const std::string& expression)> fields;
};

struct Completion {
  size_t start = 0;                     // where the word being completed begins in the line
  std::vector<std::string> candidates;  // sorted, unique; every one starts with that word
};

class Completer {
 public:
  explicit Completer(NameSources sources) : sources_(std::move(sources)) {}
  // Candidates for the word that ends at the end of `before_cursor`.
  Completion complete(std::string_view before_cursor);

 private:
  const std::vector<std::string>& symbols();

  NameSources sources_;
  std::vector<std::string> symbols_;  // sorted
  bool symbols_loaded_ = false;
};

// The longest prefix every candidate shares.
std::string common_prefix(const std::vector<std::string>& candidates);

}  // namespace kdp::cli::shell
