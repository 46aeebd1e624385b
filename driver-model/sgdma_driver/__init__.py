"""sgdma_driver: a model of the Linux driver for the sgdma engine (PG021 S2MM compatible).

Simulated physical memory and allocators, the DMA API with ownership checks, SG-list building,
interrupt handling, and the contiguous user-space ring.  ``regmap`` holds the one definition
of registers and the descriptor layout.
"""
