#pragma once
// Lowercase hex encoding of bytes, and decoding that rejects anything that is not hex.

#include <optional>
#include <string>
#include <string_view>

namespace hookline {

std::string HexEncode(std::string_view bytes);
// nullopt when the length is odd or a character is not [0-9a-fA-F].
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace hookline
