#pragma once
// Preprocessor helpers for the one-line event declarations (WEFT_EVENT):
// apply a macro to each of up to 32 field names, comma-separated.

#define WEFT_DETAIL_NTH(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16,     \
                        _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, \
                        _32, N, ...)                                                               \
  N
#define WEFT_DETAIL_COUNT(...)                                                                     \
  WEFT_DETAIL_NTH(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, \
                  15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define WEFT_DETAIL_CAT(a, b) WEFT_DETAIL_CAT_(a, b)
#define WEFT_DETAIL_CAT_(a, b) a##b

/// WEFT_DETAIL_FOR_EACH(M, T, a, b, c) -> M(T, a), M(T, b), M(T, c)
#define WEFT_DETAIL_FOR_EACH(M, T, ...) \
  WEFT_DETAIL_CAT(WEFT_DETAIL_FE_, WEFT_DETAIL_COUNT(__VA_ARGS__))(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_1(M, T, x) M(T, x)
#define WEFT_DETAIL_FE_2(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_1(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_3(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_2(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_4(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_3(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_5(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_4(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_6(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_5(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_7(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_6(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_8(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_7(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_9(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_8(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_10(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_9(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_11(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_10(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_12(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_11(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_13(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_12(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_14(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_13(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_15(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_14(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_16(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_15(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_17(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_16(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_18(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_17(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_19(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_18(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_20(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_19(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_21(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_20(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_22(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_21(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_23(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_22(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_24(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_23(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_25(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_24(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_26(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_25(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_27(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_26(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_28(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_27(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_29(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_28(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_30(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_29(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_31(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_30(M, T, __VA_ARGS__)
#define WEFT_DETAIL_FE_32(M, T, x, ...) M(T, x), WEFT_DETAIL_FE_31(M, T, __VA_ARGS__)
