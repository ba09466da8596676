/* xoshiro256** (Blackman & Vigna) seeded through SplitMix64. */
#include "core/rng.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t ctune_seed_derive(uint64_t seed, uint64_t id)
{
    uint64_t x = seed ^ 0x6A09E667F3BCC909ull;
    uint64_t a = splitmix64(&x);
    x = a ^ (id * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull);
    splitmix64(&x);
    return splitmix64(&x);
}

void ctune__rng_init(ctune_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = ctune_seed_derive(seed, stream);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    if (!(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]))
        rng->s[0] = 1; /* the all-zero state is the one fixed point */
    rng->has_spare = 0;
    rng->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ctune_rng_u64(ctune_rng *rng)
{
    if (!rng)
        return 0; /* a NULL generator is a caller's bug: no crash, a fixed value */
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ctune_rng_uniform(ctune_rng *rng) { return (double)(ctune_rng_u64(rng) >> 11) * 0x1.0p-53; }

uint64_t ctune_rng_below(ctune_rng *rng, uint64_t n)
{
    if (n == 0 || !rng)
        return 0;
    /* Lemire's nearly divisionless method would need 128-bit products;
     * plain rejection keeps it portable and exact. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
    uint64_t r;
    do
        r = ctune_rng_u64(rng);
    while (r > limit);
    return r % n;
}

double ctune_rng_normal(ctune_rng *rng)
{
    if (!rng)
        return 0.0;
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * ctune_rng_uniform(rng) - 1.0;
        v = 2.0 * ctune_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    rng->spare = v * m;
    rng->has_spare = 1;
    return u * m;
}

void ctune__rng_shuffle_size(ctune_rng *rng, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ctune_rng_below(rng, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

ctune_status ctune_rng_new(ctune_rng **out, uint64_t seed, uint64_t stream)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    ctune_rng *r = ctune__malloc(sizeof *r);
    if (!r)
        return CTUNE_ENOMEM;
    ctune__rng_init(r, seed, stream);
    *out = r;
    return CTUNE_OK;
}

void ctune_rng_free(ctune_rng *rng) { ctune__free(rng); }
