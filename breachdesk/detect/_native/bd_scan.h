/* breachdesk compiled detection core: plain C, no Python (the fuzz harness links it alone).
 *
 * A block of bytes goes in with the memory-mapped keyed index; out come only the records
 * that need Python (a hit on someone other than the viewer, or an address that needs a
 * full Unicode normalisation), and counts for everything settled here. See docs/detect.md.
 */
#ifndef BD_SCAN_H
#define BD_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t h[8];       /* BLAKE2b state after the key block: a value costs one compression */
    uint64_t h0[8];      /* the state before it, and the key block: an empty value makes */
    uint8_t keyblock[128]; /* the key block the final one, as BLAKE2b (and hashlib) do */
} bd_b2b;

#define BD_CACHE 4096
typedef struct {
    uint64_t hash;       /* keyed hash of the value */
    uint32_t rows[4];    /* its rows in the index */
    uint8_t nrows, len;  /* len 0: empty slot */
    uint8_t val[96];
} bd_cache_entry; /* pages repeat addresses (support, social): hash and look up once */

typedef struct {
    uint16_t hash, len; /* len 0: empty slot */
    uint8_t val[28];
} bd_word_entry; /* name words repeat (given names): hash each once */

typedef struct {
    const uint64_t *keys; /* sorted keyed hashes of emails and phones */
    const uint32_t *rows; /* customer row of each key */
    size_t nkeys;
    const uint64_t *ids; /* sorted keyed hashes of customer ids (may be NULL) */
    const uint32_t *idrows;
    size_t nids;
    bd_b2b email, phone, cid, nameword, name;
    const uint32_t *names; /* packed name hash per customer row (may be NULL) */
    size_t nnames;
    uint32_t *kbucket; /* first key per top-bits bucket (NULL: search the whole array) */
    int kbits;
    uint32_t *ibucket;
    int ibits;
    bd_cache_entry *cache; /* BD_CACHE entries, or NULL */
    bd_word_entry *words;  /* BD_CACHE entries, or NULL */
} bd_index;

#define BD_MAX_ROWS 64
#define BD_MAX_FORCED 8
#define BD_VAL (64 + 1 + 256)

typedef struct {
    uint32_t rows[BD_MAX_ROWS]; /* distinct registry rows hit in the record */
    int nrows;
    int overflow;  /* more distinct rows than fit: the record goes to Python */
    int forced;    /* an address needs Python (non-ASCII: NFKC, IDNA) */
    int hard;      /* ... and it could not be kept in ``fvals``: the whole record goes */
    int nf;        /* non-ASCII addresses kept for Python to normalise, as decoded */
    uint16_t flen[BD_MAX_FORCED];
    uint8_t fvals[BD_MAX_FORCED][BD_VAL];
    uint64_t unknown;  /* valid addresses not in the registry */
    uint64_t emails;   /* valid addresses seen */
} bd_record;

/* One candidate for the dump matcher (attribute). */
typedef struct {
    uint64_t hash;
    int64_t row;     /* -1: not in the index */
    uint32_t lo, hi; /* the line holding it */
    uint32_t cs, ce; /* the candidate's raw span (approximate when it was decoded) */
    uint32_t kind;   /* 1 email, 2 phone, 4 forced (non-ASCII: Python normalises it) */
    uint32_t pad;
} bd_cand;

typedef struct {
    bd_cand *items;
    size_t n, cap;
    int oom;
} bd_cands;

void bd_index_init(bd_index *ix, const uint8_t *key, size_t keylen);
uint64_t bd_hash(const bd_b2b *st, const uint8_t *msg, size_t len);
uint64_t bd_hash_portable(const bd_b2b *st, const uint8_t *msg, size_t len);
/* all rows of a key into out (up to max); returns how many */
int bd_lookup(const uint64_t *keys, const uint32_t *rows, size_t n, uint64_t q, uint32_t *out,
              int max);
/* the bucket table of a sorted key array (about 8 keys a bucket); NULL when out of memory */
uint32_t *bd_buckets(const uint64_t *keys, size_t n, int *bits);
int bd_lookup_b(const uint64_t *keys, const uint32_t *rows, size_t n, const uint32_t *bucket,
                int bits, uint64_t q, uint32_t *out, int max);
/* scan one record [p, p+n); cands may be NULL */
void bd_scan_record(const bd_index *ix, const uint8_t *p, size_t n, bd_record *rec,
                    bd_cands *cands, uint32_t base, uint32_t line_lo, uint32_t line_hi);
/* the universal decoder (up to three passes); returns the decoded length (<= n) */
size_t bd_decode(const uint8_t *in, size_t n, uint8_t *out, uint32_t *map);
/* offset of the first invalid UTF-8 sequence, or -1 */
int64_t bd_utf8_invalid(const uint8_t *p, size_t n);
/* the customer's own name (packed hash) among the words of a and b: 1, 0, or -1 (ask Python) */
int bd_name_seen(const bd_index *ix, uint32_t packed, const uint8_t *a, size_t an,
                 const uint8_t *b, size_t bn);
/* row of a viewer id, or -1 */
int64_t bd_viewer_row(const bd_index *ix, const uint8_t *id, size_t len);

#endif
