/* The testing header compiles alone as C99 with -pedantic -Werror. */
#include <ctune_testing.h>

int main(void) { return ctune_alloc_live() >= 0 ? 0 : 1; }
