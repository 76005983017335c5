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
#include "kgm/memory_read.h"

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

  // The address space as kgm::Memory (reads count in reads()).
  kgm::Memory& reader() const {
    adapter_.m_ = this;  // FakeMemory is copied around by value: point at this copy
    return adapter_;
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
  class Adapter final : public kgm::Memory {
   public:
    Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
      ++m_->reads_;
      Bytes out;
      for (uint64_t a = address; a < address + size && a >= m_->base_ && a - m_->base_ < m_->bytes_.size(); ++a)
        out.push_back(m_->bytes_[a - m_->base_]);
      return out;
    }
    Expected<Bytes> read(uint64_t address, uint64_t size) override {
      KDP_TRY(Bytes partial, read_partial(address, size));
      return kgm::require_all(std::move(partial), address, size);
    }
    uint64_t max_request() const override { return 1024; }
    kgm::MemoryStats stats() const override { return {}; }
    std::string source() const override { return "fake memory"; }

    const FakeMemory* m_ = nullptr;
  };

  struct Symbol {
    std::string name;
    uint64_t address;
    uint64_t size;
  };
  uint64_t base_;
  Bytes bytes_;
  std::vector<Symbol> symbols_;
  mutable int reads_ = 0;
  mutable Adapter adapter_;
};

}  // namespace kdp::cli::test
