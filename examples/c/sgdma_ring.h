/* Bare-metal S2MM bring-up: build a descriptor ring and start the channel. */
#ifndef SGDMA_RING_H
#define SGDMA_RING_H

#include <stdint.h>
#include "sgdma.h"

/* Fill `n` descriptors at `ring` (CPU view; `ring_phys` is the address the engine sees, 64-byte
 * aligned), each pointing at a `buf_len`-byte buffer from `buf_phys` on, the last linked back to
 * the first. Returns 0, or -1 when an argument does not fit (alignment, length, count). */
int sgdma_ring_init(sgdma_desc_t *ring, uint32_t ring_phys, unsigned n, uint32_t buf_phys, uint32_t buf_len);

/* Soft-reset the engine, point CURDESC at the first descriptor, run with an interrupt every
 * `threshold` completions (or after `delay` x DELAY_UNIT idle clocks), and ring the doorbell
 * with the last descriptor. Returns 0, -1 when the soft reset does not finish, -2 when the
 * engine's SGDMA_ID does not read 0x5347 in its magic field. */
int sgdma_ring_start(volatile sgdma_t *dma, uint32_t ring_phys, unsigned n, unsigned threshold, unsigned delay);

/* Hand completed descriptors back (from *next on) and re-arm them; returns how many. */
unsigned sgdma_ring_reap(volatile sgdma_t *dma, sgdma_desc_t *ring, uint32_t ring_phys, unsigned n, unsigned *next);

#endif
