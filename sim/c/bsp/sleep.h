/* sleep.h - the standalone BSP's delays, in simulated time: usleep(us) and sleep(s) let that
 * much engine time pass (at --clock-mhz).  The prototypes are the C library's, declared here
 * also for strict ISO C builds (-std=c99), where <unistd.h> leaves usleep out. */
#ifndef SLEEP_H
#define SLEEP_H

#include <unistd.h>

#ifdef __GLIBC__
extern int usleep(__useconds_t __useconds);
#endif

#endif
