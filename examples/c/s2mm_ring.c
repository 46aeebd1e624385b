/* s2mm_ring.c - see s2mm_ring.h.  Only standalone BSP names and the generated register map. */
#include "s2mm_ring.h"

#include "sleep.h"
#include "sgdma.h"
#include "xil_assert.h"
#include "xil_cache.h"
#include "xil_io.h"
#include "xstatus.h"

#define REG(R, name) ((R)->RegBase + SGDMA_##name##_OFFSET)
#define BD(R, i) ((R)->BdBase + (UINTPTR)(i) * SGDMA_DESC_SIZE)
#define BD_WORD(R, i, name) (BD(R, i) + SGDMA_DESC_##name##_OFFSET)
#define FIELD(reg, f, v) (((u32)(v) << SGDMA_##reg##_##f##_SHIFT) & SGDMA_##reg##_##f##_MASK)
#define DMASR_IRQS (SGDMA_S2MM_DMASR_IOC_IRQ_MASK | SGDMA_S2MM_DMASR_DLY_IRQ_MASK | SGDMA_S2MM_DMASR_ERR_IRQ_MASK)
#define STATUS_ERRS (SGDMA_DESC_STATUS_DMA_INT_ERR_MASK | SGDMA_DESC_STATUS_DMA_SLV_ERR_MASK | \
                     SGDMA_DESC_STATUS_DMA_DEC_ERR_MASK)

int S2mmRing_Init(S2mmRing *R, UINTPTR RegBase, UINTPTR BdBase, u32 BdCount, UINTPTR BufBase, u32 BufLen,
                  S2mmRing_Deliver Deliver, void *DeliverRef)
{
    u32 i, w;
    Xil_AssertNonvoid(R != NULL);
    Xil_AssertNonvoid(Deliver != NULL);
    if (BdCount < 2 || BdBase % SGDMA_DESC_ALIGN != 0 || BufLen == 0 ||
        (BufLen & ~SGDMA_DESC_CONTROL_LENGTH_MASK) != 0 || BufBase % 8 != 0)
        return XST_INVALID_PARAM;
    R->RegBase = RegBase;
    R->BdBase = BdBase;
    R->BufBase = BufBase;
    R->BdCount = BdCount;
    R->BufLen = BufLen;
    R->Next = 0;
    R->IrqStatus = 0;
    R->Irqs = R->Reaped = R->Errors = 0;
    R->Deliver = Deliver;
    R->DeliverRef = DeliverRef;
    for (i = 0; i < BdCount; i++) {
        for (w = 0; w < SGDMA_DESC_SIZE; w += 4)
            Xil_Out32(BD(R, i) + w, 0);
        Xil_Out32(BD_WORD(R, i, NXTDESC), (u32)BD(R, (i + 1) % BdCount));
        Xil_Out32(BD_WORD(R, i, BUFFER_ADDRESS), (u32)(BufBase + (UINTPTR)i * BufLen));
        Xil_Out32(BD_WORD(R, i, CONTROL), FIELD(DESC_CONTROL, LENGTH, BufLen));
    }
    /* the descriptors to memory; no dirty line of a buffer may be written back over data */
    Xil_DCacheFlushRange((INTPTR)BdBase, BdCount * SGDMA_DESC_SIZE);
    Xil_DCacheInvalidateRange((INTPTR)BufBase, BdCount * BufLen);
    R->IsReady = XIL_COMPONENT_IS_READY;
    return XST_SUCCESS;
}

