/* GLib's random numbers fixed, for callgrind counts that repeat: Wireshark seeds its hash maps
 * (wmem_map) with g_random_int(), and the seed moves a run's instruction count by up to 0.3%.
 *   cc -shared -fPIC -O2 -o fixed_random.so tools/bench/fixed_random.c
 *   LD_PRELOAD=$PWD/fixed_random.so valgrind --tool=callgrind tshark ...
 */
#include <stdint.h>

uint32_t g_random_int(void) {
    return 0x9e3779b9u;
}

int32_t g_random_int_range(int32_t begin, int32_t end) {
    return begin + (int32_t)(0x9e3779b9u % (uint32_t)(end - begin));
}

double g_random_double(void) {
    return 0.5;
}
