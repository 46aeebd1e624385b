/* sleep.h - the standalone BSP's delays, in simulated time: usleep(us) and sleep(s) let that
 * much engine time pass (at --clock-mhz).  The prototypes are the C library's. */
#ifndef SLEEP_H
#define SLEEP_H

#include <unistd.h>

#endif
