/* The public header compiles alone as C99 with -pedantic -Werror. */
#include <ctune.h>

int main(void) { return ctune_version_number() == CTUNE_VERSION_NUMBER ? 0 : 1; }
