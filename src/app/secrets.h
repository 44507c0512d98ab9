#pragma once
// WEBHOOK_SECRET and ADMIN_TOKEN: taken from the configuration when set; otherwise generated
// once (32 random bytes, hex), kept in the data folder with mode 0600 and reused on every
// start. A newly generated secret is shown once, on the terminal only (when stderr is a TTY),
// together with the file that keeps it; it never goes to the log.

#include <string>

#include "core/random.h"
#include "core/status.h"

namespace hookline::app {

struct ResolvedSecret {
  std::string value;
  bool generated = false;  // created just now
  std::string file;        // where it is kept ("" when it came from the configuration)
};

// `configured` wins when non-empty. Otherwise reads or creates data_dir/file_name. Creation is
// atomic (O_EXCL), so two instances starting together end up with the same secret.
StatusOr<ResolvedSecret> ResolveSecret(const std::string& configured, const std::string& data_dir,
                                       const std::string& file_name, Random& random);

}  // namespace hookline::app
