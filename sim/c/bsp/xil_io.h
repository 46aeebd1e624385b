/* xil_io.h - the standalone BSP's I/O accessors on the co-simulation platform.
 *
 * An address inside the register window (--reg-base, the size of sgdma_reg_size()) is a
 * register access of the engine (32-bit only); an address inside the DMA memory is a plain
 * volatile access of that memory (drivers that keep descriptors with Xil_Out32 work
 * unchanged); any other address stops the driver with a message naming it. */
#ifndef XIL_IO_H
#define XIL_IO_H

#include "xil_types.h"

#ifdef __cplusplus
extern "C" {
#endif

u8 Xil_In8(UINTPTR Addr);
u16 Xil_In16(UINTPTR Addr);
u32 Xil_In32(UINTPTR Addr);
u64 Xil_In64(UINTPTR Addr);
void Xil_Out8(UINTPTR Addr, u8 Value);
void Xil_Out16(UINTPTR Addr, u16 Value);
void Xil_Out32(UINTPTR Addr, u32 Value);
void Xil_Out64(UINTPTR Addr, u64 Value);

#ifdef __cplusplus
}
#endif

#endif
