#include "ctune.h"

#if CTUNE_PV_MAJOR != CTUNE_VERSION_MAJOR || CTUNE_PV_MINOR != CTUNE_VERSION_MINOR || \
    CTUNE_PV_PATCH != CTUNE_VERSION_PATCH
#error "include/ctune.h CTUNE_VERSION_* do not match meson.build's project version"
#endif

const char *ctune_version_string(void) { return CTUNE_PV_STRING; }
int ctune_version_number(void) { return CTUNE_VERSION_NUMBER; }
