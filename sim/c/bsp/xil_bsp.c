/* xil_bsp.c - the standalone BSP names a PG021 bare-metal driver calls, on the co-simulation
 * platform (sgdma_platform.h).  Written from the BSP's public documentation: the names and
 * signatures are the BSP's, the code is this project's. */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "sgdma_platform.h"
#include "xil_assert.h"
#include "xil_cache.h"
#include "xil_io.h"

void sgdma_rt_misuse(const char *text) __attribute__((noreturn));

u32 Xil_AssertStatus;
s32 Xil_AssertWait = 1;
static Xil_AssertCallback assert_callback;

static int in_regs(UINTPTR a) { return a - sgdma_reg_base() < sgdma_reg_size(); }
static int in_mem(UINTPTR a, unsigned n)
{
    return (u64)a >= sgdma_mem_base() && (u64)a + n <= sgdma_mem_base() + sgdma_mem_size();
}

static void bad_access(const char *what, UINTPTR a, unsigned n)
{
    char text[256];
    if (in_regs(a))
        snprintf(text, sizeof text, "%s(0x%llx): the register window takes 32-bit accesses only, at 4-byte aligned "
                 "offsets (offset 0x%llx)", what, (unsigned long long)a, (unsigned long long)(a - sgdma_reg_base()));
    else
        snprintf(text, sizeof text, "%s(0x%llx): %u-byte access outside the register window [0x%llx, 0x%llx) and the "
                 "DMA memory [0x%llx, 0x%llx)", what, (unsigned long long)a, n, (unsigned long long)sgdma_reg_base(),
                 (unsigned long long)(sgdma_reg_base() + sgdma_reg_size()), (unsigned long long)sgdma_mem_base(),
                 (unsigned long long)(sgdma_mem_base() + sgdma_mem_size()));
    sgdma_rt_misuse(text);
}

#define MEM_IN(bits, name)                                                                  \
    u##bits name(UINTPTR Addr)                                                              \
    {                                                                                       \
        if (!in_mem(Addr, bits / 8))                                                        \
            bad_access(#name, Addr, bits / 8);                                              \
        return *(volatile u##bits *)Addr;                                                   \
    }
#define MEM_OUT(bits, name)                                                                 \
    void name(UINTPTR Addr, u##bits Value)                                                  \
    {                                                                                       \
        if (!in_mem(Addr, bits / 8))                                                        \
            bad_access(#name, Addr, bits / 8);                                              \
        *(volatile u##bits *)Addr = Value;                                                  \
    }
MEM_IN(8, Xil_In8)
MEM_IN(16, Xil_In16)
MEM_IN(64, Xil_In64)
MEM_OUT(8, Xil_Out8)
MEM_OUT(16, Xil_Out16)
MEM_OUT(64, Xil_Out64)

u32 Xil_In32(UINTPTR Addr)
{
    if (in_regs(Addr)) {
        if (Addr & 3)
            bad_access("Xil_In32", Addr, 4);
        return sgdma_reg_read32((u32)(Addr - sgdma_reg_base()));
    }
    if (!in_mem(Addr, 4))
        bad_access("Xil_In32", Addr, 4);
    return *(volatile u32 *)Addr;
}

void Xil_Out32(UINTPTR Addr, u32 Value)
{
    if (in_regs(Addr)) {
        if (Addr & 3)
            bad_access("Xil_Out32", Addr, 4);
        sgdma_reg_write32((u32)(Addr - sgdma_reg_base()), Value);
        return;
    }
    if (!in_mem(Addr, 4))
        bad_access("Xil_Out32", Addr, 4);
    *(volatile u32 *)Addr = Value;
}

void Xil_DCacheEnable(void) {}
void Xil_DCacheDisable(void) {}
void Xil_ICacheEnable(void) {}
void Xil_ICacheDisable(void) {}
void Xil_ICacheInvalidate(void) {}
void Xil_DCacheFlushRange(INTPTR adr, u32 len) { sgdma_cache_flush((const void *)adr, len); }
void Xil_DCacheInvalidateRange(INTPTR adr, u32 len) { sgdma_cache_invalidate((const void *)adr, len); }
void Xil_DCacheFlushLine(INTPTR adr) { sgdma_cache_flush((const void *)(adr & ~(INTPTR)63), 64); }
void Xil_DCacheInvalidateLine(INTPTR adr) { sgdma_cache_invalidate((const void *)(adr & ~(INTPTR)63), 64); }
void Xil_DCacheFlush(void) { sgdma_cache_flush((const void *)(uintptr_t)sgdma_mem_base(), sgdma_mem_size()); }
void Xil_DCacheInvalidate(void)
{
    sgdma_cache_invalidate((const void *)(uintptr_t)sgdma_mem_base(), sgdma_mem_size());
}

void Xil_AssertSetCallback(Xil_AssertCallback Routine) { assert_callback = Routine; }

void Xil_Assert(const char8 *File, s32 Line)
{
    char text[512];
    if (assert_callback)
        assert_callback(File, Line);
    snprintf(text, sizeof text, "Xil_Assert: assertion failed at %s:%d", File, (int)Line);
    if (Xil_AssertWait)
        sgdma_rt_misuse(text);
    sgdma_sim_fail("%s", text);
}

/* The C library's names: the runner links with -Bsymbolic, so the driver's calls bind here. */
int usleep(useconds_t usec)
{
    sgdma_delay_us(usec);
    return 0;
}

unsigned int sleep(unsigned int seconds)
{
    sgdma_delay_us((uint64_t)seconds * 1000000u);
    return 0;
}
