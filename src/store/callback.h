#pragma once
// How store operations answer: asynchronously, through a Callback that receives the value or a
// Status. Writes are answered after their transaction committed (a kOk outcome means "on
// disk"). Callbacks run on a store thread: they must be quick and must not block (hand work to
// another executor, as api/ does by sending the HTTP reply).

#include <functional>

#include "core/status.h"

namespace hookline::store {

template <class T>
using Callback = std::function<void(StatusOr<T>)>;

}  // namespace hookline::store
