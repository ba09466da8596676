// The public header compiles as C++ (-Wall -Wextra -Werror -pedantic) and
// links against the shared library.
#include <ctune.h>

#include <cstring>

int main()
{
    ctune_data *d = nullptr;
    const double X[4] = {1, 2, 3, 4};
    const double y[2] = {0, 1};
    if (ctune_data_new(&d, X, CTUNE_FLOAT64, 2, 2, 0, y, 1) != CTUNE_OK)
        return 1;
    int ok = ctune_data_n_rows(d) == 2 && std::strlen(ctune_version_string()) > 0;
    ctune_data_free(d);
    return ok ? 0 : 1;
}
