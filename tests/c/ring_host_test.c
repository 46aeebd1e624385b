/* Host check of examples/c/sgdma_ring.c against plain memory (tests/test_kit.py runs it). */
#include <stdio.h>
#include <string.h>
#include "sgdma_ring.h"
static sgdma_desc_t ring[4] __attribute__((aligned(64)));
static sgdma_t regs;
int main(void) {
    unsigned next = 0, i, w, n;
    if (sgdma_ring_init(ring, 0x1000, 4, 0x20000, 100) != 0) return 10;
    if (sgdma_ring_init(ring, 0x1010, 4, 0x20000, 100) != -1) return 11;  /* misaligned ring */
    for (i = 0; i < 4; i++)
        for (w = 0; w < 16; w++) printf("%08x\n", ((uint32_t *)&ring[i])[w]);
    memset(&regs, 0, sizeof regs);
    if (sgdma_ring_start(&regs, 0x1000, 4, 2, 3) != -2) return 12;        /* no SGDMA_ID */
    regs.SGDMA_ID = SGDMA_SGDMA_ID_RESET;
    regs.S2MM_DMACR = 0;
    /* plain memory keeps the reset bit: the start must give up, not hang */
    if (sgdma_ring_start(&regs, 0x1000, 4, 2, 3) != -1) return 13;
    ring[0].STATUS = SGDMA_DESC_STATUS_CMPLT_MASK | 100;
    ring[1].STATUS = SGDMA_DESC_STATUS_CMPLT_MASK | 40;
    regs.S2MM_DMASR = SGDMA_S2MM_DMASR_IOC_IRQ_MASK | SGDMA_S2MM_DMASR_HALTED_MASK;
    n = sgdma_ring_reap(&regs, ring, 0x1000, 4, &next);
    printf("reaped %u next %u tail %08x status %08x %08x sr %08x\n", n, next, regs.S2MM_TAILDESC,
           ring[0].STATUS, ring[1].STATUS, regs.S2MM_DMASR);
    return 0;
}
