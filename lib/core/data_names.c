/* Column and class names of data created by the loaders. */
#include "core/data.h"

const char *ctune_data_feature_name(const ctune_data *data, size_t j)
{
    if (!data || !data->st->feature_names || j >= data->st->n_cols)
        return NULL;
    return data->st->feature_names[j];
}

size_t ctune_data_n_class_names(const ctune_data *data)
{
    return data && data->st->class_names ? data->st->n_class_names : 0;
}

const char *ctune_data_class_name(const ctune_data *data, size_t code)
{
    if (!data || !data->st->class_names || code >= data->st->n_class_names)
        return NULL;
    return data->st->class_names[code];
}
