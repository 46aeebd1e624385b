/* Injected bug (forced include, -include): the driver never invalidates its data cache, so it
 * would read received data and STATUS words from stale cache lines on hardware. */
#include "xil_cache.h"
#define Xil_DCacheInvalidateRange(adr, len) ((void)(adr), (void)(len))
