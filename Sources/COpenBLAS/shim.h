#include <cblas.h>
// openblas_set_num_threads: inference threads are ours (one per worker), not OpenBLAS's.
void openblas_set_num_threads(int num_threads);
