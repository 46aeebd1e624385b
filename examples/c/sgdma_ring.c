/* Bare-metal S2MM bring-up for the sgdma engine (32-bit addresses): build a ring of
 * descriptors, start the channel, reap completions. Compiles with -std=c99 -Wall -Wextra. */
#include "sgdma_ring.h"

#define FIELD(reg, f, v) (((uint32_t)(v) << SGDMA_##reg##_##f##_SHIFT) & SGDMA_##reg##_##f##_MASK)

int sgdma_ring_init(sgdma_desc_t *ring, uint32_t ring_phys, unsigned n, uint32_t buf_phys, uint32_t buf_len)
{
    if (n == 0 || (ring_phys % SGDMA_DESC_ALIGN) != 0 || buf_len == 0 ||
        (buf_len & ~SGDMA_DESC_CONTROL_LENGTH_MASK) != 0)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        sgdma_desc_t *d = &ring[i];
        unsigned next = (i + 1) % n;
        d->NXTDESC = ring_phys + next * SGDMA_DESC_SIZE;
        d->NXTDESC_MSB = 0;
        d->BUFFER_ADDRESS = buf_phys + i * buf_len;
        d->BUFFER_ADDRESS_MSB = 0;
        d->RESERVED[0] = d->RESERVED[1] = 0;
        d->CONTROL = buf_len << SGDMA_DESC_CONTROL_LENGTH_SHIFT;
        d->STATUS = 0;
        for (unsigned k = 0; k < 5; k++)
            d->APP[k] = 0;
    }
    return 0;
}

int sgdma_ring_start(volatile sgdma_t *dma, uint32_t ring_phys, unsigned n, unsigned threshold, unsigned delay)
{
    if ((dma->SGDMA_ID & SGDMA_SGDMA_ID_MAGIC_MASK) >> SGDMA_SGDMA_ID_MAGIC_SHIFT != 0x5347u)
        return -2;
    dma->S2MM_DMACR = SGDMA_S2MM_DMACR_RESET_MASK;
    for (unsigned spin = 0; dma->S2MM_DMACR & SGDMA_S2MM_DMACR_RESET_MASK; spin++)
        if (spin > 100000u)
            return -1;
    dma->S2MM_CURDESC = ring_phys;
    dma->S2MM_CURDESC_MSB = 0;
    dma->S2MM_DMACR = FIELD(S2MM_DMACR, RS, 1) | FIELD(S2MM_DMACR, IOC_IRQ_EN, 1) |
                      FIELD(S2MM_DMACR, DLY_IRQ_EN, 1) | FIELD(S2MM_DMACR, ERR_IRQ_EN, 1) |
                      FIELD(S2MM_DMACR, IRQ_THRESHOLD, threshold) | FIELD(S2MM_DMACR, IRQ_DELAY, delay);
    /* the doorbell: the last descriptor of the ring (32-bit addresses) */
    dma->S2MM_TAILDESC = ring_phys + (n - 1) * SGDMA_DESC_SIZE;
    return 0;
}

unsigned sgdma_ring_reap(volatile sgdma_t *dma, sgdma_desc_t *ring, uint32_t ring_phys, unsigned n, unsigned *next)
{
    unsigned done = 0, last = *next;
    uint32_t sr = dma->S2MM_DMASR;
    dma->S2MM_DMASR = sr & (SGDMA_S2MM_DMASR_IOC_IRQ_MASK | SGDMA_S2MM_DMASR_DLY_IRQ_MASK |
                            SGDMA_S2MM_DMASR_ERR_IRQ_MASK);  /* write 1 to clear */
    while (done < n && (ring[*next].STATUS & SGDMA_DESC_STATUS_CMPLT_MASK)) {
        /* ... consume (ring[*next].STATUS & SGDMA_DESC_STATUS_LENGTH_MASK) bytes here ... */
        ring[*next].STATUS = 0;
        last = *next;
        *next = (*next + 1) % n;
        done++;
    }
    if (done)
        dma->S2MM_TAILDESC = ring_phys + last * SGDMA_DESC_SIZE;  /* give them back */
    return done;
}

#ifdef SGDMA_EXAMPLE_MAIN
/* Board values: where the engine's registers and the DMA memory are (identity-mapped). */
#ifndef SGDMA_BASE
#define SGDMA_BASE 0x40400000u
#endif
#define RING_N 8u
#define BUF_LEN 4096u

static sgdma_desc_t ring[RING_N] __attribute__((aligned(64)));
static uint8_t buffers[RING_N][BUF_LEN];

int main(void)
{
    volatile sgdma_t *dma = (volatile sgdma_t *)(uintptr_t)SGDMA_BASE;
    unsigned next = 0;
    if (sgdma_ring_init(ring, (uint32_t)(uintptr_t)ring, RING_N, (uint32_t)(uintptr_t)buffers, BUF_LEN) != 0)
        return 1;
    if (sgdma_ring_start(dma, (uint32_t)(uintptr_t)ring, RING_N, 4, 10) != 0)
        return 2;
    for (;;)
        (void)sgdma_ring_reap(dma, ring, (uint32_t)(uintptr_t)ring, RING_N, &next);
}
#endif
