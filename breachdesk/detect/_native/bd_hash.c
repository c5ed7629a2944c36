/* breachdesk compiled detection core: keyed BLAKE2b (RFC 7693) and index look-ups. The Python reference is
 * breachdesk/detect/reference.py; a differential test holds them together, and every read
 * is bounds-checked against the buffer it belongs to (fuzzed with ASan). */
#include <stdlib.h>
#include <string.h>

#include "bd_scan.h"
#include "bd_text.h"

/* ---------------------------------------------------------------- BLAKE2b (RFC 7693) */

static const uint64_t B2_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }


#define B2G(a, b, c, d, x, y)         \
    do {                              \
        a = a + b + (x);              \
        d = rotr64(d ^ a, 32);        \
        c = c + d;                    \
        b = rotr64(b ^ c, 24);        \
        a = a + b + (y);              \
        d = rotr64(d ^ a, 16);        \
        c = c + d;                    \
        b = rotr64(b ^ c, 63);        \
    } while (0)

static void b2_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= t;
    if (last) v[14] = ~v[14];
    /* unrolled, so that every message index is a constant */
#pragma GCC unroll 12
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        B2G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        B2G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        B2G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        B2G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        B2G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        B2G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        B2G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define B2_AVX2 __attribute__((target("avx2")))

/* The same compression with the four columns of the state in four 256-bit registers
   (rows a, b, c, d); the diagonal step rotates rows b, c and d by one, two and three
   lanes. Checked against the portable version in every differential test. */
B2_AVX2 static void b2_compress_avx2(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
    uint64_t m[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    const __m256i rot24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
                                           3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                                           2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)h);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(h + 4));
    __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)B2_IV);
    __m256i d = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(B2_IV + 4)),
                                 _mm256_set_epi64x(0, last ? -1LL : 0, 0, (long long)t));
#define B2V_HALF(x, y)                                                             \
    do {                                                                           \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), x);                           \
        d = _mm256_shuffle_epi32(_mm256_xor_si256(d, a), _MM_SHUFFLE(2, 3, 0, 1)); \
        c = _mm256_add_epi64(c, d);                                                \
        b = _mm256_shuffle_epi8(_mm256_xor_si256(b, c), rot24);                    \
        a = _mm256_add_epi64(_mm256_add_epi64(a, b), y);                           \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);                    \
        c = _mm256_add_epi64(c, d);                                                \
        b = _mm256_xor_si256(b, c);                                                \
        b = _mm256_or_si256(_mm256_srli_epi64(b, 63), _mm256_add_epi64(b, b));     \
    } while (0)
#define M4(i, j, k, l) _mm256_set_epi64x((long long)m[s[l]], (long long)m[s[k]], (long long)m[s[j]], (long long)m[s[i]])
#pragma GCC unroll 12
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2V_HALF(M4(0, 2, 4, 6), M4(1, 3, 5, 7));
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
        B2V_HALF(M4(8, 10, 12, 14), M4(9, 11, 13, 15));
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
    }
#undef M4
#undef B2V_HALF
    __m256i h0 = _mm256_loadu_si256((const __m256i *)(const void *)h);
    __m256i h1 = _mm256_loadu_si256((const __m256i *)(const void *)(h + 4));
    _mm256_storeu_si256((__m256i *)(void *)h, _mm256_xor_si256(h0, _mm256_xor_si256(a, c)));
    _mm256_storeu_si256((__m256i *)(void *)(h + 4), _mm256_xor_si256(h1, _mm256_xor_si256(b, d)));
}

static int b2_have_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
}
#define B2_VECTOR b2_have_avx2()
#define B2_COMPRESS(vec, h, m, t, last) \
    ((vec) ? b2_compress_avx2(h, m, t, last) : b2_compress(h, m, t, last))
#else
#define B2_VECTOR 0
#define B2_COMPRESS(vec, h, m, t, last) b2_compress(h, m, t, last)
#endif

/* keyed, 8-byte digest, personalisation: the state after the key block */
static void b2_init_keyed(bd_b2b *st, const uint8_t *key, size_t keylen, const char *person,
                          uint64_t outlen) {
    uint8_t block[128];
    uint8_t pers[16];
    memset(pers, 0, sizeof pers);
    memcpy(pers, person, strlen(person) < 16 ? strlen(person) : 16);
    for (int i = 0; i < 8; i++) st->h[i] = B2_IV[i];
    st->h[0] ^= 0x01010000ULL ^ ((uint64_t)keylen << 8) ^ outlen;
    st->h[6] ^= load64(pers);
    st->h[7] ^= load64(pers + 8);
    memset(block, 0, sizeof block);
    memcpy(block, key, keylen);
    memcpy(st->h0, st->h, sizeof st->h0);
    memcpy(st->keyblock, block, sizeof st->keyblock);
    b2_compress(st->h, block, 128, 0);
}

