#pragma once
// Umbrella header: everything a user of weft needs.
#include <weft/core/cache_line.hpp>
#include <weft/core/clock.hpp>
#include <weft/core/error.hpp>
#include <weft/core/log.hpp>
#include <weft/core/result.hpp>
#include <weft/core/uuid.hpp>
#include <weft/es/recorder.hpp>
#include <weft/es/stored_event.hpp>
#include <weft/store/memory_recorder.hpp>
