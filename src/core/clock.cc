#include "core/clock.h"

namespace hookline {

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace hookline
