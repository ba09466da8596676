/* Embedded datasets, loaded by name like sklearn.datasets.load_*: the CSV
 * text compiled into the library is parsed with the CSV loader. */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "io/csv.h"
#include "io/embedded.h"

typedef struct dataset {
    const char *name;
    const char *const *class_names;
    size_t n_classes;
    const char *description;
} dataset;

static const char *const BREAST_CANCER_CLASSES[] = {"malignant", "benign"};
static const char *const IRIS_CLASSES[] = {"setosa", "versicolor", "virginica"};
static const char *const DIGITS_CLASSES[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

/* The first entry is the default. */
static const dataset DATASETS[] = {
    {"breast_cancer", BREAST_CANCER_CLASSES, 2,
     "Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 real-valued features computed "
     "from digitized images of fine needle aspirates of breast masses (mean, standard error "
     "and worst value of 10 cell nucleus measurements); 2 classes: malignant (0, 212 "
     "samples), benign (1, 357 samples). Source: UCI Machine Learning Repository (W. H. "
     "Wolberg, O. L. Mangasarian, W. N. Street), as distributed with scikit-learn 1.2.1. "
     "Licence: CC BY 4.0."},
    {"iris", IRIS_CLASSES, 3,
     "Iris: 150 samples, 4 features (sepal length, sepal width, petal length, petal width, "
     "in cm); 3 classes of 50 samples: setosa (0), versicolor (1), virginica (2). Source: "
     "R. A. Fisher (1936), UCI Machine Learning Repository, as distributed with scikit-learn "
     "1.2.1. Licence: CC BY 4.0."},
    {"digits", DIGITS_CLASSES, 10,
     "Optical Recognition of Handwritten Digits (test part): 1797 samples, 64 features (8x8 "
     "images, pixel values 0..16); 10 classes, the digits 0..9. Source: UCI Machine Learning "
     "Repository (E. Alpaydin, C. Kaynak), as distributed with scikit-learn 1.2.1. Licence: "
     "CC BY 4.0."},
};
#define N_DATASETS (sizeof DATASETS / sizeof DATASETS[0])

size_t ctune_dataset_count(void) { return N_DATASETS; }

const char *ctune_dataset_name(size_t i) { return i < N_DATASETS ? DATASETS[i].name : NULL; }

static const dataset *find(const char *name)
{
    if (!name || !*name)
        return &DATASETS[0];
    for (size_t i = 0; i < N_DATASETS; i++)
        if (!strcmp(DATASETS[i].name, name))
            return &DATASETS[i];
    return NULL;
}

const char *ctune_dataset_description(const char *name)
{
    const dataset *d = find(name);
    return d ? d->description : NULL;
}

static const ctune__embedded_file *embedded(const char *name)
{
    for (size_t i = 0; i < ctune__embedded_count; i++)
        if (!strcmp(ctune__embedded_files[i].name, name))
            return &ctune__embedded_files[i];
    return NULL;
}

ctune_status ctune_dataset_load(ctune_data **out, const char *name, const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    const dataset *d = find(name);
    if (!d) {
        char names[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < N_DATASETS; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                    DATASETS[i].name);
        return ctune_set_error(CTUNE_EINVAL, "unknown dataset '%s'; known: %s", name, names);
    }
    const ctune__embedded_file *f = embedded(d->name);
    if (!f)
        return ctune_set_error(CTUNE_EINTERNAL, "dataset '%s' is not embedded in this build",
                               d->name);
    ctune__csv_opts o;
    CTUNE_TRY(
        ctune__csv_opts_parse(&o, options, CSV_KEY_DTYPE | CSV_KEY_FEATURES, "dataset options"));
    o.header = CSV_HEADER_YES;
    o.comment = 0;
    o.target = CSV_TARGET_LAST;
    o.labels = CSV_LABELS_NUMERIC;
    o.class_names = d->class_names;
    o.n_class_names = d->n_classes;
    char src[64];
    snprintf(src, sizeof src, "dataset %s", d->name);
    ctune_status rc = ctune__csv_load_mem(out, (const char *)f->data, f->len, &o, src);
    ctune__csv_opts_free(&o);
    return rc;
}
