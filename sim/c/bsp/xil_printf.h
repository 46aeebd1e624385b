/* xil_printf.h - the standalone BSP's console output: the process's standard output. */
#ifndef XIL_PRINTF_H
#define XIL_PRINTF_H

#include <stdio.h>

#define xil_printf printf
#define print(s) fputs((s), stdout)

#endif
