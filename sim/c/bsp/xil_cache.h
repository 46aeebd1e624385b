/* xil_cache.h - the standalone BSP's data cache maintenance on the co-simulation platform:
 * each call is sgdma_cache_flush / sgdma_cache_invalidate (time passes, the cache contract
 * is checked; see sgdma_platform.h).  Whole-cache operations cover the whole DMA memory. */
#ifndef XIL_CACHE_H
#define XIL_CACHE_H

#include "xil_types.h"

#ifdef __cplusplus
extern "C" {
#endif

void Xil_DCacheEnable(void);
void Xil_DCacheDisable(void);
void Xil_DCacheFlush(void);
void Xil_DCacheInvalidate(void);
void Xil_DCacheFlushRange(INTPTR adr, u32 len);
void Xil_DCacheInvalidateRange(INTPTR adr, u32 len);
void Xil_DCacheFlushLine(INTPTR adr);
void Xil_DCacheInvalidateLine(INTPTR adr);
void Xil_ICacheEnable(void);
void Xil_ICacheDisable(void);
void Xil_ICacheInvalidate(void);

#ifdef __cplusplus
}
#endif

#endif
