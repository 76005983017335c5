// Fuzz input as a command line: words separated by NUL bytes, after `program` (at most 64 words).
#pragma once

#include <string>
#include <string_view>
#include <vector>

inline std::vector<std::string> argv_words(std::string_view input, const char* program) {
  std::vector<std::string> words = {program};
  while (!input.empty() && words.size() < 64) {
    const size_t nul = input.find('\0');
    words.emplace_back(input.substr(0, nul));
    input = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  }
  return words;
}
