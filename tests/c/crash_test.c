/* A driver that crashes: after a register read it writes through a NULL pointer (line 10). */
#include "xil_io.h"
#include "xparameters.h"

int run_test(void)
{
    volatile u32 *status = 0;
    u32 id = Xil_In32(XPAR_AXIDMA_0_BASEADDR + 0x80);
    status += 4;
    *status = id;
    return 0;
}
