/* s2mm_ring_test.c - the board glue and test of s2mm_ring.c under `sgdma-sim c-driver`:
 * the descriptors and buffers at fixed addresses of the DMA memory (as a bare-metal program
 * places them in DDR), the handler connected to the engine's interrupt, and every received
 * buffer handed to the runner, which checks it against the device's stream.
 *
 *   sgdma-sim c-driver --sources examples/c/s2mm_ring.c examples/c/s2mm_ring_test.c \
 *                      --entry run_test --backend model --stream-bytes 25088
 */
#include "s2mm_ring.h"
#include "sgdma_platform.h"
#include "xparameters.h"
#include "xstatus.h"

#ifndef RING_N
#define RING_N 8
#endif
#ifndef BUF_LEN
#define BUF_LEN 2048
#endif
#ifndef IRQ_THRESHOLD
#define IRQ_THRESHOLD 4
#endif
#ifndef IRQ_DELAY
#define IRQ_DELAY 8
#endif
#define BD_SPACE_BASE (XPAR_SGDMA_SIM_MEM_BASEADDR + 0x0000)
#ifndef RX_BUFFER_BASE
#define RX_BUFFER_BASE (XPAR_SGDMA_SIM_MEM_BASEADDR + 0x10000)
#endif

static u64 received;

static void Deliver(void *Ref, UINTPTR Buf, u32 Len)
{
    (void)Ref;
    sgdma_sim_receive((const void *)Buf, Len);
    received += Len;
}

int run_test(void)
{
    static S2mmRing Ring;
    u64 total = sgdma_sim_stream_bytes();
    int n;

    received = 0;
    if (S2mmRing_Init(&Ring, XPAR_AXIDMA_0_BASEADDR, BD_SPACE_BASE, RING_N, RX_BUFFER_BASE, BUF_LEN, Deliver,
                      NULL) != XST_SUCCESS)
        return 1;
    sgdma_irq_connect(S2mmRing_IntrHandler, &Ring);
    if (S2mmRing_Start(&Ring, IRQ_THRESHOLD, IRQ_DELAY) != XST_SUCCESS)
        return 2;
    while (received < total) {
        if (!sgdma_wait_for_interrupt(2000)) {
            sgdma_sim_fail("no interrupt for 2 ms with %llu of %llu bytes received", (unsigned long long)received,
                           (unsigned long long)total);
            return 3;
        }
        n = S2mmRing_Service(&Ring);
        if (n < 0) {
            sgdma_sim_fail("the engine reported an error (DMASR 0x%08x)", (unsigned)Ring.IrqStatus);
            return 4;
        }
    }
    if (S2mmRing_Stop(&Ring) != XST_SUCCESS)
        return 5;
    sgdma_sim_result("reaped", Ring.Reaped);
    sgdma_sim_result("handler_calls", Ring.Irqs);
    return 0;
}
