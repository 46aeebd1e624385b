/* s2mm_ring.h - a small S2MM scatter-gather ring driver for the sgdma engine (PG021
 * register and descriptor layout), written the way a bare-metal standalone-BSP driver is:
 * registers and descriptors through Xil_In32/Xil_Out32, caches through
 * Xil_DCacheFlushRange/Xil_DCacheInvalidateRange, delays through usleep, the BSP types and
 * assertions.  Offsets and fields come from the generated sw/include/sgdma.h.
 *
 * The ring runs in TAILDESC mode with interrupt coalescing: an interrupt every `Threshold`
 * completed buffers (IRQThreshold), or `Delay` x SGDMA_DELAY_UNIT clocks after the last
 * completion when fewer are pending (IRQDelay).  The interrupt handler only acknowledges and
 * records; S2mmRing_Service, called from the main loop, reaps completed buffers, hands each
 * to the Deliver callback, re-arms it and moves TAILDESC behind it.
 *
 * co-simulated by: sgdma-sim c-driver --sources examples/c/s2mm_ring.c examples/c/s2mm_ring_test.c */
#ifndef S2MM_RING_H
#define S2MM_RING_H

#include "xil_types.h"

typedef void (*S2mmRing_Deliver)(void *Ref, UINTPTR Buf, u32 Len);

typedef struct {
    UINTPTR RegBase;        /* the engine's registers */
    UINTPTR BdBase;         /* BdCount descriptors, SGDMA_DESC_SIZE apart, SGDMA_DESC_ALIGN aligned */
    UINTPTR BufBase;        /* BdCount buffers of BufLen bytes */
    u32 BdCount, BufLen, Next;
    volatile u32 IrqStatus; /* DMASR interrupt and error bits the handler saw */
    u32 Irqs, Reaped, Errors;
    S2mmRing_Deliver Deliver;
    void *DeliverRef;
    u32 IsReady;
} S2mmRing;

/* Builds the ring (descriptors linked in a circle, each with its buffer) and hands it to
 * memory (cache flush).  XST_SUCCESS, or XST_INVALID_PARAM when an address or size does not
 * fit the engine. */
int S2mmRing_Init(S2mmRing *R, UINTPTR RegBase, UINTPTR BdBase, u32 BdCount, UINTPTR BufBase, u32 BufLen,
                  S2mmRing_Deliver Deliver, void *DeliverRef);
/* Soft reset, CURDESC, run with coalescing, doorbell (TAILDESC = the last descriptor).
 * XST_SUCCESS, XST_DEVICE_NOT_FOUND (no sgdma ID) or XST_FAILURE (reset does not finish). */
int S2mmRing_Start(S2mmRing *R, u32 Threshold, u32 Delay);
/* The interrupt handler (Ref: the S2mmRing): acknowledges DMASR and records the bits. */
void S2mmRing_IntrHandler(void *Ref);
/* Reaps completed buffers; how many, or -XST_DMA_ERROR after an engine error. */
int S2mmRing_Service(S2mmRing *R);
/* Stops the channel (RS = 0) and waits for Halted.  XST_SUCCESS or XST_FAILURE. */
int S2mmRing_Stop(S2mmRing *R);

#endif
