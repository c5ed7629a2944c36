/* Fuzz target of the compiled core: LLVMFuzzerTestOneInput for libFuzzer (clang
 * -fsanitize=fuzzer,address), plus a small self-contained mutation driver so gcc with
 * AddressSanitizer and UBSan can run it for a bounded time (BD_FUZZ_DRIVER, used by
 * tests/detect/test_core_fuzz.py and `make fuzz-core`). Every input is copied into a
 * buffer of exactly its size, so any read past the end is reported. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bd_scan.h"

static bd_index IX;
static uint64_t KEYS[8];
static uint32_t ROWS[8];
static uint64_t IDS[2];
static uint32_t IDROWS[2];

static int cmp64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void setup(void) {
    static int ready = 0;
    if (ready) return;
    const uint8_t key[32] = "fuzz-key-0123456789abcdef-012345";
    bd_index_init(&IX, key, sizeof key);
    const char *emails[] = {"ann@example.com", "bob.smith@shop.example.co.uk", "carol+news@x.org"};
    for (int i = 0; i < 3; i++) KEYS[i] = bd_hash(&IX.email, (const uint8_t *)emails[i], strlen(emails[i]));
    KEYS[3] = bd_hash(&IX.phone, (const uint8_t *)"+442079460018", 13);
    qsort(KEYS, 4, sizeof KEYS[0], cmp64);
    for (int i = 0; i < 4; i++) ROWS[i] = (uint32_t)i + 1;
    IDS[0] = bd_hash(&IX.cid, (const uint8_t *)"c1", 2);
    IDROWS[0] = 1;
    IX.keys = KEYS;
    IX.rows = ROWS;
    IX.nkeys = 4;
    IX.ids = IDS;
    IX.idrows = IDROWS;
    IX.nids = 1;
    IX.cache = calloc(BD_CACHE, sizeof(bd_cache_entry));
    IX.words = calloc(BD_CACHE, sizeof(bd_word_entry));
    static const uint32_t NAMES[5] = {0, 0x12340002u, 0, 0, 0xFFFF0013u};
    IX.names = NAMES;
    IX.nnames = 5;
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    bd_record rec;
    memset(&rec, 0, sizeof rec);
    bd_cands cs = {NULL, 0, 0, 0};
    bd_scan_record(&IX, buf, size, &rec, &cs, 0, 0, (uint32_t)size);
    for (size_t i = 0; i < cs.n; i++)
        if (cs.items[i].ce > size && cs.items[i].kind != 2) abort();
    free(cs.items);
    size_t pos = 0; /* as lines, the way scan_lines and candidates() cut a block */
    while (pos < size) {
        const uint8_t *nl = memchr(buf + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - buf) : size;
        memset(&rec, 0, sizeof rec);
        bd_scan_record(&IX, buf + pos, end - pos, &rec, NULL, (uint32_t)pos, 0, 0);
        pos = end + 1;
    }
    for (uint32_t k = 0; k < 5; k++) /* names: the two halves of the input around its middle */
        (void)bd_name_seen(&IX, IX.names[k] | (k + 1), buf, size / 2, buf + size / 2, size - size / 2);
    /* the keyed hash: the vector compression (where the CPU has AVX2) and the portable one */
    if (bd_hash(&IX.email, buf, size) != bd_hash_portable(&IX.email, buf, size)) abort();
    int64_t bad = bd_utf8_invalid(buf, size);
    if (bad >= (int64_t)size) abort();
    uint8_t *out = malloc(size ? size : 1);
    uint32_t *map = malloc((size ? size : 1) * sizeof(uint32_t));
    if (out && map) {
        size_t len = bd_decode(buf, size, out, map);
        if (len > size) abort();
        for (size_t i = 0; i < len; i++)
            if (map[i] >= size) abort();
    }
    free(out);
    free(map);
    free(buf);
    return 0;
}

#ifdef BD_FUZZ_DRIVER
static const char *DICT[] = {
    "@", "&#64;", "&#x40;", "&commat;", "&amp;", "&amp;#64;", "&period;", "&#", "&#x", "&eacute;",
    "\\u0040", "\\\\u0040", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\", "\\\"", "\\n",
    "%40", "%2540", "%2B", "%", "%zz", "=40", "=\r\n", "=\n", "=C3=A9", "=E2=80=94", "=",
    "\xef\xbc\xa0", "\xef\xb9\xab", "\xef\xbc\x88", "\xef\xbd\x81", "\xef\xbb\xbf", "\xe3\x80\x82",
    "\xc2\xa0", "\xe2\x80\x94", "\xc3", "\xe0\xa0", "\xf0\x9f", "ann", "example.com", ".", "-",
    "+44 20 7946 0018", "+1", "\"", "\"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\"",
    "\"PHA+YW5uQGV4YW1wbGUuY29tPC9wPg==\"", "\"viewer\":\"c1\"", "\n", "q=hello+", "xn--bcher-kva",
};
#define NDICT (sizeof DICT / sizeof DICT[0])

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define MAXLEN 8192
int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 10.0;
    if (argc > 2) rng ^= (uint64_t)strtoull(argv[2], NULL, 10) * 0x2545F4914F6CDD1DULL;
    static uint8_t cur[MAXLEN];
    size_t n = 0;
    unsigned long runs = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 >= seconds) break;
        if (n == 0 || next() % 64 == 0) { /* restart from a dictionary mix */
            n = 0;
            int k = (int)(next() % 12) + 1;
            for (int i = 0; i < k; i++) {
                const char *t = DICT[next() % NDICT];
                size_t l = strlen(t);
                if (n + l > MAXLEN) break;
                memcpy(cur + n, t, l);
                n += l;
            }
        }
        switch (next() % 6) {
            case 0: /* insert a token */
            {
                const char *t = DICT[next() % NDICT];
                size_t l = strlen(t), at = n ? next() % (n + 1) : 0;
                if (n + l <= MAXLEN) {
                    memmove(cur + at + l, cur + at, n - at);
                    memcpy(cur + at, t, l);
                    n += l;
                }
                break;
            }
            case 1: /* flip a byte */
                if (n) cur[next() % n] = (uint8_t)next();
                break;
            case 2: /* delete a range */
                if (n) {
                    size_t at = next() % n, l = next() % (n - at) + 1;
                    memmove(cur + at, cur + at + l, n - at - l);
                    n -= l;
                }
                break;
            case 3: /* duplicate a range */
                if (n && n < MAXLEN / 2) {
                    size_t at = next() % n, l = next() % (n - at) + 1;
                    memmove(cur + n, cur + at, l);
                    n += l;
                }
                break;
            case 4: /* truncate */
                if (n) n = next() % n;
                break;
            default: /* a run of one byte (long locals, domains, base64) */
                if (n + 300 <= MAXLEN) {
                    size_t l = next() % 300;
                    memset(cur + n, "a.-+=%\\&#0A"[next() % 11], l);
                    n += l;
                }
        }
        LLVMFuzzerTestOneInput(cur, n);
        runs++;
    }
    printf("fuzz-core: %lu inputs in %.1f s, no crash\n", runs, seconds);
    return 0;
}
#endif
