/* xil_assert.h - the standalone BSP's assertions.  A failed assertion is reported with its
 * file and line; with Xil_AssertWait set (the default, as in the BSP, where it would spin
 * forever) the driver stops there, otherwise the function returns as in the BSP. */
#ifndef XIL_ASSERT_H
#define XIL_ASSERT_H

#include "xil_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XIL_ASSERT_NONE 0U
#define XIL_ASSERT_OCCURRED 1U

extern u32 Xil_AssertStatus;
extern s32 Xil_AssertWait;
typedef void (*Xil_AssertCallback)(const char8 *File, s32 Line);

void Xil_Assert(const char8 *File, s32 Line);
void Xil_AssertSetCallback(Xil_AssertCallback Routine);

#define Xil_AssertVoid(Expression)                                                          \
    do {                                                                                    \
        if (Expression) {                                                                   \
            Xil_AssertStatus = XIL_ASSERT_NONE;                                             \
        } else {                                                                            \
            Xil_Assert(__FILE__, __LINE__);                                                 \
            Xil_AssertStatus = XIL_ASSERT_OCCURRED;                                         \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define Xil_AssertNonvoid(Expression)                                                       \
    do {                                                                                    \
        if (Expression) {                                                                   \
            Xil_AssertStatus = XIL_ASSERT_NONE;                                             \
        } else {                                                                            \
            Xil_Assert(__FILE__, __LINE__);                                                 \
            Xil_AssertStatus = XIL_ASSERT_OCCURRED;                                         \
            return 0;                                                                       \
        }                                                                                   \
    } while (0)

#define Xil_AssertVoidAlways()                                                              \
    do {                                                                                    \
        Xil_Assert(__FILE__, __LINE__);                                                     \
        Xil_AssertStatus = XIL_ASSERT_OCCURRED;                                             \
        return;                                                                             \
    } while (0)

#define Xil_AssertNonvoidAlways()                                                           \
    do {                                                                                    \
        Xil_Assert(__FILE__, __LINE__);                                                     \
        Xil_AssertStatus = XIL_ASSERT_OCCURRED;                                             \
        return 0;                                                                           \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