static inline uint64_t hash_with(const bd_b2b *st, const uint8_t *msg, size_t len, int vec) {
    uint64_t h[8];
    uint8_t block[128];
    uint64_t t = 128;
    (void)vec;
    if (len == 0) { /* the key block is the last block (the extractor never asks for this) */
        memcpy(h, st->h0, sizeof h);
        B2_COMPRESS(vec, h, st->keyblock, t, 1);
        return h[0];
    }
    memcpy(h, st->h, sizeof h);
    while (len > 128) {
        t += 128;
        B2_COMPRESS(vec, h, msg, t, 0);
        msg += 128;
        len -= 128;
    }
    memset(block, 0, sizeof block);
    if (len) memcpy(block, msg, len);
    t += len;
    B2_COMPRESS(vec, h, block, t, 1);
    return h[0];
}

uint64_t bd_hash(const bd_b2b *st, const uint8_t *msg, size_t len) {
    return hash_with(st, msg, len, B2_VECTOR);
}

/* the portable compression only: the fuzz target checks that both agree */
uint64_t bd_hash_portable(const bd_b2b *st, const uint8_t *msg, size_t len) {
    return hash_with(st, msg, len, 0);
}

void bd_index_init(bd_index *ix, const uint8_t *key, size_t keylen) {
    if (keylen > 64) keylen = 64;
    b2_init_keyed(&ix->email, key, keylen, "bd:email", 8);
    b2_init_keyed(&ix->phone, key, keylen, "bd:phone", 8);
    b2_init_keyed(&ix->cid, key, keylen, "bd:customerid", 8);
    b2_init_keyed(&ix->nameword, key, keylen, "bd:nameword", 2);
    b2_init_keyed(&ix->name, key, keylen, "bd:name", 2);
}

/* --------------------------------------------------------------------- index lookup */

/* first position with keys[pos] >= q; keys are uniform hashes, so start where q would be */
static size_t lower_bound(const uint64_t *keys, size_t n, uint64_t q) {
    if (n == 0) return 0;
    size_t guess = (size_t)(((unsigned __int128)q * n) >> 64);
    if (guess >= n) guess = n - 1;
    size_t lo, hi, step = 16;
    if (keys[guess] < q) {
        lo = guess + 1;
        hi = lo;
        while (hi < n && keys[hi] < q) {
            lo = hi + 1;
            hi = (n - hi > step) ? hi + step : n;
            step <<= 1;
        }
    } else {
        hi = guess;
        lo = hi;
        while (lo > 0 && keys[lo - 1] >= q) {
            hi = lo - 1;
            lo = (lo > step) ? lo - step : 0;
            step <<= 1;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int bd_lookup(const uint64_t *keys, const uint32_t *rows, size_t n, uint64_t q, uint32_t *out,
              int max) {
    if (!keys || n == 0) return 0;
    size_t i = lower_bound(keys, n, q);
    int k = 0;
    while (i < n && keys[i] == q && k < max) out[k++] = rows[i++];
    return k;
}

uint32_t *bd_buckets(const uint64_t *keys, size_t n, int *bits) {
    int b = 8;
    while (b < 26 && ((size_t)1 << b) * 8 < n) b++;
    size_t nb = (size_t)1 << b;
    uint32_t *t = malloc((nb + 1) * sizeof(uint32_t));
    if (!t) return NULL;
    size_t i = 0;
    for (size_t k = 0; k < nb; k++) {
        while (i < n && (keys[i] >> (64 - b)) < k) i++;
        t[k] = (uint32_t)i;
    }
    t[nb] = (uint32_t)n;
    *bits = b;
    return t;
}

int bd_lookup_b(const uint64_t *keys, const uint32_t *rows, size_t n, const uint32_t *bucket,
                int bits, uint64_t q, uint32_t *out, int max) {
    if (!bucket) return bd_lookup(keys, rows, n, q, out, max);
    if (!keys || n == 0) return 0;
    size_t b = (size_t)(q >> (64 - bits));
    size_t lo = bucket[b], hi = bucket[b + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    int k = 0;
    while (lo < n && keys[lo] == q && k < max) out[k++] = rows[lo++];
    return k;
}

int64_t bd_viewer_row(const bd_index *ix, const uint8_t *id, size_t len) {
    uint32_t row;
    if (!ix->ids || ix->nids == 0 || len == 0) return -1;
    if (bd_lookup_b(ix->ids, ix->idrows, ix->nids, ix->ibucket, ix->ibits, bd_hash(&ix->cid, id, len), &row, 1))
        return row;
    return -1;
}
