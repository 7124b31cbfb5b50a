#pragma once
// WEFT_HOT_THREAD_LOCAL: for the few thread_locals read once per event.
//
// A thread_local defined in a shared library is reached by default through
// the general-dynamic TLS model: a call to __tls_get_addr on every access
// (~11 instructions), because the library might be dlopen'ed after threads
// exist. The initial-exec model reads it at a fixed offset from the thread
// pointer instead: one instruction. It is safe for weft's libraries because
// every program that uses them links them, so the loader maps them (and sizes
// every thread's static TLS block) at start-up; a plugin dlopen'ed later that
// brings in a weft library for the first time would still load while the
// variables fit glibc's surplus of static TLS (a few hundred bytes; these take
// a few dozen).
#if defined(__GNUC__) || defined(__clang__)
#define WEFT_HOT_THREAD_LOCAL __attribute__((tls_model("initial-exec"))) thread_local
#else
#define WEFT_HOT_THREAD_LOCAL thread_local
#endif
