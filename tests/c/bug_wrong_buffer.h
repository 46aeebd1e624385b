/* Injected bug (forced include, -include): the driver delivers each buffer's successor
 * (an off-by-one in its buffer arithmetic), so the bytes it hands over are not the stream's. */
#include "xil_types.h"
#include "sgdma_platform.h"
#define sgdma_sim_receive(buf, len) \
    sgdma_sim_receive((const void *)((UINTPTR)(buf) == RX_BUFFER_BASE ? (UINTPTR)(buf) + 2048 : (UINTPTR)(buf)), len)
