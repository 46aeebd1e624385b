/* Entry functions that each check one promise of the platform (tests/test_cdriver.py runs
 * them on the fast model); each returns 0 when the promise holds, or a code naming the check. */
#include <stdint.h>
#include <string.h>

#include "sgdma.h"
#include "sgdma_platform.h"
#include "sleep.h"
#include "xil_assert.h"
#include "xil_cache.h"
#include "xil_io.h"
#include "xparameters.h"

/* usleep and sgdma_delay_us pass simulated time at --clock-mhz; the clock never goes back. */
int run_time(void)
{
    uint64_t t0 = sgdma_now_cycles(), t1, t2;
    usleep(10);
    t1 = sgdma_now_cycles();
    if (t1 - t0 < 10u * sgdma_clock_mhz() || t1 - t0 > 10u * sgdma_clock_mhz() + 8)
        return 1;
    sgdma_delay_cycles(100);
    t2 = sgdma_now_cycles();
    if (t2 - t1 != 100)
        return 2;
    /* no interrupt is enabled: the wait times out after its 5 us */
    if (sgdma_irq_wait(5) != 0 || sgdma_now_cycles() - t2 < 5u * sgdma_clock_mhz())
        return 3;
    sgdma_sim_result("usleep10_cycles", t1 - t0);
    return 0;
}

/* Registers through both APIs, memory through Xil_Out32 and the CPU pointer alike. */
int run_regs_and_memory(void)
{
    sgdma_dma_buf_t b;
    if (sgdma_reg_read32(SGDMA_SGDMA_ID_OFFSET) != SGDMA_SGDMA_ID_RESET)
        return 1;
    if (Xil_In32(XPAR_AXIDMA_0_BASEADDR + SGDMA_SGDMA_ID_OFFSET) != SGDMA_SGDMA_ID_RESET)
        return 2;
    Xil_Out32(XPAR_AXIDMA_0_BASEADDR + SGDMA_S2MM_CURDESC_OFFSET, 0x80000040u);
    if (sgdma_reg_read32(SGDMA_S2MM_CURDESC_OFFSET) != 0x80000040u)
        return 3;
    if (sgdma_dma_alloc(100, 4096, &b) != 0 || b.bus % 4096 || (uintptr_t)b.cpu != b.bus)
        return 4;
    if (sgdma_dma_bus_addr(b.cpu) != b.bus || sgdma_dma_cpu_ptr(b.bus) != b.cpu)
        return 5;
    Xil_Out32((UINTPTR)b.cpu + 8, 0x12345678u);
    if (((volatile uint32_t *)b.cpu)[2] != 0x12345678u || Xil_In32((UINTPTR)b.cpu + 8) != 0x12345678u)
        return 6;
    if (sgdma_dma_bus_addr((void *)&b) != UINT64_MAX || sgdma_dma_alloc(sgdma_mem_size() + 1, 64, &b) != -1)
        return 7;
    return 0;
}

/* A failed Xil_AssertNonvoid stops the driver with its file and line. */
static int checked(int x)
{
    Xil_AssertNonvoid(x > 0);
    return x;
}

int run_assert(void)
{
    return checked(0) == 0 ? 10 : 11;   /* not reached: the assertion stops the driver */
}

/* Xil_Out32 at an address that is neither a register nor DMA memory. */
int run_stray(void)
{
    Xil_Out32(0x1000, 1);
    return 0;
}

/* sgdma_sim_exit ends the driver with its code. */
int run_exit(void)
{
    sgdma_sim_exit(7);
}

/* An endless wait for an interrupt that never comes ends at --max-cycles. */
int run_forever(void)
{
    for (;;)
        sgdma_wait_for_interrupt(0);
}

/* A loop that never calls the platform: no simulated time passes, the watchdog stops it. */
int run_spin(void)
{
    volatile unsigned n = 0;
    for (;;)
        n++;
}
