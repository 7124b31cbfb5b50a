#pragma once
// "Did you mean ...?" for typos in keys, application names and type names.
#include <string>
#include <string_view>
#include <vector>

namespace weft::runner::detail {

/// The candidate closest to `typo` by edit distance, if it is close enough to
/// be a plausible typo (at most a third of its length away), else "".
std::string closest(std::string_view typo, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "" when nothing is close.
std::string did_you_mean(std::string_view typo, const std::vector<std::string>& candidates);

}  // namespace weft::runner::detail
