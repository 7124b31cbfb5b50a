# Build options shared by every target: warnings, sanitizers, ccache.
option(WEFT_WERROR "Treat warnings as errors" OFF)
option(WEFT_BUILD_TESTS "Build the test suite" ON)
option(WEFT_BUILD_TOOLS "Build inspection tools and benchmarks" ON)
option(WEFT_BUILD_FUZZERS "Build libFuzzer targets (needs clang)" OFF)
# Shared layer libraries, so that the weft executable and the plugins it
# dlopens share one instance of every registry (application types, topics).
option(BUILD_SHARED_LIBS "Build the layer libraries as shared libraries" ON)
set(WEFT_SANITIZE "" CACHE STRING "Sanitizers: '', 'address' (address+undefined) or 'thread'")
set_property(CACHE WEFT_SANITIZE PROPERTY STRINGS "" address thread)

find_program(WEFT_CCACHE ccache)
if(WEFT_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${WEFT_CCACHE})
endif()

add_library(weft_build_flags INTERFACE)
target_compile_options(weft_build_flags INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${WEFT_WERROR}>:-Werror>)
# g++ 12 at -O3 (Release) warns -Wrestrict inside std::string's operator+ on
# correct code, a known false positive of that release: kept a warning there.
target_compile_options(weft_build_flags INTERFACE
  $<$<AND:$<BOOL:${WEFT_WERROR}>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>,$<CONFIG:Release>>:-Wno-error=restrict>)

if(WEFT_SANITIZE STREQUAL "address")
  set(_weft_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(WEFT_SANITIZE STREQUAL "thread")
  set(_weft_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT WEFT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "WEFT_SANITIZE must be '', 'address' or 'thread', not '${WEFT_SANITIZE}'")
endif()
if(_weft_san)
  # Applied globally so third-party headers instantiated in our code agree.
  add_compile_options(${_weft_san})
  add_link_options(${_weft_san})
endif()

# weft_layer(NAME SOURCES... DEPENDS layers...): a layer library with the
# project's flags. Public headers live in include/weft/<layer>/.
function(weft_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPENDS;PRIVATE" ${ARGN})
  add_library(weft_${name} ${L_SOURCES})
  add_library(weft::${name} ALIAS weft_${name})
  target_include_directories(weft_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(weft_${name} PUBLIC ${L_DEPENDS} PRIVATE ${L_PRIVATE} $<BUILD_INTERFACE:weft_build_flags>)
  set_target_properties(weft_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY WEFT_LAYERS weft_${name})
endfunction()
