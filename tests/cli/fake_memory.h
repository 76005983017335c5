// A target address space for kdpctl_core tests: named objects laid out like the gdb test programs
// the golden strings came from (gdb 13.1 examining a small C program's data, see examine_test.cpp),
// zero-filled between objects, unreadable outside the mapped range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdp/base/bytes.h"
#include "cli/core/examine.h"

namespace kdp::cli::test {

class FakeMemory {
 public:
  FakeMemory(uint64_t base, uint64_t size) : base_(base), bytes_(size, 0) {}

  void put(std::string name, uint64_t address, const Bytes& bytes, uint64_t symbol_size = 0) {
    for (size_t i = 0; i < bytes.size(); ++i) bytes_.at(address - base_ + i) = bytes[i];
    symbols_.push_back({std::move(name), address, symbol_size ? symbol_size : bytes.size()});
  }
  void put_string(std::string name, uint64_t address, const std::string& text) {
    Bytes b(text.begin(), text.end());
    b.push_back(0);
    put(std::move(name), address, b);
  }

  MemoryReader reader() const {
    return [this](uint64_t address, uint64_t size) -> Expected<Bytes> {
      ++reads_;
      Bytes out;
      for (uint64_t a = address; a < address + size && a >= base_ && a - base_ < bytes_.size(); ++a)
        out.push_back(bytes_[a - base_]);
      return out;
    };
  }

  // gdb's minimal-symbol lookup: an address inside [start, start + size) of an object.
  SymbolLookup symbols() const {
    return [this](uint64_t address) -> std::optional<SymbolHit> {
      for (const Symbol& s : symbols_)
        if (address >= s.address && address < s.address + s.size) return SymbolHit{s.name, address - s.address};
      return std::nullopt;
    };
  }

  int reads() const { return reads_; }

 private:
  struct Symbol {
    std::string name;
    uint64_t address;
    uint64_t size;
  };
  uint64_t base_;
  Bytes bytes_;
  std::vector<Symbol> symbols_;
  mutable int reads_ = 0;
};

}  // namespace kdp::cli::test
