#include "kgm/walk.h"

#include "kdp/base/bytes.h"

namespace kdp::kgm {

Status WalkGuard::visit(uint64_t address) {
  if (seen_.size() >= limit_)
    return Error(ErrorKind::kMalformed, name_ + ": stopped after " + std::to_string(seen_.size()) +
                                            " entries (the walk limit)");
  if (!seen_.insert(address).second)
    return Error(ErrorKind::kMalformed, name_ + ": cycle at " + hex(address) + " after " +
                                            std::to_string(seen_.size()) + " entries");
  return {};
}

Status walk_list(const ListWalk& walk, const VisitElement& visit) {
  WalkGuard guard(walk.name, walk.limit);
  for (uint64_t element = walk.first; element != walk.end;) {
    KDP_TRY_STATUS(guard.visit(element));
    auto next = visit(element);
    if (!next) return guard.stopped(std::move(next).error());
    element = *next;
  }
  return {};
}

}  // namespace kdp::kgm
