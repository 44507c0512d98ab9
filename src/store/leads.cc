// Backend-neutral helpers of the lead aggregate (leads.h).

#include "store/leads.h"

namespace hookline::store {

std::string LikeSubstringPattern(std::string_view q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace hookline::store
