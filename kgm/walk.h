// The one helper for walking kernel lists (BSD LIST_*, Mach queue_head_t, kmod->next, zone chains).
// Kernel memory is untrusted, so every walk detects cycles, bounds its count, and reports where
// and why it stopped, as one line:
//   "allproc: cycle at 0xffffff80073e8560 after 12 entries"
//   "tasks: cannot read task at 0xdeadbeef: Cannot access memory at address 0xdeadbeef"
//   "kmod: stopped after 100000 entries (the walk limit)"
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>

#include "kdp/base/error.h"

namespace kdp::kgm {

inline constexpr size_t kDefaultWalkLimit = 100000;

// Guards one walk: call visit(address) before handling each element.
class WalkGuard {
 public:
  explicit WalkGuard(std::string list_name, size_t limit = kDefaultWalkLimit)
      : name_(std::move(list_name)), limit_(limit) {}

  // An error when `address` was seen before in this walk (a cycle) or the limit is reached.
  Status visit(uint64_t address);
  size_t count() const { return seen_.size(); }
  const std::string& name() const { return name_; }
  // Prefixes an element's error with the list's name.
  Error stopped(Error why) const { return std::move(why).context(name_); }

 private:
  std::string name_;
  size_t limit_;
  std::unordered_set<uint64_t> seen_;
};

struct ListWalk {
  std::string name;        // "allproc", "tasks", "kmod"
  uint64_t first = 0;      // the first element
  uint64_t end = 0;        // the value that ends the list: 0 for BSD lists, &head for Mach queues
  size_t limit = kDefaultWalkLimit;
};

// Calls visit(element) for each element until `end`; visit returns the next element's address
// (it reads the element anyway, so the link comes from the same read). Errors come back from the
// walk prefixed with the list's name.
using VisitElement = std::function<Expected<uint64_t>(uint64_t element)>;
Status walk_list(const ListWalk& walk, const VisitElement& visit);

}  // namespace kdp::kgm
