/* Injected bug (forced include, -include): the driver packs descriptors 32 bytes apart (the
 * eight words the engine fetches) instead of SGDMA_DESC_SIZE = 64, so every other descriptor
 * is not 64-byte aligned. */
#include "sgdma.h"
#undef SGDMA_DESC_SIZE
#define SGDMA_DESC_SIZE 32u