int S2mmRing_Start(S2mmRing *R, u32 Threshold, u32 Delay)
{
    u32 spin;
    Xil_AssertNonvoid(R != NULL && R->IsReady == XIL_COMPONENT_IS_READY);
    Xil_AssertNonvoid(Threshold >= 1 && Threshold <= (SGDMA_S2MM_DMACR_IRQ_THRESHOLD_MASK >>
                                                      SGDMA_S2MM_DMACR_IRQ_THRESHOLD_SHIFT));
    if ((Xil_In32(REG(R, SGDMA_ID)) & SGDMA_SGDMA_ID_MAGIC_MASK) != (SGDMA_SGDMA_ID_RESET & SGDMA_SGDMA_ID_MAGIC_MASK))
        return XST_DEVICE_NOT_FOUND;
    Xil_Out32(REG(R, S2MM_DMACR), SGDMA_S2MM_DMACR_RESET_MASK);
    for (spin = 0; Xil_In32(REG(R, S2MM_DMACR)) & SGDMA_S2MM_DMACR_RESET_MASK; spin++) {
        if (spin > 1000)
            return XST_FAILURE;
        usleep(1);
    }
    Xil_Out32(REG(R, S2MM_CURDESC), (u32)BD(R, 0));
    Xil_Out32(REG(R, S2MM_CURDESC_MSB), 0);
    Xil_Out32(REG(R, S2MM_DMACR), FIELD(S2MM_DMACR, RS, 1) | FIELD(S2MM_DMACR, IOC_IRQ_EN, 1) |
                                  FIELD(S2MM_DMACR, DLY_IRQ_EN, 1) | FIELD(S2MM_DMACR, ERR_IRQ_EN, 1) |
                                  FIELD(S2MM_DMACR, IRQ_THRESHOLD, Threshold) | FIELD(S2MM_DMACR, IRQ_DELAY, Delay));
    Xil_Out32(REG(R, S2MM_TAILDESC), (u32)BD(R, R->BdCount - 1));   /* the doorbell */
    return XST_SUCCESS;
}

void S2mmRing_IntrHandler(void *Ref)
{
    S2mmRing *R = (S2mmRing *)Ref;
    u32 sr = Xil_In32(REG(R, S2MM_DMASR));
    Xil_Out32(REG(R, S2MM_DMASR), sr & DMASR_IRQS);   /* write 1 to clear */
    R->IrqStatus |= sr;
    R->Irqs++;
}

int S2mmRing_Service(S2mmRing *R)
{
    u32 done = 0, last = R->Next;
    Xil_AssertNonvoid(R != NULL && R->IsReady == XIL_COMPONENT_IS_READY);
    if (R->IrqStatus & SGDMA_S2MM_DMASR_ERR_IRQ_MASK) {
        R->Errors++;
        return -XST_DMA_ERROR;
    }
    R->IrqStatus = 0;
    while (done < R->BdCount) {
        u32 i = R->Next, status, len;
        UINTPTR buf;
        Xil_DCacheInvalidateRange((INTPTR)BD(R, i), SGDMA_DESC_SIZE);
        status = Xil_In32(BD_WORD(R, i, STATUS));
        if (!(status & SGDMA_DESC_STATUS_CMPLT_MASK))
            break;
        if (status & STATUS_ERRS) {
            R->Errors++;
            return -XST_DMA_ERROR;
        }
        len = (status & SGDMA_DESC_STATUS_LENGTH_MASK) >> SGDMA_DESC_STATUS_LENGTH_SHIFT;
        buf = (UINTPTR)Xil_In32(BD_WORD(R, i, BUFFER_ADDRESS));
        Xil_DCacheInvalidateRange((INTPTR)buf, len);
        R->Deliver(R->DeliverRef, buf, len);
        Xil_Out32(BD_WORD(R, i, STATUS), 0);              /* re-arm */
        Xil_DCacheFlushRange((INTPTR)BD(R, i), SGDMA_DESC_SIZE);
        last = i;
        R->Next = (i + 1) % R->BdCount;
        done++;
    }
    if (done) {
        Xil_Out32(REG(R, S2MM_TAILDESC), (u32)BD(R, last));   /* give them back */
        R->Reaped += done;
    }
    return (int)done;
}

int S2mmRing_Stop(S2mmRing *R)
{
    u32 spin;
    Xil_AssertNonvoid(R != NULL && R->IsReady == XIL_COMPONENT_IS_READY);
    Xil_Out32(REG(R, S2MM_DMACR), Xil_In32(REG(R, S2MM_DMACR)) & ~SGDMA_S2MM_DMACR_RS_MASK);
    for (spin = 0; !(Xil_In32(REG(R, S2MM_DMASR)) & SGDMA_S2MM_DMASR_HALTED_MASK); spin++) {
        if (spin > 1000)
            return XST_FAILURE;
        usleep(1);
    }
    return XST_SUCCESS;
}
