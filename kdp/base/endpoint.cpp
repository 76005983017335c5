#include "kdp/base/endpoint.h"

namespace kdp {

std::string to_string(const Endpoint& e) {
  return std::to_string(e.ipv4 >> 24) + "." + std::to_string((e.ipv4 >> 16) & 0xff) + "." +
         std::to_string((e.ipv4 >> 8) & 0xff) + "." + std::to_string(e.ipv4 & 0xff) + ":" +
         std::to_string(e.port);
}

}  // namespace kdp
